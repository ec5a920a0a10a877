// The logistic family in double precision (Float64Array and number), sigmoid.ts's algorithm on
// exp64.ts's core, two lanes per vector:
//
//   z  = min(|x|, Z64_MAX)
//   E  = 2^128 e^-z                     normal for every x (exp64.ts)
//   q  = E / (2^128 + E)                sigma(-z), a first approximation (the one division)
//   El = (s - E) + P                    E's rounding error, exact (Fast2Sum: |s| >= |P|)
//   e  = E * 2^-128, el = El * 2^-128   e^-z = e + el; e rounds once, into the subnormals for
//                                       |x| > 708.4 (el then underflows, harmlessly)
//   f  = e - (e * q - (el - el * q))    sigma(-z): one refinement step (sigmoid.ts), with E's
//                                       rounding error carried into it: removes the rounding of
//                                       1 + e and of E, damps q's error by e/(1 + e)
//   g  = 1 - f = sigma(z)               in [1/2, 1]: no cancellation
//   sigma(x)  = x > 0 ? g : f
//   sigma'(x) = f - f * f               sigma(x) sigma(-x), symmetric bit for bit
//   sigmoidDerivativeFromOutput(y) = y * (1 - y)
//
// Error (docs/design/f64/DESIGN.md): sigma within 2 ulp and sigma' within 3 ulp, measured
// against mpmath on 10.5 M inputs (1.695 and 1.784 unrounded: docs/design/f64/DESIGN.md). Without el (f = e - e * q,
// 6 operations fewer) sigma measured 1.81 ulp and sigma' 2.17 (unrounded) on 200 K inputs;
// with it, 1.65 and 1.63. Subnormal results are exact to one rounding:
// there e * q underflows and f = e.
//
// Special values: sigma(+-0) = 1/2, sigma'(+-0) = 1/4 (E = 2^128, q = 1/2, e = 1);
// sigma(-inf) = +0, sigma(+inf) = 1, sigma'(+-inf) = +0 (the clamp); NaN propagates.
//
// `kind` is a runtime argument (map64.ts runs the three kernels of x in one loop): the branches
// on it are the same at every element, so they cost a predicted jump. The derivative from the
// output is a function of its own, so that the step has no branch before its constants.
import { SCALED64_ONE, UNSCALE64, Z64_MAX, expBiasX2, expReducedX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import {
  KERNEL_SIGMOID as SIGMOID,
  KERNEL_SIGMOID_DERIVATIVE as SIGMOID_DERIVATIVE,
  KERNEL_SIGMOID_WITH_DERIVATIVE as SIGMOID_WITH_DERIVATIVE,
} from "./kernel-ids";

/** sigmoidDerivativeFromOutput on one vector: y (1 - y). */
// @ts-ignore: decorator
@inline export function sigmoidDerivativeFromOutputX2(y: v128): v128 {
  return f64x2.mul(y, f64x2.sub(f64x2.splat(1.0), y));
}

/** One vector (two doubles) of the logistic kernel `kind` (not the one from the output): x in, results stored. */
// @ts-ignore: decorator
@inline export function logisticX2(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f64x2.splat(1.0);
  const z = f64x2.pmin(f64x2.abs(x), f64x2.splat(Z64_MAX));
  const biased = expBiasX2(z);
  const s = expScaleX2(biased);
  const p = scaledExpm1X2(expReducedX2(z, biased), s);
  const scaled = f64x2.add(p, s);
  const quotient = f64x2.div(scaled, f64x2.add(f64x2.splat(SCALED64_ONE), scaled));
  const e = f64x2.mul(scaled, f64x2.splat(UNSCALE64));
  const el = f64x2.mul(f64x2.add(f64x2.sub(s, scaled), p), f64x2.splat(UNSCALE64));
  const f = f64x2.sub(e, f64x2.sub(f64x2.mul(e, quotient), f64x2.sub(el, f64x2.mul(el, quotient))));
  if (kind != SIGMOID_DERIVATIVE) {
    v128.store(out, v128.bitselect(f64x2.sub(one, f), f, f64x2.gt(x, f64x2.splat(0.0))));
  }
  if (kind != SIGMOID) {
    v128.store(kind == SIGMOID_DERIVATIVE ? out : out2, f64x2.sub(f, f64x2.mul(f, f)));
  }
}
