// The WASM backends: instantiate one of the embedded builds, check it, and give the engine
// cached views of its scratch buffers and a heap for resident arrays.
import type { KernelExports } from '../kernels.js';
import type { Backend, DoubleLanes, Heap, KernelId, RowKind, RowPasses, Scratch } from '../backend.js';
import * as K from '../generated/constants.js';
import {
  KERNEL_IDS,
  ROW_KINDS,
  SELF_CHECK_HASHES,
  SELF_CHECK_INPUTS,
  SELF_CHECK_ROW_HASHES,
  SELF_CHECK_DOUBLE_HASH,
  type KernelName,
  type RowKindName,
} from '../generated/kernels.js';
import { SELF_CHECK_ROW_LENGTH, hashFloat32Bits, hashFloat64, selfCheckDoubles, selfCheckRows } from '../hash.js';
import { JsBackend } from './js.js';
import { JsRowPasses } from './js-rows.js';
import { BYTE_TEXT_DECODER, SCALAR_WASM, SIMD_WASM, THREADS_MEMORY_PAGES, THREADS_WASM_PATCH, WASM_SINGLES } from '../generated/wasm.js';
import { byteTextDecoder } from '../byte-text.js';

export type WasmFlavor = 'simd' | 'scalar';

// The plain WebAssembly API, not @assemblyscript/loader: the builds import nothing (runtime
// "stub", no abort) and export only numbers, functions of numbers and one memory, so the
// loader's string, array and demangling helpers would add nothing but 2.5 KB gzipped to every
// bundle.
async function instantiate(source: BufferSource | WebAssembly.Module, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  return source instanceof WebAssembly.Module
    ? WebAssembly.instantiate(source, imports)
    : (await WebAssembly.instantiate(source, imports)).instance;
}

const PAGE_BYTES = 65536;
const ALIGN_BYTES = 16;

/**
 * Buffers of WASM memories that have grown since. Growth detaches them, so a view on one has
 * length 0; the engine uses this set to reject such a stale view instead of treating it as an
 * empty array.
 */
const retiredBuffers = new WeakSet<ArrayBufferLike>();

export function isRetiredWasmBuffer(buffer: ArrayBufferLike): boolean {
  return retiredBuffers.has(buffer);
}

type Build = WasmFlavor | 'threads';
const decoded: Partial<Record<Build, Uint8Array<ArrayBuffer>>> = {};

/** The embedded bytes of a build, decoded once (the threads build patched from the SIMD one). */
export function wasmBytes(build: Build): Uint8Array<ArrayBuffer> {
  return (decoded[build] ??= build === 'threads' ? patched(wasmBytes('simd'), THREADS_WASM_PATCH) : decode(build === 'simd' ? SIMD_WASM : SCALAR_WASM));
}

let decoder: ((text: string) => Uint8Array<ArrayBuffer>) | undefined;
function decode(text: string): Uint8Array<ArrayBuffer> {
  return (decoder ??= byteTextDecoder(new Uint8Array(BYTE_TEXT_DECODER), WASM_SINGLES))(text);
}

/** Applies a patch of scripts/embed-wasm.mjs: runs of [bytes to copy, bytes to skip, bytes to insert]. */
function patched(from: Uint8Array, runs: readonly (readonly [number, number, string])[]): Uint8Array<ArrayBuffer> {
  const inserts = runs.map(([, , insert]) => decode(insert));
  const out = new Uint8Array(runs.reduce((n, [copy], k) => n + copy + inserts[k]!.length, 0));
  let [i, j] = [0, 0];
  runs.forEach(([copy, skip], k) => {
    out.set(from.subarray(i, i + copy), j);
    out.set(inserts[k]!, j + copy);
    i += copy + skip;
    j += copy + inserts[k]!.length;
  });
  return out;
}

/** Why a build cannot run here, or undefined if WebAssembly accepts it. */
function unsupportedReason(flavor: WasmFlavor, bytes: BufferSource): string | undefined {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) return 'WebAssembly is not available in this runtime';
  if (!WebAssembly.validate(bytes)) {
    return flavor === 'simd'
      ? 'this runtime does not support 128-bit WebAssembly SIMD (the SIMD build does not validate)'
      : 'this runtime rejects the scalar build (it does not validate)';
  }
  return undefined;
}

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

/** Throws BackendUnavailableError if this runtime cannot compile the build. */
function requireSupport(flavor: WasmFlavor, source: Uint8Array<ArrayBuffer>): void {
  const reason = unsupportedReason(flavor, source);
  if (reason) throw new BackendUnavailableError(reason);
}

function instantiationFailed(flavor: WasmFlavor, error: unknown): BackendUnavailableError {
  return new BackendUnavailableError(`instantiating the ${flavor} build failed: ${String(error)}`);
}

/**
 * Instantiates a build synchronously and self-checks it. `source` replaces the embedded bytes
 * (tests use it to feed a deliberately broken build).
 */
export function loadWasmBackendSync(flavor: WasmFlavor, source: Uint8Array<ArrayBuffer> = wasmBytes(flavor)): WasmBackend {
  let exports: unknown;
  try {
    exports = new WebAssembly.Instance(new WebAssembly.Module(source)).exports;
  } catch (error) {
    // Only now, for the reason: compiling validates, and validating the SIMD build again first
    // cost ~0.3 ms of the first call.
    requireSupport(flavor, source);
    throw instantiationFailed(flavor, error);
  }
  return selfChecked(new WasmBackend(flavor, exports as KernelExports));
}

/** The asynchronous twin of loadWasmBackendSync: compiles off the main thread where it can. */
export async function loadWasmBackend(flavor: WasmFlavor, source: Uint8Array<ArrayBuffer> = wasmBytes(flavor)): Promise<WasmBackend> {
  let exports: unknown;
  try {
    exports = (await instantiate(source)).exports;
  } catch (error) {
    requireSupport(flavor, source); // as in loadWasmBackendSync
    throw instantiationFailed(flavor, error);
  }
  return selfChecked(new WasmBackend(flavor, exports as KernelExports));
}

/**
 * The threads build, compiled, with a new shared memory of its limits: what the worker pool
 * hands every worker. Throws BackendUnavailableError where it cannot run (no shared memory, no
 * threads or SIMD support).
 */
export async function compileThreadsBuild(): Promise<{ module: WebAssembly.Module; memory: WebAssembly.Memory }> {
  const bytes = wasmBytes('threads');
  if (typeof WebAssembly !== 'object' || WebAssembly === null) throw new BackendUnavailableError('WebAssembly is not available in this runtime');
  if (typeof SharedArrayBuffer !== 'function') {
    throw new BackendUnavailableError('SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated)');
  }
  if (!WebAssembly.validate(bytes)) throw new BackendUnavailableError('this runtime does not support WebAssembly threads with SIMD');
  try {
    const memory = new WebAssembly.Memory({ ...THREADS_MEMORY_PAGES, shared: true });
    return { module: await WebAssembly.compile(bytes), memory };
  } catch (error) {
    throw instantiationFailed('simd', error);
  }
}

/** An instance of the threads build over `memory`, as a backend of this thread, self-checked. */
export async function loadThreadsBackend(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WasmBackend> {
  let exports: unknown;
  try {
    exports = (await instantiate(module, { env: { memory } })).exports;
  } catch (error) {
    throw instantiationFailed('simd', error);
  }
  return selfChecked(new WasmBackend('simd', exports as KernelExports));
}

/** Floats per vector operation in each build (assembly/map.ts, exported as LANES). */
const LANES: Record<WasmFlavor, number> = { simd: 4, scalar: 1 };

/**
 * A build supplied by the caller instead of the embedded bytes: compiled, as bytes, as a fetch
 * Response (or a promise of one), or the URL to fetch it from.
 */
export type WasmSource = WebAssembly.Module | WasmData;
type WasmData = ArrayBuffer | ArrayBufferView | Response | PromiseLike<Response> | URL | string;

/** Whether `value` has one of the WasmSource types (checked before anything is fetched). */
export function isWasmSource(value: unknown): value is WasmSource {
  return (
    typeof value === 'string' ||
    value instanceof URL ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof WebAssembly === 'object' && value instanceof WebAssembly.Module) ||
    (typeof Response === 'function' && value instanceof Response) ||
    (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function') ||
    (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)
  );
}

/**
 * Loads a caller's build: fetches or reads it, compiles it, tells which build it is from its
 * LANES export, and self-checks it like the embedded ones. A Response is read as bytes rather
 * than compiled while streaming, so that a server sending .wasm with a generic content type
 * still works; the modules are a few kilobytes.
 */
export async function loadWasmBackendFrom(source: WasmSource): Promise<WasmBackend> {
  let exports: Partial<KernelExports>;
  try {
    const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(await bytesOf(source as WasmData));
    exports = (await instantiate(module)).exports as Partial<KernelExports>;
  } catch (error) {
    throw new BackendUnavailableError(`cannot load it: ${String(error)}`);
  }
  const lanes = exports.LANES?.value as unknown;
  if (lanes !== LANES.simd && lanes !== LANES.scalar) throw new BackendUnavailableError('it is not a simd-activations build (it exports no LANES)');
  if (typeof exports.run64 !== 'function') throw new BackendUnavailableError('it is a build of an older version of simd-activations (it exports no run64)');
  return selfChecked(new WasmBackend(lanes === LANES.simd ? 'simd' : 'scalar', exports as KernelExports));
}

async function bytesOf(source: WasmData): Promise<Uint8Array<ArrayBuffer>> {
  const resolved: unknown = typeof source === 'string' || source instanceof URL ? await fetch(source) : await source;
  if (typeof Response === 'function' && resolved instanceof Response) {
    if (!resolved.ok) throw new Error(`fetching ${resolved.url} answered HTTP ${resolved.status}`);
    return new Uint8Array(await resolved.arrayBuffer());
  }
  // A copy: compiling from a view the caller can still change (or share) would race with it.
  if (ArrayBuffer.isView(resolved)) return new Uint8Array(resolved.buffer, resolved.byteOffset, resolved.byteLength).slice();
  if (resolved instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && resolved instanceof SharedArrayBuffer)) {
    return new Uint8Array(resolved).slice();
  }
  throw new TypeError(`the promise resolved to ${resolved === null ? 'null' : typeof resolved}, not a Response`);
}

/**
 * Runs every kernel on the self-check's inputs and compares a hash of the output bits with the
 * one recorded at build time (NaN matching any NaN). An engine that compiles and validates a
 * module can still compute wrong results (Safari 16.4 shipped a SIMD miscompilation); such a
 * backend is rejected rather than trusted. The reason names the first input where the build
 * differs from the JS emulation.
 */
function selfChecked(backend: WasmBackend): WasmBackend {
  const n = SELF_CHECK_INPUTS.length;
  const scratch = backend.scratch();
  const words = (view: Float32Array): Uint32Array => new Uint32Array(view.buffer, view.byteOffset, n);
  for (const kernel of Object.keys(SELF_CHECK_HASHES) as KernelName[]) {
    scratch.input.set(SELF_CHECK_INPUTS);
    scratch.output2.fill(0, 0, n); // a kernel with one result leaves it zero, as recorded
    backend.run(KERNEL_IDS[kernel], n);
    if (hashFloat32Bits(words(scratch.output2), hashFloat32Bits(words(scratch.output))) !== SELF_CHECK_HASHES[kernel]) {
      throw new BackendUnavailableError(`the ${backend.name} build failed its self-check: ${kernel}${firstDifference(kernel, scratch)}`);
    }
  }
  checkRows(backend);
  return backend;
}

/**
 * The double kernels' self-check (SIMD build): every one on selfCheckDoubles (src/hash.ts)
 * against the hash the build recorded. A runtime with broken f64x2 arithmetic would otherwise
 * pass the float32 checks and return wrong doubles. Run on the first use of the double kernels
 * (WasmBackend.double), not at load: compiling them costs ~2 ms (6.5 -> 4.5 ms first call).
 */
function checkDoubles(backend: WasmBackend, lanes: DoubleLanes): void {
  const inputs = selfCheckDoubles(SELF_CHECK_INPUTS);
  const n = inputs.length;
  const { input, output, output2 } = lanes.scratch();
  // It runs in the middle of a caller's first double call, whose arrays may be views of this
  // memory lying on the scratch buffers: what it overwrites is put back.
  const scratchBytes = new Uint8Array(backend.buffer(), backend.scratchStart, backend.scratchEnd - backend.scratchStart);
  const saved = scratchBytes.slice();
  let hash: number | undefined;
  try {
    // Every kernel in id order (kernel-ids.ts numbers them from 0), as the build recorded them.
    for (let id = 0; id < Object.keys(KERNEL_IDS).length; id++) {
      input.set(inputs);
      output2.fill(0, 0, n);
      lanes.run(id, n);
      hash = hashFloat64(output2.subarray(0, n), hashFloat64(output.subarray(0, n), hash));
    }
  } finally {
    scratchBytes.set(saved);
  }
  if (hash !== SELF_CHECK_DOUBLE_HASH) {
    throw new BackendUnavailableError(`the ${backend.name} build failed its self-check: its double-precision kernels gave outputs other than those recorded at build time`);
  }
}

/**
 * The row functions' self-check (the SIMD build's: the scalar build runs the JS twin): each
 * function's results for selfCheckRows (src/hash.ts) against the hash the build recorded.
 */
function checkRows(backend: WasmBackend): void {
  if (backend.name !== 'simd') return;
  const scratch = backend.scratch();
  const rows = selfCheckRows(SELF_CHECK_INPUTS);
  for (const [name, kind] of Object.entries(ROW_KINDS) as [RowKindName, number][]) {
    scratch.input.set(rows);
    backend.rowPasses.rows(kind, SELF_CHECK_ROW_LENGTH, rows.length / SELF_CHECK_ROW_LENGTH);
    const count = kind === ROW_KINDS.logSumExp ? rows.length / SELF_CHECK_ROW_LENGTH : rows.length;
    if (hashFloat32Bits(new Uint32Array(scratch.output.buffer, scratch.output.byteOffset, count)) !== SELF_CHECK_ROW_HASHES[name]) {
      throw new BackendUnavailableError(`the ${backend.name} build failed its self-check: ${name} gave outputs other than those recorded at build time`);
    }
  }
}

/** Where a failed kernel's outputs (in `got`) differ from the JS emulation's, for the message. */
function firstDifference(kernel: KernelName, got: Scratch): string {
  const js = new JsBackend();
  const want = js.scratch();
  want.input.set(SELF_CHECK_INPUTS);
  js.run(KERNEL_IDS[kernel], SELF_CHECK_INPUTS.length);
  const bits = (view: Float32Array, i: number): number => new Uint32Array(view.buffer, view.byteOffset + 4 * i, 1)[0]!;
  for (let i = 0; i < SELF_CHECK_INPUTS.length; i++) {
    for (const output of ['output', 'output2'] as const) {
      const [a, b] = [bits(got[output], i), bits(want[output], i)];
      if (!sameFloatBits(a, b)) return `(${SELF_CHECK_INPUTS[i]}) gave bits 0x${a.toString(16)}, expected 0x${b.toString(16)}`;
    }
  }
  return ' gave outputs other than those recorded at build time';
}

/** Bit equality of two float32 bit patterns, any NaN equal to any NaN. */
function sameFloatBits(a: number, b: number): boolean {
  const isNaN = (bits: number): boolean => (bits & 0x7fffffff) > 0x7f800000;
  return a === b || (isNaN(a) && isNaN(b));
}

export class WasmBackend implements Backend, Heap {
  readonly scratchLength: number;
  readonly scratchStart: number;
  readonly scratchEnd: number;
  readonly heap: Heap = this;
  /** The worker pool's part of the layout (threads build; maxWorkers is 0 in the others). */
  readonly layout: { readonly maxWorkers: number; readonly workerStatus: number };
  private readonly memory: WebAssembly.Memory;
  private readonly pointers: readonly [number, number, number];
  private readonly tail: number;
  private readonly rowState: number;
  private readonly jsRows: JsRowPasses | undefined;
  private views: Scratch | undefined;
  private views64: Scratch<Float64Array> | undefined;
  readonly rowPasses: RowPasses;
  private doubleLanes: DoubleLanes | undefined;
  private doublesChecked = false;
  /** Free byte ranges above the static data, sorted by address, never adjacent. */
  private readonly free_: { start: number; end: number }[] = [];
  private readonly allocated = new Map<number, number>();

  constructor(
    readonly name: WasmFlavor,
    private readonly exports: KernelExports,
  ) {
    this.memory = exports.memory;
    this.layout = { maxWorkers: exports.MAX_WORKERS.value as number, workerStatus: exports.WORKER_STATUS.value as number };
    this.scratchLength = exports.SCRATCH_LENGTH.value as number;
    this.pointers = [
      exports.SCRATCH_INPUT.value as number,
      exports.SCRATCH_OUTPUT.value as number,
      exports.SCRATCH_OUTPUT2.value as number,
    ];
    this.tail = exports.SCRATCH_TAIL.value as number;
    this.rowState = exports.SCRATCH_ROW_STATE.value as number;
    // The tail area and the row state (memory.ts) count as scratch: no caller's array may share them either.
    this.scratchStart = Math.min(...this.pointers, this.tail, this.rowState);
    this.scratchEnd = Math.max(
      ...this.pointers.map((p) => p + this.scratchLength * 4),
      this.tail + (exports.TAIL_BYTES.value as number),
      this.rowState + K.ROW_STATE_BYTES,
    );
    const [input, output] = this.pointers;
    const state = this.rowState;
    const e = exports;
    // The scalar build has no row functions (assembly/softmax.ts): the JS twin runs them on its memory.
    this.jsRows = name === 'scalar' ? new JsRowPasses(() => this.scratch()) : undefined;
    this.rowPasses = this.jsRows ?? {
      rows: (kind, rowLength, rows) => e.rows(kind, input, output, rowLength, rows, state),
      start: () => e.rowStart(state),
      restart: () => e.rowRestart(state),
      max: (length) => e.rowMax(input, length, state),
      sum: (kind, length) => e.rowSum(kind, input, output, length, state),
      finish: (kind) => e.rowFinish(kind, state),
      needsAccurateSum: () => e.rowNeedsAccurateSum(state) !== 0,
      output: (kind, length) => e.rowOutput(kind, input, output, length, state),
    };
    // The double kernels (SIMD build only) on the same scratch buffers, half as many elements each.
    this.doubleLanes =
      name === 'simd'
        ? {
            scratchLength: this.scratchLength / 2,
            heap: this,
            scratch: () => this.scratch64(),
            run: (kernel, length) => e.run64(kernel, input, output, this.pointers[2], length, this.tail),
            runAt: (kernel, x, out, out2, length) => e.run64(kernel, x, out, out2, length, this.tail),
          }
        : undefined;
    const heapBase = exports.heapBase();
    const end = this.memory.buffer.byteLength;
    if (end > heapBase) this.free_.push({ start: heapBase, end });
  }

  /**
   * The double kernels, self-checked on first use; undefined in the scalar build, or where they
   * failed the check (then Float64Arrays run the JS twin, which gives the bits they should have).
   */
  get double(): DoubleLanes | undefined {
    if (!this.doublesChecked && this.doubleLanes) {
      this.doublesChecked = true;
      try {
        checkDoubles(this, this.doubleLanes);
      } catch (error) {
        this.doubleLanes = undefined;
        console.warn(`simd-activations: ${(error as Error).message}; doubles run in JavaScript instead, with the same results.`);
      }
    }
    return this.doubleLanes;
  }

  buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  scratch(): Scratch {
    return (this.views = this.viewsOf(this.views, Float32Array));
  }

  /** The scratch buffers as Float64Arrays, for the double kernels. */
  private scratch64(): Scratch<Float64Array> {
    return (this.views64 = this.viewsOf(this.views64, Float64Array));
  }

  /** Views of the scratch buffers: `views` while still valid, else new ones of `type`. */
  private viewsOf<T extends Float32Array | Float64Array>(
    views: Scratch<T> | undefined,
    type: { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number },
  ): Scratch<T> {
    // Growth detaches the old buffer, and every view on it then has length 0: rebuild. Checking
    // a view's length costs less than reading memory.buffer, a call into the engine.
    if (views !== undefined && views.input.length !== 0) return views;
    const buffer = this.memory.buffer;
    const length = (this.scratchLength * 4) / type.BYTES_PER_ELEMENT;
    const [input, output, output2] = this.pointers.map((pointer) => new type(buffer, pointer, length)) as [T, T, T];
    return { input, output, output2, head: output };
  }

  run(kernel: KernelId, length: number): void {
    const [input, output, output2] = this.pointers;
    this.runAt(kernel, input, output, output2, length);
  }

  runAt(kernel: KernelId, input: number, output: number, output2: number, length: number): void {
    this.exports.run(kernel, input, output, output2, length, this.tail);
  }

  rowsAt(kind: RowKind, input: number, output: number, rowLength: number, rows: number): void {
    if (this.jsRows === undefined) return this.exports.rows(kind, input, output, rowLength, rows, this.rowState);
    const buffer = this.memory.buffer;
    const length = rowLength * rows;
    this.jsRows.rowsOf(kind, new Float32Array(buffer, input, length), new Float32Array(buffer, output, kind === ROW_KINDS.logSumExp ? rows : length), rowLength, rows);
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN_BYTES, Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES);
    let index = this.free_.findIndex((range) => range.end - range.start >= size);
    if (index < 0) {
      this.growFor(size);
      index = this.free_.length - 1;
    }
    const range = this.free_[index]!;
    const pointer = range.start;
    range.start += size;
    if (range.start === range.end) this.free_.splice(index, 1);
    this.allocated.set(pointer, size);
    return pointer;
  }

  free(pointer: number): void {
    const size = this.allocated.get(pointer);
    if (size === undefined) return;
    this.allocated.delete(pointer);
    const ranges = this.free_;
    let i = 0;
    while (i < ranges.length && ranges[i]!.start < pointer) i++;
    ranges.splice(i, 0, { start: pointer, end: pointer + size });
    // Merge with the neighbours, so that free space never fragments into adjacent pieces.
    if (i + 1 < ranges.length && ranges[i]!.end === ranges[i + 1]!.start) {
      ranges[i]!.end = ranges[i + 1]!.end;
      ranges.splice(i + 1, 1);
    }
    if (i > 0 && ranges[i - 1]!.end === ranges[i]!.start) {
      ranges[i - 1]!.end = ranges[i]!.end;
      ranges.splice(i, 1);
    }
  }

  /** Grows memory so that the last free range (extended to the end of memory) holds `size`. */
  private growFor(size: number): void {
    const oldBuffer = this.memory.buffer;
    const end = oldBuffer.byteLength;
    const last = this.free_[this.free_.length - 1];
    const tail = last && last.end === end ? last : undefined;
    const start = tail ? tail.start : end;
    const pages = Math.ceil((start + size - end) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(`cannot reserve ${size} bytes of WebAssembly memory: it cannot grow by ${pages} pages`);
    }
    retiredBuffers.add(oldBuffer);
    const newEnd = this.memory.buffer.byteLength;
    if (tail) tail.end = newEnd;
    else this.free_.push({ start, end: newEnd });
  }
}
