// The kernels' ids: the first argument of run() (assembly/map.ts). The build turns each name
// into the kernel's name on the TypeScript side (KERNEL_SIGMOID_DERIVATIVE -> sigmoidDerivative,
// src/generated/kernels.ts), so the ids are defined here only. Each family file implements its
// own ids; map.ts sends each id to its family.

// The logistic family (sigmoid.ts).
export const KERNEL_SIGMOID: i32 = 0;
export const KERNEL_SIGMOID_DERIVATIVE: i32 = 1;
export const KERNEL_SIGMOID_DERIVATIVE_FROM_OUTPUT: i32 = 2;
export const KERNEL_SIGMOID_WITH_DERIVATIVE: i32 = 3;

// SiLU (silu.ts).
export const KERNEL_SILU: i32 = 4;
export const KERNEL_SILU_DERIVATIVE: i32 = 5;
export const KERNEL_SILU_WITH_DERIVATIVE: i32 = 6;

// tanh (tanh.ts).
export const KERNEL_TANH: i32 = 7;
export const KERNEL_TANH_DERIVATIVE: i32 = 8;
export const KERNEL_TANH_DERIVATIVE_FROM_OUTPUT: i32 = 9;
export const KERNEL_TANH_WITH_DERIVATIVE: i32 = 10;

// softplus and logSigmoid (softplus.ts). softplus' is sigmoid itself (sigmoid.ts): no kernel.
export const KERNEL_SOFTPLUS: i32 = 11;
export const KERNEL_SOFTPLUS_WITH_DERIVATIVE: i32 = 12;
export const KERNEL_LOG_SIGMOID: i32 = 13;
export const KERNEL_LOG_SIGMOID_DERIVATIVE: i32 = 14;
export const KERNEL_LOG_SIGMOID_WITH_DERIVATIVE: i32 = 15;

// GELU, the exact erf form (gelu.ts).
export const KERNEL_GELU: i32 = 16;
export const KERNEL_GELU_DERIVATIVE: i32 = 17;
export const KERNEL_GELU_WITH_DERIVATIVE: i32 = 18;

// GELU, PyTorch's tanh form (gelu-tanh.ts).
export const KERNEL_GELU_TANH: i32 = 19;
export const KERNEL_GELU_TANH_DERIVATIVE: i32 = 20;
export const KERNEL_GELU_TANH_WITH_DERIVATIVE: i32 = 21;

/** Whether kernel `id` has a second result, which it writes to run()'s output2. */
// @ts-ignore: decorator
@inline export function hasSecondResult(id: i32): bool {
  return id == KERNEL_SIGMOID_WITH_DERIVATIVE || id == KERNEL_SILU_WITH_DERIVATIVE || id == KERNEL_TANH_WITH_DERIVATIVE ||
    id == KERNEL_SOFTPLUS_WITH_DERIVATIVE || id == KERNEL_LOG_SIGMOID_WITH_DERIVATIVE ||
    id == KERNEL_GELU_WITH_DERIVATIVE || id == KERNEL_GELU_TANH_WITH_DERIVATIVE;
}

// The row functions (softmax.ts): the `kind` argument of the row passes. The build turns each
// name into the function's name on the TypeScript side (ROWS_LOG_SOFTMAX -> logSoftmax,
// src/generated/kernels.ts: ROW_KINDS).
export const ROWS_SOFTMAX: i32 = 0;
export const ROWS_LOG_SOFTMAX: i32 = 1;
export const ROWS_LOG_SUM_EXP: i32 = 2;
