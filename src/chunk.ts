// The one copy path: every float32 call streams its arrays through a backend's scratch buffers
// here, so that WASM memory stays the same size whatever the input length.
import type { Backend, KernelName } from './backend.js';

type FloatArray = Float32Array | Float64Array;

/**
 * Distinct SharedArrayBuffer objects can share one block of memory (a buffer posted to a
 * worker and back, or a WebAssembly.Memory's buffer before and after growth), always from the
 * same base, so their byte offsets are comparable. Treat them as possibly the same memory.
 */
function mayAlias(a: ArrayBufferLike, b: ArrayBufferLike): boolean {
  if (a === b) return true;
  return typeof SharedArrayBuffer === 'function' && a instanceof SharedArrayBuffer && b instanceof SharedArrayBuffer;
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return (
    mayAlias(a.buffer, b.buffer) &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/**
 * How to walk an elementwise map from x to outputs that may overlap it, so that the result is
 * as if all of x had been read before anything was written: forward when every overlapping
 * output starts at or below x (writes land on elements already read), backward when every one
 * starts at or above it, else on a snapshot of x.
 *
 * Two outputs on one buffer that overlap are an error. Two outputs on distinct
 * SharedArrayBuffers whose ranges would overlap if the buffers were one memory are most likely
 * separate: then the second output is staged (computed into a temporary array and copied last).
 */
export function planOrder<T extends FloatArray>(
  call: string,
  x: T,
  out: T,
  out2?: T,
): { source: T; backward: boolean; stageOut2: boolean } {
  const stageOut2 = out2 !== undefined && overlaps(out, out2);
  if (stageOut2 && out.buffer === out2.buffer) {
    throw new RangeError(`${call}: the two outputs overlap in memory; pass separate arrays.`);
  }
  let below = false;
  let above = false;
  for (const o of out2 && !stageOut2 ? [out, out2] : [out]) {
    if (!overlaps(x, o)) continue;
    if (o.byteOffset < x.byteOffset) below = true;
    if (o.byteOffset > x.byteOffset) above = true;
  }
  if (below && above) return { source: x.slice() as T, backward: false, stageOut2 };
  return { source: x, backward: above, stageOut2 };
}

/**
 * Runs `kernel` over x into out (and out2) through the backend's scratch buffers, one chunk of
 * scratchLength floats at a time, in the order planOrder chooses.
 */
export function forEachChunk(
  call: string,
  backend: Backend,
  kernel: KernelName,
  x: Float32Array,
  out: Float32Array,
  out2?: Float32Array,
): void {
  const length = x.length;
  if (length === 0) return;
  let { source, backward, stageOut2 } = planOrder(call, x, out, out2);
  let finalOut: Float32Array | undefined;
  let finalOut2: Float32Array | undefined;
  if (stageOut2) {
    finalOut2 = out2;
    out2 = new Float32Array(length);
  }
  // A caller's view on the backend's own memory must not share the scratch buffers, or one
  // chunk would overwrite the next one's input or the previous one's output: stage such
  // arrays in ordinary memory.
  const heap = backend.heap;
  if (heap) {
    const inScratch = (v: Float32Array): boolean =>
      mayAlias(v.buffer, heap.buffer()) && v.byteOffset < heap.scratchEnd && heap.scratchStart < v.byteOffset + v.byteLength;
    if (inScratch(source)) source = source.slice();
    if (inScratch(out) || (out2 && inScratch(out2))) {
      finalOut = out;
      out = new Float32Array(length);
      if (out2 && !finalOut2) {
        finalOut2 = out2;
        out2 = new Float32Array(length);
      }
      backward = false;
    }
  }

  const { input, output, output2 } = backend.scratch();
  const chunk = backend.scratchLength;
  const chunks = Math.ceil(length / chunk);
  for (let k = 0; k < chunks; k++) {
    const start = (backward ? chunks - 1 - k : k) * chunk;
    const count = Math.min(chunk, length - start);
    input.set(count === length ? source : source.subarray(start, start + count));
    backend.run(kernel, count);
    out.set(count === chunk ? output : output.subarray(0, count), start);
    if (out2) out2.set(count === chunk ? output2 : output2.subarray(0, count), start);
  }
  if (finalOut) finalOut.set(out);
  if (finalOut2 && out2) finalOut2.set(out2);
}
