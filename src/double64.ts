// The double-precision kernels' JS twin: the steps of assembly/exp64.ts and the family files
// (sigmoid64.ts, tanh64.ts, silu64.ts, softplus64.ts), in the same order, in plain double
// arithmetic. JavaScript numbers are IEEE 754 binary64 with round-to-nearest-even and no fused
// multiply-add, as WebAssembly's f64 is, so the results are the SIMD build's bits on every
// engine: nothing here calls Math.exp, Math.log or Math.pow, whose last bits differ between
// engines. Numbers, and Float64Arrays where the backend has no double kernels (the scalar and JS
// backends), run these functions; the constants are the kernels' own (src/generated/constants.ts).
//
// Each function spells out the core's first steps (z, biased, s, P) rather than calling a helper
// that hands back two values: through module variables, as src/double.ts does, sigmoid(number)
// ran 1.7x slower (76 against 44 ns a call, V8 11.3), and the number path is what it is for.
import * as K from './generated/constants.js';

// The kernels' constants as module-local constants: V8 (11.3) reads an imported binding, or a
// property of the namespace, with a check at every use (sigmoid(number) took 63 and 76 ns a
// call), a local constant at none (43 ns; the naive line 52).
const C10 = K.E64_C10, C11 = K.E64_C11, C12 = K.E64_C12, C2 = K.E64_C2, C3 = K.E64_C3,
  C4 = K.E64_C4, C5 = K.E64_C5, C6 = K.E64_C6, C7 = K.E64_C7, C8 = K.E64_C8, C9 = K.E64_C9,
  HALF_UNSCALE = K.HALF_UNSCALE64, LN2 = K.LN2_64, LN2_LO = K.LN2_LO64, R0 = K.LOG1P64_R0,
  R1 = K.LOG1P64_R1, R2 = K.LOG1P64_R2, R3 = K.LOG1P64_R3, R4 = K.LOG1P64_R4, R5 = K.LOG1P64_R5,
  R6 = K.LOG1P64_R6, R7 = K.LOG1P64_R7, MAGIC_BIAS = K.MAGIC64_BIAS,
  MINUS_LN2_HI = K.MINUS_LN2_HI64, MINUS_LN2_LO = K.MINUS_LN2_LO64, MINUS_LOG2E = K.MINUS_LOG2E64,
  QUADRUPLE_UNSCALE = K.QUADRUPLE_UNSCALE64, SCALED_ONE = K.SCALED64_ONE,
  TANH_TINY = K.TANH64_TINY, UNSCALE = K.UNSCALE64, Z_MAX = K.Z64_MAX;

/**
 * POW2[i] = 2^(128 - i): the scale s = 2^(128 + n) that the WASM kernels build with a shift
 * (i64x2.shl), as a lookup at -n. Built by halving, which is exact down to 2^-980 (n >= -1108).
 */
const POW2 = new Float64Array(1109);
POW2[0] = SCALED_ONE;
for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1]! * 0.5;

/** s (e^t - 1) for |t| <~ ln2/2 and s a power of two: exp64.ts's scaledExpm1X2. */
function scaledExpm1(t: number, s: number): number {
  const t2 = t * t;
  const t4 = t2 * t2;
  const a0 = C3 * t + C2;
  const a1 = C5 * t + C4;
  const a2 = C7 * t + C6;
  const a3 = C9 * t + C8;
  const a4 = C11 * t + C10;
  const b0 = a1 * t2 + a0;
  const b1 = a3 * t2 + a2;
  const b2 = C12 * t2 + a4;
  const r = (b1 * t4 + b0) + b2 * (t4 * t4);
  const ts = t * s;
  return ts + ts * (t * r);
}

/** s = 2^(128 + n) from the biased sum (exp64.ts's expScaleX2): -n = MAGIC64_BIAS - biased, exact. NaN: any s (t is NaN). */
function expScale(biased: number): number {
  return POW2[(MAGIC_BIAS - biased) | 0]!;
}

/** t = -z - n ln2 from z and its biased sum (exp64.ts's expReducedX2). */
function expReduced(z: number, biased: number): number {
  const n = biased - MAGIC_BIAS;
  return (n * MINUS_LN2_HI - z) + n * MINUS_LN2_LO;
}

/** sigma(-|x|), refined (sigmoid64.ts's f). */
function logisticTail(x: number): number {
  const a = Math.abs(x);
  const z = Z_MAX < a ? Z_MAX : a;
  const biased = z * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(z, biased), s);
  const scaled = p + s;
  const quotient = scaled / (SCALED_ONE + scaled);
  const e = scaled * UNSCALE;
  const el = ((s - scaled) + p) * UNSCALE;
  return e - (e * quotient - (el - el * quotient));
}

export function sigmoid(x: number): number {
  const f = logisticTail(x);
  return x > 0 ? 1 - f : f;
}

export function sigmoidDerivative(x: number): number {
  const f = logisticTail(x);
  return f - f * f;
}

export function sigmoidDerivativeFromOutput(y: number): number {
  return y * (1 - y);
}

export function tanh(x: number): number {
  const z = Math.abs(x);
  if (z < TANH_TINY) return x;
  const doubled = z + z;
  const w = Z_MAX < doubled ? Z_MAX : doubled;
  const biased = w * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(w, biased), s);
  const d = SCALED_ONE + (p + s);
  const a = SCALED_ONE - s;
  const m = a - p;
  const ml = ((a - m) - p) * UNSCALE;
  const h = m * HALF_UNSCALE;
  const y0 = m / d;
  const y = h + (h * y0 + ml * (0.5 + y0));
  return x < 0 ? -y : y;
}

export function tanhDerivative(x: number): number {
  const z = Math.abs(x);
  const doubled = z + z;
  const w = Z_MAX < doubled ? Z_MAX : doubled;
  const biased = w * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(w, biased), s);
  const e = p + s;
  const el = (s - e) + p;
  const q = e / (SCALED_ONE + e);
  const big = e - (e * q - (el - el * q));
  return (big - big * (big * UNSCALE)) * QUADRUPLE_UNSCALE;
}

export function tanhDerivativeFromOutput(y: number): number {
  return (1 - y) * (1 + y);
}

/** silu64.ts's steps: silu(x), or silu'(x) with `derivative`. */
function siluKernel(x: number, derivative: boolean): number {
  const a = Math.abs(x);
  const z = Z_MAX < a ? Z_MAX : a;
  const biased = z * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(z, biased), s);
  const e = p + s;
  const q = e / (SCALED_ONE + e);
  const el = (s - e) + p;
  const g = e * q - (el - el * q);
  const big = e - g;
  const low = (e - big) - g;
  const zf = (z * big + z * low) * UNSCALE;
  // silu for x <= 0: copysign(zf, x); zf = +0 for x = +-0, which x itself gives with its sign.
  if (!derivative) return x > 0 ? x - zf : x === 0 ? x : -zf;
  return x > 0 ? (1 - big * UNSCALE) * (1 + zf) : (big * ((1 - z) + zf)) * UNSCALE;
}

export function silu(x: number): number {
  return siluKernel(x, false);
}

export function siluDerivative(x: number): number {
  return siluKernel(x, true);
}

/**
 * softplus64.ts's steps: softplus(x) (`negated` false) or logSigmoid(x) (`negated` true), or with
 * `derivative` the lane's sigma: sigma(x), or sigma(-x) for logSigmoid.
 */
function softplusKernel(x: number, negated: boolean, derivative: boolean): number {
  const ax = Math.abs(x);
  const z = Z_MAX < ax ? Z_MAX : ax;
  const biased = z * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(z, biased), s);
  const scaled = p + s;
  const u = scaled * UNSCALE;
  const ul = ((s - scaled) + p) * UNSCALE;
  const linear = negated ? x < 0 : x > 0;
  if (derivative) {
    const quotient = scaled / (SCALED_ONE + scaled);
    const fs = u - (u * quotient - (ul - ul * quotient));
    return linear ? 1 - fs : fs;
  }
  const halfU = u * 0.5;
  const upper = u >= 0.5;
  const f = upper ? halfU - 0.5 : u;
  const ratio = f / (2 + f);
  const t = ratio * ratio;
  const t2 = t * t;
  const q = ((R3 * t + R2) * t2 + (R1 * t + R0)) + ((R7 * t + R6) * t2 + (R5 * t + R4)) * (t2 * t2);
  const a = ratio * (f - t * q);
  const s1 = f - a;
  const e1 = (f - s1) - a;
  const kLn2 = upper ? LN2 : 0;
  const sum = kLn2 + s1;
  const e2 = s1 - (sum - kLn2);
  const low = ((e1 + e2) + ul * (1 - halfU)) + (upper ? LN2_LO : 0);
  const r = (linear ? z : 0) + (sum + low);
  if (negated) return x < -r ? x : -r;
  return r < x ? x : r;
}

export function softplus(x: number): number {
  return softplusKernel(x, false, false);
}

export function logSigmoid(x: number): number {
  return softplusKernel(x, true, false);
}

export function logSigmoidDerivative(x: number): number {
  return softplusKernel(x, true, true);
}
