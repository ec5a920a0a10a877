// An engine: the public functions over one backend. Everything that depends on the backend's
// kind lives behind the Backend interface; everything that depends on the argument types lives
// here.
import type { Backend, BackendName, Heap, KernelName } from './backend.js';
import { forEachChunk } from './chunk.js';
import * as double from './double.js';
import { checkInput, checkOutput, isFloat32Array, type InputKind } from './validate.js';

/**
 * A Float32Array that lives in an engine's own memory. Passing resident arrays (input and
 * output) to that engine's functions skips both copies. Memory can grow when another array is
 * allocated, which invalidates earlier views: read `array` afresh each time rather than keeping
 * the view.
 */
export class ResidentArray {
  /** @internal */
  pointer: number;

  /** @internal */
  constructor(
    /** @internal */ readonly owner: Engine,
    /** @internal */ readonly heap: Heap | undefined,
    readonly length: number,
  ) {
    this.pointer = heap ? heap.alloc(length * 4) : 0;
    this.plain = heap ? undefined : new Float32Array(length);
  }

  private plain: Float32Array | undefined;
  private cached: Float32Array | undefined;
  private freed = false;

  /** A view of the data, valid until memory next grows; rebuilt whenever it has. */
  get array(): Float32Array {
    if (this.freed) throw new TypeError('this ResidentArray has been freed; allocate a new one with engine.alloc(length).');
    if (this.plain) return this.plain;
    const buffer = this.heap!.buffer();
    if (this.cached?.buffer !== buffer) this.cached = new Float32Array(buffer, this.pointer, this.length);
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

export interface SigmoidWithDerivative<T> {
  y: T;
  dy: T;
}

type Unary = 'sigmoid' | 'sigmoidDerivative' | 'sigmoidDerivativeFromOutput';

/** How each call is named in error messages. */
const CALLS: Record<Unary, string> = {
  sigmoid: 'sigmoid(x, out)',
  sigmoidDerivative: 'sigmoidDerivative(x, out)',
  sigmoidDerivativeFromOutput: 'sigmoidDerivativeFromOutput(y, out)',
};

/** The signatures of the elementwise functions: the output is of the input's kind. */
export interface ElementwiseFunction {
  (x: number): number;
  (x: Float32Array, out?: Float32Array): Float32Array;
  (x: Float64Array, out?: Float64Array): Float64Array;
  (x: ResidentArray, out?: ResidentArray): ResidentArray;
  <O extends Float32Array | ResidentArray>(x: Float32Array | ResidentArray, out: O): O;
}

/** A backend the selection passed over, and why. */
export interface Rejection {
  /** 'simd', 'scalar', or 'options.module' for a caller's build. */
  readonly candidate: string;
  readonly reason: string;
}

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
  }

  // The functions are bound properties, so `const { sigmoid } = engine` works.

  /** σ(x) = 1 / (1 + e^-x), elementwise. */
  readonly sigmoid: ElementwiseFunction = ((x: unknown, out?: unknown) =>
    this.unary('sigmoid', 'x', x, out)) as ElementwiseFunction;

  /** σ'(x) = σ(x)(1 - σ(x)), elementwise, accurate for every x (computed from e^-|x|). */
  readonly sigmoidDerivative: ElementwiseFunction = ((x: unknown, out?: unknown) =>
    this.unary('sigmoidDerivative', 'x', x, out)) as ElementwiseFunction;

  /** y(1 - y), elementwise: σ' from the output y = σ(x), as backpropagation uses it. */
  readonly sigmoidDerivativeFromOutput: ElementwiseFunction = ((y: unknown, out?: unknown) =>
    this.unary('sigmoidDerivativeFromOutput', 'y', y, out)) as ElementwiseFunction;

  /**
   * σ(x) and σ'(x) in one pass sharing one exponential; the results are bit-identical to
   * sigmoid(x) and sigmoidDerivative(x).
   */
  sigmoidWithDerivative(x: number): SigmoidWithDerivative<number>;
  sigmoidWithDerivative(x: Float32Array, y?: Float32Array, dy?: Float32Array): SigmoidWithDerivative<Float32Array>;
  sigmoidWithDerivative(x: Float64Array, y?: Float64Array, dy?: Float64Array): SigmoidWithDerivative<Float64Array>;
  sigmoidWithDerivative(x: ResidentArray, y?: ResidentArray, dy?: ResidentArray): SigmoidWithDerivative<ResidentArray>;
  sigmoidWithDerivative(x: unknown, y?: unknown, dy?: unknown): unknown {
    const call = 'sigmoidWithDerivative(x, y, dy)';
    // The common case first, as in unary(): Float32Arrays of one length, or outputs left out.
    const n = isFloat32Array(x) ? x.length : 0;
    const fits = (v: unknown): v is Float32Array | undefined => v === undefined || (isFloat32Array(v) && v.length === n);
    if (n !== 0 && fits(y) && fits(dy)) {
      const result = { y: y ?? new Float32Array(n), dy: dy ?? new Float32Array(n) };
      forEachChunk(call, this.impl, 'sigmoidWithDerivative', x as Float32Array, result.y, result.dy);
      return result;
    }
    const kind = this.inputKind(call, 'x', x);
    this.outputKind(call, 'y', y, 'x', kind, x);
    this.outputKind(call, 'dy', dy, 'x', kind, x);
    if (kind === 'number') return { y: double.sigmoid(x as number), dy: double.sigmoidDerivative(x as number) };
    const outs = this.map(call, 'sigmoidWithDerivative', kind, x, y, dy);
    return { y: outs[0], dy: outs[1] };
  }

  /**
   * Allocates a Float32Array of `length` elements in this engine's own memory (WASM linear
   * memory; an ordinary array on the JS backend, so code that uses resident arrays runs on
   * every backend). Free it with `free()` when done.
   */
  alloc(length: number): ResidentArray {
    if (typeof length !== 'number') throw new TypeError(`alloc(length): length must be a number, not ${typeof length}.`);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`alloc(length): length must be a non-negative integer, not ${String(length)}.`);
    }
    try {
      return new ResidentArray(this, this.impl.heap, length);
    } catch (error) {
      throw new RangeError(`alloc(length): cannot allocate ${length} floats: ${(error as Error).message}`);
    }
  }

  private unary(kernel: Unary, inName: string, x: unknown, out: unknown): unknown {
    const call = CALLS[kernel];
    // The common case first, with no allocation but the result's: a non-empty Float32Array in
    // and a Float32Array of its length (or nothing) out. Anything else takes the checks below.
    if (isFloat32Array(x) && x.length !== 0 && (out === undefined || (isFloat32Array(out) && out.length === x.length))) {
      const result = out ?? new Float32Array(x.length);
      forEachChunk(call, this.impl, kernel, x, result);
      return result;
    }
    // Zero-copy between two live resident arrays of this engine: straight to the kernel.
    if (x instanceof ResidentArray && out instanceof ResidentArray && x.length === out.length && x.residentIn(this) && out.residentIn(this)) {
      this.impl.heap!.runAt(kernel, x.pointer, out.pointer, out.pointer, x.length);
      return out;
    }
    const kind = this.inputKind(call, inName, x);
    this.outputKind(call, 'out', out, inName, kind, x);
    if (kind === 'number') return double[kernel](x as number);
    return this.map(call, kernel, kind, x, out)[0];
  }

  /**
   * @internal The functions' argument checks, for the worker pool: throws what the function
   * itself would throw for these arguments; returns the input's kind.
   */
  check(kernel: KernelName, x: unknown, out: unknown, out2: unknown): InputKind {
    const two = kernel === 'sigmoidWithDerivative';
    const call = two ? 'sigmoidWithDerivative(x, y, dy)' : CALLS[kernel as Unary];
    const inName = kernel === 'sigmoidDerivativeFromOutput' ? 'y' : 'x';
    const kind = this.inputKind(call, inName, x);
    this.outputKind(call, two ? 'y' : 'out', out, inName, kind, x);
    if (two) this.outputKind(call, 'dy', out2, inName, kind, x);
    return kind;
  }

  private isResident = (value: unknown): value is ResidentArray => value instanceof ResidentArray;

  private inputKind(call: string, name: string, value: unknown): InputKind {
    const kind = checkInput(call, name, value, this.isResident);
    if (kind === 'resident') (value as ResidentArray).check(call, name);
    return kind;
  }

  private outputKind(call: string, name: string, value: unknown, inName: string, kind: InputKind, x: unknown): void {
    const length = kind === 'number' ? 1 : (x as { length: number }).length;
    checkOutput(call, name, value, inName, kind, length, this.isResident);
    if (value instanceof ResidentArray) value.check(call, name);
  }

  /** Runs a kernel over validated arrays, allocating missing outputs like the input. */
  private map(call: string, kernel: KernelName, kind: InputKind, x: unknown, out?: unknown, out2?: unknown): unknown[] {
    const two = kernel === 'sigmoidWithDerivative';
    const length = (x as { length: number }).length;
    if (kind === 'float64') {
      const o = (out as Float64Array | undefined) ?? new Float64Array(length);
      const o2 = two ? ((out2 as Float64Array | undefined) ?? new Float64Array(length)) : undefined;
      double.mapFloat64(call, kernel, x as Float64Array, o, o2);
      return [o, o2];
    }
    // Missing outputs are resident only when everything else is: allocating may grow memory,
    // which would detach a view the caller passed as the other output.
    const resident = kind === 'resident' && [out, out2].every((v) => v === undefined || v instanceof ResidentArray);
    const like = (v: unknown): Float32Array | ResidentArray =>
      (v as Float32Array | ResidentArray | undefined) ?? (resident ? this.alloc(length) : new Float32Array(length));
    const o = like(out);
    let o2: Float32Array | ResidentArray | undefined;
    try {
      o2 = two ? like(out2) : undefined;
    } catch (error) {
      if (o !== out && o instanceof ResidentArray) o.free(); // no half-made result left behind
      throw error;
    }
    const heap = this.impl.heap;
    if (heap && [x, o, o2].every((v) => v === undefined || (v instanceof ResidentArray && v.residentIn(this)))) {
      // Zero-copy: the data is already in this engine's memory. Resident arrays never share
      // memory unless they are the same array, and the kernels read each element before
      // writing it, so in place is fine.
      const [xp, op, o2p] = [x, o, o2 ?? o].map((v) => (v as ResidentArray).pointer) as [number, number, number];
      if (two && op === o2p) throw new RangeError(`${call}: y and dy are the same array; pass separate arrays.`);
      heap.runAt(kernel, xp, op, o2p, length);
    } else {
      const view = (v: Float32Array | ResidentArray): Float32Array => (v instanceof ResidentArray ? v.array : v);
      forEachChunk(call, this.impl, kernel, view(x as Float32Array | ResidentArray), view(o), o2 && view(o2));
    }
    return [o, o2];
  }
}
