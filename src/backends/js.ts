// The JS backend: the WASM kernels' float32 arithmetic emulated step by step, so that its
// results are bit-identical to the SIMD and scalar builds (assembly/exp.ts, assembly/sigmoid.ts).
//
// Why Math.fround after every operation gives float32 results exactly: a sum, difference,
// product or quotient of two float32 values computed in float64 and then rounded to float32 is
// the correctly rounded float32 result (double rounding is innocuous because 53 >= 2 * 24 + 2),
// subnormal results included. The constants are the kernels' own, read from the WASM build.
import type { Backend, KernelId, RowPasses, Scratch } from '../backend.js';
import * as K from '../generated/constants.js';
import { KERNEL_IDS, type KernelName } from '../generated/kernels.js';
import { JsRowPasses, SCALE, expm1Correction } from './js-rows.js';

const fround = Math.fround;

// The exponential's parts (assembly/exp.ts), kept in module variables rather than an object
// per element.
let scaleS = 0; // s = 2^(SCALE_SHIFT + n)
let scaledP = 0; // P = s * (e^t - 1)

/**
 * s and P for w in [0, Z_MAX] or NaN: assembly/exp.ts, step for step. The fround is left out
 * only where the float32 operation is exact (see exp.ts): biased - MAGIC_BIAS, n * MINUS_LN2_HI
 * and n * MINUS_LN2_HI - w (Sterbenz); npm run verify confirms bit-identity on every input.
 */
function expParts(w: number): void {
  const biased = fround(fround(w * K.MINUS_LOG2E) + K.MAGIC_BIAS);
  const n = biased - K.MAGIC_BIAS;
  // (0 - n) | 0 is -n as a small integer (V8's fast path for array indices; -0 would not be one)
  // and 0 for a NaN input, whose result is NaN whatever s is, as in the kernels.
  scaleS = SCALE[(0 - n) | 0]!;
  scaledP = scaledExpm1(fround(n * K.MINUS_LN2_HI - w + fround(n * K.MINUS_LN2_LO)), scaleS);
}

/** P = s * (e^t - 1): exp.ts's scaledExpm1. */
function scaledExpm1(t: number, s: number): number {
  // t * s is rounded although s is a power of two: it falls into the subnormals when t is tiny
  // and n is near -162, and the WASM multiplication rounds there.
  const ts = fround(t * s);
  return fround(ts + expm1Correction(t, ts));
}

/** E = 2^SCALE_SHIFT * e^-z for z in [0, Z_MAX] or NaN: exp.ts's scaledExpNegative. */
function scaledExpNegative(z: number): number {
  expParts(z);
  return fround(scaledP + scaleS);
}

/** f = sigma(-|x|) for a float32 x: assembly/sigmoid.ts, step for step. */
function logisticOfMinusAbs(x: number): number {
  const scaled = scaledExpNegative(clampedAbs(x));
  const quotient = fround(scaled / fround(K.SCALED_ONE + scaled));
  const e = fround(scaled * K.UNSCALE);
  return fround(e - fround(e * quotient));
}

export function sigmoid(x: number): number {
  const f = logisticOfMinusAbs(x);
  return x > 0 ? fround(1 - f) : f;
}

export function sigmoidDerivative(x: number): number {
  const f = logisticOfMinusAbs(x);
  return fround(f - fround(f * f));
}

export function sigmoidDerivativeFromOutput(y: number): number {
  return fround(y * fround(1 - y));
}

/** min(|x|, Z_MAX), NaN kept: the kernels' clamp. */
function clampedAbs(x: number): number {
  const z = Math.abs(x);
  return K.Z_MAX < z ? K.Z_MAX : z;
}

/** F = 2^64 * sigma(-z) for z = clampedAbs(x): assembly/silu.ts, step for step. */
function scaledLogistic(z: number): number {
  return refinedScaledLogistic(scaledExpNegative(z));
}

/** F = E - E * (E / (2^64 + E)), 2^64 * sigma(-z) from E = 2^64 * e^-z (silu.ts, gelu-tanh.ts). */
function refinedScaledLogistic(scaled: number): number {
  const quotient = fround(scaled / fround(K.SCALED_ONE + scaled));
  return fround(scaled - fround(scaled * quotient));
}

/** silu(x) from zf = z * sigma(-z): assembly/silu.ts (the sign of x copied onto the x <= 0 branch). */
function siluFrom(x: number, zf: number): number {
  if (x > 0) return fround(x - zf);
  return x < 0 || Object.is(x, -0) ? -zf : zf;
}

/** silu'(x) from z, F and zf: assembly/silu.ts. */
function siluDerivativeFrom(x: number, z: number, big: number, zf: number): number {
  if (x > 0) return fround(fround(1 - fround(big * K.UNSCALE)) * fround(1 + zf));
  return fround(fround(big * fround(fround(1 - z) + zf)) * K.UNSCALE);
}

/** zf = (z * F) * 2^-64: assembly/silu.ts. */
const scaledProduct = (z: number, big: number): number => fround(fround(z * big) * K.UNSCALE);

export function silu(x: number): number {
  const z = clampedAbs(x);
  return siluFrom(x, scaledProduct(z, scaledLogistic(z)));
}

export function siluDerivative(x: number): number {
  const z = clampedAbs(x);
  const big = scaledLogistic(z);
  return siluDerivativeFrom(x, z, big, scaledProduct(z, big));
}

/** s and P for w = min(2|x|, Z_MAX): assembly/tanh.ts (z + z is exact). */
function tanhExpParts(x: number): void {
  const doubled = 2 * Math.abs(x);
  expParts(K.Z_MAX < doubled ? K.Z_MAX : doubled);
}

/** tanh(x) from the shared steps (tanhExpParts(x) must have run). */
function tanhFromParts(x: number): number {
  if (Math.abs(x) < K.TANH_TINY) return x;
  const d = fround(K.SCALED_ONE + fround(scaledP + scaleS));
  const m = fround(fround(K.SCALED_ONE - scaleS) - scaledP);
  const h = fround(m * K.HALF_UNSCALE);
  const y = fround(h + fround(h * fround(m / d)));
  return x < 0 || Object.is(x, -0) ? -y : y;
}

/** tanh'(x) from the shared steps. */
function tanhDerivativeFromParts(): number {
  const e = fround(scaledP + scaleS);
  const d = fround(K.SCALED_ONE + e);
  const big = fround(e - fround(e * fround(e / d)));
  const f = fround(big * K.UNSCALE);
  return fround(fround(big - fround(big * f)) * K.QUADRUPLE_UNSCALE);
}

export function tanh(x: number): number {
  tanhExpParts(x);
  return tanhFromParts(x);
}

export function tanhDerivative(x: number): number {
  tanhExpParts(x);
  return tanhDerivativeFromParts();
}

export function tanhDerivativeFromOutput(y: number): number {
  return fround(fround(1 - y) * fround(1 + y));
}

// softplus and logSigmoid (assembly/softplus.ts): logSigmoid(x) = -softplus(-x) runs the same
// steps with the linear part taken for x < 0 and the result negated. The fused kernels' second
// result, sigma(x) or sigma(-x), is kept in a module variable.
let sigmaOut = 0;

/** softplus(x), or logSigmoid(x) if `negated`; sets sigmaOut to sigma(x) (sigma(-x)). */
function softplusFamily(x: number, negated: boolean): number {
  const ax = Math.abs(x);
  const z = K.Z_MAX < ax ? K.Z_MAX : ax; // pmin(|x|, Z_MAX): NaN stays
  expParts(z);
  const p = scaledP;
  const s = scaleS;
  const scaled = fround(p + s);
  const u = fround(scaled * K.UNSCALE);
  const linear = negated ? x < 0 : x > 0;
  const uError = fround(fround(p - fround(scaled - s)) * K.UNSCALE);
  const halfU = fround(u * 0.5);
  const upper = u >= 0.5;
  const f = upper ? fround(halfU - 0.5) : u;
  const ratio = fround(f / fround(2 + f));
  const r2 = fround(ratio * ratio);
  const series = fround(r2 * fround(fround(fround(fround(K.LOG1P_R2 * r2) + K.LOG1P_R1) * r2) + K.LOG1P_R0));
  const a = fround(ratio * fround(f - series));
  const s1 = fround(f - a);
  const e1 = fround(fround(f - s1) - a);
  const kLn2 = upper ? K.LN2 : 0;
  const sum = fround(kLn2 + s1);
  const e2 = fround(s1 - fround(sum - kLn2));
  const low = fround(fround(e1 + e2) + fround(uError * fround(1 - halfU)));
  const r = fround((linear ? z : 0) + fround(sum + low));
  const fs = fround(u - fround(u * fround(scaled / fround(K.SCALED_ONE + scaled))));
  sigmaOut = linear ? fround(1 - fs) : fs;
  return negated ? (x < -r ? x : -r) : r < x ? x : r;
}

export function softplus(x: number): number {
  return softplusFamily(x, false);
}

export function logSigmoid(x: number): number {
  return softplusFamily(x, true);
}

/** logSigmoid'(x) = sigma(-x): sigmoid's steps with the sign test reversed (assembly/softplus.ts). */
export function logSigmoidDerivative(x: number): number {
  const f = logisticOfMinusAbs(x);
  return x < 0 ? fround(1 - f) : f;
}

// GELU, the exact erf form (assembly/gelu.ts). Its second result, gelu'(x), is kept in a module
// variable; the fused loop stores both.
let geluDerivativeOut = 0;
const splitView = new Float32Array(1);
const splitBits = new Uint32Array(splitView.buffer);

/** a with the low 12 of its 24 significand bits cleared (gelu.ts's v128.and with GELU_SPLIT_MASK). */
function split12(a: number): number {
  splitView[0] = a;
  splitBits[0]! &= K.GELU_SPLIT_MASK;
  return splitView[0]!;
}

/** gelu(x), and gelu'(x) into geluDerivativeOut: assembly/gelu.ts, step for step. */
function geluFamily(x: number): number {
  const absX = Math.abs(x);
  const a = K.GELU_A_MAX < absX ? K.GELU_A_MAX : absX;
  const ah = split12(a);
  const al = a - ah; // exact
  const zh = fround(fround(ah * ah) * 0.5);
  const zl = fround(fround(al * fround(a + ah)) * 0.5);
  const biased = fround(fround(fround(fround(zh + K.LN_SQRT_2PI_HI) + zl) * K.MINUS_LOG2E) + K.MAGIC_BIAS);
  const n = biased - K.MAGIC_BIAS;
  const s = SCALE[(0 - n) | 0]!;
  const d = fround(fround(n * K.MINUS_LN2_HI - K.LN_SQRT_2PI_HI) - zh);
  const t = fround(d - fround(zl - fround(fround(n * K.MINUS_LN2_LO) - K.LN_SQRT_2PI_LO)));
  const p = scaledExpm1(t, s);
  const phi = fround(p + s);
  const phiError = fround(p - fround(phi - s));
  let av = fround(fround(K.MILLS_A4 * a) + K.MILLS_A3);
  av = fround(fround(av * a) + K.MILLS_A2);
  av = fround(fround(av * a) + K.MILLS_A1);
  av = fround(fround(av * a) + K.MILLS_A0);
  let pv = fround(fround(K.MILLS_P5 * a) + K.MILLS_P4);
  pv = fround(fround(pv * a) + K.MILLS_P3);
  pv = fround(fround(pv * a) + K.MILLS_P2);
  pv = fround(fround(pv * a) + K.MILLS_P1);
  pv = fround(fround(pv * a) + 1);
  const aA = fround(a * av);
  const b = fround(aA + pv);
  const u = fround(x * x);
  let hv = fround(fround(K.GELU_H4 * u) + K.GELU_H3);
  hv = fround(fround(hv * u) + K.GELU_H2);
  hv = fround(fround(hv * u) + K.GELU_H1);
  hv = fround(fround(hv * u) + K.GELU_H0);
  // gelu
  const large = a >= K.GELU_RHO_MIN;
  const q = fround((large ? pv : aA) / b);
  const pq = fround(phi * q);
  const y = large ? fround(phi - fround(pq - phiError)) : fround(pq + fround(phiError * q));
  const viaMills = fround((x < 0 ? 0 : x) - fround(y * K.UNSCALE));
  const viaSeries = fround(fround(x * 0.5) + fround(u * hv));
  const r = absX < K.GELU_SERIES_MAX ? viaSeries : viaMills;
  const value = x < 0 || Object.is(x, -0) ? -Math.abs(r) : Math.abs(r); // x's sign bit, r's others
  // gelu'
  const dm = fround(fround(a - K.ROOT_HI) - K.ROOT_LO);
  let kv = fround(fround(K.ROOT_K4 * a) + K.ROOT_K3);
  kv = fround(fround(kv * a) + K.ROOT_K2);
  kv = fround(fround(kv * a) + K.ROOT_K1);
  kv = fround(fround(kv * a) + K.ROOT_K0);
  const phiDm = fround(phi * dm);
  const v = fround(fround(phiDm + fround(fround(phiDm * fround(kv / b)) + fround(phiError * dm))) * K.UNSCALE);
  const viaRoot = x < 0 ? -v : fround(1 + v);
  const viaSeriesD = fround(0.5 + fround(x * fround(hv + fround(phi * K.UNSCALE))));
  geluDerivativeOut = absX < K.GELU_DERIVATIVE_SERIES_MAX ? viaSeriesD : viaRoot;
  return value;
}

export function gelu(x: number): number {
  return geluFamily(x);
}

export function geluDerivative(x: number): number {
  geluFamily(x);
  return geluDerivativeOut;
}

// GELU, PyTorch's tanh form (assembly/gelu-tanh.ts): the shared steps leave their results in
// module variables, from which each result is finished. The fround is left out where the float32
// operation is exact (see gelu-tanh.ts): z - zh, zh * zh, K0_HI + K1_HI * Ah, A - Ah, vh - vhh,
// zh * vhh, zl * vhh, biased - MAGIC_BIAS, n * MINUS_LN2_HI - U1.
let geluTanhZ = 0; // z = min(|x|, GELU_TANH_Z_MAX)
let geluTanhZh = 0; // z's 12 leading bits, and the rest
let geluTanhZl = 0;
let geluTanhAh = 0; // zh^2 on the grid 2^-5
let geluTanhVl = 0; // v = K0 + K1 z^2 less its large part
let geluTanhU1 = 0; // U1, the exact large part of u
let geluTanhUl = 0; // ul, the rest of u
let geluTanhS = 0; // s, the power of two of e^-u's reduction
let geluTanhX = 0; // F - s (the tail's pair)
let geluTanhBig = 0; // F = 2^64 sigma(-u)
let geluTanhF = 0; // f = sigma(-u)

/** The steps geluTanh and geluTanh' share: assembly/gelu-tanh.ts up to F and f. */
function geluTanhParts(x: number): void {
  const absX = Math.abs(x);
  const z = K.GELU_TANH_Z_MAX < absX ? K.GELU_TANH_Z_MAX : absX;
  const zh = split12(z);
  const zl = z - zh;
  const a = zh * zh;
  const b = fround(zl * fround(zh + z));
  const ah = fround(fround(a + K.GELU_TANH_GRID) - K.GELU_TANH_GRID);
  const vh = K.GELU_TANH_K0_HI + K.GELU_TANH_K1_HI * ah;
  const vl = fround(fround(K.GELU_TANH_K1 * fround(a - ah + b)) + fround(fround(K.GELU_TANH_K1_LO * ah) + K.GELU_TANH_K0_LO));
  const vhh = split12(vh);
  const u1 = zh * vhh;
  const ul = fround(zl * vhh + fround(z * fround(vh - vhh + vl)));
  const biased = fround(fround(fround(u1 + ul) * K.MINUS_LOG2E) + K.MAGIC_BIAS);
  const n = biased - K.MAGIC_BIAS;
  const s = SCALE[(0 - n) | 0]!;
  const t = fround(fround(n * K.MINUS_LN2_HI - u1 - ul) + fround(n * K.MINUS_LN2_LO));
  const p = scaledExpm1(t, s);
  const e = fround(p + s);
  const eq = fround(e * fround(e / fround(K.SCALED_ONE + e)));
  const big = fround(e - eq);
  geluTanhZ = z;
  geluTanhZh = zh;
  geluTanhZl = zl;
  geluTanhAh = ah;
  geluTanhVl = vl;
  geluTanhS = s;
  geluTanhX = fround(p - eq);
  geluTanhU1 = u1;
  geluTanhUl = ul;
  geluTanhBig = big;
  geluTanhF = fround(big * K.UNSCALE);
}

/** geluTanh(x) from the shared steps (geluTanhParts(x) must have run). */
function geluTanhFromParts(x: number): number {
  if (x > 0) return fround(x - fround(geluTanhZ * geluTanhF));
  const negative = fround(fround(geluTanhZ * geluTanhBig) * K.UNSCALE);
  return x < 0 || Object.is(x, -0) ? -negative : negative; // copysign(negative, x)
}

/** geluTanh'(x) from the shared steps. */
function geluTanhDerivativeFromParts(x: number): number {
  const z = geluTanhZ;
  const f = geluTanhF;
  const g = fround(1 - f);
  const al = fround(geluTanhUl + fround(K.GELU_TANH_K1_TIMES2 * fround(z * fround(z * z))));
  if (x > 0) return fround(g * fround(1 + fround(f * fround(geluTanhU1 + al))));
  if (z < K.GELU_TANH_PAIR_FROM) {
    const bracket = fround(fround(fround(1 - geluTanhU1) + fround(geluTanhU1 * f)) - fround(al * g));
    return fround(fround(geluTanhBig * bracket) * K.UNSCALE);
  }
  // The tail's pairs (assembly/gelu-tanh.ts, 4.).
  const zh = geluTanhZh;
  const u1 = geluTanhU1;
  const s = geluTanhS;
  const m1 = fround(K.GELU_TANH_K1_HI * geluTanhAh);
  const m1h = split12(m1);
  const m2 = fround(geluTanhVl - K.GELU_TANH_K0_LO);
  const w = fround(fround(fround(zh * fround(m1 - m1h)) + fround(geluTanhZl * m1)) + fround(z * m2));
  const wh = fround(zh * m1h);
  const w2 = fround(wh + wh);
  const lo = fround(geluTanhUl + fround(w + w));
  const oneMinusU1 = fround(1 - u1);
  const bh = fround(oneMinusU1 - w2);
  const bb = fround(bh - oneMinusU1);
  const error = fround(fround(oneMinusU1 - fround(bh - bb)) - fround(w2 + bb));
  const bl = fround(fround(error - lo) + fround(fround(fround(u1 + w2) + lo) * f));
  const sum = fround(fround(s * bh) + fround(fround(s * bl) + fround(geluTanhX * fround(bh + bl))));
  return fround(sum * K.UNSCALE);
}

export function geluTanh(x: number): number {
  geluTanhParts(x);
  return geluTanhFromParts(x);
}

export function geluTanhDerivative(x: number): number {
  geluTanhParts(x);
  return geluTanhDerivativeFromParts(x);
}

/**
 * One loop per kernel, each its own small function: V8 inlines the whole kernel into each loop
 * then, where one function holding all four loops exceeds its inlining budget and pays a call
 * and a boxed double per element.
 */
const LOOPS: Record<KernelName, (s: Scratch, length: number) => void> = {
  sigmoid({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = sigmoid(input[i]!);
  },
  sigmoidDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = sigmoidDerivative(input[i]!);
  },
  sigmoidDerivativeFromOutput({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = sigmoidDerivativeFromOutput(input[i]!);
  },
  silu({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = silu(input[i]!);
  },
  siluDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = siluDerivative(input[i]!);
  },
  siluWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      const x = input[i]!;
      const z = clampedAbs(x);
      const big = scaledLogistic(z);
      const zf = scaledProduct(z, big);
      output[i] = siluFrom(x, zf);
      output2[i] = siluDerivativeFrom(x, z, big, zf);
    }
  },
  tanh({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = tanh(input[i]!);
  },
  tanhDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = tanhDerivative(input[i]!);
  },
  tanhDerivativeFromOutput({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = tanhDerivativeFromOutput(input[i]!);
  },
  tanhWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      const x = input[i]!;
      tanhExpParts(x);
      output[i] = tanhFromParts(x);
      output2[i] = tanhDerivativeFromParts();
    }
  },
  softplus({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = softplusFamily(input[i]!, false);
  },
  softplusWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      output[i] = softplusFamily(input[i]!, false);
      output2[i] = sigmaOut;
    }
  },
  logSigmoid({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = softplusFamily(input[i]!, true);
  },
  logSigmoidDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = logSigmoidDerivative(input[i]!);
  },
  logSigmoidWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      output[i] = softplusFamily(input[i]!, true);
      output2[i] = sigmaOut;
    }
  },
  gelu({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = geluFamily(input[i]!);
  },
  geluDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = geluDerivative(input[i]!);
  },
  geluWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      output[i] = geluFamily(input[i]!);
      output2[i] = geluDerivativeOut;
    }
  },
  geluTanh({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = geluTanh(input[i]!);
  },
  geluTanhDerivative({ input, output }, length) {
    for (let i = 0; i < length; i++) output[i] = geluTanhDerivative(input[i]!);
  },
  geluTanhWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      const x = input[i]!;
      geluTanhParts(x);
      output[i] = geluTanhFromParts(x);
      output2[i] = geluTanhDerivativeFromParts(x);
    }
  },
  sigmoidWithDerivative({ input, output, output2 }, length) {
    for (let i = 0; i < length; i++) {
      const x = input[i]!;
      const f = logisticOfMinusAbs(x);
      const g = fround(1 - f);
      output[i] = x > 0 ? g : f;
      output2[i] = fround(f - fround(f * f));
    }
  },
};

/** The loops indexed by kernel id, as the WASM builds' run() takes them. */
const LOOPS_BY_ID: ((s: Scratch, length: number) => void)[] = [];
for (const [name, id] of Object.entries(KERNEL_IDS)) LOOPS_BY_ID[id] = LOOPS[name as KernelName];

function scratchOf(length: number): Scratch {
  const output = new Float32Array(length);
  return { input: new Float32Array(length), output, output2: new Float32Array(length), head: output };
}

export class JsBackend implements Backend {
  readonly name = 'js';
  readonly scratchLength: number = K.SCRATCH_LENGTH;
  readonly heap = undefined;
  /** Float64Arrays run the JS twin (src/double64.ts) elementwise. */
  readonly double = undefined;
  readonly #buffers: Scratch = scratchOf(this.scratchLength);
  readonly rowPasses: RowPasses = new JsRowPasses(() => this.#buffers);

  scratch(): Scratch {
    return this.#buffers;
  }

  run(kernel: KernelId, length: number): void {
    const loop = LOOPS_BY_ID[kernel];
    if (loop === undefined) throw new TypeError(`unknown kernel ${kernel}`);
    loop(this.#buffers, length);
  }
}
