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
// it costs nothing. Over all 2^32 inputs it lowers sigma's largest error from 2.56 to 2.10 ulp
// and sigma''s from 3.22 to 2.48 (unrounded), for three more operations. Subnormal results stay exact:
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
// Every kernel runs the same operations in the same order on every lane, in the vector loop,
// in the scalar tail and in the scalar build, so all of them round identically, and
// sigmoidWithDerivative's outputs are bit-identical to sigmoid's and sigmoidDerivative's. The
// vector loop has no branch per element: the sign is applied with a bit select.
import { scaledExpNegative, scaledExpNegativeX4, SCALED_ONE, UNSCALE, Z_MAX } from "./exp";

// The kernel a map call applies; constants so that the inlined map folds to one loop body.
const SIGMOID = 0;
const SIGMOID_DERIVATIVE = 1;
const SIGMOID_DERIVATIVE_FROM_OUTPUT = 2;
const SIGMOID_WITH_DERIVATIVE = 3;

// Elements per iteration of the main vector loop: four independent vectors. The kernels are
// latency-bound (one vector's chain is ~80 cycles with the division); measured on V8, four
// vectors per iteration beat two by ~20% and one by ~60%.
export const UNROLL: i32 = 16;

// Floats per vector operation: 4 in the SIMD build, 1 in the scalar one. The wrapper reads it
// to tell which build a module handed to init({ module }) is.
export const LANES: i32 = ASC_FEATURE_SIMD ? 4 : 1;

// @ts-ignore: decorator
@inline function kernelX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const one = f32x4.splat(1.0);
  if (kind == SIGMOID_DERIVATIVE_FROM_OUTPUT) {
    v128.store(out, f32x4.mul(x, f32x4.sub(one, x)));
    return;
  }
  const scaled = scaledExpNegativeX4(f32x4.pmin(f32x4.abs(x), f32x4.splat(Z_MAX)));
  const quotient = f32x4.div(scaled, f32x4.add(f32x4.splat(SCALED_ONE), scaled));
  const e = f32x4.mul(scaled, f32x4.splat(UNSCALE));
  const f = f32x4.sub(e, f32x4.mul(e, quotient));
  const g = f32x4.sub(one, f);
  if (kind == SIGMOID || kind == SIGMOID_WITH_DERIVATIVE) {
    v128.store(out, v128.bitselect(g, f, f32x4.gt(x, f32x4.splat(0.0))));
  }
  if (kind == SIGMOID_DERIVATIVE) v128.store(out, f32x4.sub(f, f32x4.mul(f, f)));
  if (kind == SIGMOID_WITH_DERIVATIVE) v128.store(out2, f32x4.sub(f, f32x4.mul(f, f)));
}

// @ts-ignore: decorator
@inline function kernel(kind: i32, x: f32, out: usize, out2: usize): void {
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

// Applies kernel `kind` to `length` floats at `input`, writing `output` (and `output2`).
// Each step loads before it stores, so output == input (in place) is fine, and so is any
// output that starts at or below input in memory.
// @ts-ignore: decorator
@inline function map(kind: i32, input: usize, output: usize, output2: usize, length: usize): void {
  const end = length << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // All four loads come first: an output may start below the input (see above).
    for (; i + (<usize>UNROLL << 2) <= end; i += <usize>UNROLL << 2) {
      const x0 = v128.load(input + i);
      const x1 = v128.load(input + i, 16);
      const x2 = v128.load(input + i, 32);
      const x3 = v128.load(input + i, 48);
      kernelX4(kind, x0, output + i, output2 + i);
      kernelX4(kind, x1, output + i + 16, output2 + i + 16);
      kernelX4(kind, x2, output + i + 32, output2 + i + 32);
      kernelX4(kind, x3, output + i + 48, output2 + i + 48);
    }
    for (; i + 16 <= end; i += 16) kernelX4(kind, v128.load(input + i), output + i, output2 + i);
  }
  for (; i < end; i += 4) kernel(kind, load<f32>(input + i), output + i, output2 + i);
}

/** sigma(x) = 1 / (1 + e^-x), elementwise. */
export function sigmoid(input: usize, output: usize, length: usize): void {
  map(SIGMOID, input, output, 0, length);
}

/** sigma'(x) = sigma(x) * (1 - sigma(x)), elementwise, computed as e^-|x| / (1 + e^-|x|)^2. */
export function sigmoidDerivative(input: usize, output: usize, length: usize): void {
  map(SIGMOID_DERIVATIVE, input, output, 0, length);
}

/** y * (1 - y), elementwise: sigma' from the output y = sigma(x). */
export function sigmoidDerivativeFromOutput(input: usize, output: usize, length: usize): void {
  map(SIGMOID_DERIVATIVE_FROM_OUTPUT, input, output, 0, length);
}

/** sigma(x) into `output` and sigma'(x) into `output2`, sharing one exponential. */
export function sigmoidWithDerivative(input: usize, output: usize, output2: usize, length: usize): void {
  map(SIGMOID_WITH_DERIVATIVE, input, output, output2, length);
}
