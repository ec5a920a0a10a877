// The float64 reference of every single-result function of the registry, which verify and the
// accuracy test round to float32 and measure the kernels against. Typed by the registry, so a
// function without a reference does not compile. Each must be accurate to far below one float32
// ulp over the whole float32 range (including where the result is subnormal).
import * as double from '../build/lib/double64.js';
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

// GELU's tanh form with PyTorch's float32 constants c = fl32(sqrt(2/pi)) and k = fl32(0.044715):
// u = K0 x + K1 x^3 with K0 = 2c and K1 = 2ck, both exact in double (K1 has 48 bits). This is
// not double.geluTanh, the function of c and k rounded to double: the two differ by up to 3 ulp
// of float32 (near x = -5.8).
const GELU_TANH_K0 = 2 * Math.fround(Math.sqrt(2 / Math.PI));
const GELU_TANH_K1 = GELU_TANH_K0 * Math.fround(0.044715);

/**
 * x sigma(u) from e = e^-|u|, so that neither tail cancels (0.5 x (1 + tanh(u/2)) would, for
 * x < 0). u's four roundings leave it within 2^-51 relative, 2^-44 absolute at u = 111 (beyond,
 * the float32 result is 0): the relative error e^-u carries from it is 2^-20 of a float32 ulp.
 */
function geluTanh(x: number): number {
  if (x === -Infinity) return -0; // z * e would be inf * 0
  const u = x * (GELU_TANH_K0 + GELU_TANH_K1 * (x * x));
  const e = Math.exp(-Math.abs(u));
  return x > 0 ? x / (1 + e) : (x * e) / (1 + e);
}

/**
 * geluTanh'(x) = sigma(u) + x sigma(u) sigma(-u) u'(x) = (1 + e + e x u') / (1 + e)^2 for x > 0
 * and e (1 + e + x u') / (1 + e)^2 for x <= 0, e = e^-|u|. The numerator for x < 0 cancels at the
 * root (x = -0.7524614): there its absolute error (~2^-53) makes the reference's relative error
 * grow without bound, but the registry's band (from -0.831 to -0.3245) measures only the absolute
 * error there, which stays far below the band's 2^-23.5; outside the band |1 + e + x u'| > 0.19
 * and float64 is ample.
 */
function geluTanhDerivative(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return -0;
  const x2 = x * x;
  const u = x * (GELU_TANH_K0 + GELU_TANH_K1 * x2);
  const xu = x * (GELU_TANH_K0 + 3 * GELU_TANH_K1 * x2);
  const e = Math.exp(-Math.abs(u));
  const d = (1 + e) * (1 + e);
  return x > 0 ? (1 + e + e * xu) / d : (e * (1 + e + xu)) / d;
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
  // JS has no erf: the package's double-precision forms (the double kernels' JS twin), within 2
  // ulp of double (test/double.test.ts checks them against mpmath), relative through gelu''s root.
  gelu: double.gelu,
  geluDerivative: double.geluDerivative,
  geluTanh,
  geluTanhDerivative,
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
 * zero at 0.7517915, gelu(x) = x from 5.347515, results turn subnormal near 13.15 and a clamps at 14.75;
 * geluTanh' crosses zero at -0.7524614 inside its band [-0.831, -0.3245], geluTanh(x) = x from
 * 4.994139, its results turn subnormal near -10.1 and |x| clamps at 10.9375.
 */
export const REGIMES: readonly number[] = [
  87.33655, 103.97208, 16.635532, 112, 1.2784645, 0.00035237765, 9.010913, 43.668, 52.7, 56, 14.556091, 0.6931472, 0.4,
  0.75, 1, 0.7517915, 5.347515, 13.15, 14.75, 0.7524614, 0.831, 0.3245, 4.994139, 10.1, 10.9375,
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
  geluTanh: [[NaN, NaN], [Infinity, Infinity], [-Infinity, -0], [0, 0], [-0, -0], [2 ** 100, 2 ** 100], [-(2 ** 100), -0]],
  geluTanhDerivative: [[NaN, NaN], [Infinity, 1], [-Infinity, -0], [0, 0.5], [-0, 0.5], [2 ** 100, 1], [-(2 ** 100), -0]],
};
