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
