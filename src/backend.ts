/**
 * A float32 kernel every backend provides, by its id: KERNEL_IDS (src/generated/kernels.ts, from
 * assembly/kernel-ids.ts) maps the kernels' names to their ids.
 */
export type KernelId = number;

/** The implementations an engine can run on. */
export type BackendName = 'simd' | 'scalar' | 'js';

/** The scratch buffers the copy path streams data through, as arrays of one element type. */
export interface Scratch<T extends Float32Array | Float64Array = Float32Array> {
  readonly input: T;
  readonly output: T;
  /** Second output, used by the kernels with two results only. */
  readonly output2: T;
  /**
   * The copy path's cache (src/chunk.ts, results): the last view of output's first elements it
   * made, reused by the next call of the same length. Starts as output itself.
   */
  head: T;
}

/**
 * Elementwise kernels over arrays of one element type, run on a backend's scratch buffers: what
 * the copy path (forEachChunk, src/chunk.ts) drives.
 */
export interface Lanes<T extends Float32Array | Float64Array> {
  /** Elements per scratch buffer: the copy path's chunk size. */
  readonly scratchLength: number;
  /** The scratch views, valid until memory grows: fetch them once per call. */
  scratch(): Scratch<T>;
  /** Runs a kernel on the first `length` elements of the scratch buffers. */
  run(kernel: KernelId, length: number): void;
  readonly heap: Heap | undefined;
}

/**
 * The double-precision kernels (assembly/map64.ts: the SIMD build's run64) over the same
 * scratch buffers, viewed as Float64Arrays, and on resident arrays.
 */
export interface DoubleLanes extends Lanes<Float64Array> {
  /** Runs a kernel on Float64 arrays that live in the backend's memory (byte offsets). */
  runAt(kernel: KernelId, input: number, output: number, output2: number, length: number): void;
}

/** Memory a backend owns, where callers may keep arrays to skip the copies (WASM only). */
export interface Heap {
  /** The current buffer; replaced (and the old one detached) whenever memory grows. */
  buffer(): ArrayBuffer;
  /** Byte range of the scratch buffers, which no caller's array may share. */
  readonly scratchStart: number;
  readonly scratchEnd: number;
  /** Reserves `bytes` (16-byte aligned) and returns the byte offset; may grow memory. */
  alloc(bytes: number): number;
  free(pointer: number): void;
  /** Runs a kernel on arrays that live in this memory (byte offsets). */
  runAt(kernel: KernelId, input: number, output: number, output2: number, length: number): void;
  /** Runs a row function on whole rows that live in this memory (byte offsets; RowPasses.rows). */
  rowsAt(kind: RowKind, input: number, output: number, rowLength: number, rows: number): void;
}

/**
 * A row function's kind (ROW_KINDS, src/generated/kernels.ts), or LOG_SUM_EXP_ACCURATE
 * (src/generated/constants.ts): logSumExp's second pass over a row whose result cancels.
 */
export type RowKind = number;

/**
 * The row functions' passes (assembly/softmax.ts) over a backend's scratch buffers and its row
 * state. A row that fits runs whole (rows); a longer one streams through the scratch buffers,
 * pass by pass, in chunks that are multiples of ROW_BLOCK but for its last (src/chunk.ts), with
 * the same bits.
 */
export interface RowPasses {
  /** Whole rows in scratch input, results (one per row for logSumExp) to scratch output. */
  rows(kind: RowKind, rowLength: number, rows: number): void;
  /** Starts a row: maximum -inf, sums 0. */
  start(): void;
  /** Starts pass 2 again with the same maximum (logSumExp's accurate pass). */
  restart(): void;
  /** Pass 1 over the first `length` floats of scratch input. */
  max(length: number): void;
  /** Pass 2 over scratch input; softmax writes its E to scratch output. */
  sum(kind: RowKind, length: number): void;
  /** Ends pass 2; returns logSumExp's result. */
  finish(kind: RowKind): number;
  /** After finish(logSumExp): whether the row needs the accurate pass. */
  needsAccurateSum(): boolean;
  /** Pass 3: from scratch input (logSoftmax: x) or scratch output (softmax: E) to scratch output. */
  output(kind: RowKind, length: number): void;
}

/** What an engine needs from a backend: the float32 kernels, and the rest. */
export interface Backend extends Lanes<Float32Array> {
  readonly name: BackendName;
  /** The row functions' passes over the same scratch buffers. */
  readonly rowPasses: RowPasses;
  /**
   * The double-precision kernels, where the backend has them (SIMD); elsewhere Float64Arrays
   * run the JS twin (src/double64.ts), which gives the same bits.
   */
  readonly double: DoubleLanes | undefined;
}
