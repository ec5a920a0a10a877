// Exports only: the kernels and the memory layout the wrapper reads.
export { sigmoid, sigmoidDerivative, sigmoidDerivativeFromOutput, sigmoidWithDerivative, UNROLL } from "./sigmoid";
export { SCRATCH_LENGTH, SCRATCH_INPUT, SCRATCH_OUTPUT, SCRATCH_OUTPUT2, heapBase } from "./memory";
