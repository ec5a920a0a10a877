// tanh, its derivative 1 - tanh^2, and both fused, in double precision (Float64Array and
// number): tanh.ts's algorithm on exp64.ts's core, two lanes per vector.
//
//   w  = min(|x| + |x|, Z64_MAX)        exact doubling; the core's clamp (NaN kept)
//   s, P                                exp64.ts's parts of e^-w: s = 2^(128+n), P = s (e^t - 1)
//   A  = 2^128 - s                      exact for n >= -53
//   M  = A - P                          2^128 (1 - e^-w) >= 0, without cancellation near 0
//   Ml = (A - M) - P                    M's rounding error, exact (Fast2Sum: |A| >= |P|, or A = 0)
//   E  = P + s                          2^128 e^-w, normal for every w <= Z64_MAX
//   D  = 2^128 + E                      2^128 (1 + e^-w)
//   y0 = M / D                          tanh|x|, a first approximation
//   h  = M * 2^-129                     (1 - e^-w) / 2, exact
//   y  = h + (h * y0 + (Ml * 2^-128) * (1/2 + y0))
//                                       tanh|x|: one refinement step (tanh.ts), with M's
//                                       rounding error carried (below)
//   tanh(x)  = copysign(y, x), or x itself for |x| < TANH64_TINY
//   El = (s - E) + P                    E's rounding error, exact (Fast2Sum: |s| >= |P|)
//   Q  = E / D                          sigma(-w), a first approximation
//   F  = E - (E * Q - (El - El * Q))    2^128 sigma(-w): sigmoid64.ts' refinement with E's
//                                       rounding error carried, kept scaled
//   f  = F * 2^-128                     sigma(-w)
//   tanh'(x) = (F - F * f) * 2^-126     4 f (1 - f) = 4 e^-w / (1 + e^-w)^2 = 1 - tanh^2(x)
//   tanhDerivativeFromOutput(y) = (1 - y) * (1 + y)    as tanh.ts: neither factor cancels
//
// Why expm1 and the refinement: as tanh.ts. For n = 0 (w < ln2/2), A = 0 and M = -P exactly,
// whose leading term t * s = -w * 2^128 is exact; for n <= -1, M >= 2^126.2 and A is exact
// while n >= -53 (w < 37.08; beyond, A rounds, by at most s <= 2^-53.5 of M, where tanh lies
// within 1.5 ulp of 1, and from n = -55 on rounds to 1 as y does). y = h + h * y0 is exact for
// the exact y0 (y (1 + e^-w) = 1 - e^-w), so y0's error (D's and the division's roundings)
// reaches y damped by y0/(1 + y0) <= 1/2.
//
// Why Ml: M's own rounding (half an ulp of M, for n <= -1) enters y through h and y0 both,
// multiplied by d y / d M = (1 + 2 y0) 2^-129: it was the largest term (about one ulp of y near
// |x| = 0.5, where the plain h + h * y0 measured 1.90 ulp, 2 ulp after rounding, on 100 K
// inputs). Adding Ml times that derivative, as (Ml * 2^-128) * (1/2 + y0), removes it for 6
// operations: 1.47 ulp, 1 ulp after rounding, on the same inputs; on 12.6 M inputs (mpmath,
// DESIGN.md) tanh measured 1.633 (2 ulp for 40 of them), tanh' 1.763 (2 ulp), (1 - y)(1 + y)
// 1.500 (1 ulp).
//
// Why tanh' from F and not 1 - y^2: as tanh.ts; F keeps full relative accuracy down to the
// subnormal tail (4 e^-w reaches 2^-1075 at |x| = 373.3), and only the last product, by
// 2^-126, rounds into the subnormals (from |x| = 354.9 on), once, to nearest even. El carries
// E's own rounding into F as sigmoid64.ts does for f (there unscaled; here F stays on the
// 2^128 scale, and El >= 2^-1033 stays normal for every w <= Z64_MAX). 1 - y^2's use of the
// output y (tanhDerivativeFromOutput) is as tanh.ts.
//
// Why x itself below TANH64_TINY = 0x1.d12ed0af1a280p-27 (2^-26.138): there tanh(x) rounds to
// x, but y need not (h is rounded before h * y0 adds the x^3 term back). Found with mpmath at
// 300 bits (docs/design/f64/DESIGN.md): every double below it rounds to x, and it is the least
// double whose tanh rounds below it (x^3/3 exceeds half an ulp of x in its binade from
// m = 6^(1/3) = 1.817 on, x = m 2^-27). Unlike float32, the set is not one interval: just above
// 2^-26 the ulp doubles and tanh rounds to x again, up to 0x1.250bfe1b082f6p-26; there the
// kernel computes y, measured within one ulp (40,000 inputs from TANH64_TINY to 1.2 * 2^-26).
//
// Special values: tanh(+-0) = +-0 (the select returns x), tanh'(+-0) = 1 exactly (E = 2^128,
// Q = 1/2, El = 0, F = 2^127); tanh(+-inf) = +-1 and tanh'(+-inf) = +0 (the clamp: 4 e^-768
// rounds to 0); NaN propagates (for tanh, the sign select copies the NaN's bits from y, whose
// NaN comes from t). Subnormal x returns x.
//
// The JS twin (src/double64.ts) runs the same operations in the same order, and tanhWithDerivative's two results are bit for bit tanh's and tanhDerivative's.
import { SCALED64_ONE, UNSCALE64, Z64_MAX, expBiasX2, expReducedX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import {
  KERNEL_TANH as TANH,
  KERNEL_TANH_DERIVATIVE as TANH_DERIVATIVE,
  KERNEL_TANH_DERIVATIVE_FROM_OUTPUT as TANH_DERIVATIVE_FROM_OUTPUT,
  KERNEL_TANH_WITH_DERIVATIVE as TANH_WITH_DERIVATIVE,
} from "./kernel-ids";

// 2^-129 = UNSCALE64 / 2: M * HALF_UNSCALE64 = (1 - e^-w) / 2.
export const HALF_UNSCALE64: f64 = reinterpret<f64>(0x37E0000000000000); // 0x1p-129
// 2^-126 = 4 * UNSCALE64: tanh' = 4 f (1 - f) with F on the 2^128 scale.
export const QUADRUPLE_UNSCALE64: f64 = reinterpret<f64>(0x3810000000000000); // 0x1p-126
const HALF64: f64 = 0.5;
// Below this |x| the correctly rounded tanh(x) is x: the kernels return x itself, see above.
export const TANH64_TINY: f64 = reinterpret<f64>(0x3E4D12ED0AF1A280); // 0x1.d12ed0af1a280p-27
const SIGN64: i64 = 0x8000000000000000;

/** One vector (two doubles) of the tanh kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function tanhX2(kind: i32, x: v128, out: usize, out2: usize): void {
  if (kind == TANH_DERIVATIVE_FROM_OUTPUT) {
    const one = f64x2.splat(1.0);
    v128.store(out, f64x2.mul(f64x2.sub(one, x), f64x2.add(one, x)));
    return;
  }
  const z = f64x2.abs(x);
  const w = f64x2.pmin(f64x2.add(z, z), f64x2.splat(Z64_MAX));
  const biased = expBiasX2(w);
  const s = expScaleX2(biased);
  const p = scaledExpm1X2(expReducedX2(w, biased), s);
  const e = f64x2.add(p, s);
  const d = f64x2.add(f64x2.splat(SCALED64_ONE), e);
  if (kind == TANH || kind == TANH_WITH_DERIVATIVE) {
    const a = f64x2.sub(f64x2.splat(SCALED64_ONE), s);
    const m = f64x2.sub(a, p);
    const ml = f64x2.mul(f64x2.sub(f64x2.sub(a, m), p), f64x2.splat(UNSCALE64));
    const h = f64x2.mul(m, f64x2.splat(HALF_UNSCALE64));
    const y0 = f64x2.div(m, d);
    const y = f64x2.add(h, f64x2.add(f64x2.mul(h, y0), f64x2.mul(ml, f64x2.add(f64x2.splat(HALF64), y0))));
    // x's sign bit, and all of x's bits where |x| < TANH64_TINY.
    v128.store(out, v128.bitselect(x, y, v128.or(f64x2.lt(z, f64x2.splat(TANH64_TINY)), i64x2.splat(SIGN64))));
  }
  if (kind == TANH_DERIVATIVE || kind == TANH_WITH_DERIVATIVE) {
    const el = f64x2.add(f64x2.sub(s, e), p);
    const q = f64x2.div(e, d);
    const big = f64x2.sub(e, f64x2.sub(f64x2.mul(e, q), f64x2.sub(el, f64x2.mul(el, q))));
    const f = f64x2.mul(big, f64x2.splat(UNSCALE64));
    const dy = f64x2.mul(f64x2.sub(big, f64x2.mul(big, f)), f64x2.splat(QUADRUPLE_UNSCALE64));
    v128.store(kind == TANH_DERIVATIVE ? out : out2, dy);
  }
}
