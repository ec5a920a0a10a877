// What assembly/index.ts exports: shared by the WASM backend (src/backends/wasm.ts) and the
// pool's workers (src/pool-worker.ts), which must not load the backend module and its embedded
// builds.

/** What assembly/index.ts exports. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly LANES: WebAssembly.Global;
  readonly MAX_WORKERS: WebAssembly.Global;
  readonly WORKER_STATUS: WebAssembly.Global;
  readonly WORKER_SCRATCH: WebAssembly.Global;
  readonly WORKER_SCRATCH_STRIDE: WebAssembly.Global;
  readonly SCRATCH_LENGTH: WebAssembly.Global;
  readonly SCRATCH_INPUT: WebAssembly.Global;
  readonly SCRATCH_OUTPUT: WebAssembly.Global;
  readonly SCRATCH_OUTPUT2: WebAssembly.Global;
  readonly SCRATCH_TAIL: WebAssembly.Global;
  readonly TAIL_BYTES: WebAssembly.Global;
  readonly SCRATCH_ROW_STATE: WebAssembly.Global;
  heapBase(): number;
  /**
   * Applies kernel `id` (KERNEL_IDS) to `length` floats at byte addresses of the memory; `tail`:
   * TAIL_BYTES that no other thread uses during the call (SCRATCH_TAIL on the calling thread).
   */
  run(id: number, input: number, output: number, output2: number, length: number, tail: number): void;
  /** run() on doubles (assembly/map64.ts): the SIMD build's double kernels; the scalar build's returns at once. */
  run64(id: number, input: number, output: number, output2: number, length: number, tail: number): void;
  // The row passes (assembly/softmax.ts; RowPasses in src/backend.ts) on a row state of ROW_STATE_BYTES.
  rowStart(state: number): void;
  rowRestart(state: number): void;
  rowMax(input: number, length: number, state: number): void;
  rowSum(kind: number, input: number, output: number, length: number, state: number): void;
  rowFinish(kind: number, state: number): number;
  rowNeedsAccurateSum(state: number): number;
  rowOutput(kind: number, input: number, output: number, length: number, state: number): void;
  rows(kind: number, input: number, output: number, rowLength: number, rows: number, state: number): void;
}

