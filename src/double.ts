// Double precision in plain JS: the elementwise loop of the double forms over Float64Arrays (for
// the backends without double kernels), the GELU forms, and the row functions over Float64Array
// rows. Nothing here calls Math.exp or Math.log: the exponential below is plain arithmetic, so
// the results are the same bits on every engine. (The other elementwise functions' double forms
// are the kernels' twin, src/double64.ts.)
import { BACKWARD, SNAPSHOT, STAGE_OUT2, overlaps, planOrder } from './chunk.js';
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


// softplus, logSigmoid, GELU (erf and tanh forms) and their derivatives: no allocation, and no
// Math.exp or Math.log1p: their exponential is the one below, plain arithmetic, so that their
// results are the same bits on every engine.

/**
 * (n + nl) / (d + dl), for |nl| and |dl| within an ulp of n and d: n / d rounded, corrected to
 * first order for the low parts. Within 1 ulp (the division's rounding and that of the final
 * sum); divide, above, is within 1/2 ulp but costs an exact product.
 */
function quotient(n: number, nl: number, d: number, dl: number): number {
  const q = n / d;
  return q + (nl - q * dl) / d;
}

/** The exact rounding error of the sum s = a + b (Knuth's TwoSum, any magnitudes). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

// The exponential of these forms: e^t = 2^k (1 + p), k the integer nearest t / ln 2 and
// p = e^r - 1 for r = t - k ln 2, |r| <= ln 2 / 2. A form computes m e^t as (m + m p) 2^k, or
// divides m (1 + p) by something first: 1 + p keeps its 53 bits whatever the size of e^t, and
// only the last step, the product by 2^k, can round into the subnormal range, once.

/** 1/ln 2, rounded: it only chooses k, and its error moves r by less than 2^-40. */
const LOG2E = 1.4426950408889634;
/**
 * ln 2 = LN2_HI + LN2_LO (+ 2^-86): LN2_HI = 0x1.62e42feep-1 has 32 significant bits, so for
 * |k| < 2^21, k LN2_HI is exact, and t - k LN2_HI is exact too (both are multiples of 2^-54
 * once |t| >= ln 2 / 2, and the difference is below 1/2).
 */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 1.5 * 2^52: for |v| < 2^51, v + ROUNDER - ROUNDER is v rounded to the nearest integer. */
const ROUNDER = 6755399441055744;
/**
 * 2^(128 - i) for i = 0..1199, and TINY = 2^-128: 2^k = POW2[-k] * TINY. The offset keeps every
 * entry a normal power of 2 down to k = -1150 (the GELU forms reach -1147), so that m 2^k is
 * (m POW2[-k]) TINY: an exact product, then the one that may round into the subnormal range.
 */
const POW2 = new Float64Array(1200).map((_, i) => 2 ** (128 - i));
const TINY = 2 ** -128;

/** v * 2^k, applied last so that a subnormal result rounds once (k from expExponent). */
function scaled(v: number, k: number): number {
  return v * POW2[-k | 0]! * TINY;
}

// Parts shared by the forms below, in module variables rather than a tuple per element.
let expK = 0; // the exponent k of e^t = 2^k (1 + p)
let expP = 0; // p

/** The integer k (as a double) nearest t / ln 2. */
function expExponent(t: number): number {
  return t * LOG2E + ROUNDER - ROUNDER;
}

/**
 * p = e^(t + tl - k ln 2) - 1, with k from expExponent(t) and t + tl a double-double. r + rl =
 * t - k ln 2 + tl, |r| <= 0.3466; e^r - 1 = r + r^2 q(r), q a degree-10 fit to (e^r - 1 - r) / r^2
 * on [-0.3467, 0.3467] (error 2^-59.3, so 2^-62 in p), evaluated in Estrin's scheme; rl enters
 * as e^(r + rl) - 1 = p + rl (1 + p). p is within 1.5 * 2^-55 (the last sum's rounding and
 * r^2 q's), under 0.4 ulp of 1 + p.
 */
function expFraction(t: number, tl: number, k: number): number {
  const a = t - k * LN2_HI;
  const b = tl - k * LN2_LO;
  const r = a + b;
  const rl = a - r + b;
  const r2 = r * r;
  const r4 = r2 * r2;
  const q =
    0.5 +
    r * 0.1666666666666667 +
    r2 * (0.04166666666666667 + r * 0.00833333333332612) +
    r4 * (0.0013888888888883737 + r * 0.00019841269874873975 + r2 * (2.480158732558584e-5 + r * 2.755725533255441e-6)) +
    r4 * r4 * (2.7557273594799413e-7 + r * 2.510524515390137e-8 + r2 * 2.0914707069612355e-9);
  return r + (r2 * q + rl);
}

/** √(2/π) rounded (0x1.9884533d43651p-1), and what it lacks: GELU_TANH_C's c, and F(0) below. */
const SQRT_2_OVER_PI = 0.7978845608028654;
const SQRT_2_OVER_PI_LO = -4.98465440455546e-17;
/** ln(1/√(2π)) as a double-double: the factor φ(0) of e^(-x²/2), moved into the exponent. */
const LN_INV_SQRT_2PI = -0.9189385332046728;
const LN_INV_SQRT_2PI_LO = 3.8782941580672414e-17;

/**
 * R(z) = (√(2/π) - F(z)) / z for z in [0, 39], where F(z) = 1/M(z) - z and M(z) = Q(z)/φ(z) is
 * Mills' ratio (Q the upper tail of the normal distribution, φ its density): F falls from √(2/π)
 * at 0 to about 1/z, and R from 1 - 2/π to about √(2/π)/z. A rational fit, degree 9 over 10,
 * weighted by z/(z + F): its error is 2^-58.8 of z + F, which is all that gelu uses (below).
 * Estrin's scheme, from z, z², z^4 and z^8; its own roundings reach 5.7 ulp of R (at z = 3.65,
 * where the terms are balanced), 0.9 ulp of z + F once damped.
 */
function millsR(z: number, z2: number): number {
  const z4 = z2 * z2;
  const z8 = z4 * z4;
  const p =
    0.36338022763241856 +
    z * 0.49915360100929884 +
    z2 * (0.34069886482044537 + z * 0.14851026325193464) +
    z4 * (0.04511795384030185 + z * 0.00986345389939635 + z2 * (0.0015506657215244746 + z * 0.00016952090847786871)) +
    z8 * (1.1773248770968503e-5 + z * 4.010981344754501e-7);
  const q =
    1 +
    z * 1.6736199766404984 +
    z2 * (1.3869945291235737 + z * 0.736153024390906) +
    z4 * (0.2746304877238935 + z * 0.07492456379312598 + z2 * (0.015121666756636828 + z * 0.0022326616806903014)) +
    z8 * (0.00023174596954167695 + z * 1.5385622602517426e-5 + z2 * 5.027019623917575e-7);
  return p / q;
}

/**
 * A(w) for w = s² in [0, 1/9]: log1p(e) = 2 atanh(s) = 2s + s³ A(s²), s = e / (2 + e). A degree-9
 * fit (error 2^-52.7 of A), Estrin's scheme; s³ A is at most 1/26 of the sum, so A's error and
 * rounding reach the result below 2^-57.
 */
function atanhTail(w: number): number {
  const w2 = w * w;
  const w4 = w2 * w2;
  return (
    0.6666666666666666 +
    w * 0.40000000000014585 +
    w2 * (0.2857142856710876 + w * 0.22222222717427864) +
    w4 * (0.18181789436132859 + w * 0.15385570064958623 + w2 * (0.13314144209654935 + w * 0.12001072809590713)) +
    w4 * w4 * (0.08800738486144674 + w * 0.1616404561194353)
  );
}

/**
 * e^(-x^2/2)/sqrt(2 pi) = 2^k (1 + p), with x^2 carried exactly (hi + lo) into the exponent:
 * sets expK and expP and returns hi = x * x rounded (gelu and gelu').
 */
function gaussianExp(x: number): number {
  const hi = x * x;
  const lo = productError(x, x, hi);
  const h = -0.5 * hi;
  const t = LN_INV_SQRT_2PI + h;
  const tl = sumError(LN_INV_SQRT_2PI, h, t) + (LN_INV_SQRT_2PI_LO - 0.5 * lo);
  expK = expExponent(t);
  expP = expFraction(t, tl, expK);
  return hi;
}

let millsD = 0;
let millsDl = 0;

/** sqrt(2/pi) + z - z r(z) as millsD + millsDl (r: Mills' ratio; gelu and gelu'). */
function millsDenominator(z: number, hi: number): void {
  const zr = z * millsR(z, hi);
  const s = z - zr;
  millsD = SQRT_2_OVER_PI + s;
  millsDl = sumError(SQRT_2_OVER_PI, s, millsD) + (z - s - zr + SQRT_2_OVER_PI_LO);
}

/**
 * gelu(x) = x Φ(x) = x/2 erfc(-x/√2), Φ the standard normal distribution function. With z = |x|
 * and Q(z) = 1 - Φ(z) the upper tail, x Φ(x) is -z Q(z) for x < 0 and x - z Q(z) for x > 0, and
 *   z Q(z) = e^(ln c - z²/2) z / (z + F(z)),   c = 1/√(2π) = φ(0),
 * where F(z) = 1/M(z) - z from Mills' ratio M = Q/φ, written z + F = √(2/π) + z - z R(z) with R
 * the fit above. Why this shape: a relative error ε of F moves the quotient by ε F/(z + F), and
 * one of R by ε z R/(z + F) <= 0.19 ε, so the fit's rounding errors are damped everywhere (a
 * rational fit of Q(z) e^(z²/2) itself, degree 10 over 11, lost up to 7 ulp to the rounding
 * of its own evaluation at moderate z). The
 * exponent is exact to ~2^-100: z² = hi + lo (Dekker) and ln c added as a double-double (a
 * rounded z² would cost up to z² 2^-53 relative, ~1400 ulp at z = 38). z (1 + p) and
 * √(2/π) + z - z R are double-doubles whose low parts enter the quotient, which rounds once
 * (divide), and the scale 2^k comes last (expFraction). The bounds of those steps (p 0.53 ulp,
 * z p 0.3, z + F 0.91 (R's own rounding errors reach 5.7 ulp of R at z = 3.65, damped to that),
 * the quotient 0.5) add up to 2.3 ulp; for x > 0, z Q(z) is at most the size of the result, and
 * that much only near 0, where p and R contribute less (1.6 ulp there with the last rounding).
 * The largest error measured against mpmath, on 38,000 inputs, is 1.2 ulp.
 * The result is x from x = 8.21 (z Q(z) below half an ulp of x); x >= 10 returns x at once. It
 * is subnormal below -37.62 and rounds to -0 below -38.58; x <= -39 returns -0 at once.
 * ±0: ±0; +inf: +inf; -inf: -0; NaN: NaN.
 */
export function gelu(x: number): number {
  if (!(x > -39)) return x < 0 ? -0 : x;
  if (!(x < 10)) return x;
  const z = Math.abs(x);
  const hi = gaussianExp(x);
  const k = expK;
  const p = expP;
  millsDenominator(z, hi);
  const d = millsD;
  const dl = millsDl;
  const zp = z * p;
  const n = z + zp;
  const q = scaled(divide(n, z - n + zp, d, dl), k);
  return x < 0 ? -q : x - q;
}

/** gelu' crosses zero at x = -GELU_ROOT: GELU_ROOT = 0.75179152469356445745... as a double-double. */
const GELU_ROOT = 0.7517915246935645;
const GELU_ROOT_LO = -1.4956759177009883e-17;

/**
 * gelu'(x) = Φ(x) + x φ(x). With the notation of gelu, it is -e^(ln c - z²/2) D for x < 0 and
 * 1 + e^(ln c - z²/2) D for x > 0, D = z - M(z) = (z (z + F) - 1) / (z + F), z + F as in gelu and
 * z (z + F) - 1 as a double-double. D vanishes at z0 = GELU_ROOT, where the two terms of x < 0
 * cancel: there an error ε of R costs ε z² R / |z (z + F) - 1| relative, unbounded as z -> z0.
 * So for x in (-1.2, -0.35), D = (z - z0) H(z - z0) instead, H a degree-14 polynomial fit
 * (error 2^-60) in w = z - z0, w and w H(0) carried exactly: the result keeps its relative
 * accuracy through the root, with no band. Outside that interval an error δ of z + F reaches the
 * result as δ / |z (z + F) - 1|, at most 1.6 δ (at x = -0.35). The quotient rounds once more
 * than divide's (bound 3). Measured against mpmath, on 38,000 inputs: at most 1.4 ulp.
 * The result is 1 from x = 8.71; x >= 10 returns 1 at once. It is subnormal below -37.71 and
 * rounds to -0 below -38.67; x <= -39 returns -0 at once. ±0: 0.5; +inf: 1; -inf: -0; NaN: NaN.
 */
export function geluDerivative(x: number): number {
  if (!(x > -39)) return x < 0 ? -0 : x;
  if (!(x < 10)) return 1;
  const z = Math.abs(x);
  const hi = gaussianExp(x);
  const k = expK;
  const p = expP;
  if (x > -1.2 && x < -0.35) {
    const wh = z - GELU_ROOT;
    const wl = sumError(z, -GELU_ROOT, wh) - GELU_ROOT_LO;
    const w = wh + wl;
    const mh = 1.4348095033989257 * wh;
    const ml =
      productError(1.4348095033989257, wh, mh) +
      1.4348095033989257 * wl +
      w * w * (-0.2124527125910173 + w * (0.09169645155827992 + w * (-0.03587902436625176 + w * (0.012944581025136351 + w * (
        -0.004357899677141809 + w * (0.001381192710129617 + w * (-0.0004149413286436653 + w * (0.00011880484335012607 + w * (
        -3.256262027571663e-05 + w * (8.57471493094078e-06 + w * (-2.1752965178930833e-06 + w * (5.347760005939462e-07 + w * (
        -1.3090308463344708e-07 + w * (2.7945003071931177e-08))))))))))))));
    return scaled(-(mh + (mh * p + ml * (1 + p))), k);
  }
  millsDenominator(z, hi);
  const d = millsD;
  const dl = millsDl;
  const zd = z * d;
  const zdl = productError(z, d, zd) + z * dl;
  const nn = zd - 1;
  const nnl = sumError(zd, -1, nn) + zdl;
  const np = nn * p;
  const n = nn + np;
  const q = scaled(quotient(n, nn - n + np + nnl * (1 + p), d, dl), k);
  return x < 0 ? -q : 1 + q;
}

/**
 * The constants of GELU's tanh form, √(2/π) and 0.044715 each rounded to double, as PyTorch's
 * float64 GELU(approximate='tanh') uses them (its M_SQRT2 * M_2_SQRTPI * 0.5 is this same
 * double); the reference is the exact function of these two doubles.
 */
const GELU_TANH_C = SQRT_2_OVER_PI;
const GELU_TANH_K = 0.044715;
/** 2c, 2ck (exact as a double-double) and 6ck = 3 * 2ck (to 2^-106): u = x (2c + 2ck x²), x u' = x (2c + 6ck x²). */
const GELU_TANH_2C = 2 * GELU_TANH_C;
const GELU_TANH_2CK = GELU_TANH_2C * GELU_TANH_K;
const GELU_TANH_2CK_LO = productError(GELU_TANH_2C, GELU_TANH_K, GELU_TANH_2CK);
const GELU_TANH_6CK = 3 * GELU_TANH_2CK;
const GELU_TANH_6CK_LO = productError(3, GELU_TANH_2CK, GELU_TANH_6CK) + 3 * GELU_TANH_2CK_LO;

/** x (2c + a x²) rounded, for a = 2ck or 6ck: u or x u'. geluTanhCubicError gives its error. */
function geluTanhCubic(x: number, x2: number, a: number): number {
  return x * (GELU_TANH_2C + a * x2);
}

/**
 * The error of geluTanhCubic(x, x2, a) against x (2c + (a + al)(x2 + x2l)), x2 + x2l = x² exactly:
 * the same roundings again (inlined, the engine computes them once), each with its exact error,
 * so that geluTanhCubic + this is a double-double within ~2^-100 relative.
 */
function geluTanhCubicError(x: number, x2: number, x2l: number, a: number, al: number): number {
  const b = a * x2;
  const bl = productError(a, x2, b) + a * x2l + al * x2;
  const w = GELU_TANH_2C + b;
  const wl = sumError(GELU_TANH_2C, b, w) + bl;
  return productError(x, w, x * w) + x * wl;
}

/**
 * geluTanh(x) = x/2 (1 + tanh(c (x + k x³))) = x σ(u), u = 2c (x + k x³), c and k as above. For
 * x < 0 it is x e^u / (1 + e^u), and e^u carries the absolute error of u as its relative error:
 * u reaches -745 before the result underflows, so u is a double-double (geluTanhCubic), within
 * 2^-100 or so, and e^u = 2^k (1 + p) from it. For x > 0 it is x / (1 + e^-u). The quotient
 * rounds once, the scale 2^k last (subnormal results round once). For x > 0, u is rounded: its
 * error reaches the result damped by u σ(-u) <= 0.28. The bounds of the steps add up to 2.1 ulp;
 * measured against mpmath, on 26,000 inputs, at most 1.3 ulp.
 * The result is x from x = 7.14; x >= 8 returns x at once. It is subnormal below -21.18 and rounds
 * to -0 below -21.55; x <= -22 returns -0 at once. |x| < 2^-60: x/2 (the rest is below 2^-60 of
 * it). ±0: ±0; +inf: +inf; -inf: -0; NaN: NaN.
 */
export function geluTanh(x: number): number {
  if (!(x > -22)) return x < 0 ? -0 : x;
  if (!(x < 8)) return x;
  if (Math.abs(x) < 2 ** -60) return x * 0.5;
  const x2 = x * x;
  const u = geluTanhCubic(x, x2, GELU_TANH_2CK);
  if (x > 0) {
    const k = expExponent(-u);
    const e = scaled(1 + expFraction(-u, 0, k), k);
    const d = 1 + e;
    return quotient(x, 0, d, 1 - d + e);
  }
  const ul = geluTanhCubicError(x, x2, productError(x, x, x2), GELU_TANH_2CK, GELU_TANH_2CK_LO);
  const k = expExponent(u);
  const p = expFraction(u, ul, k);
  const e = scaled(1 + p, k);
  const d = 1 + e;
  const xp = x * p;
  const n = x + xp;
  return scaled(quotient(n, x - n + xp, d, 1 - d + e), k);
}

/** geluTanh' crosses zero at x = GELU_TANH_ROOT = -0.75246142207101621855... (a double-double). */
const GELU_TANH_ROOT = -0.7524614220710162;
const GELU_TANH_ROOT_LO = -3.473691681308185e-17;

/**
 * geluTanh'(x) = σ(u) + x σ(u) σ(-u) u', u' = 2c (1 + 3k x²). With e = e^-|u| and x u' =
 * x (2c + 6ck x²) a double-double (geluTanhCubic), it is e N / (1 + e)² with N = 1 + e + x u' for
 * x < 0, and (1 + e + e x u') / (1 + e)² (positive terms only) for x > 0. N is a double-double,
 * so that only e's error is magnified where it cancels, by e/|N|; N vanishes at the root, so
 * for x within 0.2 of it, the function is (x - root) H(x - root) instead, H a degree-13
 * polynomial fit (error 2^-62), w and w H(0) carried exactly: relative accuracy through the
 * root, no band. Outside it e/|N| <= 0.6. For x > 0 there is no cancellation, and u and x u'
 * are simply rounded (damped as in geluTanh). Measured against mpmath, on 38,000 inputs: at
 * most 1.6 ulp (bound 3).
 * The result is 1 from x = 7.45; x >= 8 returns 1 at once. It is subnormal below -21.22 and
 * rounds to -0 below -21.59; x <= -22 returns -0 at once. ±0: 0.5; +inf: 1; -inf: -0; NaN: NaN.
 */
export function geluTanhDerivative(x: number): number {
  if (!(x > -22)) return x < 0 ? -0 : x;
  if (!(x < 8)) return 1;
  if (x > GELU_TANH_ROOT - 0.2 && x < GELU_TANH_ROOT + 0.2) {
    const wh = x - GELU_TANH_ROOT;
    const wl = sumError(x, -GELU_TANH_ROOT, wh) - GELU_TANH_ROOT_LO;
    const w = wh + wl;
    const mh = 0.43040009102485854 * wh;
    return (
      mh +
      (productError(0.43040009102485854, wh, mh) +
        0.43040009102485854 * wl +
        w * w * (0.38751844613578895 + w * (-0.01578285352184813 + w * (-0.11394448308095896 + w * (-0.016619328343006026 + w * (
          0.0196823094598141 + w * (0.005261059247933835 + w * (-0.0024227318430198484 + w * (-0.0009274415232227633 + w * (
          0.0002639274363657614 + w * (0.00012423390895500885 + w * (-3.494867152387824e-05 + w * (-1.5615269375313704e-05 + w * (
          5.781701924776297e-06))))))))))))))
    );
  }
  const x2 = x * x;
  const u = geluTanhCubic(x, x2, GELU_TANH_2CK);
  const xu = geluTanhCubic(x, x2, GELU_TANH_6CK);
  if (x > 0) {
    const k = expExponent(-u);
    const e = scaled(1 + expFraction(-u, 0, k), k);
    const d = 1 + e;
    const dl = 1 - d + e;
    const dd = d * d;
    return quotient(d + (xu * e + dl), 0, dd, productError(d, d, dd) + 2 * d * dl);
  }
  const x2l = productError(x, x, x2);
  const ul = geluTanhCubicError(x, x2, x2l, GELU_TANH_2CK, GELU_TANH_2CK_LO);
  const xul = geluTanhCubicError(x, x2, x2l, GELU_TANH_6CK, GELU_TANH_6CK_LO);
  const k = expExponent(u);
  const p = expFraction(u, ul, k);
  const e = scaled(1 + p, k);
  const d = 1 + e;
  const dl = 1 - d + e;
  const dd = d * d;
  const ddl = productError(d, d, dd) + 2 * d * dl;
  const nn = d + xu;
  const nnl = sumError(d, xu, nn) + dl + xul;
  const np = nn * p;
  const n = nn + np;
  return scaled(quotient(n, nn - n + np + nnl * (1 + p), dd, ddl), k);
}

// ---------------------------------------------------------------------------------------------
// softmax, logSoftmax and logSumExp of Float64Array rows, on the exponential above (no Math.exp
// or Math.log: the same bits on every engine). For a row with maximum m:
//
//   d + dl = x - m exactly (TwoSum), e^(d + dl) = 2^k (1 + p) (expFraction), kept as the
//   double-double 2^k (em + eml); S = sum of the terms as a double-double (each addition's
//   rounding error, exact by TwoSum, and the terms' low parts go to the low word): S is within
//   ~2^-54 relative of the exact sum (the terms' own error) for any row length.
//   softmax:    y = 2^k (em + eml) / S, one corrected quotient (divide: 1/2 ulp), then 2^k.
//   the log kinds exclude x == m (count k) and sum the rest, R, so that the dominant element's
//   -log1p(R) keeps its relative accuracy: lambda = k == 1 ? log1p(R) : log(k + R) as a
//   double-double (logPair), then y = (d + dl) - lambda and logSumExp = m + lambda, each summed
//   exactly and rounded once.
// Measured against mpmath (README): within 1 ulp. logSumExp cancels where m + lambda is near 0
// (m < 0, lambda ~ -m): its error is then ~2^-54 lambda in absolute terms, as lambda's own.
// Special values as the float32 kernels (assembly/softmax.ts).

/** log(a + al) for a + al >= 1 (a finite), as a double-double: sets logHi, logLo. */
let logHi = 0;
let logLo = 0;
const logWord = new DataView(new ArrayBuffer(8));

/**
 * log1p(u + ul) for |u| <= SQRT2 - 1 as a double-double (logHi + logLo): 2 atanh(s), s = (u + ul) /
 * (2 + u + ul) as sh + sl (the quotient and its exact residual), 2 sh exact, the rest in logLo.
 */
function log1pPair(u: number, ul: number): void {
  const d = 2 + u;
  const dl = 2 - d + u + ul; // Fast2Sum: |u| < 2
  const sh = u / d;
  const sd = sh * d;
  const sl = (u - sd - productError(sh, d, sd) + ul - sh * dl) / d;
  const w = sh * sh;
  logHi = 2 * sh;
  logLo = 2 * sl + sh * w * atanhTail(w);
}

/** log(a + al) for a >= 1 finite: j ln2 + log1p(f - 1), a = 2^j f, f in [SQRT2/2, SQRT2). */
function logPair(a: number, al: number): void {
  logWord.setFloat64(0, a);
  const high = logWord.getUint32(0);
  let j = (high >>> 20) - 1023;
  logWord.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let f = logWord.getFloat64(0);
  if (f > Math.SQRT2) {
    f *= 0.5;
    j += 1;
  }
  log1pPair(f - 1, al * POW2[j + 128]!); // f - 1 exact (Sterbenz); al 2^-j exact (POW2[i] = 2^(128 - i))
  const hi = j * LN2_HI; // exact: |j| < 2^11, LN2_HI has 32 bits
  const sum = hi + logHi;
  logLo = sumError(hi, logHi, sum) + (logLo + j * LN2_LO);
  logHi = sum;
}

// One term's parts: e^(x - m) = 2^termK (termM + termMl), and x - m's rounding error termDl.
let termK = 0;
let termM = 0;
let termMl = 0;
let termDl = 0;

/** Sets the term's parts for x <= m (finite m); x - m < -746 gives termM = 0 (below every result). */
function rowTerm(x: number, m: number): void {
  const d = x - m;
  termDl = sumError(x, -m, d);
  if (!(d >= -746)) {
    termK = 0;
    termM = termMl = 0;
    return;
  }
  const k = expExponent(d);
  const p = expFraction(d, termDl, k);
  termK = k;
  termM = 1 + p;
  termMl = 1 - termM + p;
}

/** Rows of `rowLength` doubles from x to out (softmax, logSoftmax: one per element; logSumExp: one per row). */
export function rowsFloat64(kind: 'softmax' | 'logSoftmax' | 'logSumExp', x: Float64Array, out: Float64Array, rowLength: number): void {
  // In place is fine (each element is read before its result is written, and a logSumExp
  // result only after its row); any other overlap reads from a copy.
  const source = overlaps(x, out) && !(x.buffer === out.buffer && x.byteOffset === out.byteOffset && kind !== 'logSumExp') ? x.slice() : x;
  const rows = rowLength === 0 ? 0 : source.length / rowLength;
  const log = kind !== 'softmax';
  for (let r = 0; r < rows; r++) {
    const from = r * rowLength;
    const to = from + rowLength;
    let m = -Infinity;
    let nan = false;
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      if (v > m) m = v;
      else if (v !== v) nan = true;
    }
    m = nan ? NaN : m + 0;
    if (!(Math.abs(m) < Infinity)) {
      // A NaN, +inf or a row of -inf: NaN rows, and logSumExp m (as PyTorch).
      if (kind === 'logSumExp') out[r] = m;
      else out.fill(NaN, from, to);
      continue;
    }
    let sh = 0;
    let sl = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      if (log && v === m) {
        count++;
        continue;
      }
      rowTerm(v, m);
      if (termM === 0) continue;
      const scale = POW2[-termK | 0]! * TINY;
      const hi = termM * scale;
      const sum = sh + hi;
      sl += sumError(sh, hi, sum) + termMl * scale;
      sh = sum;
    }
    if (kind === 'softmax') {
      for (let i = from; i < to; i++) {
        rowTerm(source[i]!, m);
        out[i] = termM === 0 ? 0 : scaled(divide(termM, termMl, sh, sl), termK);
      }
      continue;
    }
    const r0 = sh + sl;
    if (count === 1 && r0 < Math.SQRT2 - 1) log1pPair(sh, sl);
    else {
      const a = count + sh;
      logPair(a, sumError(count, sh, a) + sl);
    }
    const lambda = logHi;
    const lambdaLo = logLo;
    if (kind === 'logSumExp') {
      const sum = m + lambda;
      out[r] = sum + (sumError(m, lambda, sum) + lambdaLo);
      continue;
    }
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      const d = v - m;
      const a = d - lambda;
      // -inf (an element -inf, or x - m beyond the double range) is the result as it is.
      out[i] = a === -Infinity ? a : a + (sumError(d, -lambda, a) + (sumError(v, -m, d) - lambdaLo));
    }
  }
}
