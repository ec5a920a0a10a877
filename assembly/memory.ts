import { ROW_STATE_BYTES } from "./softmax";

// The one place the layout of linear memory is defined; the TypeScript wrapper reads it from
// these exports and never assumes numbers of its own.
//
//   [static data][scratch input][scratch output][scratch output 2][tail][heap: resident arrays ...]
//
// The copy path streams any input through the three scratch buffers, SCRATCH_LENGTH floats at
// a time, so memory never grows per call. The size keeps one chunk of input and outputs
// (3 x 64 KiB) within a core's L2 cache while amortizing the per-chunk cost: a subarray, two
// TypedArray.set calls and a call into WASM, ~0.2 us together. On arrays bigger than the caches
// the copies are bursts from memory that cannot overlap the compute, and a longer chunk makes
// fewer of them: 64 KiB chunks ran the copying API 2-5% faster than 16 KiB at 1 Mi floats
// (interleaved runs on Zen 3); L1 residency of the chunk made no measurable difference.

/** Floats per scratch buffer. */
export const SCRATCH_LENGTH: i32 = 16384;
/** Byte alignment of every buffer: one v128. */
const ALIGN: i32 = 16;

export const SCRATCH_INPUT: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);
export const SCRATCH_OUTPUT: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);
export const SCRATCH_OUTPUT2: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);

// A kernel call's own 192 bytes, where the SIMD build (map.ts) runs the last, partial block of
// a length that is not a multiple of 16: three blocks (input, output, output 2). Every caller
// passes its own to run(): these are the calling thread's.
/** Bytes of a tail area. */
export const TAIL_BYTES: i32 = 3 * 16 * 4;
export const SCRATCH_TAIL: usize = memory.data(TAIL_BYTES, ALIGN);

// The threads build (SIMD over shared memory, for the worker pool) adds, for each of up to
// MAX_WORKERS workers, a status word, three scratch buffers, a tail area and a row state of its own. A worker streams
// data that lives outside this memory (a SharedArrayBuffer) through its scratch buffers, and
// sets its status word with an atomic store when its share of a call is done; the thread that
// started the call waits on the words. The other builds have no workers and reserve nothing.

/** Workers the pool can run at most (0 in the single-threaded builds). */
export const MAX_WORKERS: i32 = ASC_FEATURE_THREADS ? 16 : 0;
/** Bytes of worker k's scratch: buffers input, output, output 2, its tail area, then its row state, in that order. */
export const WORKER_SCRATCH_STRIDE: i32 = 3 * (SCRATCH_LENGTH << 2) + TAIL_BYTES + ROW_STATE_BYTES;
// (A reservation cannot be empty: the single-threaded builds reserve one aligned unit, unused.)
/** One i32 per worker: 0 while its share is pending, 1 when done, 2 when it failed. */
export const WORKER_STATUS: usize = memory.data(ASC_FEATURE_THREADS ? MAX_WORKERS << 2 : ALIGN, ALIGN);
/** Worker k's scratch buffers start at WORKER_SCRATCH + k * WORKER_SCRATCH_STRIDE. */
export const WORKER_SCRATCH: usize = memory.data(ASC_FEATURE_THREADS ? MAX_WORKERS * WORKER_SCRATCH_STRIDE : ALIGN, ALIGN);

/** First byte after all static data: resident arrays are allocated from here up. */
export function heapBase(): usize {
  return (__heap_base + <usize>(ALIGN - 1)) & ~<usize>(ALIGN - 1);
}

// The calling thread's row state (softmax.ts: a row's maximum, sums and factor between the
// passes of a streamed row); each worker has its own after its tail area (WORKER_SCRATCH_STRIDE).
export const SCRATCH_ROW_STATE: usize = memory.data(ROW_STATE_BYTES, ALIGN);
