/**
 * A float32 kernel every backend provides, by its id: KERNEL_IDS (src/generated/kernels.ts, from
 * assembly/kernel-ids.ts) maps the kernels' names to their ids.
 */
export type KernelId = number;

/** The implementations an engine can run on. */
export type BackendName = 'simd' | 'scalar' | 'js';

/** The scratch buffers the copy path streams data through. */
export interface Scratch {
  readonly input: Float32Array;
  readonly output: Float32Array;
  /** Second output, used by the kernels with two results only. */
  readonly output2: Float32Array;
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
}

/** What an engine needs from a backend. */
export interface Backend {
  readonly name: BackendName;
  /** Floats per scratch buffer: the copy path's chunk size. */
  readonly scratchLength: number;
  /** The scratch views, valid until memory grows: fetch them once per call. */
  scratch(): Scratch;
  /** Runs a kernel on the first `length` floats of the scratch buffers. */
  run(kernel: KernelId, length: number): void;
  readonly heap: Heap | undefined;
}
