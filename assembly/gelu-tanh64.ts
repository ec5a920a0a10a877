// GELU, tanh form, and its derivative in double precision (Float64Array and number):
// gelu-tanh.ts's algorithm on exp64.ts's core, two lanes per vector.
//
//   geluTanh(x) = x/2 (1 + tanh(c (x + k x^3))) = x sigma(u),   u = 2c (x + k x^3) = K0 x + K1 x^3
//
// with c = sqrt(2/pi) and k = 0.044715 each rounded to double, as PyTorch's float64 kernel and
// src/double.ts take them; the reference is the exact function of those two doubles: K0 = 2c is
// exact, K1 = 2ck has 106 bits and is carried as K1_HI (26 bits) + K1_TAIL (to 2^-80 of K1).
// With z = |x|, u(x) = -u(z) for x < 0, and f = sigma(-u(z)):
//
//   z  = min(|x|, GELU_TANH64_Z_MAX)    NaN kept (pmin keeps its first operand)
//   u  = U1 + ul                        u(z) to ~2^-77 relative (1. below), U1 exact
//   s, P                                exp64.ts's parts of e^-u, with ul carried into t
//   E  = P + s,  El = (s - E) + P       2^128 e^-u and its rounding error (exact)
//   q  = E / (2^128 + E)                sigma(-u), first approximation (the one division)
//   G  = E q - (El - El q)
//   F  = E - G,  Fl = (E - F) - G       2^128 sigma(-u) (sigmoid64.ts's refinement) and its
//                                       rounding error: silu64.ts's steps
//   zf = (z F + z Fl) 2^-128            z sigma(-u), scaled until the last step (silu64.ts)
//   geluTanh(x) = x - zf                for x > 0: x (1 - sigma(-u)), no cancellation (zf <= x/2)
//               = copysign(zf, x)       for x <= 0
//
// 1. Why u needs ~80 bits: for x < 0 the result is -z sigma(-u) ~ -z e^-u, whose relative error
//    is u's absolute error, and u reaches 753 before the derivative's result underflows: a
//    rounded u (2^-53 relative) would cost ~2^-43, a thousand ulp. So, as gelu-tanh.ts does in
//    float32, every product that carries u's large part is exact, and only small parts round:
//
//      zh = z & MASK26                   z's leading 26 significant bits; zl = z - zh (exact, 27 bits)
//      A  = zh * zh                      exact (52 bits)
//      B  = zl * (zh + z)                z^2 - A, rounded (|B| < 2^-24 z^2: 2^-77 of z^2)
//      Ah = (A + GRID) - GRID            A rounded to the grid 2^-17: 26 bits, as A < 2^9; A - Ah exact
//      m1 = K1_HI * Ah                   exact (26 x 26 bits), on the grid 2^-46, below 34
//      vh = K0_HI + m1                   exact: K0_HI is K0 on the grid 2^-46 and the sum is below 2^6
//      m2 = K1_HI * ((A - Ah) + B) + K1_TAIL * (A + B)      K1 z^2 - m1, below 2^-21
//      vl = m2 + K0_LO                   v = K0 + K1 z^2 = vh + vl to ~2^-74
//      vhh = vh & MASK26;  U1 = zh * vhh                    exact (26 x 26 bits)
//      ul = zl * vhh + z * ((vh - vhh) + vl)                the rest of u = z v (zl * vhh exact)
//
//    The sum that chooses n is U1 + ul (ul reaches 2^-14.4 at the clamp: choosing n from U1
//    alone could leave t outside the core's polynomial interval); then
//      t  = (n MINUS_LN2_HI64 - U1) + (n MINUS_LN2_LO64 - ul)
//    where n MINUS_LN2_HI64 - U1 is exact as in the core (Sterbenz) and the last sum rounds once,
//    as the core's does. The roundings of u's small parts add up to ~2^-77 of u: 2^-67 absolute
//    at the clamp, 0.0002 ulp of the result.
// 2. Why scaled: as silu64.ts. sigma(-u) is subnormal for u > 708.4 while the result is z times
//    larger; F >= 2^-977 is normal, so z F keeps full precision and only the product by 2^-128
//    rounds into the subnormal range, once. Fl carries F's own rounding into z sigma(-u), as in
//    silu64.ts (half an ulp of F can be 0.8 ulp of zf).
// 3. The derivative, with a = x u'(x) = K0 z + 3 K1 z^3 = u + 2 K1 z^3 for z = |x|:
//
//      geluTanh'(x) = sigma(u) + x sigma(u) sigma(-u) u'(x)
//                   = (1 - f) (1 + f a)                    for x > 0 (f = F 2^-128): no cancellation
//                   = f beta,  beta = 1 - a (1 - f)        for x <= 0
//
//    beta is large (-1400 at the clamp) and cancels near the root x0 = -0.7524614220710162, and
//    no one form serves every x <= 0 (measured against mpmath, DESIGN.md section 7):
//      |x| < BRACKET_FROM (0.3125):   (F - F ((1 - f) a)) 2^-128        f - f (1 - f) a
//        near 0 the result lies just below 1/2, where rounding a bracket near 1 (1 - U1 rounds
//        for U1 < 1/2) costs a whole ulp: the bracket form measured 3.4 ulp there, this 2.0;
//        past the root this form cancels (10 ulp at x = -0.89)
//      |x| < PAIR_FROM (1.25):        (F (((1 - U1) + U1 f) - al (1 - f))) 2^-128
//        gelu-tanh.ts's bracket, al = a - U1: 1 - U1 is exact for U1 >= 1/2, so near x0 only f's
//        error and small roundings remain, in absolute terms
//      beyond:                        gelu-tanh.ts's tail pairs, beta and F kept unrounded:
//        K1 z^2 = m1 + m2 (above), m1 = m1h + m1l split at 26 bits, W = zh * m1h (exact),
//        w = (zh * m1l + zl * m1) + z * m2, so a = U1 + 2W + lo with lo = ul + 2w small;
//        bh = (1 - U1) - 2W, rounded, and its exact error (TwoSum); bl = (error - lo) + a f;
//        X = (F - s) + Fl (F - s exact: F lies in [s/2, 2s] for u >= 2);
//        2^128 geluTanh'(x) = s bh + (s bl + X (bh + bl))      s bh and s bl exact: one rounding
//    All three are computed for every lane and selected. Near x0 the error is f's (magnified by
//    a = 1.3) in absolute terms, a few ulp of f(x0) = 0.23: the band [-0.85, -0.32] (float32's:
//    [-0.831, -0.3245]) is measured in absolute error (DESIGN.md).
//
// Clamp: GELU_TANH64_Z_MAX = 21.71875 (u = 765.68 <= Z64_MAX, n >= -1105 keeps s normal, no
// second clamp). |geluTanh(-z)| < 2^-1075 from z = 21.547 and |geluTanh'(-z)| from z = 21.593, so
// every x < -21.6 rounds to -0 as the clamped computation gives; for x > 7.5 both round to x and 1.
//
// Special values: geluTanh(+-0) = +-0 (the copysign), geluTanh'(+-0) = 1/2 (F = 2^127, a = 0);
// geluTanh(+inf) = +inf, geluTanh'(+inf) = 1; geluTanh(-inf) = -0, geluTanh'(-inf) = -0; NaN
// propagates. geluTanh(5e-324) = 5e-324, geluTanh(-5e-324) = -0 (x/2 rounded, as exact).
//
// Error, against mpmath on 4 M inputs of the GELU mix (docs/design/f64/DESIGN.md, section 7):
// geluTanh 2 ulp (2.009 unrounded), geluTanh' 3 ulp outside its band (2.510 unrounded), and inside
// it an absolute error of 2^-52.93; no input beyond 3 ulp outside [-0.83038, -0.32477].
//
// The JS twin (src/double64.ts) runs the same operations in the same order, and geluTanhWithDerivative's results
// are bit for bit geluTanh's and geluTanhDerivative's.
import { MAGIC64_BIAS, MINUS_LN2_HI64, MINUS_LN2_LO64, SCALED64_ONE, UNSCALE64, expBiasX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import {
  KERNEL_GELU_TANH as GELU_TANH,
  KERNEL_GELU_TANH_DERIVATIVE as GELU_TANH_DERIVATIVE,
} from "./kernel-ids";

// K0 = 2c = K0_HI + K0_LO (exact), K0_HI on the grid 2^-46 (47 significant bits).
export const GELU_TANH64_K0_HI: f64 = reinterpret<f64>(0x3FF9884533D43640); // 0x1.9884533d43640p+0
export const GELU_TANH64_K0_LO: f64 = reinterpret<f64>(0x3CF1000000000000); // 0x1.1p-48
// K1 = 2ck (exact: 106 bits) = K1_HI + K1_TAIL + 2^-80.7 K1; K1_HI has 26 significant bits.
export const GELU_TANH64_K1_HI: f64 = reinterpret<f64>(0x3FB2444F28000000); // 0x1.2444f28000000p-4
export const GELU_TANH64_K1_TAIL: f64 = reinterpret<f64>(0x3E026C5A583192A6); // 0x1.26c5a583192a6p-31
// (A + GRID) - GRID rounds A (< 2^34) to a multiple of ulp(GRID) = 2^-17.
export const GELU_TANH64_GRID: f64 = reinterpret<f64>(0x4228000000000000); // 0x1.8p+35
// Where the bracket takes over from F - F (1 - f) a, and the tail's pairs from the bracket (3. above).
export const GELU_TANH64_BRACKET_FROM: f64 = 0.3125; // 0x1.4p-2
export const GELU_TANH64_PAIR_FROM: f64 = 1.25;
// |x| is clamped here (see "Clamp" above).
export const GELU_TANH64_Z_MAX: f64 = 21.71875; // 0x1.5b8p+4
// Clears the low 27 of 52 fraction bits: a double's leading 26 significant bits.
export const SPLIT26_MASK: i64 = 0xFFFFFFFFF8000000;

const SIGN64: i64 = 0x8000000000000000;

/** One vector (two doubles) of the geluTanh kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function geluTanhX2(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f64x2.splat(1.0);
  const mask = i64x2.splat(SPLIT26_MASK);
  const z = f64x2.pmin(f64x2.abs(x), f64x2.splat(GELU_TANH64_Z_MAX));
  // u = U1 + ul (1. above).
  const zh = v128.and(z, mask);
  const zl = f64x2.sub(z, zh);
  const a = f64x2.mul(zh, zh);
  const b = f64x2.mul(zl, f64x2.add(zh, z));
  const ah = f64x2.sub(f64x2.add(a, f64x2.splat(GELU_TANH64_GRID)), f64x2.splat(GELU_TANH64_GRID));
  const m1 = f64x2.mul(f64x2.splat(GELU_TANH64_K1_HI), ah);
  const vh = f64x2.add(f64x2.splat(GELU_TANH64_K0_HI), m1);
  const m2 = f64x2.add(
    f64x2.mul(f64x2.splat(GELU_TANH64_K1_HI), f64x2.add(f64x2.sub(a, ah), b)),
    f64x2.mul(f64x2.splat(GELU_TANH64_K1_TAIL), f64x2.add(a, b)),
  );
  const vl = f64x2.add(m2, f64x2.splat(GELU_TANH64_K0_LO));
  const vhh = v128.and(vh, mask);
  const u1 = f64x2.mul(zh, vhh);
  const ul = f64x2.add(f64x2.mul(zl, vhh), f64x2.mul(z, f64x2.add(f64x2.sub(vh, vhh), vl)));
  // 2^128 e^-u with ul carried into t, and F + Fl = 2^128 sigma(-u).
  const biased = expBiasX2(f64x2.add(u1, ul));
  const s = expScaleX2(biased);
  const n = f64x2.sub(biased, f64x2.splat(MAGIC64_BIAS));
  const t = f64x2.add(
    f64x2.sub(f64x2.mul(n, f64x2.splat(MINUS_LN2_HI64)), u1),
    f64x2.sub(f64x2.mul(n, f64x2.splat(MINUS_LN2_LO64)), ul),
  );
  const p = scaledExpm1X2(t, s);
  const e = f64x2.add(p, s);
  const el = f64x2.add(f64x2.sub(s, e), p);
  const q = f64x2.div(e, f64x2.add(f64x2.splat(SCALED64_ONE), e));
  const g = f64x2.sub(f64x2.mul(e, q), f64x2.sub(el, f64x2.mul(el, q)));
  const big = f64x2.sub(e, g);
  const low = f64x2.sub(f64x2.sub(e, big), g);
  const positive = f64x2.gt(x, f64x2.splat(0.0));
  if (kind != GELU_TANH_DERIVATIVE) {
    const zf = f64x2.mul(f64x2.add(f64x2.mul(z, big), f64x2.mul(z, low)), f64x2.splat(UNSCALE64));
    const negative = v128.or(zf, v128.and(x, i64x2.splat(SIGN64)));
    v128.store(out, v128.bitselect(f64x2.sub(x, zf), negative, positive));
  }
  if (kind != GELU_TANH) {
    // a = U1 + 2W + lo and beta = bh + bl (3. above).
    const m1h = v128.and(m1, mask);
    const w = f64x2.add(f64x2.add(f64x2.mul(zh, f64x2.sub(m1, m1h)), f64x2.mul(zl, m1)), f64x2.mul(z, m2));
    const wh = f64x2.mul(zh, m1h);
    const w2 = f64x2.add(wh, wh);
    const lo = f64x2.add(ul, f64x2.add(w, w));
    const al = f64x2.add(w2, lo);
    const slope = f64x2.add(u1, al);
    const f = f64x2.mul(big, f64x2.splat(UNSCALE64));
    const oneMinusF = f64x2.sub(one, f);
    const oneMinusU1 = f64x2.sub(one, u1);
    const above = f64x2.mul(oneMinusF, f64x2.add(one, f64x2.mul(f, slope)));
    const bracket = f64x2.sub(f64x2.add(oneMinusU1, f64x2.mul(u1, f)), f64x2.mul(al, oneMinusF));
    const nearRoot = f64x2.mul(f64x2.mul(big, bracket), f64x2.splat(UNSCALE64));
    const nearZero = f64x2.mul(f64x2.sub(big, f64x2.mul(big, f64x2.mul(oneMinusF, slope))), f64x2.splat(UNSCALE64));
    const bh = f64x2.sub(oneMinusU1, w2);
    const bb = f64x2.sub(bh, oneMinusU1);
    const error = f64x2.sub(f64x2.sub(oneMinusU1, f64x2.sub(bh, bb)), f64x2.add(w2, bb));
    const bl = f64x2.add(f64x2.sub(error, lo), f64x2.mul(slope, f));
    const tailX = f64x2.add(f64x2.sub(big, s), low);
    const tail = f64x2.mul(
      f64x2.add(f64x2.mul(s, bh), f64x2.add(f64x2.mul(s, bl), f64x2.mul(tailX, f64x2.add(bh, bl)))),
      f64x2.splat(UNSCALE64),
    );
    const middle = v128.bitselect(nearRoot, tail, f64x2.lt(z, f64x2.splat(GELU_TANH64_PAIR_FROM)));
    const below = v128.bitselect(nearZero, middle, f64x2.lt(z, f64x2.splat(GELU_TANH64_BRACKET_FROM)));
    v128.store(kind == GELU_TANH_DERIVATIVE ? out : out2, v128.bitselect(above, below, positive));
  }
}
