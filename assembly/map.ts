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
  KERNEL_SOFTPLUS,
  KERNEL_SOFTPLUS_WITH_DERIVATIVE,
  KERNEL_LOG_SIGMOID,
  KERNEL_LOG_SIGMOID_DERIVATIVE,
  KERNEL_LOG_SIGMOID_WITH_DERIVATIVE,
  KERNEL_GELU,
  KERNEL_GELU_DERIVATIVE,
  KERNEL_GELU_WITH_DERIVATIVE,
  KERNEL_GELU_TANH,
  KERNEL_GELU_TANH_DERIVATIVE,
  KERNEL_GELU_TANH_WITH_DERIVATIVE,
  hasSecondResult,
} from "./kernel-ids";
import { gelu, geluX4 } from "./gelu";
import { geluTanh, geluTanhX4 } from "./gelu-tanh";
import { logistic, logisticX4 } from "./sigmoid";
import { silu, siluX4 } from "./silu";
import { softplus, softplusX4 } from "./softplus";
import { tanh, tanhX4 } from "./tanh";

// Floats per block: the unit of the vector loop and of the tail (four vectors).
export const UNROLL: i32 = 16;

// Floats per vector operation: 4 in the SIMD build, 1 in the scalar one. The wrapper reads it
// to tell which build a module handed to init({ module }) is.
export const LANES: i32 = ASC_FEATURE_SIMD ? 4 : 1;

// Independent vectors per iteration of a kernel's loop: 4 (a whole block) or 2 (a block in two
// iterations). Most kernels are latency-bound (one vector's chain is ~80 cycles with the
// division), and four vectors in flight beat two by ~20% and one by ~60% (sigmoid, V8). The
// longest ones are not: with ~100 operations and ~30 constants per vector, four vectors spill
// more registers (V8 has 16) than the extra parallelism hides. Measured on Zen 4 (npm run bench,
// zero-copy, 64 Ki; M elements/s with 4 / 2 / 1 vectors): gelu 263 / 305 / 252, gelu' 236 / 278
// / 221, geluTanh 305 / 214 / 215, geluTanh' 163 / 167 / 125, softplus 365 / 260. Two vectors
// also halve the kernel's size in the binary (~1.1 KB gzipped for gelu's three).
// @ts-ignore: decorator
@inline function vectorsPerIteration(kernel: i32): i32 {
  if (kernel >= KERNEL_GELU && kernel <= KERNEL_GELU_WITH_DERIVATIVE) return 2;
  if (kernel == KERNEL_GELU_TANH_DERIVATIVE || kernel == KERNEL_GELU_TANH_WITH_DERIVATIVE) return 2;
  return 4;
}

// The family of each kernel id. `kernel` is a constant wherever these are inlined, so the
// choice folds away and each case of run() compiles to one loop with one kernel in it.
// @ts-ignore: decorator
@inline function elementX4(kernel: i32, x: v128, out: usize, out2: usize): void {
  if (kernel <= KERNEL_SIGMOID_WITH_DERIVATIVE) logisticX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_SILU_WITH_DERIVATIVE) siluX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_TANH_WITH_DERIVATIVE) tanhX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_LOG_SIGMOID_WITH_DERIVATIVE) softplusX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_GELU_WITH_DERIVATIVE) geluX4(kernel, x, out, out2);
  else if (kernel <= KERNEL_GELU_TANH_WITH_DERIVATIVE) geluTanhX4(kernel, x, out, out2);
  else unreachable();
}

// @ts-ignore: decorator
@inline function element(kernel: i32, x: f32, out: usize, out2: usize): void {
  if (kernel <= KERNEL_SIGMOID_WITH_DERIVATIVE) logistic(kernel, x, out, out2);
  else if (kernel <= KERNEL_SILU_WITH_DERIVATIVE) silu(kernel, x, out, out2);
  else if (kernel <= KERNEL_TANH_WITH_DERIVATIVE) tanh(kernel, x, out, out2);
  else if (kernel <= KERNEL_LOG_SIGMOID_WITH_DERIVATIVE) softplus(kernel, x, out, out2);
  else if (kernel <= KERNEL_GELU_WITH_DERIVATIVE) gelu(kernel, x, out, out2);
  else if (kernel <= KERNEL_GELU_TANH_WITH_DERIVATIVE) geluTanh(kernel, x, out, out2);
  else unreachable();
}

// Applies `kernel` to `count` units at `input`, writing `output` (and `output2`): blocks of
// UNROLL floats (four vectors) in the SIMD build, floats in the scalar one. Each block loads
// before it stores, so output == input (in place) is fine, and so is any output that starts at
// or below input in memory.
//
// Why a do-while: V8's TurboFan hoists a loop-invariant node (here, every splatted constant)
// out of a loop only from a block that dominates all of the loop's exits. In a while loop the
// body does not (the loop exits from its header), so every iteration rebuilds each constant
// with three instructions; in a do-while it does, so each is built once before the loop and
// then read from the stack frame as a memory operand. Measured: 9% faster on sigmoid.
// @ts-ignore: decorator
@inline function map(kernel: i32, input: usize, output: usize, output2: usize, count: usize): void {
  if (count == 0) return;
  if (ASC_FEATURE_SIMD) {
    if (vectorsPerIteration(kernel) == 4) {
      do {
        // All four loads come first: an output may start below the input (see above).
        const x0 = v128.load(input);
        const x1 = v128.load(input, 16);
        const x2 = v128.load(input, 32);
        const x3 = v128.load(input, 48);
        elementX4(kernel, x0, output, output2);
        elementX4(kernel, x1, output + 16, output2 + 16);
        elementX4(kernel, x2, output + 32, output2 + 32);
        elementX4(kernel, x3, output + 48, output2 + 48);
        input += 64;
        output += 64;
        output2 += 64;
      } while (--count != 0);
    } else {
      count <<= 1;
      do {
        const x0 = v128.load(input);
        const x1 = v128.load(input, 16);
        elementX4(kernel, x0, output, output2);
        elementX4(kernel, x1, output + 16, output2 + 16);
        input += 32;
        output += 32;
        output2 += 32;
      } while (--count != 0);
    }
  } else {
    do {
      element(kernel, load<f32>(input), output, output2);
      input += 4;
      output += 4;
      output2 += 4;
    } while (--count != 0);
  }
}

// One function per kernel, each the driver's loop specialised to that kernel. They must stay
// separate functions: inlined into run()'s cases, Binaryen folds the cases, which differ only
// in the constant, back into one loop that tests the kernel id at every element (measured:
// 35% slower). Binaryen does not inline functions that contain loops.
function sigmoidKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SIGMOID, input, output, output2, count);
}
function sigmoidDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SIGMOID_DERIVATIVE, input, output, output2, count);
}
function sigmoidDerivativeFromOutputKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT, input, output, output2, count);
}
function sigmoidWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SIGMOID_WITH_DERIVATIVE, input, output, output2, count);
}
function siluKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SILU, input, output, output2, count);
}
function siluDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SILU_DERIVATIVE, input, output, output2, count);
}
function siluWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SILU_WITH_DERIVATIVE, input, output, output2, count);
}
function tanhKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_TANH, input, output, output2, count);
}
function tanhDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_TANH_DERIVATIVE, input, output, output2, count);
}
function tanhDerivativeFromOutputKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_TANH_DERIVATIVE_FROM_OUTPUT, input, output, output2, count);
}
function tanhWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_TANH_WITH_DERIVATIVE, input, output, output2, count);
}
function softplusKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SOFTPLUS, input, output, output2, count);
}
function softplusWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_SOFTPLUS_WITH_DERIVATIVE, input, output, output2, count);
}
function logSigmoidKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_LOG_SIGMOID, input, output, output2, count);
}
function logSigmoidDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_LOG_SIGMOID_DERIVATIVE, input, output, output2, count);
}
function logSigmoidWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_LOG_SIGMOID_WITH_DERIVATIVE, input, output, output2, count);
}
function geluKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU, input, output, output2, count);
}
function geluDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU_DERIVATIVE, input, output, output2, count);
}
function geluWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU_WITH_DERIVATIVE, input, output, output2, count);
}
function geluTanhKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU_TANH, input, output, output2, count);
}
function geluTanhDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU_TANH_DERIVATIVE, input, output, output2, count);
}
function geluTanhWithDerivativeKernel(input: usize, output: usize, output2: usize, count: usize): void {
  map(KERNEL_GELU_TANH_WITH_DERIVATIVE, input, output, output2, count);
}

/** Runs kernel `kernel`'s loop over `count` blocks (the SIMD build's). */
function units(kernel: i32, input: usize, output: usize, output2: usize, count: usize): void {
  switch (kernel) {
    case KERNEL_SIGMOID: return sigmoidKernel(input, output, output2, count);
    case KERNEL_SIGMOID_DERIVATIVE: return sigmoidDerivativeKernel(input, output, output2, count);
    case KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT: return sigmoidDerivativeFromOutputKernel(input, output, output2, count);
    case KERNEL_SIGMOID_WITH_DERIVATIVE: return sigmoidWithDerivativeKernel(input, output, output2, count);
    case KERNEL_SILU: return siluKernel(input, output, output2, count);
    case KERNEL_SILU_DERIVATIVE: return siluDerivativeKernel(input, output, output2, count);
    case KERNEL_SILU_WITH_DERIVATIVE: return siluWithDerivativeKernel(input, output, output2, count);
    case KERNEL_TANH: return tanhKernel(input, output, output2, count);
    case KERNEL_TANH_DERIVATIVE: return tanhDerivativeKernel(input, output, output2, count);
    case KERNEL_TANH_DERIVATIVE_FROM_OUTPUT: return tanhDerivativeFromOutputKernel(input, output, output2, count);
    case KERNEL_TANH_WITH_DERIVATIVE: return tanhWithDerivativeKernel(input, output, output2, count);
    case KERNEL_SOFTPLUS: return softplusKernel(input, output, output2, count);
    case KERNEL_SOFTPLUS_WITH_DERIVATIVE: return softplusWithDerivativeKernel(input, output, output2, count);
    case KERNEL_LOG_SIGMOID: return logSigmoidKernel(input, output, output2, count);
    case KERNEL_LOG_SIGMOID_DERIVATIVE: return logSigmoidDerivativeKernel(input, output, output2, count);
    case KERNEL_LOG_SIGMOID_WITH_DERIVATIVE: return logSigmoidWithDerivativeKernel(input, output, output2, count);
    case KERNEL_GELU: return geluKernel(input, output, output2, count);
    case KERNEL_GELU_DERIVATIVE: return geluDerivativeKernel(input, output, output2, count);
    case KERNEL_GELU_WITH_DERIVATIVE: return geluWithDerivativeKernel(input, output, output2, count);
    case KERNEL_GELU_TANH: return geluTanhKernel(input, output, output2, count);
    case KERNEL_GELU_TANH_DERIVATIVE: return geluTanhDerivativeKernel(input, output, output2, count);
    case KERNEL_GELU_TANH_WITH_DERIVATIVE: return geluTanhWithDerivativeKernel(input, output, output2, count);
    default: unreachable();
  }
}

/**
 * Applies kernel `kernel` (an id of kernel-ids.ts) to `length` floats at byte address `input`,
 * writing `output`, and `output2` for the kernels with two results (only those write it).
 * `tail`: TAIL_BYTES of memory that no other thread uses during the call (memory.ts; the
 * scalar build does not touch it). An unknown id traps.
 *
 * The SIMD build runs whole blocks in place and a last, partial one (1-15 floats) in `tail`:
 * its floats are staged there before anything is written (an output may overlap them), the
 * lanes past the end are zeros whose results are dropped, and its results are copied out
 * after. One more call of the kernel's loop, where a vector loop and a scalar loop for the
 * rest would each add another copy of every kernel to the binary.
 */
export function run(kernel: i32, input: usize, output: usize, output2: usize, length: usize, tail: usize): void {
  if (!ASC_FEATURE_SIMD) return scalarRun(kernel, input, output, output2, length);
  const block: usize = <usize>UNROLL << 2;
  const whole = (length << 2) & ~(block - 1);
  const rest = (length << 2) - whole;
  if (rest != 0) {
    for (let j: usize = 0; j < block; j += 16) v128.store(tail + j, i32x4.splat(0));
    for (let j: usize = 0; j < rest; j += 4) store<f32>(tail + j, load<f32>(input + whole + j));
  }
  units(kernel, input, output, output2, whole / block);
  if (rest != 0) {
    units(kernel, tail, tail + block, tail + (block << 1), 1);
    for (let j: usize = 0; j < rest; j += 4) store<f32>(output + whole + j, load<f32>(tail + block + j));
    if (hasSecondResult(kernel)) {
      for (let j: usize = 0; j < rest; j += 4) store<f32>(output2 + whole + j, load<f32>(tail + (block << 1) + j));
    }
  }
}

/**
 * The scalar build's run(): the logistic kernels keep a loop each (sigmoid's scalar build must
 * stay 1.5x the naive JS line), and the other kernels share one loop that chooses the family
 * and the kernel per element: the choice is the same at every element, so its branches are
 * predicted. Measured (Zen 4, 16 Ki floats): tanh 9% slower, softplus, gelu and geluTanh within
 * 5%; the scalar build is 0.6 KB (a quarter) smaller gzipped, one copy of each family instead of one per kernel.
 */
function scalarRun(kernel: i32, input: usize, output: usize, output2: usize, length: usize): void {
  switch (kernel) {
    case KERNEL_SIGMOID: return sigmoidKernel(input, output, output2, length);
    case KERNEL_SIGMOID_DERIVATIVE: return sigmoidDerivativeKernel(input, output, output2, length);
    case KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT: return sigmoidDerivativeFromOutputKernel(input, output, output2, length);
    case KERNEL_SIGMOID_WITH_DERIVATIVE: return sigmoidWithDerivativeKernel(input, output, output2, length);
  }
  if (kernel < 0 || kernel > KERNEL_GELU_TANH_WITH_DERIVATIVE) unreachable();
  for (let i: usize = 0; i < length; i++) element(kernel, load<f32>(input + (i << 2)), output + (i << 2), output2 + (i << 2));
}
