// The double-precision kernels' JS twin: the steps of assembly/exp64.ts and the family files
// (sigmoid64.ts, tanh64.ts, silu64.ts, softplus64.ts), in the same order, in plain double
// arithmetic. JavaScript numbers are IEEE 754 binary64 with round-to-nearest-even and no fused
// multiply-add, as WebAssembly's f64 is, so the results are the SIMD build's bits on every
// engine: nothing here calls Math.exp, Math.log or Math.pow, whose last bits differ between
// engines. Numbers, and Float64Arrays where the backend has no double kernels (the scalar and JS
// backends), run these functions; the constants are the kernels' own (src/generated/constants.ts).
import * as K from './generated/constants.js';

/**
 * POW2[i] = 2^(128 - i): the scale s = 2^(128 + n) that the WASM kernels build with a shift
 * (i64x2.shl), as a lookup at -n. Built by halving, which is exact down to 2^-980 (n >= -1108).
 */
const POW2 = new Float64Array(1109);
POW2[0] = K.SCALED64_ONE;
for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1]! * 0.5;

/** s (e^t - 1) for |t| <~ ln2/2 and s a power of two: exp64.ts's scaledExpm1X2. */
function scaledExpm1(t: number, s: number): number {
  const t2 = t * t;
  const t4 = t2 * t2;
  const a0 = K.E64_C3 * t + K.E64_C2;
  const a1 = K.E64_C5 * t + K.E64_C4;
  const a2 = K.E64_C7 * t + K.E64_C6;
  const a3 = K.E64_C9 * t + K.E64_C8;
  const a4 = K.E64_C11 * t + K.E64_C10;
  const b0 = a1 * t2 + a0;
  const b1 = a3 * t2 + a2;
  const b2 = K.E64_C12 * t2 + a4;
  const r = (b1 * t4 + b0) + b2 * (t4 * t4);
  const ts = t * s;
  return ts + ts * (t * r);
}

// exp64.ts's steps, shared by the functions below: s and P in module variables rather than a
// tuple per element.
let expS = 0; // s = 2^(128 + n)
let expP = 0; // P = s (e^t - 1): 2^128 e^-z = P + s

/**
 * Clamps a = |x| (or 2|x|) to z = min(a, Z64_MAX), sets expS and expP for it, and returns z. s
 * is exp64.ts's shift read from POW2 at -n = MAGIC64_BIAS - biased (exact; NaN: any s, t is NaN).
 */
function scaledExp(a: number): number {
  const z = K.Z64_MAX < a ? K.Z64_MAX : a;
  const biased = z * K.MINUS_LOG2E64 + K.MAGIC64_BIAS;
  const n = biased - K.MAGIC64_BIAS;
  expS = POW2[(K.MAGIC64_BIAS - biased) | 0]!;
  expP = scaledExpm1((n * K.MINUS_LN2_HI64 - z) + n * K.MINUS_LN2_LO64, expS);
  return z;
}

/** sigma(-|x|), refined (sigmoid64.ts's f). */
function logisticTail(x: number): number {
  scaledExp(Math.abs(x));
  const s = expS;
  const p = expP;
  const scaled = p + s;
  const quotient = scaled / (K.SCALED64_ONE + scaled);
  const e = scaled * K.UNSCALE64;
  const el = ((s - scaled) + p) * K.UNSCALE64;
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
  if (z < K.TANH64_TINY) return x;
  scaledExp(z + z);
  const s = expS;
  const p = expP;
  const d = K.SCALED64_ONE + (p + s);
  const a = K.SCALED64_ONE - s;
  const m = a - p;
  const ml = ((a - m) - p) * K.UNSCALE64;
  const h = m * K.HALF_UNSCALE64;
  const y0 = m / d;
  const y = h + (h * y0 + ml * (0.5 + y0));
  return x < 0 ? -y : y;
}

export function tanhDerivative(x: number): number {
  const z = Math.abs(x);
  scaledExp(z + z);
  const s = expS;
  const p = expP;
  const e = p + s;
  const el = (s - e) + p;
  const q = e / (K.SCALED64_ONE + e);
  const big = e - (e * q - (el - el * q));
  return (big - big * (big * K.UNSCALE64)) * K.QUADRUPLE_UNSCALE64;
}

export function tanhDerivativeFromOutput(y: number): number {
  return (1 - y) * (1 + y);
}

/** silu64.ts's steps: silu(x), or silu'(x) with `derivative`. */
function siluKernel(x: number, derivative: boolean): number {
  const z = scaledExp(Math.abs(x));
  const s = expS;
  const p = expP;
  const e = p + s;
  const q = e / (K.SCALED64_ONE + e);
  const el = (s - e) + p;
  const g = e * q - (el - el * q);
  const big = e - g;
  const low = (e - big) - g;
  const zf = (z * big + z * low) * K.UNSCALE64;
  // silu for x <= 0: copysign(zf, x); zf = +0 for x = +-0, which x itself gives with its sign.
  if (!derivative) return x > 0 ? x - zf : x === 0 ? x : -zf;
  return x > 0 ? (1 - big * K.UNSCALE64) * (1 + zf) : (big * ((1 - z) + zf)) * K.UNSCALE64;
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
  const z = scaledExp(Math.abs(x));
  const s = expS;
  const p = expP;
  const scaled = p + s;
  const u = scaled * K.UNSCALE64;
  const ul = ((s - scaled) + p) * K.UNSCALE64;
  const linear = negated ? x < 0 : x > 0;
  if (derivative) {
    const quotient = scaled / (K.SCALED64_ONE + scaled);
    const fs = u - (u * quotient - (ul - ul * quotient));
    return linear ? 1 - fs : fs;
  }
  const halfU = u * 0.5;
  const upper = u >= 0.5;
  const f = upper ? halfU - 0.5 : u;
  const ratio = f / (2 + f);
  const t = ratio * ratio;
  const t2 = t * t;
  const q = ((K.LOG1P64_R3 * t + K.LOG1P64_R2) * t2 + (K.LOG1P64_R1 * t + K.LOG1P64_R0)) + ((K.LOG1P64_R7 * t + K.LOG1P64_R6) * t2 + (K.LOG1P64_R5 * t + K.LOG1P64_R4)) * (t2 * t2);
  const a = ratio * (f - t * q);
  const s1 = f - a;
  const e1 = (f - s1) - a;
  const kLn2 = upper ? K.LN2_64 : 0;
  const sum = kLn2 + s1;
  const e2 = s1 - (sum - kLn2);
  const low = ((e1 + e2) + ul * (1 - halfU)) + (upper ? K.LN2_LO64 : 0);
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
