// SiLU (swish), x * sigma(x), and its derivative, from one exponential:
//
//   z  = min(|x|, Z_MAX)
//   E  = 2^64 * e^-z                   normal for every x (exp.ts)
//   q  = E / (2^64 + E)                sigma(-z), a first approximation
//   F  = E - E * q = 2^64 * sigma(-z)  refined as in sigmoid.ts, and kept scaled: normal
//   zf = (z * F) * 2^-64 = z * sigma(-z)   scaled until the last step
//   silu(x)  = x - zf                  for x > 0:  x * (1 - sigma(-x)), no cancellation
//            = -zf                     for x <= 0: x * sigma(x)
//   f  = F * 2^-64 = sigma(-z)         (the derivative only)
//   silu'(x) = sigma(x) * (1 + x * (1 - sigma(x)))
//            = (1 - f) * (1 + zf)               for x > 0
//            = (F * ((1 - z) + zf)) * 2^-64     for x <= 0
//
// Why scaled: for x < -87.3, sigma(x) is subnormal and carries an absolute error of up to half
// of 2^-149, but silu(x) = x * sigma(x) is ~|x| times larger and can be a normal float: a
// product of the rounded f would show f's rounding error magnified up to 2^7-fold. F is
// normal, so z * F keeps full precision and only the final scaling by 2^-64 rounds into the
// subnormal range (once, to nearest even). The derivative for x <= 0 is scaled the same way.
// The same zf serves both signs: one product fewer than z * f, and one rounding fewer.
//
// Why (1 - z) + z * f for x < 0: 1 + x * (1 - sigma(x)) = (1 + x) - x * sigma(x), and 1 + x
// = 1 - z is exact for z >= 1/2 (Sterbenz' lemma for z <= 2, and beyond, 1 and z are both
// multiples of ulp(z - 1)); so the only rounding before the cancellation near the root is that
// of zf. silu' crosses zero at x0 = -1.2784645..., where (1 - z) + z * f cancels: near x0
// the result's error is a few ulp of sigma(x0) ~ 0.218 in absolute terms, not a few ulp of the
// result (the README states the band).
//
// Special values: silu(+-0) = +-0 (the sign of x is copied onto the x <= 0 branch),
// silu'(+-0) = 1/2; silu(+inf) = +inf, silu'(+inf) = 1; silu(-inf) = -0 and silu'(-inf) = -0
// (the clamp at Z_MAX keeps zf and 1 - z finite: their results round to -0 from x <= -112
// on, as the exact values, below 2^-150, do); NaN propagates.
//
// Both forms run the same operations in the same order; see sigmoid.ts.
import { absX4, scaledExpNegative, scaledExpNegativeX4, SCALED_ONE, UNSCALE, Z_MAX } from "./exp";
import {
  KERNEL_SILU as SILU,
  KERNEL_SILU_DERIVATIVE as SILU_DERIVATIVE,
  KERNEL_SILU_WITH_DERIVATIVE as SILU_WITH_DERIVATIVE,
} from "./kernel-ids";

const SIGN: i32 = 0x80000000;

/** One vector of the SiLU kernel `kind` (an id of kernel-ids.ts): x in, results stored. */
// @ts-ignore: decorator
@inline export function siluX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f32x4.splat(1.0);
  const z = f32x4.pmin(absX4(x), f32x4.splat(Z_MAX));
  const scaled = scaledExpNegativeX4(z);
  const quotient = f32x4.div(scaled, f32x4.add(f32x4.splat(SCALED_ONE), scaled));
  const big = f32x4.sub(scaled, f32x4.mul(scaled, quotient));
  const zf = f32x4.mul(f32x4.mul(z, big), f32x4.splat(UNSCALE));
  const positive = f32x4.gt(x, f32x4.splat(0.0));
  if (kind == SILU || kind == SILU_WITH_DERIVATIVE) {
    const negative = v128.or(zf, v128.and(x, i32x4.splat(SIGN)));
    v128.store(out, v128.bitselect(f32x4.sub(x, zf), negative, positive));
  }
  if (kind == SILU_DERIVATIVE || kind == SILU_WITH_DERIVATIVE) {
    const f = f32x4.mul(big, f32x4.splat(UNSCALE));
    const above = f32x4.mul(f32x4.sub(one, f), f32x4.add(one, zf));
    const below = f32x4.mul(f32x4.mul(big, f32x4.add(f32x4.sub(one, z), zf)), f32x4.splat(UNSCALE));
    v128.store(kind == SILU_DERIVATIVE ? out : out2, v128.bitselect(above, below, positive));
  }
}

/** One element of the SiLU kernel `kind`: the steps of siluX4 on one lane. */
// @ts-ignore: decorator
@inline export function silu(kind: i32, x: f32, out: usize, out2: usize): void {
  const z: f32 = select<f32>(Z_MAX, Mathf.abs(x), Z_MAX < Mathf.abs(x));
  const scaled: f32 = scaledExpNegative(z);
  const quotient: f32 = scaled / (SCALED_ONE + scaled);
  const big: f32 = scaled - scaled * quotient;
  const zf: f32 = z * big * UNSCALE;
  const positive = x > 0;
  if (kind == SILU || kind == SILU_WITH_DERIVATIVE) {
    const negative = reinterpret<f32>(reinterpret<i32>(zf) | (reinterpret<i32>(x) & SIGN));
    store<f32>(out, select<f32>(x - zf, negative, positive));
  }
  if (kind == SILU_DERIVATIVE || kind == SILU_WITH_DERIVATIVE) {
    const f: f32 = big * UNSCALE;
    const above: f32 = (<f32>1.0 - f) * (<f32>1.0 + zf);
    const below: f32 = big * ((<f32>1.0 - z) + zf) * UNSCALE;
    store<f32>(kind == SILU_DERIVATIVE ? out : out2, select<f32>(above, below, positive));
  }
}
