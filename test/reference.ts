// The float64 reference of every single-result function of the registry, which verify and the
// accuracy test round to float32 and measure the kernels against. Typed by the registry, so a
// function without a reference does not compile. Each must be accurate to far below one float32
// ulp over the whole float32 range (including where the result is subnormal).
import type { SingleName } from '../build/lib/functions.js';

/** sigma(x), from e = e^-|x| so that neither tail cancels or overflows. */
function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x > 0 ? 1 / (1 + e) : e / (1 + e);
}

export const REFERENCES: Record<SingleName, (x: number) => number> = {
  sigmoid,
  sigmoidDerivative(x) {
    const e = Math.exp(-Math.abs(x));
    return e / ((1 + e) * (1 + e));
  },
  sigmoidDerivativeFromOutput: (y) => y * (1 - y),
};
