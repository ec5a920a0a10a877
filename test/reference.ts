// The float64 reference of every single-result function of the registry, which verify and the
// accuracy test round to float32 and measure the kernels against. Typed by the registry, so a
// function without a reference does not compile. Each must be accurate to far below one float32
// ulp over the whole float32 range (including where the result is subnormal).
import * as double from '../build/lib/double.js';
import type { SingleName } from '../build/lib/functions.js';

/** sigma(x), from e = e^-|x| so that neither tail cancels or overflows. */
function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x > 0 ? 1 / (1 + e) : e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): neither tail cancels or overflows. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export const REFERENCES: Record<SingleName, (x: number) => number> = {
  sigmoid,
  sigmoidDerivative(x) {
    const e = Math.exp(-Math.abs(x));
    return e / ((1 + e) * (1 + e));
  },
  sigmoidDerivativeFromOutput: (y) => y * (1 - y),
  // The limits at -inf are approached from below: -0.
  silu: (x) => (x === -Infinity ? -0 : x * sigmoid(x)),
  tanh: Math.tanh,
  tanhDerivative(x) {
    const e = Math.exp(-2 * Math.abs(x));
    return (4 * e) / ((1 + e) * (1 + e));
  },
  tanhDerivativeFromOutput: (y) => (1 - y) * (1 + y),
  softplus,
  logSigmoid: (x) => -softplus(-x),
  logSigmoidDerivative: (x) => sigmoid(-x),
  // JS has no erf: the package's double-precision forms, within 2 (gelu) and 3 (gelu') ulp of
  // double (test/double.test.ts checks them against mpmath), relative through gelu''s root.
  gelu: double.gelu,
  geluDerivative: double.geluDerivative,
  siluDerivative(x) {
    if (x === Infinity) return 1;
    if (x === -Infinity) return -0;
    const f = sigmoid(-Math.abs(x));
    return x > 0 ? (1 - f) * (1 + x * f) : f * (1 + x - x * f);
  },
};

/**
 * Where the kernels change regime, for the sampled tests to sweep densely around (both signs):
 * e^-|x| turns subnormal (87.34) and every result rounds to 0 (103.97); 1 - sigma(-|x|) rounds
 * to 1 (16.64); the clamp at Z_MAX = 112; silu' crosses zero (1.2785); tanh returns x below
 * 0x1.713746p-12, rounds to 1 from 9.01, tanh' turns subnormal (43.7) and 0 (52.7), w clamps (56);
 * softplus(x) = x from 14.556091, log1p's argument reduction switches at e^-|x| = 1/2 (ln 2);
 * gelu's series forms end at 0.4 and 0.75, its Mills-ratio regimes switch at 1, gelu' crosses
 * zero at 0.7517915, gelu(x) = x from 5.347515, results turn subnormal near 13.15 and a clamps at 14.75.
 */
export const REGIMES: readonly number[] = [
  87.33655, 103.97208, 16.635532, 112, 1.2784645, 0.00035237765, 9.010913, 43.668, 52.7, 56, 14.556091, 0.6931472, 0.4,
  0.75, 1, 0.7517915, 5.347515, 13.15, 14.75,
];

/**
 * Exact values every path (float32, float64, number; the pairs too) must give: [x, f(x)] for
 * each single-result function, signed zeros and NaN included (values that are floats).
 */
export const SPECIAL_VALUES: Record<SingleName, readonly (readonly [number, number])[]> = {
  sigmoid: [[NaN, NaN], [Infinity, 1], [-Infinity, 0], [0, 0.5], [-0, 0.5]],
  sigmoidDerivative: [[NaN, NaN], [Infinity, 0], [-Infinity, 0], [0, 0.25], [-0, 0.25]],
  sigmoidDerivativeFromOutput: [[NaN, NaN], [0, 0], [-0, -0], [1, 0], [0.5, 0.25], [Infinity, -Infinity], [-Infinity, -Infinity]],
  silu: [[NaN, NaN], [Infinity, Infinity], [-Infinity, -0], [0, 0], [-0, -0], [2 ** 100, 2 ** 100]],
  siluDerivative: [[NaN, NaN], [Infinity, 1], [-Infinity, -0], [0, 0.5], [-0, 0.5], [2 ** 100, 1]],
  tanh: [[NaN, NaN], [Infinity, 1], [-Infinity, -1], [0, 0], [-0, -0], [2 ** -149, 2 ** -149], [-(2 ** -149), -(2 ** -149)], [2 ** 100, 1]],
  tanhDerivative: [[NaN, NaN], [Infinity, 0], [-Infinity, 0], [0, 1], [-0, 1], [2 ** 100, 0]],
  tanhDerivativeFromOutput: [[NaN, NaN], [1, 0], [-1, 0], [0, 1], [-0, 1], [Infinity, -Infinity], [-Infinity, -Infinity]],
  // softplus(+-0) = ln 2 is not listed: the float32 and the double results differ (rounded to each).
  softplus: [[NaN, NaN], [Infinity, Infinity], [-Infinity, 0], [2 ** 100, 2 ** 100], [-(2 ** 100), 0]],
  logSigmoid: [[NaN, NaN], [Infinity, -0], [-Infinity, -Infinity], [2 ** 100, -0], [-(2 ** 100), -(2 ** 100)]],
  logSigmoidDerivative: [[NaN, NaN], [Infinity, 0], [-Infinity, 1], [0, 0.5], [-0, 0.5], [2 ** 100, 0]],
  gelu: [[NaN, NaN], [Infinity, Infinity], [-Infinity, -0], [0, 0], [-0, -0], [2 ** 100, 2 ** 100], [-(2 ** 100), -0]],
  geluDerivative: [[NaN, NaN], [Infinity, 1], [-Infinity, -0], [0, 0.5], [-0, 0.5], [2 ** 100, 1], [-(2 ** 100), -0]],
};
