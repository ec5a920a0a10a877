// tanh, its derivative 1 - tanh^2, and both fused, from one exponential of w = 2|x|:
//
//   w  = min(|x| + |x|, Z_MAX)          exact doubling; the clamp of exp.ts (NaN kept)
//   s, P                                exp.ts' parts of e^-w: s = 2^(64+n), P = s (e^t - 1)
//   M  = (2^64 - s) - P                 2^64 (1 - e^-w) >= 0, without cancellation near 0
//   E  = P + s                          2^64 e^-w, normal for every w <= Z_MAX
//   D  = 2^64 + E                       2^64 (1 + e^-w)
//   y0 = M / D                          tanh|x|, a first approximation
//   h  = M * 2^-65                      (1 - e^-w) / 2, exact
//   y  = h + h * y0                     tanh|x|: one refinement step, see below
//   tanh(x)  = copysign(y, x), or x itself for |x| < TANH_TINY
//   Q  = E / D                          sigma(-w), a first approximation
//   F  = E - E * Q                      2^64 sigma(-w): sigmoid.ts' refinement, kept scaled
//   f  = F * 2^-64                      sigma(-w)
//   tanh'(x) = (F - F * f) * 2^-62      4 f (1 - f) = 4 e^-w / (1 + e^-w)^2 = 1 - tanh^2(x)
//   tanhDerivativeFromOutput(y) = (1 - y) * (1 + y)    1 - y^2 from the output y = tanh(x):
//                                       1 - y is exact for y >= 1/2 and 1 + y for y <= -1/2
//                                       (Sterbenz), so neither cancels; y * y would, near |y| = 1
//
// Why expm1: tanh z = (1 - e^-2z) / (1 + e^-2z), and 1 - e^-2z cancels as z -> 0. M keeps its
// relative accuracy there: for n = 0, 2^64 - s = 0 exactly and M = -P, where P's leading term
// t*s = -w * 2^64 is exact and only the small part t^2 r(t) rounds. For n <= -1, 2^64 - s is
// exact (|n| <= 24; beyond, tanh rounds to 1 anyway) and M >= 2^63.
//
// Why the refinement: tanh z satisfies y = h + h*y exactly (y (1 + e^-w) = 1 - e^-w), so
// y = h + h*y0 carries y0's error (from M, D and the division) damped by y/(1+y) <= 1/2,
// and by far more near 0, where y ~ z. Over all float32 it lowers tanh's largest error from
// 2.66 ulp (y0) to 2.30, and the share of correctly rounded results from 96.4% to 97.8%.
// D = 2^64 + E rather than 2^65 - M: M carries the rounding of 2^64 - P near the top of the
// range (2.50 ulp), E none of it (2.30); and tanh' needs this D anyway.
//
// Why tanh' from F and not 1 - y^2: 1 - y^2 cancels for large |x| (y rounds to 1 from |x| > 9.01
// on), while F keeps full relative accuracy down to the subnormal tail; F - F*f is
// sigmoid.ts' sigma' form (f - f*f), on the 2^64 scale so that only the last product, by
// 2^-62, rounds into the subnormal range (for |x| > 43.7), once, to nearest even. Its results
// reach 2^-150 at |x| = 52.7; the clamp w <= Z_MAX = 112 (|x| <= 56) keeps s normal.
//
// Special values: tanh(+-0) = +-0 (M = +0, y = +0, and copysign), tanh'(+-0) = 1 exactly
// (E = 2^64, Q = 1/2, F = 2^63); tanh(+-inf) = +-1 and tanh'(+-inf) = +0 (the clamp);
// NaN propagates.
//
// Why x itself below TANH_TINY = 0x1.713746p-12: there tanh(x) rounds to x, but y need not: h =
// (1 - e^-w)/2 = z - z^2 + ... is rounded before y = h + h*y0 adds z^2 back, so y can land one
// ulp off x from |x| ~ 2^-16 on. The select (one comparison, folded into the sign's bit select)
// makes tanh(x) = x exactly wherever that is the correctly rounded result, subnormal x included.
//
// Every kernel runs the same operations in the same order on every lane, in the vector form and
// in the scalar one, so they round identically, and tanhWithDerivative's two outputs are
// bit-identical to tanh's and tanhDerivative's. The bounds over all 2^32 inputs: npm run verify.
import {
  SCALED_ONE, UNSCALE, Z_MAX, absX4, expBias, expBiasX4, expReduced, expReducedX4, expScale, expScaleX4, scaledExpm1,
  scaledExpm1X4,
} from "./exp";
import {
  KERNEL_TANH as TANH,
  KERNEL_TANH_DERIVATIVE as TANH_DERIVATIVE,
  KERNEL_TANH_DERIVATIVE_FROM_OUTPUT as TANH_DERIVATIVE_FROM_OUTPUT,
  KERNEL_TANH_WITH_DERIVATIVE as TANH_WITH_DERIVATIVE,
} from "./kernel-ids";

// 2^65 = 2 * SCALED_ONE, as its reciprocal: M * HALF_UNSCALE = (1 - e^-w) / 2.
export const HALF_UNSCALE: f32 = reinterpret<f32>(0x1F000000); // 0x1p-65
// 2^-62 = 4 * UNSCALE: tanh' = 4 f (1 - f) with f on the 2^64 scale.
export const QUADRUPLE_UNSCALE: f32 = reinterpret<f32>(0x20800000); // 0x1p-62
const SIGN: i32 = 0x80000000;
// Below this |x| the correctly rounded tanh(x) is x, and from it on never again (tanh x rounds
// below x exactly from 0x1.713746p-12 on): the kernels return x itself there, see above.
export const TANH_TINY: f32 = reinterpret<f32>(0x39B89BA3); // 0x1.713746p-12

/** One vector of the tanh kernel `kind` (an id of kernel-ids.ts): x in, results stored. */
// @ts-ignore: decorator
@inline export function tanhX4(kind: i32, x: v128, out: usize, out2: usize): void {
  if (kind == TANH_DERIVATIVE_FROM_OUTPUT) {
    const one = f32x4.splat(1.0);
    v128.store(out, f32x4.mul(f32x4.sub(one, x), f32x4.add(one, x)));
    return;
  }
  const z = absX4(x);
  const w = f32x4.pmin(f32x4.add(z, z), f32x4.splat(Z_MAX));
  const biased = expBiasX4(w);
  const s = expScaleX4(biased);
  const p = scaledExpm1X4(expReducedX4(w, biased), s);
  const e = f32x4.add(p, s);
  const d = f32x4.add(f32x4.splat(SCALED_ONE), e);
  if (kind == TANH || kind == TANH_WITH_DERIVATIVE) {
    const m = f32x4.sub(f32x4.sub(f32x4.splat(SCALED_ONE), s), p);
    const h = f32x4.mul(m, f32x4.splat(HALF_UNSCALE));
    const y = f32x4.add(h, f32x4.mul(h, f32x4.div(m, d)));
    // x's sign bit, and all of x's bits where |x| < TANH_TINY.
    v128.store(out, v128.bitselect(x, y, v128.or(f32x4.lt(z, f32x4.splat(TANH_TINY)), i32x4.splat(SIGN))));
  }
  if (kind == TANH_DERIVATIVE || kind == TANH_WITH_DERIVATIVE) {
    const big = f32x4.sub(e, f32x4.mul(e, f32x4.div(e, d)));
    const f = f32x4.mul(big, f32x4.splat(UNSCALE));
    const dy = f32x4.mul(f32x4.sub(big, f32x4.mul(big, f)), f32x4.splat(QUADRUPLE_UNSCALE));
    v128.store(kind == TANH_DERIVATIVE ? out : out2, dy);
  }
}

/** One element of the tanh kernel `kind`: the steps of tanhX4 on one lane. */
// @ts-ignore: decorator
@inline export function tanh(kind: i32, x: f32, out: usize, out2: usize): void {
  if (kind == TANH_DERIVATIVE_FROM_OUTPUT) {
    store<f32>(out, (<f32>1.0 - x) * (<f32>1.0 + x));
    return;
  }
  const z = Mathf.abs(x);
  const doubled = z + z;
  const w = select<f32>(Z_MAX, doubled, Z_MAX < doubled);
  const biased = expBias(w);
  const s = expScale(biased);
  const p = scaledExpm1(expReduced(w, biased), s);
  const e = p + s;
  const d = SCALED_ONE + e;
  if (kind == TANH || kind == TANH_WITH_DERIVATIVE) {
    const m = (SCALED_ONE - s) - p;
    const h = m * HALF_UNSCALE;
    store<f32>(out, select<f32>(x, copysign<f32>(h + h * (m / d), x), z < TANH_TINY));
  }
  if (kind == TANH_DERIVATIVE || kind == TANH_WITH_DERIVATIVE) {
    const big = e - e * (e / d);
    const f = big * UNSCALE;
    store<f32>(kind == TANH_DERIVATIVE ? out : out2, (big - big * f) * QUADRUPLE_UNSCALE);
  }
}
