// SiLU (swish), x * sigma(x), and its derivative in double precision (Float64Array and
// number): silu.ts's algorithm on exp64.ts's core, with sigmoid64.ts's refinement, two lanes per
// vector:
//
//   z  = min(|x|, Z64_MAX)
//   s, P, E = P + s                    exp64.ts: E = 2^128 e^-z, normal for every x
//   q  = E / (2^128 + E)               sigma(-z), a first approximation (the one division)
//   El = (s - E) + P                   E's rounding error, exact (Fast2Sum: |s| >= |P|)
//   G  = E * q - (El - El * q)
//   F  = E - G                         2^128 sigma(-z): sigmoid64.ts' refinement, kept scaled
//   Fl = (E - F) - G                   F's rounding error, exact (Fast2Sum: E >= G)
//   zf = (z * F + z * Fl) * 2^-128     z sigma(-z), scaled until the last step
//   silu(x)  = x - zf                  for x > 0:  x (1 - sigma(-x)), no cancellation (zf <= x/2)
//            = copysign(zf, x)         for x <= 0: x sigma(x) = -z sigma(-z)
//   f  = F * 2^-128 = sigma(-z)        (the derivative only)
//   silu'(x) = sigma(x) (1 + x (1 - sigma(x)))
//            = (1 - f) * (1 + zf)               for x > 0
//            = (F * ((1 - z) + zf)) * 2^-128    for x <= 0
//
// Why scaled: as silu.ts. For x < -708.4, sigma(x) is subnormal, but x sigma(x) can be ~745
// times larger; F is normal (>= 2^-980 at the clamp), so z * F keeps full precision and only the
// final product by 2^-128 rounds into the subnormals, once, to nearest even. The same holds for
// silu' below zero. El stays normal too (>= 2^-1033).
//
// Why Fl: F's last rounding (half an ulp of F) reaches zf in full, and where sigma(-z) lies low
// in its binade and z sigma(-z) high in its own (z ~ 0.8: 0.31 and 0.248), half an ulp of F is
// 0.8 ulp of zf. Without Fl (4 operations fewer) silu measured 2.325 ulp unrounded on 200 K
// inputs, too close to 2.5, beyond which a result can be 3 ulp from the correctly rounded one;
// with it, 1.929 (and 2.131 on 12.6 M inputs: docs/design/f64/DESIGN.md). Also carrying the
// rounding of 2^128 + E into q (Dl = (2^128 - D) + E, G -= q * q * Dl, 5 operations more) left
// the maximum where it was (1.925 against 1.929 on 1 M inputs; silu' 2.515 against 2.568):
// not taken.
//
// Why (1 - z) + zf for x < 0: as silu.ts; 1 - z is exact for z >= 1/2, so near the root of
// silu', x0 = -1.2784645427610738, the only roundings before the cancellation are zf's (F's
// error and the product's). There the error is a few ulp of sigma(x0) = 0.2178 (ulp 2^-55) in
// absolute terms, not of the result. Band (float32's): x in [-1.39, -0.52], absolute error
// within 2^-52 (measured 2^-53.20 on 12.6 M inputs); outside it 3 ulp (measured 3, 2.866
// unrounded). silu: 2 ulp (2.131 unrounded; 2.236 on a dense probe of [-0.5, -0.1]).
//
// Cut-offs: zf is the last result to reach 2^-1075, at z = 751.8 (z e^-z); the clamp at
// Z64_MAX = 768 lies beyond it, so silu and silu' round to -0 from x = -751.8 down to -inf as
// the exact values do, and x - zf = x for every x > 37.4 (zf < 2^-54 x).
//
// Special values: silu(+-0) = +-0 (zf = +0 and x's sign), silu'(+-0) = 1/2 (F = 2^127, zf = 0:
// x = +0 takes the x <= 0 lane, F * 1 * 2^-128); silu(+inf) = +inf, silu'(+inf) = 1;
// silu(-inf) = -0, silu'(-inf) = -0 (the clamp); NaN propagates.
//
// Both forms run the same operations in the same order, and siluWithDerivative's results are
// bit for bit silu's and siluDerivative's.
import { SCALED64_ONE, UNSCALE64, Z64_MAX, expBiasX2, expReducedX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import {
  KERNEL_SILU as SILU,
  KERNEL_SILU_DERIVATIVE as SILU_DERIVATIVE,
  KERNEL_SILU_WITH_DERIVATIVE as SILU_WITH_DERIVATIVE,
} from "./kernel-ids";

const SIGN64: i64 = 0x8000000000000000;

/** One vector (two doubles) of the SiLU kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function siluX2(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f64x2.splat(1.0);
  const z = f64x2.pmin(f64x2.abs(x), f64x2.splat(Z64_MAX));
  const biased = expBiasX2(z);
  const s = expScaleX2(biased);
  const p = scaledExpm1X2(expReducedX2(z, biased), s);
  const e = f64x2.add(p, s);
  const q = f64x2.div(e, f64x2.add(f64x2.splat(SCALED64_ONE), e));
  const el = f64x2.add(f64x2.sub(s, e), p);
  const g = f64x2.sub(f64x2.mul(e, q), f64x2.sub(el, f64x2.mul(el, q)));
  const big = f64x2.sub(e, g);
  const low = f64x2.sub(f64x2.sub(e, big), g);
  const zf = f64x2.mul(f64x2.add(f64x2.mul(z, big), f64x2.mul(z, low)), f64x2.splat(UNSCALE64));
  const positive = f64x2.gt(x, f64x2.splat(0.0));
  if (kind == SILU || kind == SILU_WITH_DERIVATIVE) {
    const negative = v128.or(zf, v128.and(x, i64x2.splat(SIGN64)));
    v128.store(out, v128.bitselect(f64x2.sub(x, zf), negative, positive));
  }
  if (kind == SILU_DERIVATIVE || kind == SILU_WITH_DERIVATIVE) {
    const f = f64x2.mul(big, f64x2.splat(UNSCALE64));
    const above = f64x2.mul(f64x2.sub(one, f), f64x2.add(one, zf));
    const below = f64x2.mul(f64x2.mul(big, f64x2.add(f64x2.sub(one, z), zf)), f64x2.splat(UNSCALE64));
    v128.store(kind == SILU_DERIVATIVE ? out : out2, v128.bitselect(above, below, positive));
  }
}
