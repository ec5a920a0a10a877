// The one loop driver: run(kernel, ...) applies a kernel elementwise to `length` floats. Each
// family file supplies only its per-element work, in a vector form (four lanes) and a scalar
// form that run the same operations in the same order; this file owns the loop, the unroll,
// the tail and the order of loads and stores, for every kernel alike.
import {
  KERNEL_SIGMOID,
  KERNEL_SIGMOID_DERIVATIVE,
  KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT,
  KERNEL_SIGMOID_WITH_DERIVATIVE,
  KERNEL_SILU,
  KERNEL_SILU_DERIVATIVE,
  KERNEL_SILU_WITH_DERIVATIVE,
  KERNEL_TANH,
  KERNEL_TANH_DERIVATIVE,
  KERNEL_TANH_DERIVATIVE_FROM_OUTPUT,
  KERNEL_TANH_WITH_DERIVATIVE,
} from "./kernel-ids";
import { logistic, logisticX4 } from "./sigmoid";
import { silu, siluX4 } from "./silu";
import { tanh, tanhX4 } from "./tanh";

// Elements per iteration of the main vector loop: four independent vectors. The kernels are
// latency-bound (one vector's chain is ~80 cycles with the division); measured on V8, four
// vectors per iteration beat two by ~20% and one by ~60%.
export const UNROLL: i32 = 16;

// Floats per vector operation: 4 in the SIMD build, 1 in the scalar one. The wrapper reads it
// to tell which build a module handed to init({ module }) is.
export const LANES: i32 = ASC_FEATURE_SIMD ? 4 : 1;

// The family of each kernel id. `kernel` is a constant wherever these are inlined, so the
// choice folds away and each case of run() compiles to one loop with one kernel in it.
// @ts-ignore: decorator
@inline function elementX4(kernel: i32, x: v128, out: usize, out2: usize): void {
  if (kernel <= KERNEL_SIGMOID_WITH_DERIVATIVE) logisticX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_SILU_WITH_DERIVATIVE) siluX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_TANH_WITH_DERIVATIVE) tanhX4(kernel, x, out, out2);
  else unreachable();
}

// @ts-ignore: decorator
@inline function element(kernel: i32, x: f32, out: usize, out2: usize): void {
  if (kernel <= KERNEL_SIGMOID_WITH_DERIVATIVE) logistic(kernel, x, out, out2);
  else if (kernel <= KERNEL_SILU_WITH_DERIVATIVE) silu(kernel, x, out, out2);
  else if (kernel <= KERNEL_TANH_WITH_DERIVATIVE) tanh(kernel, x, out, out2);
  else unreachable();
}

// Applies `kernel` to `length` floats at `input`, writing `output` (and `output2`). Each step
// loads before it stores, so output == input (in place) is fine, and so is any output that
// starts at or below input in memory.
// @ts-ignore: decorator
@inline function map(kernel: i32, input: usize, output: usize, output2: usize, length: usize): void {
  const end = length << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // All four loads come first: an output may start below the input (see above).
    for (; i + (<usize>UNROLL << 2) <= end; i += <usize>UNROLL << 2) {
      const x0 = v128.load(input + i);
      const x1 = v128.load(input + i, 16);
      const x2 = v128.load(input + i, 32);
      const x3 = v128.load(input + i, 48);
      elementX4(kernel, x0, output + i, output2 + i);
      elementX4(kernel, x1, output + i + 16, output2 + i + 16);
      elementX4(kernel, x2, output + i + 32, output2 + i + 32);
      elementX4(kernel, x3, output + i + 48, output2 + i + 48);
    }
    for (; i + 16 <= end; i += 16) elementX4(kernel, v128.load(input + i), output + i, output2 + i);
  }
  for (; i < end; i += 4) element(kernel, load<f32>(input + i), output + i, output2 + i);
}

// One function per kernel, each the driver's loop specialised to that kernel. They must stay
// separate functions: inlined into run()'s cases, Binaryen folds the cases, which differ only
// in the constant, back into one loop that tests the kernel id at every element (measured:
// 35% slower). Binaryen does not inline functions that contain loops.
function sigmoidKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SIGMOID, input, output, output2, length);
}
function sigmoidDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SIGMOID_DERIVATIVE, input, output, output2, length);
}
function sigmoidDerivativeFromOutputKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT, input, output, output2, length);
}
function sigmoidWithDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SIGMOID_WITH_DERIVATIVE, input, output, output2, length);
}
function siluKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SILU, input, output, output2, length);
}
function siluDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SILU_DERIVATIVE, input, output, output2, length);
}
function siluWithDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_SILU_WITH_DERIVATIVE, input, output, output2, length);
}
function tanhKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_TANH, input, output, output2, length);
}
function tanhDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_TANH_DERIVATIVE, input, output, output2, length);
}
function tanhDerivativeFromOutputKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_TANH_DERIVATIVE_FROM_OUTPUT, input, output, output2, length);
}
function tanhWithDerivativeKernel(input: usize, output: usize, output2: usize, length: usize): void {
  map(KERNEL_TANH_WITH_DERIVATIVE, input, output, output2, length);
}

/**
 * Applies kernel `kernel` (an id of kernel-ids.ts) to `length` floats at byte address `input`,
 * writing `output`, and `output2` for the kernels with two results. An unknown id traps.
 */
export function run(kernel: i32, input: usize, output: usize, output2: usize, length: usize): void {
  switch (kernel) {
    case KERNEL_SIGMOID: return sigmoidKernel(input, output, output2, length);
    case KERNEL_SIGMOID_DERIVATIVE: return sigmoidDerivativeKernel(input, output, output2, length);
    case KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT: return sigmoidDerivativeFromOutputKernel(input, output, output2, length);
    case KERNEL_SIGMOID_WITH_DERIVATIVE: return sigmoidWithDerivativeKernel(input, output, output2, length);
    case KERNEL_SILU: return siluKernel(input, output, output2, length);
    case KERNEL_SILU_DERIVATIVE: return siluDerivativeKernel(input, output, output2, length);
    case KERNEL_SILU_WITH_DERIVATIVE: return siluWithDerivativeKernel(input, output, output2, length);
    case KERNEL_TANH: return tanhKernel(input, output, output2, length);
    case KERNEL_TANH_DERIVATIVE: return tanhDerivativeKernel(input, output, output2, length);
    case KERNEL_TANH_DERIVATIVE_FROM_OUTPUT: return tanhDerivativeFromOutputKernel(input, output, output2, length);
    case KERNEL_TANH_WITH_DERIVATIVE: return tanhWithDerivativeKernel(input, output, output2, length);
    default: unreachable();
  }
}
