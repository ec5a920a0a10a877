// Exports only: what the wrapper uses at run time, the kernel entry points and the memory layout.
// The kernel ids and constants are exported by constants.ts, a second entry compiled only into
// build/constants.wasm, which scripts/embed-wasm.mjs reads at build time (the builds the package
// embeds would carry ~70 exported names they never use: 1.8 KB of the gzipped bundle).
export { run, UNROLL, LANES } from "./map";
export { run64 } from "./map64";
export { rowStart, rowRestart, rowMax, rowSum, rowFinish, rowNeedsAccurateSum, rowOutput, rows } from "./softmax";
export {
  SCRATCH_LENGTH, SCRATCH_INPUT, SCRATCH_OUTPUT, SCRATCH_OUTPUT2, SCRATCH_TAIL, TAIL_BYTES, MAX_WORKERS, WORKER_STATUS, WORKER_SCRATCH, WORKER_SCRATCH_STRIDE,
  SCRATCH_ROW_STATE, heapBase,
} from "./memory";
