// The double-precision loop driver (SIMD build only): run64(kernel, ...) applies a kernel
// elementwise to `length` doubles, one f64x2 vector per iteration. The kernels share the
// float32 kernels' ids (kernel-ids.ts); each family file supplies its vector step with the
// kernel id as a runtime argument.
//
// One loop for every kernel but sigmoid, sigmoid' and sigmoidWithDerivative, which picks the
// family per vector: the choice is the same at every vector, so its branches are predicted,
// and it costs a few instructions against the 50 to 100 of a step. map.ts's loop per kernel
// would cost a copy of the kernel's code each, and the bundle has no room for it
// (docs/design/f64/DESIGN.md, "Size"). Those three have a loop of their own: see vectors64.
// One vector per iteration: two gained 0-20% in the design's measurements for ~0.6 KB more
// (gzipped); calling a step twice per iteration gained nothing here (V8 schedules the two
// vectors one after the other).
//
// The scalar build has no double kernels: where SIMD is missing, Float64Arrays run the JS twin
// (src/double64.ts), which gives the same bits; its run64 returns at once and is never called.
import { geluX2 } from "./gelu64";
import { geluTanhX2 } from "./gelu-tanh64";
import {
  KERNEL_GELU_TANH_WITH_DERIVATIVE, KERNEL_GELU_WITH_DERIVATIVE, KERNEL_LOG_SIGMOID_WITH_DERIVATIVE, KERNEL_SIGMOID,
  KERNEL_SIGMOID_DERIVATIVE, KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT, KERNEL_SIGMOID_WITH_DERIVATIVE, KERNEL_SILU_WITH_DERIVATIVE,
  KERNEL_TANH_WITH_DERIVATIVE, hasSecondResult,
} from "./kernel-ids";
import { logisticX2, sigmoidDerivativeFromOutputX2 } from "./sigmoid64";
import { siluX2 } from "./silu64";
import { softplusX2 } from "./softplus64";
import { tanhX2 } from "./tanh64";

/** Bytes per vector, the unit of the loop and of the tail. */
const BLOCK64: usize = 16;

/** Runs kernel `kernel` over `count` vectors. */
function vectors64(kernel: i32, input: usize, output: usize, output2: usize, count: usize): void {
  // The logistic kernels in a loop of their own: there V8 builds each constant once, before the
  // loop, where the shared loop below builds it again at every vector (three instructions
  // each: their uses sit in branches). That made sigmoid, sigmoid' and sigmoidWithDerivative
  // 19-23% faster on Zen 4 (f64 run64 at 64 Ki, 5.6 against 6.9 ns per double for sigmoid).
  // A loop per family for all six made silu's 15-25% slower (more constants than registers:
  // they spill), so the others share one. sigmoidDerivativeFromOutput is left in the shared
  // loop, where it keeps the logistic step free of a branch that would hold its constants in it.
  if (kernel == KERNEL_SIGMOID || kernel == KERNEL_SIGMOID_DERIVATIVE || kernel == KERNEL_SIGMOID_WITH_DERIVATIVE) {
    for (let i: usize = 0; i < count; i++) {
      logisticX2(kernel, v128.load(input), output, output2);
      input += BLOCK64;
      output += BLOCK64;
      output2 += BLOCK64;
    }
    return;
  }
  for (let i: usize = 0; i < count; i++) {
    const x = v128.load(input);
    if (kernel == KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT) v128.store(output, sigmoidDerivativeFromOutputX2(x));
    else if (kernel <= KERNEL_SILU_WITH_DERIVATIVE) siluX2(kernel, x, output, output2);
    else if (kernel <= KERNEL_TANH_WITH_DERIVATIVE) tanhX2(kernel, x, output, output2);
    else if (kernel <= KERNEL_LOG_SIGMOID_WITH_DERIVATIVE) softplusX2(kernel, x, output, output2);
    else if (kernel <= KERNEL_GELU_WITH_DERIVATIVE) geluX2(kernel, x, output, output2);
    else if (kernel <= KERNEL_GELU_TANH_WITH_DERIVATIVE) geluTanhX2(kernel, x, output, output2);
    else unreachable();
    input += BLOCK64;
    output += BLOCK64;
    output2 += BLOCK64;
  }
}

/**
 * Applies kernel `kernel` (an id of kernel-ids.ts) to `length` doubles at byte address `input`,
 * writing `output` (and `output2` for the kernels with two results), as run() does for floats:
 * whole vectors in place, the last, odd double in `tail` (TAIL_BYTES that no other thread uses
 * during the call), staged before anything is written and zero-padded.
 */
export function run64(kernel: i32, input: usize, output: usize, output2: usize, length: usize, tail: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const whole = (length << 3) & ~(BLOCK64 - 1);
  const odd = whole != length << 3;
  if (odd) v128.store(tail, f64x2.replace_lane(f64x2.splat(0.0), 0, load<f64>(input + whole)));
  vectors64(kernel, input, output, output2, whole / BLOCK64);
  if (odd) {
    vectors64(kernel, tail, tail + BLOCK64, tail + (BLOCK64 << 1), 1);
    store<f64>(output + whole, load<f64>(tail + BLOCK64));
    if (hasSecondResult(kernel)) store<f64>(output2 + whole, load<f64>(tail + (BLOCK64 << 1)));
  }
}
