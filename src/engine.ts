// An engine: the public functions over one backend. Everything that depends on the backend's
// kind lives behind the Backend interface; everything that depends on the argument types lives
// here.
import type { Backend, BackendName, Heap } from './backend.js';
import { forEachChunk, forEachRow } from './chunk.js';
import { mapFloat64 } from './double.js';
import { ALIASES, ROW_SPECS, SPECS, type FunctionName, type FunctionSpec, type PairName, type RowFunctionName, type RowSpec, type SingleName } from './functions.js';
import { ACCEPTED_ROWS, checkInput, checkOutput, checkRowLength, describe, isFloat32Array, isFloat64Array, isOptionsObject, rowLengthOption, type InputKind } from './validate.js';

/** The element types a resident array can hold. */
export type ResidentType = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * A Float32Array (or, allocated with `alloc(length, Float64Array)`, a Float64Array) that lives
 * in an engine's own memory. Passing resident arrays (input and output) to that engine's
 * functions skips both copies. Memory can grow when another array is allocated, which
 * invalidates earlier views: read `array` afresh each time rather than keeping the view.
 */
export class ResidentArray<T extends Float32Array | Float64Array = Float32Array> {
  /** @internal */
  pointer: number;
  /** @internal Whether it holds doubles. */
  readonly doubles: boolean;

  /** @internal */
  constructor(
    /** @internal */ readonly owner: Engine,
    /** @internal */ readonly heap: Heap | undefined,
    readonly length: number,
    private readonly type: ResidentType = Float32Array,
  ) {
    this.doubles = type === Float64Array;
    this.pointer = heap ? heap.alloc(length * type.BYTES_PER_ELEMENT) : 0;
    this.plain = heap ? undefined : (new type(length) as T);
  }

  private plain: T | undefined;
  private cached: T | undefined;
  private freed = false;

  /** A view of the data, valid until memory next grows; rebuilt whenever it has. */
  get array(): T {
    if (this.freed) throw new TypeError('this ResidentArray has been freed; allocate a new one with engine.alloc(length).');
    if (this.plain) return this.plain;
    const buffer = this.heap!.buffer();
    if (this.cached?.buffer !== buffer) this.cached = new this.type(buffer, this.pointer, this.length) as T;
    return this.cached;
  }

  /** Returns the memory to the engine. The array must not be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.heap?.free(this.pointer);
    this.cached = this.plain = undefined;
  }

  /** @internal Whether the array lives in `engine`'s WASM memory and has not been freed. */
  residentIn(engine: Engine): boolean {
    return this.owner === engine && this.heap !== undefined && !this.freed;
  }

  /** @internal Throws if the array cannot be used. */
  check(call: string, name: string): void {
    if (this.freed) throw new TypeError(`${call}: ${name} has been freed; allocate a new one with engine.alloc(length).`);
  }
}

/** What the functions with two results return: the function and its derivative. */
export interface WithDerivative<T> {
  y: T;
  dy: T;
}

/** The same as WithDerivative (its first name). */
export type SigmoidWithDerivative<T> = WithDerivative<T>;

/** The signatures of the elementwise functions: the output is of the input's kind. */
export interface ElementwiseFunction {
  (x: number): number;
  (x: Float32Array, out?: Float32Array): Float32Array;
  (x: Float64Array, out?: Float64Array): Float64Array;
  (x: ResidentArray, out?: ResidentArray): ResidentArray;
  (x: ResidentArray<Float64Array>, out?: ResidentArray<Float64Array>): ResidentArray<Float64Array>;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O): O;
  <O extends Float64Array | ResidentArray<Float64Array>>(x: Float64Array | ResidentArray<Float64Array>, out: O): O;
}

/** The signatures of the functions that return a result and its derivative, `{ y, dy }`. */
export interface WithDerivativeFunction {
  (x: number): WithDerivative<number>;
  (x: Float32Array, y?: Float32Array, dy?: Float32Array): WithDerivative<Float32Array>;
  (x: Float64Array, y?: Float64Array, dy?: Float64Array): WithDerivative<Float64Array>;
  (x: ResidentArray, y?: ResidentArray, dy?: ResidentArray): WithDerivative<ResidentArray>;
  (x: ResidentArray<Float64Array>, y?: ResidentArray<Float64Array>, dy?: ResidentArray<Float64Array>): WithDerivative<ResidentArray<Float64Array>>;
}

/** The options of the row functions. */
export interface RowOptions {
  /** Elements per row, a divisor of x.length (default: all of x): each row is normalised on its own. */
  readonly rowLength?: number;
}

/**
 * The signatures of softmax and logSoftmax: one result per element, each row of
 * options.rowLength normalised on its own; the output is of the input's kind. The options may
 * come second when out is left out.
 */
export interface RowFunction {
  (x: Float32Array, out?: Float32Array, options?: RowOptions): Float32Array;
  (x: Float64Array, out?: Float64Array, options?: RowOptions): Float64Array;
  (x: ResidentArray, out?: ResidentArray, options?: RowOptions): ResidentArray;
  (x: ResidentArray<Float64Array>, out?: ResidentArray<Float64Array>, options?: RowOptions): ResidentArray<Float64Array>;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O, options?: RowOptions): O;
  <O extends Float64Array | ResidentArray<Float64Array>>(x: Float64Array | ResidentArray<Float64Array>, out: O, options?: RowOptions): O;
  (x: Float32Array, options: RowOptions): Float32Array;
  (x: Float64Array, options: RowOptions): Float64Array;
  (x: ResidentArray, options: RowOptions): ResidentArray;
  (x: ResidentArray<Float64Array>, options: RowOptions): ResidentArray<Float64Array>;
}

/**
 * The signatures of logSumExp: one result per row. Without out and options.rowLength, the whole
 * array is one row and the result a number.
 */
export interface RowReduction {
  (x: Float32Array | Float64Array | ResidentArray | ResidentArray<Float64Array>, out?: undefined, options?: RowOptions & { readonly rowLength?: undefined }): number;
  (x: Float32Array | Float64Array | ResidentArray | ResidentArray<Float64Array>, options: RowOptions & { readonly rowLength?: undefined }): number;
  (x: Float32Array, out: Float32Array | undefined, options: RowOptions & { readonly rowLength: number }): Float32Array;
  (x: Float64Array, out: Float64Array | undefined, options: RowOptions & { readonly rowLength: number }): Float64Array;
  (x: ResidentArray, out: ResidentArray | undefined, options: RowOptions & { readonly rowLength: number }): ResidentArray;
  (x: ResidentArray<Float64Array>, out: ResidentArray<Float64Array> | undefined, options: RowOptions & { readonly rowLength: number }): ResidentArray<Float64Array>;
  (x: Float32Array, out: Float32Array, options?: RowOptions): Float32Array;
  (x: Float64Array, out: Float64Array, options?: RowOptions): Float64Array;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O, options?: RowOptions): O;
  <O extends Float64Array | ResidentArray<Float64Array>>(x: Float64Array | ResidentArray<Float64Array>, out: O, options?: RowOptions): O;
  (x: Float32Array, options: RowOptions & { readonly rowLength: number }): Float32Array;
  (x: Float64Array, options: RowOptions & { readonly rowLength: number }): Float64Array;
  (x: ResidentArray, options: RowOptions & { readonly rowLength: number }): ResidentArray;
  (x: ResidentArray<Float64Array>, options: RowOptions & { readonly rowLength: number }): ResidentArray<Float64Array>;
}

/** Every public function of the registry (src/functions.ts), by name, as an engine has them. */
export type EngineFunctions = { readonly [K in SingleName | keyof typeof ALIASES]: ElementwiseFunction } & { readonly [K in PairName]: WithDerivativeFunction } & {
  readonly [K in RowFunctionName]: K extends 'logSumExp' ? RowReduction : RowFunction;
};

/** A backend the selection passed over, and why. */
export interface Rejection {
  /** 'simd', 'scalar', or 'options.module' for a caller's build. */
  readonly candidate: string;
  readonly reason: string;
}

// The registry's functions, as members of every Engine (they are set in the constructor).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Engine extends EngineFunctions {}

export class Engine {
  /** Which implementation this engine runs: 'simd', 'scalar' or 'js'. */
  readonly backend: BackendName;

  /**
   * The preferred backends that could not run here, in order of preference, and why: empty
   * when the first choice runs. A WASM backend only runs after it validated and passed its
   * self-check.
   */
  readonly rejected: readonly Rejection[];

  /** @internal */
  constructor(
    /** @internal */ readonly impl: Backend,
    rejected: readonly Rejection[] = [],
  ) {
    this.backend = impl.name;
    this.rejected = Object.freeze([...rejected]);
    // Bound properties, so that `const { sigmoid } = engine` works.
    const self = this as unknown as Record<FunctionName, unknown>;
    for (const spec of Object.values(SPECS)) {
      self[spec.name] =
        spec.outputs.length === 2
          ? (x: unknown, y?: unknown, dy?: unknown) => this.pair(spec, x, y, dy)
          : (x: unknown, out?: unknown) => this.unary(spec, x, out);
    }
    for (const [alias, name] of Object.entries(ALIASES)) (self as Record<string, unknown>)[alias] = self[name];
    for (const spec of Object.values(ROW_SPECS)) {
      (self as Record<string, unknown>)[spec.name] = (x: unknown, out?: unknown, options?: unknown) => this.rows(spec, x, out, options);
    }
  }

  /**
   * Allocates a Float32Array of `length` elements in this engine's own memory (WASM linear
   * memory; an ordinary array on the JS backend, so code that uses resident arrays runs on
   * every backend), or a Float64Array with `type` Float64Array. Free it with `free()` when done.
   */
  alloc(length: number, type?: Float32ArrayConstructor): ResidentArray;
  alloc(length: number, type: Float64ArrayConstructor): ResidentArray<Float64Array>;
  alloc(length: number, type: ResidentType): ResidentArray<Float32Array> | ResidentArray<Float64Array>;
  alloc(length: number, type: ResidentType = Float32Array): ResidentArray<Float32Array> | ResidentArray<Float64Array> {
    if (typeof length !== 'number') throw new TypeError(`alloc(length): length must be a number, not ${typeof length}.`);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`alloc(length): length must be a non-negative integer, not ${String(length)}.`);
    }
    if (type !== Float32Array && type !== Float64Array) {
      throw new TypeError(`alloc(length, type): type must be Float32Array or Float64Array, not ${typeof type === 'function' ? (type as { name: string }).name : describe(type)}.`);
    }
    try {
      return new ResidentArray<Float32Array | Float64Array>(this, this.impl.heap, length, type) as ResidentArray<Float32Array> | ResidentArray<Float64Array>;
    } catch (error) {
      throw new RangeError(`alloc(length): cannot allocate ${length} ${type === Float64Array ? 'doubles' : 'floats'}: ${(error as Error).message}`);
    }
  }

  /** @internal A function with one result: what every engine's and the default functions call. */
  unary(spec: FunctionSpec, x: unknown, out: unknown): unknown {
    // A number needs no WebAssembly and no checks but out's absence: straight to the double form.
    if (typeof x === 'number' && out === undefined) return spec.double[0]!(x);
    // The common case first, with no allocation but the result's: a non-empty Float32Array in
    // and a Float32Array of its length (or nothing) out. Anything else takes the checks below.
    if (isFloat32Array(x) && x.length !== 0 && (out === undefined || (isFloat32Array(out) && out.length === x.length))) {
      const result = out ?? new Float32Array(x.length);
      forEachChunk(spec.call, this.impl, spec.kernel, x, result);
      return result;
    }
    if (isFloat64Array(x) && x.length !== 0 && (out === undefined || (isFloat64Array(out) && out.length === x.length))) {
      const result = out ?? new Float64Array(x.length);
      this.float64(spec, x, result);
      return result;
    }
    // Zero-copy between two live resident arrays of one type of this engine: straight to the
    // kernel (doubles where this backend has double kernels).
    if (x instanceof ResidentArray && out instanceof ResidentArray && x.length === out.length && x.doubles === out.doubles && x.residentIn(this) && out.residentIn(this)) {
      const runner = this.residentRunner(x.doubles);
      if (runner) {
        runner.runAt(spec.kernel, x.pointer, out.pointer, out.pointer, x.length);
        return out;
      }
    }
    const kind = this.checkSpec(spec, x, out, undefined);
    if (kind === 'number') return spec.double[0]!(x as number);
    return this.map(spec, kind, x, out)[0];
  }

  /** @internal A row function: what every engine's and the default functions call. */
  rows(spec: RowSpec, x: unknown, out: unknown, options: unknown): unknown {
    const { perRow } = spec;
    const [o, length, rowLength, kind, whole] = this.checkRows(spec, x, out, options);
    const rows = length / rowLength;
    // logSumExp over the whole array (no options.rowLength) with no out: a number.
    const scalar = perRow && o === undefined && whole;
    const resultLength = perRow ? rows : length;
    if (kind === 'float64' || kind === 'resident64') {
      type Doubles = Float64Array | ResidentArray<Float64Array>;
      const doubles = (v: Doubles): Float64Array => (v instanceof ResidentArray ? v.array : v);
      const result = (o as Doubles | undefined) ?? (kind === 'resident64' && !scalar ? this.alloc(resultLength, Float64Array) : new Float64Array(resultLength));
      spec.double(doubles(x as Doubles), doubles(result), rowLength);
      return scalar ? doubles(result)[0] : result;
    }
    // A missing out is resident when x is (a number result needs no memory).
    const result = (o as Float32Array | ResidentArray | undefined) ?? (kind === 'resident' && !scalar ? this.alloc(resultLength) : new Float32Array(resultLength));
    const heap = this.impl.heap;
    if (heap && x instanceof ResidentArray && result instanceof ResidentArray && x.residentIn(this) && result.residentIn(this)) {
      // Zero-copy: whole rows already in this engine's memory (resident arrays never overlap
      // unless they are the same array, and in place is fine).
      heap.rowsAt(spec.kind, x.pointer, result.pointer, rowLength, rows);
    } else {
      const view = (v: Float32Array | ResidentArray): Float32Array => (v instanceof ResidentArray ? v.array : v);
      forEachRow(this.impl, spec.kind, perRow, view(x as Float32Array | ResidentArray), view(result), rowLength);
    }
    return scalar ? (result as Float32Array)[0] : result;
  }

  /**
   * @internal A row function's argument checks (the pool runs them too): throws what the
   * function throws; returns out (options may take its place), the length, the row length, the
   * input's kind and whether the row length is all of x by default.
   */
  checkRows(spec: RowSpec, x: unknown, out: unknown, options: unknown): [out: unknown, length: number, rowLength: number, kind: InputKind, whole: boolean] {
    const { call, perRow } = spec;
    // The options may come second when out is left out: softmax(x, { rowLength: 1000 }). Only a
    // plain object with no length is taken for options there; anything else (an Array, a
    // DataView, an ArrayBuffer, a Map, ...) is checked as out, an error, never silently ignored.
    if (options === undefined && isOptionsObject(out) && !('length' in out)) {
      options = out;
      out = undefined;
    }
    const kind = this.inputKind(call, 'x', x, ACCEPTED_ROWS);
    const length = (x as { length: number }).length;
    const requested = rowLengthOption(call, options);
    const rowLength = checkRowLength(call, requested, length);
    const rows = length / rowLength;
    if (perRow) checkOutput(call, 'out', out, 'x', kind, rows, this.isResident, `x has ${rows} row${rows === 1 ? '' : 's'} of ${rowLength}`);
    else checkOutput(call, 'out', out, 'x', kind, length, this.isResident);
    if (out instanceof ResidentArray) out.check(call, 'out');
    return [out, length, rowLength, kind, requested === undefined];
  }

  /** @internal A function with two results. */
  pair(spec: FunctionSpec, x: unknown, y: unknown, dy: unknown): unknown {
    if (typeof x === 'number' && y === undefined && dy === undefined) return { y: spec.double[0]!(x), dy: spec.double[1]!(x) };
    // The common case first, as in unary(): Float32Arrays of one length, or outputs left out.
    const n = isFloat32Array(x) ? x.length : 0;
    const fits = (v: unknown): v is Float32Array | undefined => v === undefined || (isFloat32Array(v) && v.length === n);
    if (n !== 0 && fits(y) && fits(dy)) {
      const result = { y: y ?? new Float32Array(n), dy: dy ?? new Float32Array(n) };
      forEachChunk(spec.call, this.impl, spec.kernel, x as Float32Array, result.y, result.dy);
      return result;
    }
    const kind = this.checkSpec(spec, x, y, dy);
    if (kind === 'number') return { y: spec.double[0]!(x as number), dy: spec.double[1]!(x as number) };
    const outs = this.map(spec, kind, x, y, dy);
    return { y: outs[0], dy: outs[1] };
  }

  /**
   * @internal The function's argument checks (the pool runs them too): throws what the function
   * itself throws for these arguments; returns the input's kind.
   */
  check(name: FunctionName, x: unknown, out: unknown, out2: unknown): InputKind {
    return this.checkSpec(SPECS[name], x, out, out2);
  }

  private checkSpec(spec: FunctionSpec, x: unknown, out: unknown, out2: unknown): InputKind {
    const { call, input, outputs } = spec;
    const kind = this.inputKind(call, input, x);
    this.outputKind(call, outputs[0]!, out, input, kind, x);
    if (outputs.length === 2) this.outputKind(call, outputs[1]!, out2, input, kind, x);
    return kind;
  }

  private isResident = (value: unknown): 'resident' | 'resident64' | undefined =>
    value instanceof ResidentArray ? (value.doubles ? 'resident64' : 'resident') : undefined;

  private inputKind(call: string, name: string, value: unknown, accepted?: string): InputKind {
    const kind = checkInput(call, name, value, this.isResident, accepted);
    if (kind === 'resident' || kind === 'resident64') (value as ResidentArray).check(call, name);
    return kind;
  }

  private outputKind(call: string, name: string, value: unknown, inName: string, kind: InputKind, x: unknown): void {
    const length = kind === 'number' ? 1 : (x as { length: number }).length;
    checkOutput(call, name, value, inName, kind, length, this.isResident);
    if (value instanceof ResidentArray) value.check(call, name);
  }

  /**
   * A function over Float64Arrays: the backend's double kernels through the copy path, or the
   * JS twin elementwise where it has none (the same bits).
   */
  private float64(spec: FunctionSpec, x: Float64Array, out: Float64Array, out2?: Float64Array): void {
    const lanes = this.impl.double;
    if (lanes) forEachChunk(spec.call, lanes, spec.kernel, x, out, out2);
    else mapFloat64(spec, x, out, out2);
  }

  /**
   * What runs kernels on this engine's resident arrays of floats (its memory) or of doubles (its
   * double kernels): undefined on the JS backend, and for doubles where the backend has no double
   * kernels (they run the JS twin on the arrays' views instead).
   */
  private residentRunner(doubles: boolean): Pick<Heap, 'runAt'> | undefined {
    return doubles ? this.impl.double : this.impl.heap;
  }

  /** Runs a function over validated arrays, allocating missing outputs like the input. */
  private map(spec: FunctionSpec, kind: InputKind, x: unknown, out?: unknown, out2?: unknown): unknown[] {
    const { call, kernel } = spec;
    const two = spec.outputs.length === 2;
    const length = (x as { length: number }).length;
    const doubles = kind === 'float64' || kind === 'resident64';
    type Data = Float32Array | Float64Array | ResidentArray<Float32Array | Float64Array>;
    // Missing outputs are resident only when everything else is: allocating may grow memory,
    // which would detach a view the caller passed as the other output.
    const resident = (kind === 'resident' || kind === 'resident64') && [out, out2].every((v) => v === undefined || v instanceof ResidentArray);
    const type = doubles ? Float64Array : Float32Array;
    const like = (v: unknown): Data => (v as Data | undefined) ?? (resident ? this.alloc(length, type) : new type(length));
    const o = like(out);
    let o2: Data | undefined;
    try {
      o2 = two ? like(out2) : undefined;
    } catch (error) {
      if (o !== out && o instanceof ResidentArray) o.free(); // no half-made result left behind
      throw error;
    }
    // The same array as both outputs, on every path and at every length (an empty array overlaps nothing).
    if (two && o === o2) throw new RangeError(`${call}: ${spec.outputs.join(' and ')} are the same array; pass separate arrays.`);
    const runner = this.residentRunner(doubles);
    if (runner && [x, o, o2].every((v) => v === undefined || (v instanceof ResidentArray && v.residentIn(this)))) {
      // Zero-copy: the data is already in this engine's memory. Resident arrays never share
      // memory unless they are the same array, and the kernels read each element before
      // writing it, so in place is fine.
      const [xp, op, o2p] = [x, o, o2 ?? o].map((v) => (v as ResidentArray).pointer) as [number, number, number];
      runner.runAt(kernel, xp, op, o2p, length);
      return [o, o2];
    }
    const view = (v: Data | undefined): Float32Array & Float64Array => (v instanceof ResidentArray ? v.array : v) as Float32Array & Float64Array;
    if (doubles) this.float64(spec, view(x as Data), view(o), o2 && view(o2));
    else forEachChunk(call, this.impl, kernel, view(x as Data), view(o), o2 && view(o2));
    return [o, o2];
  }
}
