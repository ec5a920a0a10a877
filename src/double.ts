// Double precision: plain numbers and Float64Arrays, computed in float64 from Math.exp.
//
// With e = e^-|x| (Math.exp: under 1 ulp) the results are e / D, 1 / D and e / D^2 for
// D = 1 + e. 1 + e rounds, and each division rounds again, so a plain evaluation would reach
// 2.5 ulp. Here D is carried as a double-double (d + dl, Fast2Sum: exact as 1 >= e) and each
// quotient is corrected by its exact residual (Dekker's product), so that only the final
// addition rounds: every result is within 1/2 ulp plus the error of Math.exp, under 1.5 ulp.
import { BACKWARD, SNAPSHOT, STAGE_OUT2, planOrder } from './chunk.js';
import type { FunctionSpec } from './functions.js';

/** 2^27 + 1: Veltkamp's constant, splitting a double into two halves of 26 bits. */
const SPLIT = 134217729;

/** The exact rounding error of the product p = a * b (Dekker), for a, b well inside the range. */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * (n + nl) / (d + dl) to within 1/2 ulp plus a negligible term: q = n / d rounded, then the
 * residual n + nl - q*(d + dl), computed with q*d split exactly (n - q*d is exact by Sterbenz,
 * as q*d is within a factor of 2 of n), corrects it.
 */
function divide(n: number, nl: number, d: number, dl: number): number {
  const q = n / d;
  const p = q * d;
  return q + (n - p - productError(q, d, p) + nl - q * dl) / d;
}

/** e^-|x| and D = 1 + e^-|x| = d + dl exactly. */
function denominator(x: number): [e: number, d: number, dl: number] {
  const e = Math.exp(-Math.abs(x));
  const d = 1 + e;
  return [e, d, 1 - d + e];
}

export function sigmoid(x: number): number {
  const [e, d, dl] = denominator(x);
  return x > 0 ? divide(1, 0, d, dl) : divide(e, 0, d, dl);
}

export function sigmoidDerivative(x: number): number {
  const [e, d, dl] = denominator(x);
  // f = e / D as a double-double (f + fl), then f / D.
  const f = e / d;
  const p = f * d;
  const fl = (e - p - productError(f, d, p) - f * dl) / d;
  return divide(f, fl, d, dl);
}

export function sigmoidDerivativeFromOutput(y: number): number {
  return y * (1 - y);
}

/** Applies a function's double forms elementwise over Float64Arrays, in the order planOrder chooses for overlapping views. */
export function mapFloat64(spec: FunctionSpec, x: Float64Array, out: Float64Array, out2?: Float64Array): void {
  const plan = planOrder(spec.call, x, out, out2);
  const source = plan & SNAPSHOT ? x.slice() : x;
  const backward = (plan & BACKWARD) !== 0;
  const n = source.length;
  const step = backward ? -1 : 1;
  const [f, g] = spec.double as [(x: number) => number, ((x: number) => number)?];
  if (g && out2) {
    const dy = plan & STAGE_OUT2 ? new Float64Array(n) : out2;
    for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) {
      const v = source[i]!;
      out[i] = f(v);
      dy[i] = g(v);
    }
    if (dy !== out2) out2.set(dy);
    return;
  }
  for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) out[i] = f(source[i]!);
}

/**
 * silu(x) = x * sigma(x). x * e / (1 + e) for x < 0 (the product carried exactly, so that the
 * quotient rounds once, as in sigmoid), x / (1 + e) for x > 0, and x - x * e once e is below
 * 2^-52 of 1 (where the quotient's residual would overflow). Below x = -708, e^x is subnormal
 * and would lose its precision before the product: there (x * h) * h with h = e^(x/2), normal,
 * so that only the last step rounds into the subnormal range.
 */
export function silu(x: number): number {
  if (x === 0 || Number.isNaN(x) || x === Infinity) return x;
  if (x < -708) {
    const h = Math.exp(x / 2);
    return h === 0 ? -0 : x * h * h;
  }
  const [e, d, dl] = denominator(x);
  if (x > 36) return x - x * e;
  if (x > 0) return divide(x, 0, d, dl);
  const p = x * e;
  return divide(p, productError(x, e, p), d, dl);
}

/**
 * silu'(x) = sigma(x) (1 + x (1 - sigma(x))): g (1 + x f) for x > 0 and f ((1 + x) - x f) for
 * x < 0, with f = sigma(-|x|) and g = sigma(|x|) each rounded once; 1 + x is exact for x <= -1/2,
 * so near the root at x = -1.278... only x * f rounds before the cancellation. Below -708,
 * ((1 + x) h) h as in silu.
 */
export function siluDerivative(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x < -708) {
    const h = Math.exp(x / 2);
    return h === 0 ? -0 : (1 + x) * h * h;
  }
  const [e, d, dl] = denominator(x);
  const f = divide(e, 0, d, dl);
  const g = divide(1, 0, d, dl);
  return x > 0 ? g * (1 + x * f) : f * (1 + x - x * f);
}

/** tanh(x): the engine's Math.tanh (fdlibm's algorithm in V8, SpiderMonkey and JavaScriptCore, under 1 ulp). */
export const tanh = Math.tanh;

/**
 * tanh'(x) = 1 - tanh^2(x) = 4 e^-2|x| / (1 + e^-2|x|)^2 = 4 sigma'(2x): from sigmoidDerivative,
 * so it does not cancel for large |x| (2x and the factor 4 are exact).
 */
export function tanhDerivative(x: number): number {
  return 4 * sigmoidDerivative(2 * x);
}

/** 1 - y^2 from the output y = tanh(x), as (1 - y)(1 + y), which does not cancel near |y| = 1. */
export function tanhDerivativeFromOutput(y: number): number {
  return (1 - y) * (1 + y);
}

/**
 * softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^-|x| <= 1 never overflows, and the
 * log1p term is at most ln 2, so for x > 0 it reaches the sum damped (by <= 0.72 near 0, by far
 * more beyond) and softplus(x) = x exactly once it is below half an ulp of x; for x <= 0 the
 * result is log1p(e^x) itself, e^x in the tail (subnormals computed by Math.exp).
 */
export function softplus(x: number): number {
  const term = Math.log1p(Math.exp(-Math.abs(x)));
  return x > 0 ? x + term : term;
}

/** logSigmoid(x) = -softplus(-x) (the negation is exact). */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/** logSigmoid'(x) = sigma(-x) (the negation is exact). */
export function logSigmoidDerivative(x: number): number {
  return sigmoid(-x);
}
