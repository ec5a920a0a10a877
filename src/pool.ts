// The worker pool: the same functions, asynchronous, split across workers (worker_threads in
// Node, Web Workers in browsers) that each run the threads build over one shared
// WebAssembly.Memory. This thread owns that memory: it instantiates the build too, and its
// engine allocates every buffer (resident arrays, the staging buffers below); the workers only
// compute slices and report through their status words (assembly/memory.ts).
//
// Where the data is decides the work:
// - resident arrays (pool.alloc) are in the shared memory: the workers compute in place;
// - Float32Arrays on another SharedArrayBuffer: each worker streams its slice through its own
//   scratch buffers;
// - ordinary arrays: this thread copies them into staging buffers in the shared memory, in
//   rounds of STAGE_LENGTH floats, double-buffered so that copying round k + 1 in (and round
//   k - 1 out) overlaps the workers computing round k.
// Anything else (numbers, Float64Arrays, small arrays, outputs that partly overlap the input)
// runs on this thread through the engine, exactly as the synchronous API would.
import {
  BackendUnavailableError,
  compileThreadsBuild,
  isRetiredWasmBuffer,
  loadThreadsBackend,
  type WasmBackend,
} from './backends/wasm.js';
import { isShared, overlaps } from './chunk.js';
import { checkOptions, intrinsicView } from './validate.js';
import { Engine, ResidentArray, type ResidentType, type RowOptions, type WithDerivative } from './engine.js';
import { ALIASES, ROW_SPECS, SPECS, type FunctionName, type FunctionSpec, type PairName, type RowFunctionName, type RowSpec, type SingleName } from './functions.js';
import { DONE, FAILED, PENDING, nodeBuiltin, type FromWorker, type Location, type ToWorker } from './pool-protocol.js';
import { createEngine } from './select.js';

export interface PoolOptions {
  /** Workers to run (default: the available cores, at most the build's limit of 16). */
  threads?: number;
}

/** The elementwise functions of a pool: the synchronous signatures, returning promises. */
export interface AsyncElementwiseFunction {
  (x: number): Promise<number>;
  (x: Float32Array, out?: Float32Array): Promise<Float32Array>;
  (x: Float64Array, out?: Float64Array): Promise<Float64Array>;
  (x: ResidentArray, out?: ResidentArray): Promise<ResidentArray>;
  (x: ResidentArray<Float64Array>, out?: ResidentArray<Float64Array>): Promise<ResidentArray<Float64Array>>;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O): Promise<O>;
  <O extends Float64Array | ResidentArray<Float64Array>>(x: Float64Array | ResidentArray<Float64Array>, out: O): Promise<O>;
}

/** The functions with two results, of a pool: the synchronous signatures, returning promises. */
export interface AsyncWithDerivativeFunction {
  (x: number): Promise<WithDerivative<number>>;
  (x: Float32Array, y?: Float32Array, dy?: Float32Array): Promise<WithDerivative<Float32Array>>;
  (x: Float64Array, y?: Float64Array, dy?: Float64Array): Promise<WithDerivative<Float64Array>>;
  (x: ResidentArray, y?: ResidentArray, dy?: ResidentArray): Promise<WithDerivative<ResidentArray>>;
  (x: ResidentArray<Float64Array>, y?: ResidentArray<Float64Array>, dy?: ResidentArray<Float64Array>): Promise<WithDerivative<ResidentArray<Float64Array>>>;
}

/** The same as AsyncWithDerivativeFunction (its first name). */
export type AsyncSigmoidWithDerivative = AsyncWithDerivativeFunction;

/** softmax and logSoftmax of a pool: the synchronous signatures (RowFunction), returning promises. */
export interface AsyncRowFunction {
  <X extends Float32Array | Float64Array | ResidentArray | ResidentArray<Float64Array>>(x: X, out?: X, options?: RowOptions): Promise<X>;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O, options?: RowOptions): Promise<O>;
  <X extends Float32Array | Float64Array | ResidentArray | ResidentArray<Float64Array>>(x: X, options: RowOptions): Promise<X>;
}

/** logSumExp of a pool: the synchronous signatures (RowReduction), returning promises. */
export interface AsyncRowReduction {
  (x: Float32Array | Float64Array | ResidentArray | ResidentArray<Float64Array>, out?: undefined, options?: RowOptions & { readonly rowLength?: undefined }): Promise<number>;
  (x: Float32Array | Float64Array | ResidentArray, options: RowOptions & { readonly rowLength?: undefined }): Promise<number>;
  <O extends Float32Array | Float64Array | ResidentArray>(x: Float32Array | Float64Array | ResidentArray, out: O | undefined, options: RowOptions & { readonly rowLength: number }): Promise<O>;
  <O extends Float32Array | Float64Array | ResidentArray>(x: Float32Array | Float64Array | ResidentArray, out: O, options?: RowOptions): Promise<O>;
  <X extends Float32Array | Float64Array | ResidentArray>(x: X, options: RowOptions & { readonly rowLength: number }): Promise<X>;
}

/** Every public function of the registry (src/functions.ts), by name, as a pool has them. */
export type PoolFunctions = { readonly [K in SingleName | keyof typeof ALIASES]: AsyncElementwiseFunction } & { readonly [K in PairName]: AsyncWithDerivativeFunction } & {
  readonly [K in RowFunctionName]: K extends 'logSumExp' ? AsyncRowReduction : AsyncRowFunction;
};

/**
 * Below this many elements a call runs on the calling thread: handing a slice to each worker
 * and waiting for them (~100 us in Node) costs more than it saves. Measured with `npm run bench`
 * on 2 cores: at 256 Ki the pool took 1.4x the time of one thread, at 1 Mi 0.8x.
 */
export const MIN_PARALLEL_LENGTH = 1 << 20;

/**
 * The same for ordinary arrays, which this thread must copy into shared memory and back: on 2
 * cores the copies compete with the workers, and the pool only broke even from 4 Mi elements
 * (0.73x at 1 Mi, 1.0-1.16x at 4 Mi and 16 Mi).
 */
export const MIN_STAGED_LENGTH = 1 << 22;

/** Floats per staging buffer: one round of an ordinary array's copy in, compute, copy out. */
export const STAGE_LENGTH = 1 << 18;

/** One pool worker, whichever the platform's kind. */
interface WorkerHandle {
  post(message: ToWorker): void;
  /** Keeps the Node process alive while a call is in flight (no-op in browsers). */
  hold(active: boolean): void;
  terminate(): void;
}

type Handlers = { message(message: FromWorker): void; crash(error: Error): void };

/**
 * The worker's file, beside this module, for Node. Not a literal inside new URL(): bundlers take
 * that for an asset, and Vite inlined the unbundled file as a data: URL (2.1 KB gzipped in every
 * bundle, and unusable, as a data: module cannot import ./pool-protocol.js). The browser's
 * worker below is the one bundlers must see.
 */
const WORKER_FILE = './pool-worker.js';

function spawnWorker(handlers: Handlers): WorkerHandle {
  const node = nodeBuiltin<{ Worker: new (url: URL, options: { execArgv: string[] }) => NodeWorker }>('node:worker_threads');
  if (node) {
    // None of the process's own flags: some (--input-type, --eval) would stop a worker file loading.
    const worker = new node.Worker(new URL(WORKER_FILE, import.meta.url), { execArgv: [] });
    worker.on('message', handlers.message);
    worker.on('error', handlers.crash);
    worker.on('exit', (code) => handlers.crash(new Error(`the pool's worker exited (code ${code})`)));
    return {
      post: (m) => worker.postMessage(m),
      hold: (active) => (active ? worker.ref() : worker.unref()),
      terminate: () => {
        worker.removeAllListeners('exit');
        void worker.terminate();
      },
    };
  }
  // Written out in full so that bundlers recognise the worker and bundle it.
  const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => handlers.message(event.data);
  worker.onerror = (event) => handlers.crash(new Error(event.message || "the pool's worker failed to load"));
  return { post: (m) => worker.postMessage(m), hold: () => {}, terminate: () => worker.terminate() };
}

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (message: FromWorker) => void): void;
  on(event: 'error', handler: (error: Error) => void): void;
  on(event: 'exit', handler: (code: number) => void): void;
  removeAllListeners(event: string): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };

/** Resolves once status[index] is no longer PENDING, without ever blocking this thread. */
async function settled(status: Int32Array, index: number): Promise<number> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  for (;;) {
    const value = Atomics.load(status, index);
    if (value !== PENDING) return value;
    if (waitAsync) {
      const result = waitAsync(status, index, PENDING);
      if (result.async) await result.value;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 0)); // browsers without waitAsync: poll
    }
  }
}

/** An array of a call, as the pool sees it. */
type Operand =
  | { kind: 'direct'; location: Location; length: number } // in the shared memory, or another SharedArrayBuffer
  | { kind: 'staged'; array: Float32Array }; // ordinary memory: copied through the staging buffers

/**
 * How two operands (of one length) share memory: not at all; the same elements ('same': one
 * array, or two SharedArrayBuffer objects at one offset, which are either separate memory or
 * one array); the same array object ('identical'); or partly. Resident arrays never partly
 * overlap one another, and the pool's memory is never another buffer (plain views of it were
 * turned away). Distinct SharedArrayBuffer objects may be one memory: see overlaps().
 */
function relate(a: Operand, b: Operand): 'disjoint' | 'same' | 'identical' | 'overlap' {
  const pointer = (o: Operand): number | undefined => (o.kind === 'direct' && 'pointer' in o.location ? o.location.pointer : undefined);
  const [pa, pb] = [pointer(a), pointer(b)];
  if (pa !== undefined && pb !== undefined) return pa === pb ? 'identical' : 'disjoint';
  // The pool's memory against ordinary memory: never the same. Against another
  // SharedArrayBuffer: isPoolMemory turned away every buffer of the pool's memory, so not the
  // same memory either.
  if (pa !== undefined || pb !== undefined) return 'disjoint';
  const view = (o: Operand): Float32Array =>
    o.kind === 'staged' ? o.array : new Float32Array((o.location as { buffer: SharedArrayBuffer }).buffer, (o.location as { byteOffset: number }).byteOffset, o.length);
  const [va, vb] = [view(a), view(b)];
  if (!overlaps(va, vb)) return 'disjoint';
  if (va.byteOffset !== vb.byteOffset) return 'overlap';
  return va.buffer === vb.buffer ? 'identical' : 'same';
}

let warned = false;

/** The threads build and the shared memory its instances run on. */
type SharedBuild = { module: WebAssembly.Module; memory: WebAssembly.Memory };

// The registry's functions, as members of every Pool (they are set in the constructor).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Pool extends PoolFunctions {}

export class Pool {
  /** Threads that compute a large call: the workers, or 1 where the pool runs on the calling thread. */
  readonly threads: number;

  // Members are #private (the minifier shortens those names; a property's name stays in the
  // bundle), except those that alloc, free and close reach, so that these work on a Proxy of the
  // pool too (Vue's reactive(), say: a proxy has none of the object's #private members; the
  // registry's functions are bound to the pool itself), and those the tests reach (workers,
  // start, dispatch, scatter, crashed).

  /** Calls run one after another, in the order they were made. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly workers: (WorkerHandle | undefined)[] = [];
  /** Failure messages per worker, and who waits for them. */
  readonly #failures: Error[][] = [];
  readonly #failureWaiters: ((error: Error) => void)[][] = [];
  /** The shared memory's size when the pool was made: no buffer of it is smaller. */
  readonly #initialBytes: number;
  /** Workers being started (or restarted): they get no job until they are ready. */
  private readonly starting = new Set<WorkerHandle>();
  /** Whether a call is on the workers (a worker that becomes ready then must keep Node alive too). */
  #busy = false;
  private closing: Promise<void> | undefined;
  /** Two sets of [input, output, output 2] staging buffers (byte addresses), made on first use. */
  #staging: [number, number, number][] | undefined;

  /** The engine of the pool's memory (shared when there are workers): resident arrays live there. */
  private readonly engine: Engine;
  /** An engine of this thread's own, for ordinary arrays the workers do not take. */
  readonly #local: Engine;
  readonly #backend: WasmBackend | undefined;
  readonly #shared: SharedBuild | undefined;

  /** @internal */
  constructor(engine: Engine, local: Engine, backend: WasmBackend | undefined, shared: SharedBuild | undefined, workers: number) {
    this.engine = engine;
    this.#local = local;
    this.#backend = backend;
    this.#shared = shared;
    this.threads = Math.max(1, workers);
    // Each function of the registry, computed by the workers for large arrays (bound properties).
    const self = this as unknown as Record<FunctionName, unknown>;
    for (const spec of Object.values(SPECS)) self[spec.name] = (x: unknown, out?: unknown, out2?: unknown) => this.#call(spec.name, x, out, out2);
    for (const [alias, name] of Object.entries(ALIASES)) (self as Record<string, unknown>)[alias] = self[name];
    // The row functions, split into whole rows (runRows).
    for (const spec of Object.values(ROW_SPECS)) {
      (self as Record<string, unknown>)[spec.name] = (x: unknown, out?: unknown, options?: unknown) => this.#callRows(spec, x, out, options);
    }
    this.#initialBytes = shared?.memory.buffer.byteLength ?? 0;
    for (let slot = 0; slot < workers; slot++) {
      this.#failures.push([]);
      this.#failureWaiters.push([]);
      this.workers.push(undefined);
    }
  }

  /** @internal Starts worker `slot` and resolves when it has instantiated the build. */
  start(slot: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let starting = true;
      /** It failed to start: its error (a message, or the crash) is the reason. */
      const stop = (reason: string): void => {
        starting = false;
        this.starting.delete(worker);
        worker.terminate();
        reject(new BackendUnavailableError(`the pool's worker could not start: ${reason}`));
      };
      const worker = spawnWorker({
        message: (message) => {
          if (message.type === 'ready') {
            starting = false;
            this.starting.delete(worker);
            if (this.closed) return worker.terminate();
            // Only now does it take jobs.
            this.workers[slot] = worker;
            worker.hold(this.#busy);
            resolve();
          } else if (starting) {
            stop(message.message);
          } else {
            this.#failed(slot, Object.assign(new Error(message.message), { name: message.name }));
          }
        },
        crash: (error) => {
          if (starting) return stop(error.message);
          if (this.workers[slot] === worker) this.crashed(slot, error);
        },
      });
      this.starting.add(worker);
      worker.post({ type: 'init', module: this.#shared!.module, memory: this.#shared!.memory, slot });
    });
  }

  /**
   * Allocates a Float32Array (or with `type` Float64Array, a Float64Array) in the pool's shared
   * memory: the workers compute on a Float32Array in place (doubles run on the calling thread),
   * with no copies. Its views stay valid when memory grows (shared memory is never detached),
   * though `array` gives the current one. Release it with `pool.free(array)` or `array.free()`.
   */
  alloc(length: number, type?: Float32ArrayConstructor): ResidentArray;
  alloc(length: number, type: Float64ArrayConstructor): ResidentArray<Float64Array>;
  alloc(length: number, type: ResidentType = Float32Array): ResidentArray<Float32Array> | ResidentArray<Float64Array> {
    return this.engine.alloc(length, type);
  }

  /** Returns a resident array's memory to the pool. */
  free(array: ResidentArray | ResidentArray<Float64Array>): void {
    if (!(array instanceof ResidentArray) || array.owner !== this.engine) {
      throw new TypeError('pool.free(array): array must be a ResidentArray from this pool’s alloc().');
    }
    array.free(); // freeing twice is harmless
  }

  /**
   * Waits for the calls already made, then ends every worker. Calls made afterwards reject.
   * Resident arrays of the pool must not be used after it is closed.
   */
  close(): Promise<void> {
    return (this.closing ??= this.shut());
  }

  private async shut(): Promise<void> {
    this.closed = true;
    await this.queue;
    for (const worker of [...this.workers, ...this.starting]) worker?.terminate();
    this.starting.clear();
    this.workers.fill(undefined);
  }

  #call(name: FunctionName, x: unknown, out: unknown, out2: unknown): Promise<unknown> {
    return this.#enqueue(name, () => {
      this.engine.check(name, x, out, out2);
      return () => this.#run(name, x, out, out2);
    });
  }

  #callRows(spec: RowSpec, x: unknown, out: unknown, options: unknown): Promise<unknown> {
    return this.#enqueue(spec.name, () => {
      // The call runs with what was checked: options is read here, once, not again in its turn.
      const [o, , rowLength, , whole] = this.engine.checkRows(spec, x, out, options);
      return () => this.#runRows(spec, x, o, whole ? undefined : { rowLength });
    });
  }

  /**
   * Queues a call: `check` runs at once (a bad argument rejects before anything runs) and
   * returns the work, which runs after the calls already made, one after another.
   */
  #enqueue(name: string, check: () => () => unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`pool.${name}: the pool is closed; create another with createPool().`));
    let work: () => unknown;
    try {
      work = check();
    } catch (error) {
      return Promise.reject(error);
    }
    const result = this.queue.then(work);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * A row function's call, in its turn: whole rows split across the workers where
   * they can reach the arrays directly (resident in the pool's memory, or SharedArrayBuffers) and
   * each row fits a scratch buffer; else on this thread.
   */
  async #runRows(spec: RowSpec, x: unknown, out: unknown, options: unknown): Promise<unknown> {
    const [o, length, rowLength, kind, whole] = this.engine.checkRows(spec, x, out, options);
    const rows = length / rowLength;
    const live = this.workers.some((worker) => worker !== undefined);
    const resident = kind === 'resident' && (o === undefined || o instanceof ResidentArray);
    const scalar = spec.perRow && o === undefined && whole; // logSumExp of the whole array: one row
    if (!this.#backend || !live || (kind !== 'float32' && kind !== 'resident') || length < MIN_PARALLEL_LENGTH || rowLength > this.#backend.scratchLength || scalar) {
      return this.#rowsHere(spec, x, o, whole ? undefined : { rowLength });
    }
    type Arg = Float32Array | ResidentArray;
    const result = (o as Arg | undefined) ?? (resident ? this.engine.alloc(spec.perRow ? rows : length) : undefined);
    const [xo, outo] = [this.#operand(x as Arg), result && this.#operand(result)];
    const direct = (v: Operand | null | undefined): v is Extract<Operand, { kind: 'direct' }> => v?.kind === 'direct';
    const relation = direct(xo) && direct(outo) ? relate(xo, outo) : 'overlap';
    // In place is fine for softmax and logSoftmax (each worker reads its rows before it writes
    // them); logSumExp's out must lie apart from x.
    if (!direct(xo) || !direct(outo) || !(relation === 'disjoint' || (!spec.perRow && (relation === 'identical' || relation === 'same')))) {
      if (result !== o && result instanceof ResidentArray) result.free();
      return this.#rowsHere(spec, x, o, { rowLength });
    }
    this.#hold(true);
    try {
      await this.scatter(spec.name, rows, 1, (start, end) => ({ type: 'rows', kind: spec.kind, rowLength, perRow: spec.perRow, start, end, x: xo.location, out: outo.location }));
    } catch (error) {
      if (result !== o && result instanceof ResidentArray) result.free(); // made by this call: no half-made result left behind
      throw error;
    } finally {
      this.#hold(false);
    }
    return result;
  }

  /** A row function on this thread: resident arrays on the pool's engine, ordinary ones on the local one. */
  #rowsHere(spec: RowSpec, x: unknown, out: unknown, options: RowOptions | undefined): unknown {
    return ([x, out].some((v) => v instanceof ResidentArray) ? this.engine : this.#local).rows(spec, x, out, options);
  }

  /** One call, in its turn: on the workers if that can win, else on this thread. */
  async #run(name: FunctionName, x: unknown, out: unknown, out2: unknown): Promise<unknown> {
    const spec = SPECS[name];
    // Checked again: the caller may have freed or detached an array while the call waited.
    const kind = this.engine.check(name, x, out, out2);
    const two = spec.outputs.length === 2;
    const length = (x as { length?: number }).length ?? 0;
    const live = this.workers.some((worker) => worker !== undefined);
    if (!this.#backend || !live || kind === 'number' || kind === 'float64' || kind === 'resident64' || length < MIN_PARALLEL_LENGTH) {
      return this.#onThisThread(spec, x, out, out2);
    }
    type Arg = Float32Array | ResidentArray | undefined;
    const operand = (v: Arg): Operand | null | undefined => (v === undefined ? undefined : this.#operand(v));
    const [xo, outo, out2o] = [operand(x as Arg), operand(out as Arg), two ? operand(out2 as Arg) : undefined];
    if (xo == null || outo === null || out2o === null || !this.#independent(xo, outo, out2o)) return this.#onThisThread(spec, x, out, out2);
    // Outputs left out are made as the synchronous functions make them: resident when the
    // input and every output given are, else ordinary Float32Arrays (so staged). New arrays
    // overlap nothing.
    const resident = kind === 'resident' && [out, two ? out2 : undefined].every((v) => v === undefined || v instanceof ResidentArray);
    const made = !resident && (out === undefined || (two && out2 === undefined));
    const staged = made || [xo, outo, out2o].some((o) => o?.kind === 'staged');
    if (staged && length < MIN_STAGED_LENGTH) return this.#onThisThread(spec, x, out, out2);
    // What this call allocates is freed again if the call fails, as the synchronous functions
    // leave no half-made result behind.
    const allocated: ResidentArray[] = [];
    const make = (): Float32Array | ResidentArray => {
      if (!resident) return new Float32Array(length);
      const array = this.engine.alloc(length);
      allocated.push(array);
      return array;
    };
    try {
      const y = (out as Arg) ?? make();
      const dy = two ? ((out2 as Arg) ?? make()) : undefined;
      await this.#parallel(spec, length, xo, outo ?? this.#operand(y)!, dy && (out2o ?? this.#operand(dy)!));
      return two ? { y, dy } : y;
    } catch (error) {
      for (const array of allocated) array.free();
      throw error;
    }
  }

  #onThisThread(spec: FunctionSpec, x: unknown, out: unknown, out2: unknown): unknown {
    // Arrays in ordinary memory go through the local engine: copies into shared memory are
    // slower (V8 copies to and from a SharedArrayBuffer word by word, with relaxed atomics).
    const resident = [x, out, out2].some((v) => v instanceof ResidentArray);
    const e = resident ? this.engine : this.#local;
    return spec.outputs.length === 2 ? e.pair(spec, x, out, out2) : e.unary(spec, x, out);
  }

  /**
   * Where an array lives, as the workers can reach it; null for what this thread handles: a
   * plain view of the pool's own memory (it might reach into the scratch or staging buffers),
   * or a resident array of another engine.
   */
  #operand(v: Float32Array | ResidentArray): Operand | null {
    if (v instanceof ResidentArray) {
      if (!v.residentIn(this.engine)) return null;
      return { kind: 'direct', location: { pointer: v.pointer }, length: v.length };
    }
    const { buffer, byteOffset, length } = intrinsicView(v);
    if (!isShared(buffer)) return { kind: 'staged', array: v };
    if (this.#isPoolMemory(buffer as SharedArrayBuffer)) return null;
    return { kind: 'direct', location: { buffer: buffer as SharedArrayBuffer, byteOffset }, length };
  }

  /** Answers of isPoolMemory, per SharedArrayBuffer object (which memory it is never changes). */
  readonly #poolMemory = new WeakMap<SharedArrayBuffer, boolean>();

  /**
   * Whether a SharedArrayBuffer is the pool's own memory: its current buffer, one from before
   * growth, or another object for it (a buffer posted to a worker and back, or cloned), which
   * no identity check can tell. For those, a probe: a buffer of the pool's memory is at least
   * its initial size, and a word this thread owns (the first of its scratch input) reads back
   * what was just stored there through the pool's memory. Two different values are stored, so
   * a coincidence would have to happen twice.
   */
  #isPoolMemory(buffer: SharedArrayBuffer): boolean {
    const memory = this.#shared!.memory;
    if (buffer === (memory.buffer as unknown) || isRetiredWasmBuffer(buffer)) return true;
    let answer = this.#poolMemory.get(buffer);
    if (answer === undefined) {
      const word = this.#backend!.scratchStart;
      answer = false;
      if (buffer.byteLength >= this.#initialBytes) {
        const ours = new Int32Array(memory.buffer, word, 1);
        const theirs = new Int32Array(buffer, word, 1);
        answer = [0x5ca1ab1e, -0x21524111].every((probe) => {
          Atomics.store(ours, 0, probe);
          return Atomics.load(theirs, 0) === probe;
        });
      }
      this.#poolMemory.set(buffer, answer);
    }
    return answer;
  }

  /**
   * Whether the workers can compute these arrays slice by slice: the input and each output
   * either disjoint or exactly the same elements (in place), and the two outputs disjoint.
   * Anything else, such as an output shifted against the input, needs the order of work the
   * synchronous path plans.
   */
  #independent(x: Operand, out: Operand | undefined, out2: Operand | undefined): boolean {
    // In place is fine: each worker reads a piece before it writes it.
    const inPlaceOrDisjoint = (b: Operand | undefined): boolean => b === undefined || relate(x, b) !== 'overlap';
    // Two outputs may only be one memory by way of two SharedArrayBuffer objects: each worker
    // writes y before dy, so dy wins, as in the synchronous functions.
    const outputs = out === undefined || out2 === undefined || ['disjoint', 'same'].includes(relate(out, out2));
    return inPlaceOrDisjoint(out) && inPlaceOrDisjoint(out2) && outputs;
  }

  /** Runs one call on the workers, in rounds when ordinary arrays pass through the staging buffers. */
  async #parallel(spec: FunctionSpec, length: number, x: Operand, out: Operand, out2: Operand | undefined): Promise<void> {
    const operands = [x, out, out2] as const;
    const staged = operands.some((o) => o?.kind === 'staged');
    const round = staged ? STAGE_LENGTH : length;
    const rounds = Math.ceil(length / round);
    const buffers = staged ? this.#stagingBuffers() : undefined;
    const memory = (): ArrayBuffer => this.#shared!.memory.buffer as unknown as ArrayBuffer;
    // Where operand i's elements [start, start + count) are in round k.
    const at = (i: number, k: number, start: number): Location | undefined => {
      const o = operands[i];
      if (o === undefined) return undefined;
      if (o.kind === 'staged') return { pointer: buffers![k % 2]![i]! };
      const l = o.location;
      return 'pointer' in l ? { pointer: l.pointer + start * 4 } : { buffer: l.buffer, byteOffset: l.byteOffset + start * 4 };
    };
    const copyIn = (k: number): void => {
      if (x.kind !== 'staged') return;
      const start = k * round;
      const count = Math.min(round, length - start);
      new Float32Array(memory(), buffers![k % 2]![0], count).set(x.array.subarray(start, start + count));
    };
    const copyOut = (k: number): void => {
      const start = k * round;
      const count = Math.min(round, length - start);
      for (const i of [1, 2]) {
        const o = operands[i];
        if (o?.kind === 'staged') o.array.set(new Float32Array(memory(), buffers![k % 2]![i], count), start);
      }
    };
    this.#hold(true);
    // The round on the workers, if any: a call never ends (not even by an exception, say from a
    // copy into an array the caller detached meanwhile) while its workers still run, or the
    // next call would read their stale status words.
    let pending: Promise<void> | undefined;
    try {
      copyIn(0);
      pending = this.dispatch(spec, Math.min(round, length), at(0, 0, 0)!, at(1, 0, 0)!, at(2, 0, 0));
      for (let k = 0; k < rounds; k++) {
        if (k + 1 < rounds) copyIn(k + 1); // overlaps the workers computing round k
        const done = pending;
        pending = undefined;
        await done;
        if (k + 1 < rounds) {
          const start = (k + 1) * round;
          pending = this.dispatch(spec, Math.min(round, length - start), at(0, k + 1, start)!, at(1, k + 1, start)!, at(2, k + 1, start));
        }
        copyOut(k); // overlaps the workers computing round k + 1
      }
    } finally {
      await pending?.catch(() => undefined);
      this.#hold(false);
    }
  }

  /** Gives each worker a slice of `count` elements; resolves when all are done, or rejects with a worker's error once all have stopped. */
  private dispatch(spec: FunctionSpec, count: number, x: Location, out: Location, out2: Location | undefined): Promise<void> {
    // Slices of whole unrolled iterations (16 floats), so that only the last has a scalar tail.
    return this.scatter(spec.name, count, 16, (start, end) => ({ type: 'job', kernel: spec.kernel, start, end, x, out, out2 }));
  }

  /**
   * Gives each live worker the job `job(start, end)` for a slice of [0, count), slices a multiple
   * of `unit`; resolves when all are done, or rejects with a worker's error once all have stopped.
   */
  private async scatter(name: string, count: number, unit: number, job: (start: number, end: number) => ToWorker): Promise<void> {
    // The live workers (one that crashed is being replaced).
    const live = this.workers.flatMap((worker, slot) => (worker ? [slot] : []));
    if (live.length === 0) throw new Error(`pool.${name}: no worker is running`);
    const slice = Math.ceil(count / live.length / unit) * unit;
    const status = this.#status();
    const slots = live.filter((_, i) => i * slice < count);
    slots.forEach((slot) => Atomics.store(status, slot, PENDING));
    slots.forEach((slot, i) => this.workers[slot]!.post(job(i * slice, Math.min(count, (i + 1) * slice))));
    const outcomes = await Promise.all(slots.map((slot) => settled(status, slot)));
    // Every failed worker's message is taken, so that none is left over for a later call.
    const errors = await Promise.all(slots.filter((_, i) => outcomes[i] === FAILED).map((slot) => this.#failure(slot)));
    if (errors.length > 0) throw errors[0];
    if (outcomes.some((o) => o !== DONE)) throw new Error(`pool.${name}: a worker reported an unknown status`);
  }

  #status(): Int32Array {
    const exports = this.#backend!.layout;
    return new Int32Array(this.#shared!.memory.buffer, exports.workerStatus, this.workers.length);
  }

  #stagingBuffers(): [number, number, number][] {
    return (this.#staging ??= [0, 1].map(() => [0, 1, 2].map(() => this.#backend!.alloc(STAGE_LENGTH * 4)) as [number, number, number]));
  }

  #hold(active: boolean): void {
    this.#busy = active;
    for (const worker of this.workers) worker?.hold(active);
  }

  #failed(slot: number, error: Error): void {
    const waiter = this.#failureWaiters[slot]!.shift();
    if (waiter) waiter(error);
    else this.#failures[slot]!.push(error);
  }

  #failure(slot: number): Promise<Error> {
    const error = this.#failures[slot]!.shift();
    return error ? Promise.resolve(error) : new Promise((resolve) => this.#failureWaiters[slot]!.push(resolve));
  }

  /** A worker died (it was not a job's error): fail its share, and start a replacement. */
  private crashed(slot: number, error: Error): void {
    if (this.closed) return;
    this.workers[slot]?.terminate();
    this.workers[slot] = undefined;
    const status = this.#status();
    if (Atomics.load(status, slot) === PENDING) {
      this.#failed(slot, error);
      Atomics.store(status, slot, FAILED);
      Atomics.notify(status, slot);
    }
    this.start(slot).catch((startError: unknown) => console.warn(`simd-activations: a pool worker could not be restarted: ${String(startError)}`));
  }
}

/** The default thread count: the cores this process may use. */
function availableCores(): number {
  const os = nodeBuiltin<{ availableParallelism?(): number; cpus(): unknown[] }>('node:os');
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Why workers over shared memory cannot run here, or undefined if they can. */
function threadsUnavailable(): string | undefined {
  const node = nodeBuiltin('node:worker_threads') !== undefined;
  if (!node && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'SharedArrayBuffer is not available';
  if (!node && typeof Worker !== 'function') return 'Web Workers are not available';
  return undefined;
}

/**
 * Creates a pool of workers for large arrays. Where workers over shared memory cannot run (no
 * cross-origin isolation in a browser, no SharedArrayBuffer, no threads support), the pool
 * runs every call on the calling thread, says so once with console.warn, and has
 * `threads === 1`.
 */
export async function createPool(options?: PoolOptions): Promise<Pool> {
  checkOptions('createPool(options)', options);
  let reason = threadsUnavailable();
  let shared: Awaited<ReturnType<typeof compileThreadsBuild>> | undefined;
  let backend: WasmBackend | undefined;
  if (!reason) {
    try {
      shared = await compileThreadsBuild();
      backend = await loadThreadsBackend(shared.module, shared.memory);
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  const limit = backend?.layout.maxWorkers ?? 16;
  const threads = options?.threads ?? Math.min(limit, availableCores());
  if (typeof threads !== 'number') throw new TypeError(`createPool(options): options.threads must be a number, not ${typeof threads}.`);
  if (!Number.isInteger(threads) || threads < 1 || threads > limit) {
    throw new RangeError(`createPool(options): options.threads must be an integer from 1 to ${limit}, not ${String(threads)}.`);
  }
  if (reason || !backend || !shared) {
    if (!warned) console.warn(`simd-activations: createPool runs on the calling thread: ${reason}.`);
    warned = true;
    const engine = createEngine();
    return new Pool(engine, engine, undefined, undefined, 0);
  }
  // Every worker idle: a status word other than PENDING (the memory starts zeroed).
  new Int32Array(shared.memory.buffer, backend.layout.workerStatus, threads).fill(DONE);
  const pool = new Pool(new Engine(backend), createEngine(), backend, shared, threads);
  try {
    await Promise.all(Array.from({ length: threads }, (_, slot) => pool.start(slot)));
  } catch (error) {
    await pool.close();
    throw error;
  }
  return pool;
}
