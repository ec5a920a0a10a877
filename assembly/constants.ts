// The second entry of build/constants.wasm only (asconfig.json's "constants" target, with
// index.ts): the kernel ids and every constant the kernels are built with, exported so that
// scripts/embed-wasm.mjs can read them at build time and generate the TypeScript side's copy
// (src/generated/kernels.ts: the ids by name, and the JS emulation's constants, which then
// cannot drift from the kernels'). The embedded builds do not export them.
export * from "./kernel-ids";
export {
  MINUS_LOG2E, MAGIC_BIAS, MINUS_LN2_HI, MINUS_LN2_LO, C2, C3, C4, C5, C6, SCALE_SHIFT, SCALED_ONE, UNSCALE, Z_MAX,
} from "./exp";
export { HALF_UNSCALE, QUADRUPLE_UNSCALE, TANH_TINY } from "./tanh";
export { LOG1P_R0, LOG1P_R1, LOG1P_R2, LN2 } from "./softplus";
export {
  GELU_A_MAX, GELU_SERIES_MAX, GELU_DERIVATIVE_SERIES_MAX, GELU_RHO_MIN, GELU_SPLIT_MASK, LN_SQRT_2PI_HI, LN_SQRT_2PI_LO,
  GELU_H0, GELU_H1, GELU_H2, GELU_H3, GELU_H4, MILLS_A0, MILLS_A1, MILLS_A2, MILLS_A3, MILLS_A4, MILLS_P1, MILLS_P2,
  MILLS_P3, MILLS_P4, MILLS_P5, ROOT_K0, ROOT_K1, ROOT_K2, ROOT_K3, ROOT_K4, ROOT_HI, ROOT_LO,
} from "./gelu";
export {
  GELU_TANH_K0_HI, GELU_TANH_K0_LO, GELU_TANH_K1, GELU_TANH_K1_HI, GELU_TANH_K1_LO, GELU_TANH_K1_TIMES2, GELU_TANH_GRID,
  GELU_TANH_Z_MAX, GELU_TANH_PAIR_FROM,
} from "./gelu-tanh";
export { LN2_HI, LN2_LO, SQRT2, LOG_A1, LOG_A2, LOG_A3, LOG_A4, LOG_A5, LOG_A6, LOG_A7, LOG_A8, LOG_A9, LOG_A10 } from "./log";
export {
  LOG_SUM_EXP_ACCURATE, Z_MAX32, LSE_ACCEPT, ROW_UNSCALE, MAGIC64, Z_MAX64, TAYLOR3, TAYLOR4, TAYLOR5, TAYLOR6,
  TAYLOR7, TAYLOR8, TAYLOR9, TAYLOR10, TAYLOR11, TAYLOR12, ROW_STATE_BYTES, ROW_BLOCK,
} from "./softmax";
export {
  MINUS_LOG2E64, MAGIC64_BIAS, MINUS_LN2_HI64, MINUS_LN2_LO64, E64_C2, E64_C3, E64_C4, E64_C5, E64_C6, E64_C7, E64_C8, E64_C9,
  E64_C10, E64_C11, E64_C12, SCALE64_SHIFT, SCALED64_ONE, UNSCALE64, Z64_MAX,
} from "./exp64";
export { HALF_UNSCALE64, QUADRUPLE_UNSCALE64, TANH64_TINY } from "./tanh64";
export { LOG1P64_R0, LOG1P64_R1, LOG1P64_R2, LOG1P64_R3, LOG1P64_R4, LOG1P64_R5, LOG1P64_R6, LOG1P64_R7, LN2_64, LN2_LO64 } from "./softplus64";
export { DOUBLE_KERNELS } from "./map64";
