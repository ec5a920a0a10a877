// The public API, written once and run on each backend: known answers, special values, every
// length around the unroll and the chunk size, in-place/offset/shared/overlapping views, the
// float64 and number paths, resident arrays, and argument errors.
/// <reference types="node" />
import { describe, expect, it } from 'vitest';
import { createEngine, functions, sigmoid as defaultSigmoid, ResidentArray, type Engine, type FunctionInfo, type FunctionName } from 'simd-activations';
import * as KERNEL_CONSTANTS from '../build/lib/generated/constants.js';
import * as emu from '../build/lib/backends/js.js';
import type { SingleName } from '../build/lib/functions.js';
import { SPECIAL_VALUES } from './reference.js';
import {
  describeMismatch,
  exactSigmoid64,
  exactSigmoidDerivative64,
  refSigmoid32,
  refSigmoidDerivative32,
  sameBits,
  ulpDistance,
  ulpDistance64,
  variedInputs,
} from './helpers.js';

const { UNROLL, SCRATCH_LENGTH: C } = KERNEL_CONSTANTS;
const SIGMA_1 = 0.7310585786300049; // 1 / (1 + e^-1) in double

// Every function of the registry: the tests below run on each of them (and on each backend).
type Kernel = FunctionName;
const KERNELS: readonly Kernel[] = functions.map((f) => f.name);
const UNARY = KERNELS.filter((k) => info(k).outputs.length === 1);
const PAIRS = KERNELS.filter((k) => info(k).outputs.length === 2);

function info(kernel: Kernel): FunctionInfo {
  return functions.find((f) => f.name === kernel)!;
}
/** The input parameter's name in each function's signature. */
const inputName = (kernel: Kernel): string => info(kernel).input;
/** The output parameters' names. */
const outputNames = (kernel: Kernel): string[] => [...info(kernel).outputs];

const jsEngine = createEngine({ backend: 'js' });

/**
 * The float32 results expected of a kernel: the JS emulation, one element at a time (so that no
 * loop, unroll or chunking of any backend is involved).
 */
function expected32(kernel: Kernel, x: Float32Array): Float32Array[] {
  const outs = outputNames(kernel).map(() => new Float32Array(x.length));
  for (let i = 0; i < x.length; i++) {
    const one = run32(jsEngine, kernel, x.subarray(i, i + 1));
    outs.forEach((o, j) => (o[i] = one[j]![0]!));
  }
  return outs;
}

type AnyFunction = (x: unknown, ...outs: unknown[]) => unknown;

/** A function with two results, without its overloads. */
const pair = (engine: Engine, kernel: Kernel) => engine[kernel] as unknown as (x: any, y?: any, dy?: any) => { y: any; dy: any };
/** Part j of a function with two results: the function (0) or its derivative (1). */
const part = (engine: Engine, kernel: Kernel, j: 0 | 1) => engine[info(kernel).parts![j]] as unknown as (x: any, out?: any) => any;

/** Runs a function of the registry with these arguments; returns its outputs as a list. */
function runAny<T>(engine: Engine, kernel: Kernel, x: unknown, outs: unknown[] = []): T[] {
  const f = engine[kernel] as unknown as AnyFunction;
  if (info(kernel).outputs.length === 2) {
    const { y, dy } = f(x, outs[0], outs[1]) as { y: T; dy: T };
    return [y, dy];
  }
  return [f(x, outs[0]) as T];
}

/** Runs a kernel on Float32Arrays (outputs optional); returns its outputs. */
const run32 = (engine: Engine, kernel: Kernel, x: Float32Array, outs: (Float32Array | undefined)[] = []): Float32Array[] =>
  runAny<Float32Array>(engine, kernel, x, outs);

/** Runs a kernel on Float64Arrays (outputs optional); returns its outputs. */
const run64 = (engine: Engine, kernel: Kernel, x: Float64Array, outs: (Float64Array | undefined)[] = []): Float64Array[] =>
  runAny<Float64Array>(engine, kernel, x, outs);

/** Runs a kernel on numbers; returns its outputs. */
const runNumber = (engine: Engine, kernel: Kernel, x: number): number[] => runAny<number>(engine, kernel, x);

/** Runs a kernel on resident arrays (outputs optional); returns its outputs. */
const runResident = (engine: Engine, kernel: Kernel, x: ResidentArray, outs: (ResidentArray | undefined)[] = []): ResidentArray[] =>
  runAny<ResidentArray>(engine, kernel, x, outs);

/** A kernel without its overloads, for calls with arguments of the wrong type. */
type Loose = (...args: unknown[]) => unknown;
const loose = (engine: Engine, kernel: Kernel): Loose => (engine[kernel] as unknown as Loose).bind(engine);

/** The backend's WASM memory, if it has one (engine.impl is internal). */
interface Internals {
  impl: { heap?: { buffer(): ArrayBuffer } };
}
const heapOf = (engine: Engine): { buffer(): ArrayBuffer } | undefined => (engine as unknown as Internals).impl.heap;

function expectBits(got: ArrayLike<number>, want: ArrayLike<number>, input: ArrayLike<number>, what: string): void {
  expect(describeMismatch(got, want, input), what).toBe('identical');
}

const SENTINEL = 7;
const filled = (n: number): Float32Array => new Float32Array(n).fill(SENTINEL);
const allSentinel = (a: ArrayLike<number>): boolean => Array.prototype.every.call(a, (v: number) => v === SENTINEL);

describe.each(['simd', 'scalar', 'js'] as const)('%s backend', (name) => {
  const engine = createEngine({ backend: name });

  it('runs on the backend it was asked for', () => {
    expect(engine.backend).toBe(name);
  });

  describe('known answers', () => {
    it('sigmoid(1) on the number path is 1 / (1 + e^-1) in double, exactly', () => {
      expect(engine.sigmoid(1)).toBe(SIGMA_1);
      expect(defaultSigmoid(1)).toBe(SIGMA_1);
      expect(engine.sigmoidWithDerivative(1).y).toBe(SIGMA_1);
    });

    it('sigmoid(1) in float32 is sigma(1) rounded to float32, within 1 ulp', () => {
      const got = engine.sigmoid(new Float32Array([1]))[0]!;
      expect(ulpDistance(got, Math.fround(SIGMA_1))).toBeLessThanOrEqual(1);
      expect(ulpDistance(defaultSigmoid(new Float32Array([1]))[0]!, Math.fround(SIGMA_1))).toBeLessThanOrEqual(1);
    });

    it('matches the float64 reference rounded to float32 on a table of inputs', () => {
      const xs = new Float32Array([0.5, -0.5, 1, -1, 2, -2, 3.5, -3.5, 5, -5, 9, -9, 12, -12, 16.5, -16.5, 17, -17, 30, -30, 60, -60, 87, -87, 88, -88, 95, -95, 100, -100, 103, -103]);
      const y = engine.sigmoid(xs);
      const dy = engine.sigmoidDerivative(xs);
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        expect(ulpDistance(y[i]!, refSigmoid32(x)), `sigmoid(${x}) = ${y[i]}, reference ${refSigmoid32(x)}`).toBeLessThanOrEqual(1);
        expect(ulpDistance(dy[i]!, refSigmoidDerivative32(x)), `sigmoidDerivative(${x}) = ${dy[i]}, reference ${refSigmoidDerivative32(x)}`).toBeLessThanOrEqual(1);
      }
    });

    it('sigmoidDerivativeFromOutput(y) is y * (1 - y) in float32 (exact cases)', () => {
      const ys = new Float32Array([0.5, 0.75, 0.25, 0, 1, 2, -1, 0.125]);
      expect(Array.from(engine.sigmoidDerivativeFromOutput(ys))).toEqual([0.25, 0.1875, 0.1875, 0, 0, -2, -2, 0.109375]);
    });
  });

  describe('special values', () => {
    const cases = UNARY.flatMap((kernel) => SPECIAL_VALUES[kernel as SingleName].map(([x, y]) => [kernel, x, y] as const));
    const xs = new Float32Array([...new Set(cases.map((c) => c[1]))]);

    it.each(cases)('%s(%s) = %s exactly, on every path and in every pair', (kernel, x, want) => {
      const check = (got: number, what: string): void => {
        expect(sameBits(got, want), `${what}(${x}) gave ${Object.is(got, -0) ? '-0' : got}, expected ${Object.is(want, -0) ? '-0' : want}`).toBe(true);
      };
      check(run32(engine, kernel, new Float32Array([x]))[0]![0]!, `float32 ${kernel}`);
      check(run64(engine, kernel, new Float64Array([x]))[0]![0]!, `float64 ${kernel}`);
      check(runNumber(engine, kernel, x)[0]!, `number ${kernel}`);
      for (const p of PAIRS.filter((p) => info(p).parts!.includes(kernel as SingleName))) {
        const j = info(p).parts!.indexOf(kernel as SingleName);
        check(run32(engine, p, new Float32Array([x]))[j]![0]!, `float32 ${p} output ${j}`);
        check(runNumber(engine, p, x)[j]!, `number ${p} output ${j}`);
      }
    });

    it('special values at every position of a vector give the same results as one at a time', () => {
      // The specials repeated across 2 * UNROLL + 3 elements: every lane and the scalar tail.
      const x = Float32Array.from({ length: 2 * UNROLL + 3 }, (_, i) => xs[i % xs.length]!);
      for (const kernel of KERNELS) {
        const got = run32(engine, kernel, x);
        const want = expected32(kernel, x);
        got.forEach((g, j) => expectBits(g, want[j]!, x, `${kernel} output ${j}`));
      }
    });

    it('sigmoidDerivativeFromOutput propagates NaN and keeps the sign of zero', () => {
      const got = engine.sigmoidDerivativeFromOutput(new Float32Array([NaN, 0, -0, Infinity, -Infinity]));
      expect(Number.isNaN(got[0])).toBe(true);
      expect(Object.is(got[1], 0)).toBe(true);
      expect(Object.is(got[2], -0)).toBe(true);
      expect(got[3]).toBe(-Infinity);
      expect(got[4]).toBe(-Infinity);
      expect(Number.isNaN(engine.sigmoidDerivativeFromOutput(NaN))).toBe(true);
    });

    it('produces subnormal results instead of flushing them to zero', () => {
      const minNormal = 2 ** -126;
      const y = engine.sigmoid(new Float32Array([-100, -103, -103.9, -104, -150]));
      expect(y[0]).toBeGreaterThan(0);
      expect(y[0]).toBeLessThan(minNormal);
      expect(ulpDistance(y[0]!, refSigmoid32(-100))).toBeLessThanOrEqual(1);
      expect(y[1]).toBeGreaterThan(0);
      expect(y[2]).toBeGreaterThan(0);
      expect(Object.is(y[3], 0)).toBe(true);
      expect(Object.is(y[4], 0)).toBe(true);

      const dy = engine.sigmoidDerivative(new Float32Array([100, -100, 103, -103, 104, -104]));
      expect(dy[0]).toBeGreaterThan(0);
      expect(dy[0]).toBeLessThan(minNormal);
      expect(dy[1]).toBe(dy[0]);
      expect(ulpDistance(dy[0]!, refSigmoidDerivative32(100))).toBeLessThanOrEqual(1);
      expect(dy[2]).toBeGreaterThan(0);
      expect(dy[3]).toBe(dy[2]);
      expect(Object.is(dy[4], 0)).toBe(true);
      expect(Object.is(dy[5], 0)).toBe(true);
    });

    it('sigmoidDerivative is exactly symmetric in x', () => {
      const x = variedInputs(1000, 7);
      const neg = x.map((v) => -v);
      expectBits(engine.sigmoidDerivative(neg), engine.sigmoidDerivative(x), x, "sigma'(-x) vs sigma'(x)");
    });
  });

  describe('every length around the unroll and the chunk size', () => {
    const lengths = [...Array.from({ length: 2 * UNROLL + 2 }, (_, n) => n), C - 1, C, C + 1, 2 * C + 3];

    it.each(KERNELS)('%s matches the JS emulation element by element', (kernel) => {
      for (const n of lengths) {
        const x = variedInputs(n, n + 1);
        const copy = x.slice();
        const got = run32(engine, kernel, x);
        const want = expected32(kernel, x);
        for (const [j, g] of got.entries()) {
          expect(g).toBeInstanceOf(Float32Array);
          expect(g.length).toBe(n);
          expectBits(g, want[j]!, x, `${kernel}, length ${n}, output ${j}`);
        }
        expectBits(x, copy, x, `${kernel} must not modify its input (length ${n})`);
      }
    });

    it.each(KERNELS)('%s writes into the outputs it is given and returns them', (kernel) => {
      for (const n of [0, 1, UNROLL - 1, UNROLL, UNROLL + 1, 2 * UNROLL + 1, C - 1, C, C + 1, 2 * C + 3]) {
        const x = variedInputs(n, 3 * n + 5);
        const outs = outputNames(kernel).map(() => filled(n));
        const got = run32(engine, kernel, x, outs);
        got.forEach((g, j) => expect(g).toBe(outs[j]));
        const want = expected32(kernel, x);
        outs.forEach((o, j) => expectBits(o, want[j]!, x, `${kernel}, length ${n}, output ${j}`));
      }
    });
  });

  describe('views: in place, offsets, shared memory, overlap', () => {
    const lengths = [1, UNROLL + 3, 2 * UNROLL + 1, C + 1, 2 * C + 3];

    it.each(UNARY)('%s in place (out === x)', (kernel) => {
      for (const n of lengths) {
        const x = variedInputs(n, n);
        const want = expected32(kernel, x);
        const [got] = run32(engine, kernel, x, [x]);
        expect(got).toBe(x);
        expectBits(x, want[0]!, want[0]!, `${kernel} in place, length ${n}`);
      }
    });

    it.each(PAIRS)('%s in place (y === x, or dy === x)', (kernel) => {
      for (const n of lengths) {
        const original = variedInputs(n, n);
        const [wantY, wantDy] = expected32(kernel, original);
        let x = original.slice();
        const dy = new Float32Array(n);
        pair(engine, kernel)(x, x, dy);
        expectBits(x, wantY!, original, `y === x, length ${n}`);
        expectBits(dy, wantDy!, original, `dy with y === x, length ${n}`);
        x = original.slice();
        const y = new Float32Array(n);
        pair(engine, kernel)(x, y, x);
        expectBits(y, wantY!, original, `y with dy === x, length ${n}`);
        expectBits(x, wantDy!, original, `dy === x, length ${n}`);
      }
    });

    it.each(KERNELS)('%s on views with a non-zero byteOffset, leaving the rest of the buffers alone', (kernel) => {
      for (const n of lengths) {
        const source = variedInputs(n + 8, n);
        const x = source.subarray(5, 5 + n);
        const before = source.slice();
        const bigs = outputNames(kernel).map(() => filled(n + 9));
        const outs = bigs.map((b, j) => b.subarray(3 + j, 3 + j + n));
        run32(engine, kernel, x, outs);
        const want = expected32(kernel, x);
        outs.forEach((o, j) => expectBits(o, want[j]!, x, `${kernel}, length ${n}, output ${j}`));
        expectBits(source, before, before, `${kernel} must not modify the input's buffer`);
        bigs.forEach((b, j) => {
          expect(allSentinel(b.subarray(0, 3 + j)) && allSentinel(b.subarray(3 + j + n)), `${kernel}: wrote outside output ${j}`).toBe(true);
        });
      }
    });

    it.each(KERNELS)('%s on SharedArrayBuffer-backed input and outputs, each its own buffer', (kernel) => {
      for (const n of lengths) {
        const x = new Float32Array(new SharedArrayBuffer(n * 4));
        x.set(variedInputs(n, n + 11));
        const outs = outputNames(kernel).map(() => new Float32Array(new SharedArrayBuffer(n * 4)));
        run32(engine, kernel, x, outs);
        const want = expected32(kernel, x);
        outs.forEach((o, j) => expectBits(o, want[j]!, x, `${kernel}, length ${n}, output ${j}`));
        // The same with Float64Arrays.
        const x64 = new Float64Array(new SharedArrayBuffer(n * 8));
        x64.set(x);
        const outs64 = outputNames(kernel).map(() => new Float64Array(new SharedArrayBuffer(n * 8)));
        run64(engine, kernel, x64, outs64);
        const want64 = run64(engine, kernel, Float64Array.from(x));
        outs64.forEach((o, j) => expectBits(o, want64[j]!, x64, `${kernel} float64, length ${n}, output ${j}`));
      }
    });

    it.each(KERNELS)('%s on disjoint parts of one SharedArrayBuffer', (kernel) => {
      for (const n of lengths) {
        const count = 1 + outputNames(kernel).length;
        const all = new Float32Array(new SharedArrayBuffer(count * n * 4));
        const x = all.subarray(0, n);
        x.set(variedInputs(n, n + 13));
        const outs = outputNames(kernel).map((_, j) => all.subarray((j + 1) * n, (j + 2) * n));
        run32(engine, kernel, x, outs);
        const want = expected32(kernel, x);
        outs.forEach((o, j) => expectBits(o, want[j]!, x, `${kernel}, length ${n}, output ${j}`));
      }
    });

    // Shifts smaller than the unroll, around it, and larger than a chunk.
    const shifts = [1, 3, UNROLL - 1, UNROLL, UNROLL + 1, C + 7];
    const n = 2 * C + 37;
    const buffers = [
      ['ArrayBuffer', (bytes: number) => new ArrayBuffer(bytes)],
      ['SharedArrayBuffer', (bytes: number) => new SharedArrayBuffer(bytes)],
    ] as const;

    describe.each(buffers)('overlapping views on one %s', (_, makeBuffer) => {
      it.each(UNARY)('%s: out shifted above or below x gives the result computed from a copy of x', (kernel) => {
        for (const k of shifts) {
          for (const outAbove of [true, false]) {
            const buf = new Float32Array(makeBuffer((n + k) * 4));
            buf.set(variedInputs(n + k, k));
            const original = buf.slice();
            const x = outAbove ? buf.subarray(0, n) : buf.subarray(k, k + n);
            const out = outAbove ? buf.subarray(k, k + n) : buf.subarray(0, n);
            const copy = x.slice();
            const [want] = expected32(kernel, copy);
            engine[kernel](x, out);
            expectBits(out, want!, copy, `${kernel}, out ${outAbove ? 'above' : 'below'} x by ${k}`);
            // The part of x that out does not cover keeps its values.
            const rest = outAbove ? buf.subarray(0, k) : buf.subarray(n, n + k);
            const restBefore = outAbove ? original.subarray(0, k) : original.subarray(n, n + k);
            expectBits(rest, restBefore, restBefore, `${kernel}: the uncovered part of x`);
          }
        }
      });

      it.each(PAIRS)('%s with y and dy on opposite sides of x gives the result computed from a copy of x', (kernel) => {
        // y = [0, n), dy = [n, 2n), x = [k, k + n): y overlaps x from below, dy from above, and
        // y and dy do not overlap each other. Also the mirror image (y above, dy below).
        for (const k of shifts) {
          for (const yBelow of [true, false]) {
            const buf = new Float32Array(makeBuffer(2 * n * 4));
            buf.set(variedInputs(2 * n, k + 100));
            const x = buf.subarray(k, k + n);
            const copy = x.slice();
            const below = buf.subarray(0, n);
            const above = buf.subarray(n, 2 * n);
            const [y, dy] = yBelow ? [below, above] : [above, below];
            const [wantY, wantDy] = expected32(kernel, copy);
            pair(engine, kernel)(x, y, dy);
            expectBits(y, wantY!, copy, `y ${yBelow ? 'below' : 'above'} x by ${k}`);
            expectBits(dy, wantDy!, copy, `dy ${yBelow ? 'above' : 'below'} x by ${k}`);
          }
        }
      });

      it.each(PAIRS)('%s with both outputs above (or both below) x', (kernel) => {
        for (const k of shifts) {
          for (const side of ['above', 'below'] as const) {
            // Layout above: x = [0, n), y = [k, k + n), dy = [k + n, k + 2n); below mirrors it.
            const total = k + 2 * n;
            const buf = new Float32Array(makeBuffer(total * 4));
            buf.set(variedInputs(total, k + 200));
            const x = side === 'above' ? buf.subarray(0, n) : buf.subarray(total - n);
            const y = side === 'above' ? buf.subarray(k, k + n) : buf.subarray(total - n - k, total - k);
            const dy = side === 'above' ? buf.subarray(k + n, k + 2 * n) : buf.subarray(0, n);
            const copy = x.slice();
            const [wantY, wantDy] = expected32(kernel, copy);
            pair(engine, kernel)(x, y, dy);
            expectBits(y, wantY!, copy, `y ${side} x by ${k}`);
            expectBits(dy, wantDy!, copy, `dy ${side} x`);
          }
        }
      });
    });

    it.each(UNARY)('%s on a SharedArrayBuffer and a clone of it sharing the same memory', (kernel) => {
      // structuredClone of a SharedArrayBuffer is a distinct object over the same memory: the
      // overlap must still be detected.
      for (const k of [1, UNROLL, C + 7]) {
        for (const outAbove of [true, false]) {
          const sab = new SharedArrayBuffer((n + k) * 4);
          const clone = structuredClone(sab);
          expect(clone).not.toBe(sab);
          const buf = new Float32Array(sab);
          buf.set(variedInputs(n + k, k + 300));
          const x = outAbove ? buf.subarray(0, n) : buf.subarray(k, k + n);
          const out = outAbove ? new Float32Array(clone, k * 4, n) : new Float32Array(clone, 0, n);
          const copy = x.slice();
          const [want] = expected32(kernel, copy);
          run32(engine, kernel, x, [out]);
          expectBits(out, want!, copy, `${kernel}, out ${outAbove ? 'above' : 'below'} x by ${k} through a clone`);
        }
      }
    });

    it('a Float32Array from another realm is accepted', async () => {
      const vm = await import('node:vm');
      const foreign = vm.runInNewContext('new Float32Array([1, -2, 0.5, NaN])') as Float32Array;
      expect(foreign instanceof Float32Array).toBe(false);
      const plain = new Float32Array([1, -2, 0.5, NaN]);
      expectBits(engine.sigmoid(foreign), expected32('sigmoid', plain)[0]!, plain, 'foreign-realm input');
      const out = vm.runInNewContext('new Float32Array(4)') as Float32Array;
      engine.sigmoid(plain, out);
      expectBits(out, expected32('sigmoid', plain)[0]!, plain, 'foreign-realm output');
    });
  });

  describe.each(PAIRS)('%s', (kernel) => {
    it('returns {y, dy} bit-identical to its two functions', () => {
      for (const n of [0, 1, UNROLL + 5, C + 3]) {
        const x = variedInputs(n, n + 17);
        const { y, dy } = pair(engine, kernel)(x);
        expectBits(y, part(engine, kernel, 0)(x), x, `y, length ${n}`);
        expectBits(dy, part(engine, kernel, 1)(x), x, `dy, length ${n}`);
        const x64 = Float64Array.from(x);
        const both64 = pair(engine, kernel)(x64);
        expectBits(both64.y, part(engine, kernel, 0)(x64), x64, `float64 y, length ${n}`);
        expectBits(both64.dy, part(engine, kernel, 1)(x64), x64, `float64 dy, length ${n}`);
      }
      for (const v of [1, -3.5, 0, -0, 40, -800, NaN]) {
        const { y, dy } = pair(engine, kernel)(v);
        expect(sameBits(y, part(engine, kernel, 0)(v))).toBe(true);
        expect(sameBits(dy, part(engine, kernel, 1)(v))).toBe(true);
      }
    });

    it('throws RangeError when y and dy overlap, writing nothing', () => {
      const n = UNROLL + 5;
      const x = variedInputs(n, 3);
      const xBefore = x.slice();
      const same = filled(n);
      expect(() => pair(engine, kernel)(x, same, same)).toThrow(RangeError);
      expect(() => pair(engine, kernel)(x, same, same)).toThrow(/\(x, y, dy\): y and dy overlap in memory/);
      expect(allSentinel(same)).toBe(true);
      const buf = filled(n + 1);
      expect(() => pair(engine, kernel)(x, buf.subarray(0, n), buf.subarray(1, n + 1))).toThrow(RangeError);
      expect(allSentinel(buf)).toBe(true);
      const buf64 = new Float64Array(n + 1).fill(SENTINEL);
      expect(() => pair(engine, kernel)(Float64Array.from(x), buf64.subarray(1, n + 1), buf64.subarray(0, n))).toThrow(/y and dy overlap in memory/);
      expect(allSentinel(buf64)).toBe(true);
      expectBits(x, xBefore, xBefore, 'x must be untouched');
    });

    it('throws RangeError when y and dy are the same resident array', () => {
      const n = UNROLL + 5;
      const x = engine.alloc(n);
      x.array.set(variedInputs(n, 9));
      const out = engine.alloc(n);
      out.array.fill(SENTINEL);
      expect(() => pair(engine, kernel)(x, out, out)).toThrow(RangeError);
      expect(allSentinel(out.array)).toBe(true);
      x.free();
      out.free();
    });
  });

  describe('float64 and number paths', () => {
    it.each(KERNELS)('%s: Float64Array in gives Float64Array out, a number gives a number', (kernel) => {
      const x = Float64Array.from(variedInputs(50, 21));
      for (const out of run64(engine, kernel, x)) {
        expect(out).toBeInstanceOf(Float64Array);
        expect(out.length).toBe(x.length);
      }
      const given = outputNames(kernel).map(() => new Float64Array(x.length));
      run64(engine, kernel, x, given).forEach((o, j) => expect(o).toBe(given[j]));
      for (const r of runNumber(engine, kernel, 0.25)) expect(typeof r).toBe('number');
      // Float64Array element i equals the number path on x[i].
      const outs = run64(engine, kernel, x);
      for (let i = 0; i < x.length; i++) {
        runNumber(engine, kernel, x[i]!).forEach((r, j) => expect(sameBits(outs[j]![i]!, r), `${kernel}(${x[i]})`).toBe(true));
      }
    });

    it('sigma(1) is exactly 0.7310585786300049 in a Float64Array', () => {
      expect(engine.sigmoid(new Float64Array([1]))[0]).toBe(SIGMA_1);
    });

    it('sigmoid and sigmoidDerivative are within 2 ulp of double for x in [-750, 750]', () => {
      // Steps that are not multiples of simple fractions, plus every subnormal-result region.
      const xs = Float64Array.from({ length: 30001 }, (_, i) => -750 + i * 0.05 + Math.sin(i) * 0.01);
      const y = engine.sigmoid(xs);
      const dy = engine.sigmoidDerivative(xs);
      let worst = { ulps: 0, x: 0, what: '' };
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        const ds = ulpDistance64(y[i]!, exactSigmoid64(x));
        const dd = ulpDistance64(dy[i]!, exactSigmoidDerivative64(x));
        if (ds > worst.ulps) worst = { ulps: ds, x, what: 'sigmoid' };
        if (dd > worst.ulps) worst = { ulps: dd, x, what: 'sigmoidDerivative' };
      }
      expect(worst.ulps, `worst: ${worst.what}(${worst.x})`).toBeLessThanOrEqual(2);
      // Subnormal double results are produced, not flushed: sigma(-740) ~ 4e-322.
      expect(engine.sigmoid(new Float64Array([-740]))[0]).toBeGreaterThan(0);
      expect(engine.sigmoid(new Float64Array([-740]))[0]).toBeLessThan(2 ** -1022);
      expect(engine.sigmoidDerivative(new Float64Array([740]))[0]).toBeGreaterThan(0);
    });

    it('sigmoidDerivativeFromOutput on Float64Array is y * (1 - y) in double', () => {
      const ys = Float64Array.from({ length: 1000 }, (_, i) => i / 999 + Math.cos(i) * 1e-3);
      const got = engine.sigmoidDerivativeFromOutput(ys);
      for (let i = 0; i < ys.length; i++) expect(got[i]).toBe(ys[i]! * (1 - ys[i]!));
    });

    it.each(UNARY)('%s on overlapping Float64Array views gives the result computed from a copy', (kernel) => {
      const n = 100;
      for (const k of [1, 5, 40]) {
        for (const outAbove of [true, false]) {
          const buf = Float64Array.from(variedInputs(n + k, k + 400));
          const x = outAbove ? buf.subarray(0, n) : buf.subarray(k, k + n);
          const out = outAbove ? buf.subarray(k, k + n) : buf.subarray(0, n);
          const [want] = run64(engine, kernel, x.slice());
          run64(engine, kernel, x, [out]);
          expectBits(out, want!, want!, `${kernel}, float64 out ${outAbove ? 'above' : 'below'} x by ${k}`);
        }
      }
    });

    it.each(PAIRS)('%s on Float64Array views with y below and dy above x', (kernel) => {
      const n = 100;
      for (const k of [1, 5, 40]) {
        const buf = Float64Array.from(variedInputs(2 * n, k + 500));
        const x = buf.subarray(k, k + n);
        const copy = x.slice();
        const y = buf.subarray(0, n);
        const dy = buf.subarray(n, 2 * n);
        pair(engine, kernel)(x, y, dy);
        expectBits(y, part(engine, kernel, 0)(copy), copy, `float64 y below x by ${k}`);
        expectBits(dy, part(engine, kernel, 1)(copy), copy, `float64 dy above x by ${k}`);
      }
    });
  });

  describe('resident arrays', () => {
    const n = 2 * UNROLL + C + 5;

    it.each(KERNELS)('%s on resident arrays equals the copy path bit for bit', (kernel) => {
      const x = variedInputs(n, 31);
      const copyPath = run32(engine, kernel, x);

      const rx = engine.alloc(n);
      expect(rx).toBeInstanceOf(ResidentArray);
      expect(rx.length).toBe(n);
      rx.array.set(x);

      // Into other resident arrays, given.
      const routs = outputNames(kernel).map(() => engine.alloc(n));
      const returned = runResident(engine, kernel, rx, routs);
      returned.forEach((r, j) => {
        expect(r).toBe(routs[j]);
        expectBits(r.array, copyPath[j]!, x, `${kernel} into resident output ${j}`);
      });
      // Into resident arrays it allocates.
      const fresh = runResident(engine, kernel, rx);
      fresh.forEach((r, j) => {
        expect(r).toBeInstanceOf(ResidentArray);
        expect(r.length).toBe(n);
        expectBits(r.array, copyPath[j]!, x, `${kernel} into a new resident output ${j}`);
      });
      expectBits(rx.array, x, x, `${kernel} must not modify its resident input`);

      // In place: the result goes into the input (y === x for the fused kernel).
      const inPlaceOuts = info(kernel).outputs.length === 2 ? [rx, engine.alloc(n)] : [rx];
      runResident(engine, kernel, rx, inPlaceOuts);
      inPlaceOuts.forEach((r, j) => expectBits(r.array, copyPath[j]!, x, `${kernel} in place, output ${j}`));

      // Mixed: a Float32Array in, a resident array out, and the reverse.
      rx.array.set(x);
      const mixedOut = engine.alloc(n);
      if (info(kernel).outputs.length === 1) {
        runAny(engine, kernel, x, [mixedOut]);
        expectBits(mixedOut.array, copyPath[0]!, x, `${kernel} Float32Array -> resident`);
        const plainOut = new Float32Array(n);
        runAny(engine, kernel, rx, [plainOut]);
        expectBits(plainOut, copyPath[0]!, x, `${kernel} resident -> Float32Array`);
      }
      for (const r of [rx, ...routs, ...fresh, ...inPlaceOuts, mixedOut]) r.free();
    });

    it.each(KERNELS)('%s on resident arrays of doubles equals the Float64Array path bit for bit', (kernel) => {
      const x = Float64Array.from(variedInputs(n, 33), (v, i) => v * (1 + i * 2 ** -30));
      const want = run64(engine, kernel, x);
      const rx = engine.alloc(n, Float64Array);
      expect(rx.array).toBeInstanceOf(Float64Array);
      rx.array.set(x);
      type R64 = ResidentArray<Float64Array>;
      const same = (got: Float64Array, expected: Float64Array, what: string): void =>
        expect(Array.from(got, (v, i) => Object.is(v, expected[i]) || (v !== v && expected[i] !== expected[i])).indexOf(false), what).toBe(-1);
      const routs = outputNames(kernel).map(() => engine.alloc(n, Float64Array));
      const given = runAny<R64>(engine, kernel, rx, routs);
      given.forEach((r, j) => (expect(r).toBe(routs[j]), same(r.array, want[j]!, `${kernel} into resident doubles ${j}`)));
      const fresh = runAny<R64>(engine, kernel, rx);
      fresh.forEach((r, j) => (expect(r.array).toBeInstanceOf(Float64Array), same(r.array, want[j]!, `${kernel} into new resident doubles ${j}`)));
      same(rx.array, x, `${kernel} must not modify its resident input`);
      // In place, and mixed with Float64Arrays both ways.
      const inPlace = info(kernel).outputs.length === 2 ? [rx, engine.alloc(n, Float64Array)] : [rx];
      runAny(engine, kernel, rx, inPlace);
      inPlace.forEach((r, j) => same(r.array, want[j]!, `${kernel} in place, output ${j}`));
      rx.array.set(x);
      const plain = outputNames(kernel).map(() => new Float64Array(n));
      runAny(engine, kernel, rx, plain);
      plain.forEach((r, j) => same(r, want[j]!, `${kernel} resident doubles -> Float64Array ${j}`));
      runAny(engine, kernel, x, routs);
      routs.forEach((r, j) => same(r.array, want[j]!, `${kernel} Float64Array -> resident doubles ${j}`));
      // Floats and doubles do not mix: a TypeError naming the output, nothing written.
      const floats = engine.alloc(n);
      floats.array.fill(7);
      expect(() => loose(engine, kernel)(rx, ...outputNames(kernel).map(() => floats))).toThrow(/ResidentArray of doubles like [xy], not a ResidentArray of floats/);
      expect(() => loose(engine, kernel)(floats, ...routs)).toThrow(/ResidentArray of floats like [xy], not a ResidentArray of doubles/);
      expect(floats.array.every((v) => v === 7)).toBe(true);
      for (const r of [rx, ...routs, ...fresh, ...inPlace, floats]) r.free();
    });

    it.each(PAIRS)('%s: one resident array as both y and dy is a RangeError at every length, floats and doubles', (kernel) => {
      for (const type of [Float32Array, Float64Array] as const) {
        for (const n of [0, 3]) {
          const a = engine.alloc(n, type as Float64ArrayConstructor);
          const x = engine.alloc(n, type as Float64ArrayConstructor);
          expect(() => loose(engine, kernel)(a, a, a), `${type.name} ${n}, x as both`).toThrow(/are the same array/);
          expect(() => loose(engine, kernel)(x, a, a), `${type.name} ${n}`).toThrow(/are the same array/);
          a.free();
          x.free();
        }
      }
    });

    it('alloc(length, type) takes Float32Array or Float64Array and names anything else', () => {
      expect(engine.alloc(3, Float32Array).array).toBeInstanceOf(Float32Array);
      expect(engine.alloc(3, Float64Array).array).toBeInstanceOf(Float64Array);
      for (const bad of [Int32Array, Array, 'float64', null]) {
        expect(() => engine.alloc(3, bad as unknown as Float64ArrayConstructor)).toThrow(/^alloc\(length, type\): type must be Float32Array or Float64Array/);
      }
    });

    it('row functions on resident arrays of doubles equal the Float64Array results', () => {
      const x = Float64Array.from(variedInputs(3000, 35));
      const rx = engine.alloc(3000, Float64Array);
      rx.array.set(x);
      const out = engine.softmax(rx, { rowLength: 1000 });
      expect(Array.from(out.array)).toEqual(Array.from(engine.softmax(x, { rowLength: 1000 })));
      expect(engine.logSumExp(rx)).toBe(engine.logSumExp(x));
      const lse = engine.logSumExp(rx, undefined, { rowLength: 1000 });
      expect(Array.from(lse.array)).toEqual(Array.from(engine.logSumExp(x, undefined, { rowLength: 1000 })));
      for (const r of [rx, out, lse]) r.free();
    });

    it('a view taken before memory grows is stale afterwards; .array gives a fresh one', () => {
      const r = engine.alloc(100);
      const old = r.array;
      const x = variedInputs(100, 41);
      old.set(x);
      const heap = heapOf(engine);
      const bytesBefore = heap?.buffer().byteLength;
      const big = engine.alloc(20_000_000);
      try {
        if (heap) {
          expect(heap.buffer().byteLength).toBeGreaterThan(bytesBefore!);
          // The old view reads nothing; every function refuses it, as input or as output.
          expect(old.length).toBe(0);
          expect(() => engine.sigmoid(old)).toThrow(TypeError);
          expect(() => engine.sigmoid(old)).toThrow(/stale/);
          expect(() => engine.sigmoidDerivative(old)).toThrow(/stale/);
          expect(() => engine.sigmoidDerivativeFromOutput(old)).toThrow(/stale/);
          expect(() => engine.sigmoidWithDerivative(old)).toThrow(/stale/);
          expect(() => engine.sigmoid(new Float32Array(0), old)).toThrow(/stale/);
          expect(() => engine.sigmoidWithDerivative(new Float32Array(0), new Float32Array(0), old)).toThrow(/stale/);
          expect(r.array === old).toBe(false);
        } else {
          // The JS backend keeps resident arrays in ordinary memory, which never moves.
          expect(r.array).toBe(old);
        }
        const fresh = r.array;
        expect(fresh.length).toBe(100);
        expectBits(fresh, x, x, 'the data survives the growth');
        expectBits(engine.sigmoid(fresh), expected32('sigmoid', x)[0]!, x, 'sigmoid of the fresh view');
        expectBits(engine.sigmoid(r).array, expected32('sigmoid', x)[0]!, x, 'sigmoid of the resident array');
        // The big array is usable too, up to its last element (the end of the grown memory).
        const tail = big.array.subarray(19_999_990);
        tail.set(x.subarray(0, 10));
        expectBits(engine.sigmoid(tail), expected32('sigmoid', x.subarray(0, 10))[0]!, x, 'sigmoid of the end of the big array');
        engine.sigmoid(tail, tail);
        expectBits(big.array.subarray(19_999_990), expected32('sigmoid', x.subarray(0, 10))[0]!, x, 'in place at the end of the big array');
      } finally {
        big.free();
        r.free();
      }
    });

    it('using a resident array after free() throws TypeError', () => {
      const r = engine.alloc(10);
      const out = engine.alloc(10);
      r.free();
      r.free(); // freeing twice is harmless
      expect(() => r.array).toThrow(TypeError);
      expect(() => engine.sigmoid(r)).toThrow(TypeError);
      expect(() => engine.sigmoid(r)).toThrow(/freed/);
      expect(() => engine.sigmoid(new Float32Array(10), r)).toThrow(TypeError);
      expect(() => engine.sigmoidWithDerivative(out, out, r)).toThrow(/dy has been freed/);
      expect(() => engine.sigmoidDerivativeFromOutput(r)).toThrow(/y has been freed/);
      out.free();
    });

    it('a resident array of another engine works, as a copy', () => {
      const x = variedInputs(n, 51);
      const [want] = expected32('sigmoid', x);
      for (const otherName of ['simd', 'scalar', 'js'] as const) {
        const other = createEngine({ backend: otherName });
        const foreign = other.alloc(n);
        foreign.array.set(x);
        const result = engine.sigmoid(foreign);
        expect(result).toBeInstanceOf(ResidentArray);
        expectBits(result.array, want!, x, `sigmoid of a ${otherName} resident array`);
        const plainOut = new Float32Array(n);
        engine.sigmoid(foreign, plainOut);
        expectBits(plainOut, want!, x, `sigmoid of a ${otherName} resident array into a Float32Array`);
        const foreignOut = other.alloc(n);
        engine.sigmoid(x, foreignOut);
        expectBits(foreignOut.array, want!, x, `sigmoid into a ${otherName} resident array`);
        engine.sigmoid(foreign, foreign);
        expectBits(foreign.array, want!, x, `sigmoid of a ${otherName} resident array in place`);
        expectBits(foreignOut.array, want!, x, `the other ${otherName} array is untouched`);
        for (const r of [foreign, foreignOut, result]) r.free();
      }
    });

    it('a missing output next to a view on the same memory is not allocated there (growth would detach the view)', () => {
      const x = variedInputs(n, 61);
      const [wantY, wantDy] = expected32('sigmoidWithDerivative', x);
      const rx = engine.alloc(n);
      rx.array.set(x);
      const ry = engine.alloc(n);
      for (let i = 0; i < 3; i++) {
        // Each call would need a new resident dy; with y a plain view of WASM memory it must
        // come back as an ordinary Float32Array instead.
        const yView = ry.array;
        const { y, dy } = (engine.sigmoidWithDerivative as (x: unknown, y: unknown) => { y: Float32Array; dy: unknown })(rx, yView);
        expect(y).toBe(yView);
        expect(dy).toBeInstanceOf(Float32Array);
        expectBits(ry.array, wantY!, x, 'y written through the caller view');
        expectBits(dy as Float32Array, wantDy!, x, 'dy allocated as a Float32Array');
      }
      rx.free();
      ry.free();
    });

    it('alloc rejects a length that is not a non-negative integer', () => {
      for (const bad of [-1, 1.5, NaN, Infinity]) expect(() => engine.alloc(bad)).toThrow(RangeError);
      const empty = engine.alloc(0);
      expect(empty.array.length).toBe(0);
      expect(engine.sigmoid(empty).length).toBe(0);
      empty.free();
    });
  });

  describe('bad arguments', () => {
    // Values that are not an accepted input; `isArray` marks those that get the conversion hint.
    const badValues: [string, () => unknown, boolean][] = [
      ['number[]', () => [1, 2, 3], true],
      ['Int32Array', () => new Int32Array(3), true],
      ['BigInt64Array', () => new BigInt64Array(3), true],
      ['Uint8Array', () => new Uint8Array(12), true],
      ['DataView', () => new DataView(new ArrayBuffer(12)), true],
      ['null', () => null, false],
      ['undefined', () => undefined, false],
      ['a string', () => 'abc', false],
      ['a bigint', () => 1n, false],
      ['a plain object', () => ({ length: 3 }), false],
    ];

    describe.each(KERNELS)('%s', (kernel) => {
      const fn = loose(engine, kernel);
      const inName = inputName(kernel);
      const outNames = outputNames(kernel);

      it.each(badValues)(`rejects %s as the input with a TypeError naming it`, (_, make, isArray) => {
        const outs = outNames.map(() => filled(3));
        let error: unknown;
        try {
          fn(make(), ...outs);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TypeError);
        const message = (error as TypeError).message;
        expect(message).toContain(`${inName} must be`);
        if (isArray) expect(message).toContain(`Float32Array.from(${inName})`);
        outs.forEach((o) => expect(allSentinel(o), 'outputs must be untouched').toBe(true));
      });

      it.each(badValues.filter(([label]) => label !== 'undefined'))(
        `rejects %s as an output with a TypeError naming it`,
        (_, make) => {
          for (let j = 0; j < outNames.length; j++) {
            const x = variedInputs(3, 1);
            const outs: unknown[] = outNames.map(() => filled(3));
            outs[j] = make();
            expect(() => fn(x, ...outs)).toThrow(TypeError);
            expect(() => fn(x, ...outs)).toThrow(`${outNames[j]} must be`);
            outs.forEach((o, i) => i !== j && expect(allSentinel(o as Float32Array), 'other outputs must be untouched').toBe(true));
          }
        },
      );

      it('rejects a Float64Array input with a Float32Array output, and the reverse', () => {
        for (let j = 0; j < outNames.length; j++) {
          const outs32 = outNames.map(() => filled(3));
          const outs64: Float64Array[] = outNames.map(() => new Float64Array(3).fill(SENTINEL));
          const mixed32: unknown[] = [...outs64];
          mixed32[j] = outs32[j];
          expect(() => fn(new Float64Array(3), ...mixed32)).toThrow(TypeError);
          expect(() => fn(new Float64Array(3), ...mixed32)).toThrow(`${outNames[j]} must be a Float64Array`);
          const mixed64: unknown[] = [...outs32];
          mixed64[j] = outs64[j];
          expect(() => fn(new Float32Array(3), ...mixed64)).toThrow(TypeError);
          expect(() => fn(new Float32Array(3), ...mixed64)).toThrow(`${outNames[j]} must be a Float32Array`);
          [...outs32, ...outs64].forEach((o) => expect(allSentinel(o), 'outputs must be untouched').toBe(true));
        }
      });

      it('rejects an output of the wrong length with a RangeError', () => {
        for (let j = 0; j < outNames.length; j++) {
          for (const [n, wrong] of [
            [3, 4],
            [3, 2],
            [C + 1, C],
            [0, 1],
          ] as const) {
            const outs = outNames.map(() => filled(n));
            outs[j] = filled(wrong);
            expect(() => fn(variedInputs(n, 2), ...outs)).toThrow(RangeError);
            expect(() => fn(variedInputs(n, 2), ...outs)).toThrow(`${outNames[j]}.length is ${wrong}`);
            outs.forEach((o) => expect(allSentinel(o), 'outputs must be untouched').toBe(true));
            const outs64 = outNames.map(() => new Float64Array(n).fill(SENTINEL));
            outs64[j] = new Float64Array(wrong).fill(SENTINEL);
            expect(() => fn(new Float64Array(n), ...outs64)).toThrow(RangeError);
            outs64.forEach((o) => expect(allSentinel(o), 'float64 outputs must be untouched').toBe(true));
          }
          const rx = engine.alloc(5);
          const routs = outNames.map(() => engine.alloc(5));
          routs.forEach((r) => r.array.fill(SENTINEL));
          const wrongOut = engine.alloc(6);
          wrongOut.array.fill(SENTINEL);
          const args: unknown[] = [...routs];
          args[j] = wrongOut;
          expect(() => fn(rx, ...args)).toThrow(RangeError);
          [...routs, wrongOut].forEach((r) => expect(allSentinel(r.array), 'resident outputs must be untouched').toBe(true));
          [rx, wrongOut, ...routs].forEach((r) => r.free());
        }
      });

      it('rejects an output passed with a number input', () => {
        for (let j = 0; j < outNames.length; j++) {
          const out = filled(1);
          const args: unknown[] = outNames.map(() => undefined);
          args[j] = out;
          expect(() => fn(0.5, ...args)).toThrow(TypeError);
          expect(() => fn(0.5, ...args)).toThrow(`${outNames[j]} must be omitted`);
          expect(allSentinel(out)).toBe(true);
        }
      });
    });
  });
});

describe('a large input through the SIMD backend', () => {
  it('streams 100 million floats through bounded WASM memory', () => {
    const engine = createEngine({ backend: 'simd' });
    const heap = heapOf(engine)!;
    engine.sigmoid(new Float32Array(8)); // any lazy setup happens before the measurement
    const bytesBefore = heap.buffer().byteLength;
    const n = 100_000_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i % 2000) / 100 - 10;
    const y = engine.sigmoid(x);
    expect(y.length).toBe(n);
    expect(heap.buffer().byteLength).toBe(bytesBefore);
    for (const i of [0, 1, 999, 1000, 1999, 4095, 4096, C * 1000 + 17, 50_000_001, n - 2, n - 1]) {
      expect(sameBits(y[i]!, emu.sigmoid(x[i]!)), `y[${i}] = ${y[i]} for x = ${x[i]}`).toBe(true);
    }
  });
});

describe('the scratch views of a WASM backend', () => {
  it.each(['simd', 'scalar'] as const)('%s: are cached, and rebuilt only when memory has grown', (name) => {
    const engine = createEngine({ backend: name });
    const impl = (engine as unknown as { impl: { scratch(): { input: Float32Array }; heap: { buffer(): ArrayBuffer } } }).impl;
    const first = impl.scratch();
    engine.sigmoid(variedInputs(100, 3));
    expect(impl.scratch() === first).toBe(true); // no new views per call
    const big = engine.alloc(4 * C * 16); // forces memory.grow
    const second = impl.scratch();
    expect(second === first).toBe(false);
    expect(second.input.buffer).toBe(impl.heap.buffer());
    expect(first.input.length).toBe(0); // the old views were detached by the growth
    const x = variedInputs(3 * C + 5, 7);
    expectBits(engine.sigmoid(x), Float32Array.from(x, emu.sigmoid), x, 'the copy path after growth');
    expect(impl.scratch() === second).toBe(true);
    big.free();
  });

  it('the double kernels\' self-check, run on the first double call, does not spoil the input of that call when it lies on the scratch buffers', () => {
    for (const at of [0, 1, 2]) {
      const engine = createEngine({ backend: 'simd' }); // fresh: its double kernels are not checked yet
      const impl = (engine as unknown as { impl: { pointers: readonly number[] } }).impl;
      const memory = engine.alloc(1, Float64Array).array.buffer;
      const x = new Float64Array(memory, impl.pointers[at]!, 8).fill(-5);
      const y = engine.logSigmoid(x);
      for (let i = 0; i < 8; i++) expect(Object.is(y[i], engine.logSigmoid(-5)), `scratch buffer ${at}: y[${i}] = ${y[i]}`).toBe(true);
    }
  });

  it.each(['simd', 'scalar'] as const)('%s: the view of the first results that short calls copy out is right for every length, before and after growth', (name) => {
    const engine = createEngine({ backend: name });
    const check = (when: string): void => {
      for (const n of [5, 7, 5, 5, 1, C]) {
        const x = variedInputs(n, n);
        expectBits(engine.sigmoid(x), Float32Array.from(x, emu.sigmoid), x, `${when}, ${n} floats`);
        const x64 = Float64Array.from(x, (v, i) => v + i / 7);
        const y64 = engine.tanh(x64);
        for (let i = 0; i < n; i++) expect(Object.is(y64[i], engine.tanh(x64[i]!)), `${when}, ${n} doubles, y[${i}]`).toBe(true);
      }
    };
    check('before growth');
    const big = engine.alloc(4 * C * 16); // forces memory.grow: the cached views are detached
    check('after growth');
    big.free();
  });
});

describe('odd inputs found in review', () => {
  it('a SharedArrayBuffer from another realm sharing memory with the output is treated as overlapping', async () => {
    const vm = await import('node:vm');
    const n = 2 * C + 100;
    const pages = Math.ceil(((n + 7) * 4) / 65536); // room for x and out below, whatever the chunk size
    const memory = vm.runInNewContext(`new WebAssembly.Memory({ initial: ${pages}, maximum: ${pages + 3}, shared: true })`) as WebAssembly.Memory;
    const before = memory.buffer;
    memory.grow(1);
    const after = memory.buffer; // another SharedArrayBuffer object over the same memory
    for (const name of ['simd', 'scalar', 'js'] as const) {
      const engine = createEngine({ backend: name });
      const x = new Float32Array(before, 0, n);
      x.set(variedInputs(n, 71));
      const want = Float32Array.from(x, emu.sigmoid);
      const out = new Float32Array(after, 28, n); // 7 elements above x, in the same memory
      engine.sigmoid(x, out);
      expectBits(out, want, want, `${name}: sigmoid into an overlapping view of another realm's SharedArrayBuffer`);
      // Float64 views take the same overlap analysis.
      const x64 = new Float64Array(before, 0, 1000);
      x64.set(Array.from({ length: 1000 }, (_, i) => i / 50 - 10));
      const want64 = Float64Array.from(x64, (v) => engine.sigmoid(v));
      engine.sigmoid(x64, new Float64Array(after, 8 * 3, 1000));
      expect(Array.from(new Float64Array(after, 8 * 3, 1000))).toEqual(Array.from(want64));
    }
  });

  it('views of the engine\'s own scratch buffers as x, out, y or dy give the results of ordinary arrays', () => {
    const engine = createEngine({ backend: 'simd' });
    type Views = { input: Float32Array | Float64Array; output: Float32Array | Float64Array; output2: Float32Array | Float64Array };
    const impl = (engine as unknown as { impl: { scratch(): Views; double: { scratch(): Views } } }).impl;
    for (const [scratch, type] of [[impl.scratch(), Float32Array], [impl.double.scratch(), Float64Array]] as const) {
      for (const n of [16, 100, 3000]) {
        const x: Float32Array | Float64Array = type.from(variedInputs(n, n));
        const want = engine.sigmoid(x as Float64Array);
        const pair = engine.sigmoidWithDerivative(x as Float64Array);
        for (const [from, at] of [['input', 0], ['input', 5], ['output', 0], ['output', 3], ['output2', 1]] as const) {
          for (const [to, shift] of [['output', 0], ['output', 7], ['input', 2], ['output2', 0], ['output2', 9]] as const) {
            const xs = scratch[from].subarray(at, at + n);
            xs.set(x);
            const out = scratch[to].subarray(shift, shift + n);
            engine.sigmoid(xs as never, out as never);
            expect(Array.from(out), `${type.name} ${n}: x in ${from}+${at}, out in ${to}+${shift}`).toEqual(Array.from(want));
            xs.set(x);
            const y = type === Float32Array ? new Float32Array(n) : new Float64Array(n);
            engine.sigmoidWithDerivative(xs as never, y as never, out as never);
            expect(Array.from(y), `${type.name} ${n}: y`).toEqual(Array.from(pair.y));
            expect(Array.from(out), `${type.name} ${n}: dy in ${to}+${shift}`).toEqual(Array.from(pair.dy));
          }
        }
      }
    }
  });

  it('a stale Float64Array view of WASM memory throws a TypeError, as input or output', () => {
    const engine = createEngine({ backend: 'simd' });
    const a = engine.alloc(4);
    const stale = new Float64Array(a.array.buffer, 0, 2);
    const big = engine.alloc(1 << 20); // grows memory: `stale` is detached
    expect(() => engine.sigmoid(stale)).toThrow(/stale/);
    expect(() => engine.sigmoidWithDerivative(stale)).toThrow(TypeError);
    expect(() => engine.sigmoid(new Float64Array(2), stale)).toThrow(/stale/);
    a.free();
    big.free();
  });

  it('a detached or out-of-bounds view is a TypeError naming it, as input or output, never read as empty', () => {
    const detached = (type: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array => {
      const buffer = new ArrayBuffer(4 * type.BYTES_PER_ELEMENT);
      const view = new type(buffer);
      structuredClone(buffer, { transfer: [buffer] });
      return view;
    };
    // Resizable ArrayBuffers (ES2024) are not in the ES2022 types this project compiles against.
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
    const outOfBounds = (): Float32Array => {
      const buffer = new Resizable(16, { maxByteLength: 32 });
      const view = new Float32Array(buffer, 0, 4);
      buffer.resize(8);
      return view;
    };
    const call = (f: unknown, ...args: unknown[]): unknown => (f as (...a: unknown[]) => unknown)(...args);
    for (const backend of ['simd', 'scalar', 'js'] as const) {
      const engine = createEngine({ backend });
      for (const [kind, bad] of [['detached floats', detached(Float32Array)], ['detached doubles', detached(Float64Array)], ['out of bounds', outOfBounds()]] as const) {
        expect(bad.length).toBe(0);
        const what = `${backend}, ${kind}`;
        expect(() => call(engine.sigmoid, bad), what).toThrow(/sigmoid\(x, out\): x cannot be read/);
        expect(() => call(engine.sigmoidWithDerivative, bad), what).toThrow(TypeError);
        expect(() => call(engine.softmax, bad, { rowLength: 1 }), what).toThrow(/softmax\(x, out, options\): x cannot be read/);
        const empty = bad instanceof Float64Array ? new Float64Array(0) : new Float32Array(0);
        expect(() => call(engine.sigmoid, empty, bad), what).toThrow(/out cannot be read/);
      }
      // Empty arrays that can be read stay fine, a length-tracking view of an empty resizable buffer too.
      expect(engine.sigmoid(new Float32Array(0))).toEqual(new Float32Array(0));
      expect(engine.sigmoid(new Float32Array(new Resizable(0, { maxByteLength: 16 })))).toEqual(new Float32Array(0));
    }
  });

  it('a typed array that fakes its Symbol.toStringTag is judged by its real type', () => {
    const engine = createEngine({ backend: 'js' });
    const i32 = new Int32Array([1, 2, 3]);
    Object.defineProperty(i32, Symbol.toStringTag, { value: 'Float32Array' });
    expect(() => engine.sigmoid(i32 as unknown as Float32Array)).toThrow(TypeError);
    const out = new Float32Array(3).fill(7);
    expect(() => engine.sigmoid(new Float32Array(3), i32 as unknown as Float32Array)).toThrow(TypeError);
    expect(Array.from(out)).toEqual([7, 7, 7]);
  });

  it('alloc names itself and its parameter in every error', () => {
    for (const name of ['simd', 'js'] as const) {
      const engine = createEngine({ backend: name });
      expect(() => engine.alloc('5' as unknown as number)).toThrow(TypeError);
      expect(() => engine.alloc(2 ** 40)).toThrow(/^alloc\(length\): cannot allocate/);
    }
  });
});

describe('the registry', () => {
  it('every function of the registry is exported by name (the default engine), and every engine has it', async () => {
    const api = (await import('simd-activations')) as unknown as Record<string, unknown>;
    const engine = createEngine({ backend: 'js' }) as unknown as Record<string, unknown>;
    expect(KERNELS.length).toBeGreaterThan(3);
    for (const name of KERNELS) {
      expect(typeof api[name], name).toBe('function');
      expect(typeof engine[name], name).toBe('function');
    }
  });

  it('lists each function with its parameters and bounds; a pair names two single functions', () => {
    for (const f of functions) {
      expect(f.outputs.length).toBe(f.bounds.length);
      if (f.outputs.length === 2) {
        expect(f.outputs).toEqual(['y', 'dy']);
        expect(f.parts!.map((p) => info(p).outputs.length)).toEqual([1, 1]);
      } else {
        expect(f.outputs).toEqual(['out']);
        expect(f.parts).toBeUndefined();
      }
    }
    expect(Object.isFrozen(functions)).toBe(true);
  });
});

describe('aliases', () => {
  it('swish is silu, on the default engine, on every engine and on a pool', async () => {
    const api = await import('simd-activations');
    expect(api.swish).toBe(api.silu);
    const engine = createEngine({ backend: 'scalar' });
    expect(engine.swish).toBe(engine.silu);
    const pool = await api.createPool({ threads: 1 });
    expect(pool.swish).toBe(pool.silu);
    await pool.close();
  });
});
