// Double precision: plain numbers and Float64Arrays, computed in float64 from Math.exp.
//
// With e = e^-|x| (Math.exp is within 1 ulp) and d = 1 + e:
//   sigma(-|x|) = e / d and sigma(|x|) = 1 / d, each within 2 ulp;
//   sigma'(x) = e / d^2, computed as (e / d) / d and then corrected for the rounding error
//   dl = (1 - d) + e of d (exact: Fast2Sum, as 1 >= e), since 1 / (d + dl)^2 ~ (1 - 2 dl/d) / d^2;
//   without the correction the two divisions by an inexact d would cost up to 3 ulp.
import { planOrder } from './chunk.js';
import type { KernelName } from './backend.js';

export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x > 0 ? 1 / (1 + e) : e / (1 + e);
}

export function sigmoidDerivative(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const d = 1 + e;
  const dl = 1 - d + e;
  const q = e / d / d;
  return q - (2 * q * dl) / d;
}

export function sigmoidDerivativeFromOutput(y: number): number {
  return y * (1 - y);
}

const UNARY = { sigmoid, sigmoidDerivative, sigmoidDerivativeFromOutput } as const;

/** Applies a kernel elementwise over Float64Arrays, in the order planOrder chooses for overlapping views. */
export function mapFloat64(call: string, kernel: KernelName, x: Float64Array, out: Float64Array, out2?: Float64Array): void {
  const { source, backward } = planOrder(call, x, out, out2);
  const n = source.length;
  const step = backward ? -1 : 1;
  if (kernel === 'sigmoidWithDerivative') {
    const dy = out2!;
    for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) {
      const v = source[i]!;
      out[i] = sigmoid(v);
      dy[i] = sigmoidDerivative(v);
    }
    return;
  }
  const f = UNARY[kernel];
  for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) out[i] = f(source[i]!);
}
