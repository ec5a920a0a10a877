// The logistic family, all from one exponential:
//
//   E  = 2^64 * e^-|x|                 normal for every x (exp.ts; |x| clamped at Z_MAX)
//   f0 = E / (2^64 + E)                sigma(-|x|), a first approximation
//   e  = E * 2^-64 = e^-|x|            rounds once, into the subnormal range for |x| > 87.34
//   f  = e - e * f0 = sigma(-|x|)      in [0, 1/2]: one refinement step, see below
//   g  = 1 - f = sigma(|x|)            in [1/2, 1]: no cancellation, as f <= 1/2
//   sigma(x)  = x > 0 ? g : f
//   sigma'(x) = f - f * f              = sigma(x) * sigma(-x), exactly symmetric in x
//
// Why the refinement: f0 carries the rounding error of 1 + e (up to 2^-24 relative, most of
// f0's error for |x| > 2) on top of the rounding of E and of the division. sigma(-z) satisfies
// f = e - e*f exactly, so f = e - e*f0 carries f0's error multiplied by e only, plus the final
// subtraction's rounding; for large |x| that removes the error of 1 + e altogether, and near 0
// it costs nothing. Over all 2^32 inputs it lowered sigma's largest error from 2.56 to 2.10 ulp
// and sigma''s from 3.22 to 2.48 (unrounded), for three more operations, with exp.ts's earlier
// polynomial order; with its expm1 order sigma is within 1.836 ulp and sigma' within 2.413
// (npm run verify, docs/verify.json). Subnormal results stay exact:
// there e*f0 underflows to 0 and f = e, rounded once.
//
// sigma' is not computed as y * (1 - y) from y = sigma(x): for x > ~9, 1 - y cancels and loses
// every bit, while f keeps full relative accuracy however small it gets. f - f*f beats f * g
// (and f / d): it skips the rounding of g, and an error in f reaches it damped by
// (1 - 2f)/(1 - f); it is exactly rounded for 99.0% of all inputs against 94.5% for f * g.
// For |x| > 17.3, f*f is below half an ulp of f and sigma'(x) = f, subnormal results included.
//
// Special values: sigma(+-0) = 1/2 and sigma'(+-0) = 1/4 exactly (E = 2^64, f0 = 1/2, e = 1,
// f = 1 - 1/2);
// sigma(-inf) = +0, sigma(+inf) = 1 and sigma'(+-inf) = +0 (the clamp makes f = +0);
// NaN propagates through every step.
//
// sigmoidDerivativeFromOutput(y) = y * (1 - y) is the form backpropagation uses when only the
// output y = sigma(x) was kept; it is applied to any float, in range or not.
//
// Every kernel runs the same operations in the same order on every lane, in the vector form and
// in the scalar one (map.ts runs them in its loop and tail, and the scalar build runs only the
// scalar form), so all of them round identically, and sigmoidWithDerivative's outputs are
// bit-identical to sigmoid's and sigmoidDerivative's. The vector form has no branch per
// element, and chooses between f and g with operations that give exactly the scalar form's
// choice: sigma = max(f, g with x's sign), i.e. f32x4.pmax(f, u) with u = g for x >= +0 and
// u = -g for x <= -0. For x > 0, f <= 1/2 <= g, so the maximum is g; for x < 0, -g < 0 <= f,
// so it is f; at x = +-0, f = g = 1/2 (u = -1/2 for -0); for NaN the comparison f < u is false
// and pmax keeps f, as the scalar form does. x's sign is x XOR |x|, from the |x| the
// exponential needs anyway (exp.ts's absX4, one instruction where V8 lowers f32x4.abs to three).
// Three operations where the compare and the bit select took four: with absX4, 2-3% faster on
// Zen 4 (A/B of the raw loop, 64 Ki and 1 Mi floats; docs/design/sigmoid-speed).
import { absX4, scaledExpNegative, scaledExpNegativeX4, SCALED_ONE, UNSCALE, Z_MAX } from "./exp";
import {
  KERNEL_SIGMOID as SIGMOID,
  KERNEL_SIGMOID_DERIVATIVE as SIGMOID_DERIVATIVE,
  KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT as SIGMOID_DERIVATIVE_FROM_OUTPUT,
  KERNEL_SIGMOID_WITH_DERIVATIVE as SIGMOID_WITH_DERIVATIVE,
} from "./kernel-ids";

/** One vector of the logistic kernel `kind` (an id of kernel-ids.ts): x in, results stored. */
// @ts-ignore: decorator
@inline export function logisticX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f32x4.splat(1.0);
  if (kind == SIGMOID_DERIVATIVE_FROM_OUTPUT) {
    v128.store(out, f32x4.mul(x, f32x4.sub(one, x)));
    return;
  }
  const absX = absX4(x);
  const scaled = scaledExpNegativeX4(f32x4.pmin(absX, f32x4.splat(Z_MAX)));
  const quotient = f32x4.div(scaled, f32x4.add(f32x4.splat(SCALED_ONE), scaled));
  const e = f32x4.mul(scaled, f32x4.splat(UNSCALE));
  const f = f32x4.sub(e, f32x4.mul(e, quotient));
  const g = f32x4.sub(one, f);
  if (kind == SIGMOID || kind == SIGMOID_WITH_DERIVATIVE) {
    v128.store(out, f32x4.pmax(f, v128.xor(g, v128.xor(x, absX))));
  }
  if (kind == SIGMOID_DERIVATIVE) v128.store(out, f32x4.sub(f, f32x4.mul(f, f)));
  if (kind == SIGMOID_WITH_DERIVATIVE) v128.store(out2, f32x4.sub(f, f32x4.mul(f, f)));
}

/** One element of the logistic kernel `kind`: the steps of logisticX4 on one lane. */
// @ts-ignore: decorator
@inline export function logistic(kind: i32, x: f32, out: usize, out2: usize): void {
  if (kind == SIGMOID_DERIVATIVE_FROM_OUTPUT) {
    store<f32>(out, x * (<f32>1.0 - x));
    return;
  }
  const scaled: f32 = scaledExpNegative(select<f32>(Z_MAX, Mathf.abs(x), Z_MAX < Mathf.abs(x)));
  const quotient: f32 = scaled / (SCALED_ONE + scaled);
  const e: f32 = scaled * UNSCALE;
  const f: f32 = e - e * quotient;
  const g: f32 = <f32>1.0 - f;
  if (kind == SIGMOID || kind == SIGMOID_WITH_DERIVATIVE) store<f32>(out, select<f32>(g, f, x > 0));
  if (kind == SIGMOID_DERIVATIVE) store<f32>(out, f - f * f);
  if (kind == SIGMOID_WITH_DERIVATIVE) store<f32>(out2, f - f * f);
}
