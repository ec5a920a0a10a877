// The one copy path: every elementwise call on a Float32Array or a Float64Array streams its
// arrays through a backend's scratch buffers here, so that WASM memory stays the same size
// whatever the input length. It also decides the order of work when outputs overlap the input;
// the JS twin's double-precision loop uses that too.
import type { Backend, Heap, KernelId, Lanes, RowKind, Scratch } from './backend.js';
import * as K from './generated/constants.js';
import { ROW_KINDS } from './generated/kernels.js';

type FloatArray = Float32Array | Float64Array;

/**
 * SharedArrayBuffer.prototype.byteLength's getter: it throws for anything but a
 * SharedArrayBuffer, of any realm, which makes it a brand check `instanceof` is not.
 */
const SHARED_BYTE_LENGTH =
  typeof SharedArrayBuffer === 'function' ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')?.get : undefined;

/**
 * The brand check's answers: a failed check throws, and a thrown TypeError (with its stack)
 * costs microseconds, several times per call on small arrays. Buffers are few and long-lived.
 */
const sharedness = new WeakMap<ArrayBufferLike, boolean>();

export function isShared(buffer: ArrayBufferLike): boolean {
  if (SHARED_BYTE_LENGTH === undefined) return false;
  let shared = sharedness.get(buffer);
  if (shared === undefined) {
    try {
      SHARED_BYTE_LENGTH.call(buffer);
      shared = true;
    } catch {
      shared = false;
    }
    sharedness.set(buffer, shared);
  }
  return shared;
}

/**
 * Distinct SharedArrayBuffer objects can share one block of memory (a buffer posted to a
 * worker and back, or a WebAssembly.Memory's buffer before and after growth), always from the
 * same base, so their byte offsets are comparable. Treat them as possibly the same memory.
 */
function mayAlias(a: ArrayBufferLike, b: ArrayBufferLike): boolean {
  return a === b || (isShared(a) && isShared(b));
}

export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    mayAlias(a.buffer, b.buffer) &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** planOrder's answer, as bits so that the common case allocates nothing. */
export const BACKWARD = 1;
/** Read x from a copy taken first. */
export const SNAPSHOT = 2;
/** Compute the second output into a temporary array and copy it last. */
export const STAGE_OUT2 = 4;

/**
 * How to walk an elementwise map from x to outputs that may overlap it, so that the result is
 * as if all of x had been read before anything was written: forward when every overlapping
 * output starts at or below x (writes land on elements already read), backward when every one
 * starts at or above it, else on a snapshot of x.
 *
 * Two outputs on one buffer that overlap are an error. Two outputs on distinct
 * SharedArrayBuffers whose ranges would overlap if the buffers were one memory are most likely
 * separate: then the second output is staged.
 */
export function planOrder(call: string, x: FloatArray, out: FloatArray, out2?: FloatArray): number {
  let plan = 0;
  if (out2 && overlaps(out, out2)) {
    if (out.buffer === out2.buffer) throw new RangeError(`${call}: y and dy overlap in memory; pass separate arrays.`);
    plan |= STAGE_OUT2;
  }
  let below = false;
  let above = false;
  if (overlaps(x, out)) {
    below = out.byteOffset < x.byteOffset;
    above = out.byteOffset > x.byteOffset;
  }
  if (out2 && !(plan & STAGE_OUT2) && overlaps(x, out2)) {
    below ||= out2.byteOffset < x.byteOffset;
    above ||= out2.byteOffset > x.byteOffset;
  }
  if (below && above) return plan | SNAPSHOT;
  return above ? plan | BACKWARD : plan;
}

/** Whether a caller's array shares the backend's scratch buffers (in `memory`, its current buffer). */
function inScratch(heap: Heap, memory: ArrayBufferLike, v: FloatArray): boolean {
  return mayAlias(v.buffer, memory) && v.byteOffset < heap.scratchEnd && heap.scratchStart < v.byteOffset + v.byteLength;
}

/** Below this many elements a loop copies faster than creating a subarray for set() (copyOut). */
const SMALL = 64;

/** dst[at .. at + count) = src[0 .. count). */
function copyOut<T extends FloatArray>(dst: T, at: number, src: T, count: number): void {
  if (count === src.length) dst.set(src, at);
  else if (count <= SMALL) for (let i = 0; i < count; i++) dst[at + i] = src[i]!;
  else dst.set(src.subarray(0, count), at);
}

/**
 * The first `length` (> 0) elements of the scratch output, as a view for set(). The view of the
 * last length asked for is kept on the scratch views, so a run of calls of one length allocates
 * nothing (calls that alternate lengths allocate a view each, as copyOut does above SMALL).
 * After memory grows, new scratch views come with a new cache; a view left on the old buffer
 * has length 0, so the length test alone would also refuse it.
 */
function results<T extends FloatArray>(scratch: Scratch<T>, length: number): T {
  let head = scratch.head;
  if (head.length !== length) scratch.head = head = scratch.output.subarray(0, length) as T;
  return head;
}

/**
 * Runs `kernel` over x into out (and out2) through the scratch buffers of `lanes` (a backend's
 * float32 kernels, or its double ones with Float64Arrays), one chunk of scratchLength elements
 * at a time, in the order planOrder chooses.
 */
export function forEachChunk<T extends FloatArray>(call: string, lanes: Lanes<T>, kernel: KernelId, x: T, out: T, out2?: T): void {
  const length = x.length;
  if (length === 0) return;
  // The views are fetched once: nothing below grows memory.
  const scratch = lanes.scratch();
  const { input, output, output2 } = scratch;
  // One chunk with one result needs no look at the buffers (reading an array's buffer or byte
  // offset costs 15-20 ns each in V8 11.3, where a 16-element call takes ~150): all of x is
  // copied in before anything is written, and set() copies as if through a temporary where
  // source and target share memory, so x and out may overlap each other and the scratch buffers.
  if (out2 === undefined && length <= lanes.scratchLength) {
    input.set(x);
    lanes.run(kernel, length);
    out.set(results(scratch, length));
    return;
  }
  const heap = lanes.heap;
  // The common case, decided without further work: distinct ordinary ArrayBuffers of this
  // realm, none of them the backend's memory, cannot overlap anything. (Anything else, shared
  // or from another realm, takes the general path.)
  const memory = heap === undefined ? undefined : input.buffer;
  const xBuffer = x.buffer;
  const outBuffer = out.buffer;
  const out2Buffer = out2 === undefined ? undefined : out2.buffer;
  if (
    xBuffer !== outBuffer &&
    xBuffer instanceof ArrayBuffer &&
    outBuffer instanceof ArrayBuffer &&
    xBuffer !== memory &&
    outBuffer !== memory &&
    (out2Buffer === undefined ||
      (out2Buffer !== xBuffer && out2Buffer !== outBuffer && out2Buffer instanceof ArrayBuffer && out2Buffer !== memory))
  ) {
    stream(lanes, kernel, x, out, out2, false, input, output, output2);
    return;
  }
  // Temporary arrays of the element type (the scratch views are of this realm).
  const make = (n: number): T => new (input.constructor as new (length: number) => T)(n);
  const plan = planOrder(call, x, out, out2);
  let source = plan & SNAPSHOT ? x.slice() : x;
  let backward = (plan & BACKWARD) !== 0;
  let finalOut: T | undefined;
  let finalOut2: T | undefined;
  if (out2 && plan & STAGE_OUT2) {
    finalOut2 = out2;
    out2 = make(length);
  }
  // A caller's view on the backend's own memory must not share the scratch buffers, or one
  // chunk would overwrite the next one's input or the previous one's output: stage such
  // arrays in ordinary memory.
  if (heap && memory) {
    if (inScratch(heap, memory, source)) source = source.slice();
    if (inScratch(heap, memory, out) || (out2 && inScratch(heap, memory, out2))) {
      finalOut = out;
      out = make(length);
      if (out2 && !finalOut2) {
        finalOut2 = out2;
        out2 = make(length);
      }
      backward = false;
    }
  }
  stream(lanes, kernel, source as T, out, out2, backward, input, output, output2);
  if (finalOut) finalOut.set(out);
  if (finalOut2 && out2) finalOut2.set(out2);
}

/** The chunk loop itself: copy a chunk in, run the kernel on it, copy its results out. */
function stream<T extends FloatArray>(
  lanes: Lanes<T>,
  kernel: KernelId,
  source: T,
  out: T,
  out2: T | undefined,
  backward: boolean,
  input: T,
  output: T,
  output2: T,
): void {
  const length = source.length;
  const chunk = lanes.scratchLength;
  const chunks = Math.ceil(length / chunk);
  for (let k = 0; k < chunks; k++) {
    const start = (backward ? chunks - 1 - k : k) * chunk;
    const count = Math.min(chunk, length - start);
    if (count === length) input.set(source);
    else input.set(source.subarray(start, start + count) as T);
    lanes.run(kernel, count);
    copyOut(out, start, output, count);
    if (out2) copyOut(out2, start, output2, count);
  }
}

/**
 * Runs a row function over x, rows of `rowLength`, into out (one result per element, or per
 * row when `perRow`) through the backend's scratch buffers: as many whole rows per chunk as fit,
 * or, for a row longer than a chunk, that row streamed pass by pass (RowPasses), in chunks of
 * scratchLength floats, a multiple of ROW_BLOCK: the same bits either way.
 */
export function forEachRow(backend: Backend, kind: RowKind, perRow: boolean, x: Float32Array, out: Float32Array, rowLength: number): void {
  const rows = x.length / rowLength;
  if (rows === 0) return;
  const { input, output } = backend.scratch();
  const heap = backend.heap;
  const memory = heap === undefined ? undefined : input.buffer;
  // In place is fine: every pass reads a chunk before it writes its results there, and pass 2
  // overwrites x only where pass 3 needs nothing but what it wrote (softmax's E). Any other
  // overlap, or a view of the scratch buffers, reads from a copy; results bound for the scratch
  // buffers are staged.
  let source = x;
  const inPlace = x.buffer === out.buffer && x.byteOffset === out.byteOffset && !perRow;
  if ((!inPlace && overlaps(x, out)) || (heap && memory && inScratch(heap, memory, x))) source = x.slice();
  const target = heap && memory && inScratch(heap, memory, out) ? new Float32Array(out.length) : out;
  const passes = backend.rowPasses;
  const chunk = backend.scratchLength;
  if (rowLength <= chunk) {
    const perChunk = Math.floor(chunk / rowLength);
    for (let r = 0; r < rows; r += perChunk) {
      const count = Math.min(perChunk, rows - r);
      const start = r * rowLength;
      const n = count * rowLength;
      input.set(n === source.length ? source : source.subarray(start, start + n));
      passes.rows(kind, rowLength, count);
      if (perRow) copyOut(target, r, output, count);
      else copyOut(target, start, output, n);
    }
  } else {
    const storesE = kind === ROW_KINDS.softmax;
    for (let r = 0; r < rows; r++) {
      const row = r * rowLength;
      const end = row + rowLength;
      const load = (from: number): number => {
        const to = Math.min(from + chunk, end);
        input.set(source.subarray(from, to));
        return to - from;
      };
      passes.start();
      for (let at = row; at < end; at += chunk) passes.max(load(at));
      for (let at = row; at < end; at += chunk) {
        const n = load(at);
        passes.sum(kind, n);
        if (storesE) copyOut(target, at, output, n);
      }
      let value = passes.finish(kind);
      if (perRow) {
        if (passes.needsAccurateSum()) {
          passes.restart();
          for (let at = row; at < end; at += chunk) passes.sum(K.LOG_SUM_EXP_ACCURATE, load(at));
          value = passes.finish(K.LOG_SUM_EXP_ACCURATE);
        }
        target[r] = value;
        continue;
      }
      for (let at = row; at < end; at += chunk) {
        const n = Math.min(chunk, end - at);
        if (storesE) output.set(target.subarray(at, at + n));
        else input.set(source.subarray(at, at + n));
        passes.output(kind, n);
        copyOut(target, at, output, n);
      }
    }
  }
  if (target !== out) out.set(target);
}
