// Exports only: the kernel entry point and ids, the memory layout the wrapper reads, and the
// kernel constants (read once at build time to generate the JS emulation's copy; see
// scripts/embed-wasm.mjs).
export { run, UNROLL, LANES } from "./map";
export * from "./kernel-ids";
export {
  SCRATCH_LENGTH, SCRATCH_INPUT, SCRATCH_OUTPUT, SCRATCH_OUTPUT2, SCRATCH_TAIL, TAIL_BYTES, MAX_WORKERS, WORKER_STATUS, WORKER_SCRATCH, WORKER_SCRATCH_STRIDE,
  heapBase,
} from "./memory";
export {
  MINUS_LOG2E, MAGIC_BIAS, MINUS_LN2_HI, MINUS_LN2_LO, C2, C3, C4, C5, C6, SCALE_SHIFT, SCALED_ONE, UNSCALE, Z_MAX,
} from "./exp";
export { HALF_UNSCALE, QUADRUPLE_UNSCALE, TANH_TINY } from "./tanh";
export { LOG1P_R0, LOG1P_R1, LOG1P_R2, LN2_HI, LN2_LO } from "./softplus";
