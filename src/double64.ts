// The double-precision kernels' JS twin: the steps of assembly/exp64.ts and the family files
// (sigmoid64.ts, tanh64.ts, silu64.ts, softplus64.ts, gelu64.ts, gelu-tanh64.ts), in the same
// order, in plain double arithmetic. JavaScript numbers are IEEE 754 binary64 with round-to-nearest-even and no fused
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
// The GELU kernels' (gelu64.ts, gelu-tanh64.ts).
const GT_BRACKET_FROM = K.GELU_TANH64_BRACKET_FROM, GT_GRID = K.GELU_TANH64_GRID,
  GT_K0_HI = K.GELU_TANH64_K0_HI, GT_K0_LO = K.GELU_TANH64_K0_LO, GT_K1_HI = K.GELU_TANH64_K1_HI,
  GT_K1_TAIL = K.GELU_TANH64_K1_TAIL, GT_PAIR_FROM = K.GELU_TANH64_PAIR_FROM,
  GT_Z_MAX = K.GELU_TANH64_Z_MAX, G_H0_HI = K.GELU64_H0_HI, G_H0_TAIL = K.GELU64_H0_TAIL,
  G_H0_WL = K.GELU64_H0_WL, G_H10 = K.GELU64_H10, G_H11 = K.GELU64_H11, G_H12 = K.GELU64_H12,
  G_H13 = K.GELU64_H13, G_H14 = K.GELU64_H14, G_H15 = K.GELU64_H15, G_H2 = K.GELU64_H2,
  G_H3 = K.GELU64_H3, G_H4 = K.GELU64_H4, G_H5 = K.GELU64_H5, G_H6 = K.GELU64_H6,
  G_H7 = K.GELU64_H7, G_H8 = K.GELU64_H8, G_H9 = K.GELU64_H9, G_LNS_HI = K.GELU64_LNS_HI,
  G_LNS_LO = K.GELU64_LNS_LO, G_P0 = K.GELU64_P0, G_P1 = K.GELU64_P1, G_P2 = K.GELU64_P2,
  G_P3 = K.GELU64_P3, G_P4 = K.GELU64_P4, G_P5 = K.GELU64_P5, G_P6 = K.GELU64_P6,
  G_P7 = K.GELU64_P7, G_P8 = K.GELU64_P8, G_P9 = K.GELU64_P9, G_Q1 = K.GELU64_Q1,
  G_Q10 = K.GELU64_Q10, G_Q2 = K.GELU64_Q2, G_Q3 = K.GELU64_Q3, G_Q4 = K.GELU64_Q4,
  G_Q5 = K.GELU64_Q5, G_Q6 = K.GELU64_Q6, G_Q7 = K.GELU64_Q7, G_Q8 = K.GELU64_Q8,
  G_Q9 = K.GELU64_Q9, G_ROOT = K.GELU64_ROOT, G_ROOT_FROM = K.GELU64_ROOT_FROM,
  G_ROOT_LO = K.GELU64_ROOT_LO, G_ROOT_TO = K.GELU64_ROOT_TO, G_S2P = K.GELU64_S2P,
  G_S2P_LO = K.GELU64_S2P_LO, G_Z_MAX = K.GELU64_Z_MAX;

/**
 * POW2[i] = 2^(128 - i), i = 0..1199: the scale s = 2^(128 + n) that the WASM kernels build with
 * a shift (i64x2.shl), as a lookup at -n (n >= -1108). Built by halving, which is exact down to
 * 2^-1071. The row functions' double form (src/double.ts) reads the same table.
 */
export const POW2 = new Float64Array(1200);
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

/** v with the low 27 of its 52 fraction bits cleared (the kernels' v128.and with SPLIT26_MASK). */
const splitF64 = new Float64Array(1);
const splitU32 = new Uint32Array(splitF64.buffer); // [low word, high word]: little-endian, as every JS engine we target
function head26(v: number): number {
  splitF64[0] = v;
  splitU32[0]! &= 0xf8000000;
  return splitF64[0]!;
}

/** gelu-tanh64.ts's steps: geluTanh(x), or geluTanh'(x) with `derivative`. */
function geluTanhKernel(x: number, derivative: boolean): number {
  const absX = Math.abs(x);
  const z = GT_Z_MAX < absX ? GT_Z_MAX : absX;
  const zh = head26(z);
  const zl = z - zh;
  const a = zh * zh;
  const b = zl * (zh + z);
  const ah = (a + GT_GRID) - GT_GRID;
  const m1 = GT_K1_HI * ah;
  const vh = GT_K0_HI + m1;
  const m2 = GT_K1_HI * ((a - ah) + b) + GT_K1_TAIL * (a + b);
  const vl = m2 + GT_K0_LO;
  const vhh = head26(vh);
  const u1 = zh * vhh;
  const ul = zl * vhh + z * ((vh - vhh) + vl);
  const biased = (u1 + ul) * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const n = biased - MAGIC_BIAS;
  const p = scaledExpm1((n * MINUS_LN2_HI - u1) + (n * MINUS_LN2_LO - ul), s);
  const e = p + s;
  const el = (s - e) + p;
  const q = e / (SCALED_ONE + e);
  const g = e * q - (el - el * q);
  const big = e - g;
  const low = (e - big) - g;
  if (!derivative) {
    const zf = (z * big + z * low) * UNSCALE;
    // x <= 0: copysign(zf, x); zf = +0 for x = +-0, which x itself gives with its sign.
    return x > 0 ? x - zf : x === 0 ? x : -zf;
  }
  const m1h = head26(m1);
  const w = (zh * (m1 - m1h) + zl * m1) + z * m2;
  const wh = zh * m1h;
  const w2 = wh + wh;
  const lo = ul + (w + w);
  const al = w2 + lo;
  const slope = u1 + al;
  const f = big * UNSCALE;
  const oneMinusF = 1 - f;
  const oneMinusU1 = 1 - u1;
  if (x > 0) return oneMinusF * (1 + f * slope);
  if (z < GT_BRACKET_FROM) return (big - big * (oneMinusF * slope)) * UNSCALE;
  if (z < GT_PAIR_FROM) return (big * ((oneMinusU1 + u1 * f) - al * oneMinusF)) * UNSCALE;
  const bh = oneMinusU1 - w2;
  const bb = bh - oneMinusU1;
  const error = (oneMinusU1 - (bh - bb)) - (w2 + bb);
  const bl = (error - lo) + slope * f;
  const tailX = (big - s) + low;
  return (s * bh + (s * bl + tailX * (bh + bl))) * UNSCALE;
}

export function geluTanh(x: number): number {
  return geluTanhKernel(x, false);
}

export function geluTanhDerivative(x: number): number {
  return geluTanhKernel(x, true);
}

/** gelu64.ts's steps: gelu(x), or gelu'(x) with `derivative`. */
function geluKernel(x: number, derivative: boolean): number {
  const absX = Math.abs(x);
  const z = G_Z_MAX < absX ? G_Z_MAX : absX;
  const zh = head26(z);
  const zl = z - zh;
  const a = (zh * zh) * 0.5;
  const b = (zl * (zh + z)) * 0.5;
  const halfSquare = a + b;
  const biased = (halfSquare + G_LNS_HI) * MINUS_LOG2E + MAGIC_BIAS;
  const s = expScale(biased);
  const n = biased - MAGIC_BIAS;
  const p = scaledExpm1(((n * MINUS_LN2_HI - G_LNS_HI) - a) + ((n * MINUS_LN2_LO - G_LNS_LO) - b), s);
  const e = p + s;
  const z2 = halfSquare + halfSquare;
  const z4 = z2 * z2;
  const z8 = z4 * z4;
  const pn = (((z * G_P1 + G_P0) + z2 * (z * G_P3 + G_P2)) + z4 * ((z * G_P5 + G_P4) + z2 * (z * G_P7 + G_P6))) +
    z8 * (z * G_P9 + G_P8);
  const qd = (((z * G_Q1 + 1) + z2 * (z * G_Q3 + G_Q2)) + z4 * ((z * G_Q5 + G_Q4) + z2 * (z * G_Q7 + G_Q6))) +
    z8 * ((z * G_Q9 + G_Q8) + z2 * G_Q10);
  const zr = z * (pn / qd);
  const sd = z - zr;
  const d = G_S2P + sd;
  const db = d - G_S2P;
  const dl = ((G_S2P - (d - db)) + (sd - db)) + (((z - sd) - zr) + G_S2P_LO);
  const dh = head26(d);
  const dt = d - dh;
  if (!derivative) {
    const zs = z * s;
    const zp = z * p;
    const nh = zs + zp;
    const nl = (zs - nh) + zp;
    const q = nh / d;
    const qd1 = q * d;
    const qh = head26(q);
    const qt = q - qh;
    const error = (((qh * dh - qd1) + qh * dt) + qt * dh) + qt * dt;
    const y = (q + (((nh - qd1) - error) + (nl - q * dl)) / d) * UNSCALE;
    // x <= 0: copysign(y, x); y = +0 only where x = +-0 or x < -38.6, which x's sign gives.
    return x > 0 ? x - y : x === 0 ? x : -y;
  }
  let y: number;
  if (x < -G_ROOT_FROM && x > -G_ROOT_TO) {
    const wh = z - G_ROOT;
    const w = wh - G_ROOT_LO;
    let h = w * G_H15 + G_H14;
    h = h * w + G_H13;
    h = h * w + G_H12;
    h = h * w + G_H11;
    h = h * w + G_H10;
    h = h * w + G_H9;
    h = h * w + G_H8;
    h = h * w + G_H7;
    h = h * w + G_H6;
    h = h * w + G_H5;
    h = h * w + G_H4;
    h = h * w + G_H3;
    h = h * w + G_H2;
    const whh = head26(wh);
    const rh = G_H0_HI * whh;
    const rl = ((G_H0_HI * (wh - whh) + G_H0_TAIL * wh) + G_H0_WL) + (w * w) * h;
    y = s * rh + (rh * p + rl * e);
  } else {
    const zd = z * d;
    const zdl = ((((zh * dh - zd) + zh * dt) + zl * dh) + zl * dt) + z * dl;
    const nn = zd - 1;
    const nb = nn - zd;
    const nnl = ((zd - (nn - nb)) + (-1 - nb)) + zdl;
    const a1 = nn * s;
    const a2 = nn * p;
    const mh = a1 + a2;
    const ml = ((a1 - mh) + a2) + nnl * e;
    const q = mh / d;
    y = q + (ml - q * dl) / d;
  }
  const scaled = y * UNSCALE;
  return x > 0 ? 1 + scaled : -scaled;
}

export function gelu(x: number): number {
  return geluKernel(x, false);
}

export function geluDerivative(x: number): number {
  return geluKernel(x, true);
}
