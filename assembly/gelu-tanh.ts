// GELU, tanh form (PyTorch's approximate='tanh'), and its derivative, from one exponential:
//
//   geluTanh(x) = x/2 (1 + tanh(c (x + k x^3))) = x sigma(u),   u = 2c (x + k x^3) = K0 x + K1 x^3
//
// with c = sqrt(2/pi) and k = 0.044715 rounded to float32 first, as PyTorch's float kernels do:
// K0 = 2c is a float32, K1 = 2ck has 48 significant bits and is carried as K1_HI + K1_LO. With
// z = |x|, u(x) = -u(z) for x < 0, and f = sigma(-u(z)):
//
//   z  = min(|x|, GELU_TANH_Z_MAX)     NaN kept (pmin keeps its first operand)
//   u  = U1 + ul                       u(z) in extra precision, |error| < 2^-25 (1. below)
//   s, t                               exp.ts' reduction of e^-u, with ul added into t
//   E  = P + s = 2^64 e^-u             P = s (e^t - 1), exp.ts' scaledExpm1
//   F  = E - E * (E / (2^64 + E))      2^64 sigma(-u): sigmoid.ts' refinement, kept scaled (silu.ts)
//   f  = F * 2^-64                     sigma(-u)
//   geluTanh(x) = x - z * f                        for x > 0: x (1 - sigma(-u)), no cancellation
//               = copysign((z * F) * 2^-64, x)     for x <= 0: -z sigma(-u), scaled until the end
//
// 1. Why u needs extra precision: for x < 0, geluTanh(x) = -z sigma(-u) ~ -z e^-u, whose relative
//    error is the absolute error of u, and u reaches 110 (x = -10.9, where the result is ~2^-156):
//    one float32 ulp of u there (2^-17) would cost 2^7 ulp of the result, and a plain float32
//    z (K0 + K1 z^2) (four roundings) measures 194 ulp. Here every product that carries u's large
//    part is exact, because both its factors have at most 12 significant bits, and only small
//    parts round:
//
//      zh = z & GELU_SPLIT_MASK       z truncated to 12 significant bits; zl = z - zh (exact, < 2^-8)
//      A  = zh * zh                   exact (24 bits)
//      B  = zl * (zh + z)             z^2 - A, rounded (|B| < 0.086)
//      Ah = (A + GRID) - GRID         A rounded to the grid 2^-5: 12 bits, as A < 128; A - Ah exact
//      vh = K0_HI + K1_HI * Ah        the large part of v = K0 + K1 z^2: exact, as K1_HI * Ah is a
//                                     product of 12-bit numbers on the grid 2^-20, K0_HI is on it
//                                     too, and the sum is below 16
//      vl = K1 * ((A - Ah) + B) + (K1_LO * Ah + K0_LO)        the rest of v, < 2^-7
//      vhh = vh & GELU_SPLIT_MASK; vh - vhh exact
//      U1 = zh * vhh                  exact (12-bit factors)
//      ul = zl * vhh + z * ((vh - vhh) + vl)       the rest of u = z v (zl * vhh exact), < 0.161
//      n  = round(-(U1 + ul) log2 e)  exp.ts' biased sum, and s from it
//      t  = ((n * MINUS_LN2_HI - U1) - ul) + n * MINUS_LN2_LO
//
//    n * MINUS_LN2_HI (15 + 8 bits) and n * MINUS_LN2_HI - U1 (below 1/2, on U1's grid) are exact.
//    Every step called exact here was checked on every float32 z >= 2^-60 (below it, A and B are
//    under 2^-120, far below K0_LO, and vl = K0_LO whatever their rounding), and so was the error:
//    |U1 + ul - u| <= 2.52e-8 = 2^-25.24 (at z = 10.894), at most ~0.5 ulp of the result however
//    large u is (docs/design/tanh-gelu-tanh). Truncating rather than rounding zh and vhh saves two
//    operations and doubles zl and vh - vhh; rounding would halve the error of u and change
//    nothing measurable in the results.
// 2. Why z * F for x <= 0: as in silu.ts, sigma(-u) is subnormal for u > 87.3 while the result is
//    z times larger and can be normal; F is normal, so z * F keeps full precision and only the last
//    product, by 2^-64, rounds into the subnormal range, once.
// 3. The derivative, with a = x u'(x) = K0 z + 3 K1 z^3 = u + 2 K1 z^3 for z = |x|, and
//    al = ul + 2 K1 z^3 = a - U1 (rounded; small where it matters):
//
//      geluTanh'(x) = sigma(u) + x sigma(u) sigma(-u) u'(x)
//                   = (1 - f) * (1 + f * (U1 + al))                           for x > 0
//                   = (F * (((1 - U1) + U1 * f) - al * (1 - f))) * 2^-64      for -1.25 < x <= 0
//
//    It crosses zero at x0 = -0.7524614, where 1 - a (1 - f) cancels: 1 - U1 is exact there
//    (Sterbenz), so the error is that of f (up to 1.6 ulp of f, magnified by a = 1.29) and of
//    U1 * f: a few ulp of f(x0) = 0.23 in absolute terms. Toward x = -0.33, the same error of f,
//    magnified 1.3-fold by the partial cancellation and worth twice as many ulps of the result (f
//    lies in [1/4, 1/2), geluTanh' just below 1/4), still exceeds 3 ulp: that holds for any
//    formula from a float32 sigma. So for x in [-0.831, -0.3245] the bound is an absolute error
//    (the registry's band). A plain a = z (K0 + 3 K1 z^2) would widen the band's left end to -1.28.
// 4. The tail, x <= -GELU_TANH_PAIR_FROM: there the formula above reaches 4 ulp (at 212 inputs in
//    [-9.28, -1.74]): F's error (up to 1.7 ulp) adds to the bracket's three roundings and al's
//    four, each worth up to a whole ulp of the result. So the tail keeps both factors unrounded,
//    as pairs, and rounds once at the end:
//
//      F    = s + X,  X = P - E * (E / (2^64 + E))    (s a power of two; E * (E / ...) shared)
//      beta = 1 - a (1 - f) = bh + bl                 bh = (1 - U1) - 2W, rounded, and its exact
//                                                     error (TwoSum); bl = error - lo + a f
//      2^64 geluTanh'(x) = s * bh + (s * bl + X * (bh + bl))    (s * bh and s * bl exact)
//
//    where K1 z^3 = W + w: K1 z^2 = m1 + m2 with m1 = K1_HI * Ah (exact: 12-bit factors) and
//    m2 = vl - K0_LO, m1 = m1h + m1l split at 12 bits, W = zh * m1h (exact, 12-bit factors) and
//    w = (zh * m1l + zl * m1) + z * m2, so a - U1 = 2W + lo with lo = ul + 2w. Only small terms
//    round: measured over every float32 x in [-9.3, -1.2], 2.29 ulp at most (unrounded) against
//    3.42 for the formula above. Near the root the pair is no better (f's error is magnified
//    there whatever the form, and the pair's f, rounded apart from F, no longer cancels it), so
//    the formula above keeps [-1.25, 0], which it meets within 3.29 ulp outside the band. Both
//    are computed for every lane and one is selected: 30 operations more for the derivative.
//
// Clamp: GELU_TANH_Z_MAX = 10.9375; u(10.9375) = 110.8 <= Z_MAX keeps s normal and t in the
// polynomial's range without a second clamp. Beyond it |geluTanh(x)| < 2^-156 for x < 0 and
// |geluTanh'(x)| < 2^-151.6, so every x beyond rounds to what the clamped computation returns:
// x or -0 for geluTanh, 1 or -0 for geluTanh'. The derivative decides it: geluTanh' is still
// 2^-149.2 at x = -10.875.
//
// Special values: geluTanh(+-0) = +-0 (the copysign), geluTanh'(+-0) = 1/2 exactly (U1 = 0,
// F = 2^63); geluTanh(+inf) = +inf (x - z * f with f = 0), geluTanh'(+inf) = 1; geluTanh(-inf)
// = -0, geluTanh'(-inf) = -0; NaN propagates. Tiny x: geluTanh(x) = x sigma(u) ~ x/2 rounded once
// (geluTanh(2^-149) = 2^-149, geluTanh(-2^-149) = -0, as the exact values round).
//
// Error over all 2^32 inputs: npm run verify proves the bounds, and the kernel comments carry
// its figures (README: the accuracy table). The design's numpy emulation measured geluTanh at
// 3 ulp at most (2.595 unrounded, 30 inputs at 3 ulp), and geluTanh' inside [-0.831, -0.3245]
// at an absolute error of at most 2^-23.84 (~2^-25.6 near the root itself).
//
// Operations per vector: geluTanh 61, geluTanh' ~102, fused ~108 (one division each: f and F
// serve both results); sigmoid: 33. The pair for u costs 23 of them, and a 12-operation chain
// before the exponential can start.
//
// Both forms run the same operations in the same order; see sigmoid.ts.
import {
  MAGIC_BIAS, MINUS_LN2_HI, MINUS_LN2_LO, SCALED_ONE, UNSCALE, absX4, expBias, expBiasX4, expScale, expScaleX4, scaledExpm1,
  scaledExpm1X4,
} from "./exp";
import { GELU_SPLIT_MASK } from "./gelu";
import {
  KERNEL_GELU_TANH as GELU_TANH,
  KERNEL_GELU_TANH_DERIVATIVE as GELU_TANH_DERIVATIVE,
} from "./kernel-ids";

// c = sqrt(2/pi) and k = 0.044715 as PyTorch's float kernels round them (its kBeta and kKappa);
// every constant below is derived from these two at compile time.
const GELU_TANH_C: f32 = reinterpret<f32>(0x3F4C422A); // 0x1.988454p-1
const GELU_TANH_KAPPA: f32 = reinterpret<f32>(0x3D372713); // 0x1.6E4E26p-5
// K0 = 2c (exact) = K0_HI + K0_LO, K0_HI on the grid 2^-20 (K0 lies in [1, 2): its low 3 of 23
// fraction bits cleared), so that K0_HI + K1_HI * Ah is exact.
const GELU_TANH_K0: f32 = GELU_TANH_C * 2.0;
export const GELU_TANH_K0_HI: f32 = reinterpret<f32>(reinterpret<i32>(GELU_TANH_K0) & 0xFFFFFFF8); // 0x1.988450p+0
export const GELU_TANH_K0_LO: f32 = GELU_TANH_K0 - GELU_TANH_K0_HI; // 0x1p-22
// K1 = 2ck, exact in f64 (48 significant bits); GELU_TANH_K1 is K1 rounded to float32, K1_HI its
// 12 leading significant bits (lsb 2^-15) and K1_LO = K1 - K1_HI rounded: K1_HI + K1_LO is K1
// within 1.4e-12 relative.
const GELU_TANH_K1_EXACT: f64 = <f64>GELU_TANH_K0 * <f64>GELU_TANH_KAPPA;
export const GELU_TANH_K1: f32 = <f32>GELU_TANH_K1_EXACT; // 0x1.2444F2p-4
export const GELU_TANH_K1_HI: f32 = reinterpret<f32>(reinterpret<i32>(GELU_TANH_K1) & GELU_SPLIT_MASK); // 0x1.244000p-4
export const GELU_TANH_K1_LO: f32 = <f32>(GELU_TANH_K1_EXACT - <f64>GELU_TANH_K1_HI); // 0x1.3CA1A8p-18
// 2 K1 (rounded K1, doubled exactly), for a - u = 2 K1 z^3.
export const GELU_TANH_K1_TIMES2: f32 = GELU_TANH_K1 * 2.0; // 0x1.2444F2p-3
// (A + GRID) - GRID rounds A (< 2^18) to a multiple of ulp(GRID) = 2^-5.
export const GELU_TANH_GRID: f32 = reinterpret<f32>(0x48C00000); // 0x1.8p+18
// Where the tail's pairs take over from the plain bracket (4. above).
export const GELU_TANH_PAIR_FROM: f32 = 1.25;
// |x| is clamped here (see "Clamp" above).
export const GELU_TANH_Z_MAX: f32 = 10.9375; // 0x1.5Ep+3

const SIGN: i32 = 0x80000000;

/** One vector of the geluTanh kernel `kind` (an id of kernel-ids.ts): x in, results stored. */
// @ts-ignore: decorator
@inline export function geluTanhX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const value = kind != GELU_TANH_DERIVATIVE;
  const derivative = kind != GELU_TANH;
  const one = f32x4.splat(1.0);
  const z = f32x4.pmin(absX4(x), f32x4.splat(GELU_TANH_Z_MAX));
  // u = U1 + ul (1. above).
  const zh = v128.and(z, i32x4.splat(GELU_SPLIT_MASK));
  const zl = f32x4.sub(z, zh);
  const a = f32x4.mul(zh, zh);
  const b = f32x4.mul(zl, f32x4.add(zh, z));
  const ah = f32x4.sub(f32x4.add(a, f32x4.splat(GELU_TANH_GRID)), f32x4.splat(GELU_TANH_GRID));
  const vh = f32x4.add(f32x4.splat(GELU_TANH_K0_HI), f32x4.mul(f32x4.splat(GELU_TANH_K1_HI), ah));
  const vl = f32x4.add(
    f32x4.mul(f32x4.splat(GELU_TANH_K1), f32x4.add(f32x4.sub(a, ah), b)),
    f32x4.add(f32x4.mul(f32x4.splat(GELU_TANH_K1_LO), ah), f32x4.splat(GELU_TANH_K0_LO)),
  );
  const vhh = v128.and(vh, i32x4.splat(GELU_SPLIT_MASK));
  const u1 = f32x4.mul(zh, vhh);
  const ul = f32x4.add(f32x4.mul(zl, vhh), f32x4.mul(z, f32x4.add(f32x4.sub(vh, vhh), vl)));
  // 2^64 e^-u, with ul carried into the reduced argument, and F = 2^64 sigma(-u).
  const biased = expBiasX4(f32x4.add(u1, ul));
  const s = expScaleX4(biased);
  const n = f32x4.sub(biased, f32x4.splat(MAGIC_BIAS));
  const t = f32x4.add(
    f32x4.sub(f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_HI)), u1), ul),
    f32x4.mul(n, f32x4.splat(MINUS_LN2_LO)),
  );
  const p = scaledExpm1X4(t, s);
  const e = f32x4.add(p, s);
  const eq = f32x4.mul(e, f32x4.div(e, f32x4.add(f32x4.splat(SCALED_ONE), e)));
  const big = f32x4.sub(e, eq);
  const f = f32x4.mul(big, f32x4.splat(UNSCALE));
  const positive = f32x4.gt(x, f32x4.splat(0.0));
  if (value) {
    const negative = v128.bitselect(x, f32x4.mul(f32x4.mul(z, big), f32x4.splat(UNSCALE)), i32x4.splat(SIGN));
    v128.store(out, v128.bitselect(f32x4.sub(x, f32x4.mul(z, f)), negative, positive));
  }
  if (derivative) {
    const g = f32x4.sub(one, f);
    const al = f32x4.add(ul, f32x4.mul(f32x4.splat(GELU_TANH_K1_TIMES2), f32x4.mul(z, f32x4.mul(z, z))));
    const above = f32x4.mul(g, f32x4.add(one, f32x4.mul(f, f32x4.add(u1, al))));
    const bracket = f32x4.sub(f32x4.add(f32x4.sub(one, u1), f32x4.mul(u1, f)), f32x4.mul(al, g));
    const nearRoot = f32x4.mul(f32x4.mul(big, bracket), f32x4.splat(UNSCALE));
    // The tail's pairs (4. above).
    const m1 = f32x4.mul(f32x4.splat(GELU_TANH_K1_HI), ah);
    const m1h = v128.and(m1, i32x4.splat(GELU_SPLIT_MASK));
    const m2 = f32x4.sub(vl, f32x4.splat(GELU_TANH_K0_LO));
    const w = f32x4.add(
      f32x4.add(f32x4.mul(zh, f32x4.sub(m1, m1h)), f32x4.mul(zl, m1)),
      f32x4.mul(z, m2),
    );
    const wh = f32x4.mul(zh, m1h);
    const w2 = f32x4.add(wh, wh);
    const lo = f32x4.add(ul, f32x4.add(w, w));
    const oneMinusU1 = f32x4.sub(one, u1);
    const bh = f32x4.sub(oneMinusU1, w2);
    const bb = f32x4.sub(bh, oneMinusU1);
    const error = f32x4.sub(f32x4.sub(oneMinusU1, f32x4.sub(bh, bb)), f32x4.add(w2, bb));
    const bl = f32x4.add(f32x4.sub(error, lo), f32x4.mul(f32x4.add(f32x4.add(u1, w2), lo), f));
    const tailX = f32x4.sub(p, eq);
    const tail = f32x4.mul(
      f32x4.add(f32x4.mul(s, bh), f32x4.add(f32x4.mul(s, bl), f32x4.mul(tailX, f32x4.add(bh, bl)))),
      f32x4.splat(UNSCALE),
    );
    const below = v128.bitselect(nearRoot, tail, f32x4.lt(z, f32x4.splat(GELU_TANH_PAIR_FROM)));
    v128.store(value ? out2 : out, v128.bitselect(above, below, positive));
  }
}

/** One element of the geluTanh kernel `kind`: the steps of geluTanhX4 on one lane. */
// @ts-ignore: decorator
@inline export function geluTanh(kind: i32, x: f32, out: usize, out2: usize): void {
  const value = kind != GELU_TANH_DERIVATIVE;
  const derivative = kind != GELU_TANH;
  const absX = Mathf.abs(x);
  const z: f32 = select<f32>(GELU_TANH_Z_MAX, absX, GELU_TANH_Z_MAX < absX); // pmin(|x|, Z_MAX)
  const zh = reinterpret<f32>(reinterpret<i32>(z) & GELU_SPLIT_MASK);
  const zl: f32 = z - zh;
  const a: f32 = zh * zh;
  const b: f32 = zl * (zh + z);
  const ah: f32 = (a + GELU_TANH_GRID) - GELU_TANH_GRID;
  const vh: f32 = GELU_TANH_K0_HI + GELU_TANH_K1_HI * ah;
  const vl: f32 = GELU_TANH_K1 * ((a - ah) + b) + (GELU_TANH_K1_LO * ah + GELU_TANH_K0_LO);
  const vhh = reinterpret<f32>(reinterpret<i32>(vh) & GELU_SPLIT_MASK);
  const u1: f32 = zh * vhh;
  const ul: f32 = zl * vhh + z * ((vh - vhh) + vl);
  const biased = expBias(u1 + ul);
  const s = expScale(biased);
  const n: f32 = biased - MAGIC_BIAS;
  const t: f32 = ((n * MINUS_LN2_HI - u1) - ul) + n * MINUS_LN2_LO;
  const p = scaledExpm1(t, s);
  const e: f32 = p + s;
  const eq: f32 = e * (e / (SCALED_ONE + e));
  const big: f32 = e - eq;
  const f: f32 = big * UNSCALE;
  const positive = x > 0;
  if (value) {
    store<f32>(out, select<f32>(x - z * f, copysign<f32>(z * big * UNSCALE, x), positive));
  }
  if (derivative) {
    const g: f32 = <f32>1.0 - f;
    const al: f32 = ul + GELU_TANH_K1_TIMES2 * (z * (z * z));
    const above: f32 = g * (<f32>1.0 + f * (u1 + al));
    const nearRoot: f32 = big * (((<f32>1.0 - u1) + u1 * f) - al * g) * UNSCALE;
    const m1: f32 = GELU_TANH_K1_HI * ah;
    const m1h = reinterpret<f32>(reinterpret<i32>(m1) & GELU_SPLIT_MASK);
    const m2: f32 = vl - GELU_TANH_K0_LO;
    const w: f32 = (zh * (m1 - m1h) + zl * m1) + z * m2;
    const wh: f32 = zh * m1h;
    const w2: f32 = wh + wh;
    const lo: f32 = ul + (w + w);
    const oneMinusU1: f32 = <f32>1.0 - u1;
    const bh: f32 = oneMinusU1 - w2;
    const bb: f32 = bh - oneMinusU1;
    const error: f32 = (oneMinusU1 - (bh - bb)) - (w2 + bb);
    const bl: f32 = (error - lo) + ((u1 + w2) + lo) * f;
    const tailX: f32 = p - eq;
    const tail: f32 = (s * bh + (s * bl + tailX * (bh + bl))) * UNSCALE;
    const below = select<f32>(nearRoot, tail, z < GELU_TANH_PAIR_FROM);
    store<f32>(value ? out2 : out, select<f32>(above, below, positive));
  }
}
