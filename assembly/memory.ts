// The one place the layout of linear memory is defined; the TypeScript wrapper reads it from
// these exports and never assumes numbers of its own.
//
//   [static data][scratch input][scratch output][scratch output 2][heap: resident arrays ...]
//
// The copy path streams any input through the three scratch buffers, SCRATCH_LENGTH floats at
// a time, so memory never grows per call. The size keeps one chunk of input and outputs
// (3 x 16 KiB) within a core's L1/L2 cache while amortizing the per-chunk call overhead.

/** Floats per scratch buffer. */
export const SCRATCH_LENGTH: i32 = 4096;
/** Byte alignment of every buffer: one v128. */
const ALIGN: i32 = 16;

export const SCRATCH_INPUT: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);
export const SCRATCH_OUTPUT: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);
export const SCRATCH_OUTPUT2: usize = memory.data(SCRATCH_LENGTH << 2, ALIGN);

/** First byte after all static data: resident arrays are allocated from here up. */
export function heapBase(): usize {
  return (__heap_base + <usize>(ALIGN - 1)) & ~<usize>(ALIGN - 1);
}
