// The row functions (softmax, logSoftmax, logSumExp) on every backend: each result within its
// bound (rowFunctions) of an exact BigInt reference, on rows of many lengths and distributions;
// the three backends bit-identical; a row streamed through the scratch buffers identical to the
// same row computed whole; the special values; argument errors that write nothing; in place and
// overlapping views; Float64Arrays against a 1,400-bit reference; the pool.
/// <reference types="node" />
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import * as K from '../build/lib/generated/constants.js';
import { SELF_CHECK_INPUTS, SELF_CHECK_ROW_HASHES } from '../build/lib/generated/kernels.js';
import { SELF_CHECK_ROW_LENGTH, hashFloat32Bits, selfCheckRows } from '../build/lib/hash.js';
import { createEngine, createPool, logSumExp, rowFunctions, softmax, type Engine, type ResidentArray, type RowFunctionName } from 'simd-activations';
import { fixedPoint, ONE, expNegative, logAtLeastOne, toFixed, ulpError } from './exact.js';
import { sameBits } from './helpers.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const BOUND = Object.fromEntries(rowFunctions.map((f) => [f.name, f.bound])) as Record<RowFunctionName, number>;

/** A deterministic generator of uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

function normal(u: () => number, sigma: number): number {
  return sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

// The distributions of docs/design/softmax/DESIGN.md, the adversarial ones included: advB puts
// every element but the maximum at the z where the float32 exponential's error is largest.
const DISTRIBUTIONS: Record<string, (n: number, u: () => number) => number[]> = {
  uniform10: (n, u) => Array.from({ length: n }, () => u() * 20 - 10),
  normal1: (n, u) => Array.from({ length: n }, () => normal(u, 1)),
  normal100: (n, u) => Array.from({ length: n }, () => normal(u, 100)),
  dominant: (n, u) => Array.from({ length: n }, (_, i) => (i === n >> 1 ? 30 : u() * 4 - 2)),
  allEqual: (n) => Array.from({ length: n }, () => 1.5),
  wide: (n, u) => Array.from({ length: n }, () => u() * 300 - 150),
  huge: (n, u) => Array.from({ length: n }, () => (u() * 2 - 1) * 3e38),
  tiny: (n, u) => Array.from({ length: n }, () => (u() * 2 - 1) * 1e-40),
  logProbabilities: (n, u) => {
    const p = Array.from({ length: n }, () => u() + 0.01);
    const total = p.reduce((a, b) => a + b, 0);
    return p.map((v) => Math.log(v / total));
  },
  advB: (n) => Array.from({ length: n }, (_, i) => (i === 0 ? 0 : -0.34427469968795776)),
  ascending: (n) => Array.from({ length: n }, (_, i) => (i / n) * 40 - 20),
  descending: (n) => Array.from({ length: n }, (_, i) => 20 - (i / n) * 40),
};
const SHORT = [1, 2, 3, 15, 16, 17, 33, 1000];
const LONG = [4096, 16385, 40000];
const LONG_DISTRIBUTIONS = ['uniform10', 'normal1', 'dominant', 'advB', 'logProbabilities'];

interface Case {
  readonly name: string;
  readonly x: Float32Array;
  readonly rowLength: number;
}
const CASES: Case[] = [];
let seed = 1;
for (const [name, make] of Object.entries(DISTRIBUTIONS)) {
  const lengths = LONG_DISTRIBUTIONS.includes(name) ? [...SHORT, ...LONG] : SHORT;
  for (const n of lengths) {
    // Two rows of the short lengths, so that the batched path runs several rows per call.
    const rows = n <= 1000 ? 2 : 1;
    const values = Array.from({ length: rows }, () => make(n, uniform(seed++))).flat();
    CASES.push({ name: `${name}, rows of ${n}`, x: Float32Array.from(values), rowLength: n });
  }
}
// One vocabulary row of a language model (151,936 logits).
CASES.push({ name: 'normal1, one row of 151,936', x: Float32Array.from(DISTRIBUTIONS.normal1!(151936, uniform(99))), rowLength: 151936 });

/** The exact results of a case at 2^-256 (enough for every float32, subnormals included). */
interface Exact {
  softmax: bigint[];
  logSoftmax: bigint[];
  logSumExp: bigint[];
  /** log of each row's sum of e^(x - max): the scale of logSumExp's cancellation. */
  lambda: bigint[];
}
const F32 = fixedPoint(256n);
/** Beyond this, e^-z < 2^-288 vanishes at this scale. */
const Z_CUT = F32.toFixed(200);

function exactRows({ x, rowLength }: Case, fp: ReturnType<typeof fixedPoint>, cut: bigint): Exact {
  const result: Exact = { softmax: [], logSoftmax: [], logSumExp: [], lambda: [] };
  for (let from = 0; from < x.length; from += rowLength) {
    const row = Array.from(x.subarray(from, from + rowLength), (v) => fp.toFixed(v));
    const m = row.reduce((a, b) => (b > a ? b : a));
    const terms = row.map((v) => (m - v > cut ? 0n : fp.expNegative(m - v)));
    const sum = terms.reduce((a, b) => a + b, 0n);
    const lambda = fp.logAtLeastOne(sum);
    for (let i = 0; i < rowLength; i++) {
      result.softmax.push((terms[i]! * fp.ONE) / sum);
      result.logSoftmax.push(row[i]! - m - lambda);
    }
    result.logSumExp.push(m + lambda);
    result.lambda.push(lambda);
  }
  return result;
}

const exactCache = new Map<Case, Exact>();
function exact(c: Case): Exact {
  let e = exactCache.get(c);
  if (!e) exactCache.set(c, (e = exactRows(c, F32, Z_CUT)));
  return e;
}

function call(engine: Engine, name: RowFunctionName, x: Float32Array, rowLength: number): Float32Array {
  if (name === 'logSumExp') return engine.logSumExp(x, undefined, { rowLength });
  return engine[name](x, undefined, { rowLength });
}

describe.each(BACKENDS)('%s backend: accuracy against an exact reference', (backend) => {
  const engine = createEngine({ backend });
  for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
    it(`${name}: within ${BOUND[name]} ulp on ${CASES.length} cases of rows of 1 to 151,936`, () => {
      let worst = { error: 0, at: '' };
      for (const c of CASES) {
        const got = call(engine, name, c.x, c.rowLength);
        const want = exact(c)[name];
        expect(got.length).toBe(want.length);
        for (let i = 0; i < got.length; i++) {
          // Beyond the largest float32 (by half an ulp), -inf and +inf are the rounded results.
          const overflow = !Number.isFinite(got[i]!) && Math.sign(got[i]!) * Number(want[i]! >> 256n) >= 2 ** 128 - 2 ** 103;
          let error = overflow ? 0 : F32.ulpError(got[i]!, want[i]!, true);
          if (name === 'logSumExp') {
            // Where m + lambda cancels (|result| < 2^-27 lambda), the bound is relative to
            // lambda: the accurate pass leaves 2^-27 lambda / |result| ulp (README).
            const lambda = Number(exact(c).lambda[i]! >> 200n) / 2 ** 56;
            error -= (2 ** -27 * lambda) / Math.abs(got[i]! || 2 ** -149);
          }
          if (error > worst.error) worst = { error, at: `${c.name}, result ${i}: ${got[i]}` };
        }
      }
      // ulpError is the unrounded error: within `bound` ulp of the correctly rounded value means < bound + 0.5.
      console.log(`${backend} ${name}: largest error ${worst.error.toFixed(3)} ulp (unrounded) at ${worst.at}`);
      expect(worst.error, worst.at).toBeLessThan(BOUND[name] + 0.5);
    });
  }
});

describe('the backends agree bit for bit, batched and streamed', () => {
  const engines = BACKENDS.map((backend) => createEngine({ backend }));
  for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
    it(`${name}: simd, scalar and js identical on every case`, () => {
      for (const c of CASES) {
        const [simd, ...others] = engines.map((e) => call(e, name, c.x, c.rowLength));
        for (const other of others) {
          const i = simd!.findIndex((v, j) => !sameBits(v, other[j]!));
          expect(i, `${c.name}: result ${i}`).toBe(-1);
        }
      }
    });
  }

  // Rows longer than the scratch buffers (16,384 floats) stream pass by pass; resident arrays run
  // whole rows in one call (zero-copy): the results must be the same bits.
  it('a streamed row gives the bits of the same row computed whole (zero-copy), every length around the chunk', () => {
    const simd = engines[0]!;
    for (const n of [16383, 16384, 16385, 16400, 32768, 32769, 50001]) {
      for (const make of [DISTRIBUTIONS.uniform10!, DISTRIBUTIONS.logProbabilities!]) {
        const x = Float32Array.from(make(n, uniform(n)));
        const rx = simd.alloc(n);
        rx.array.set(x);
        for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
          const streamed = call(simd, name, x, n);
          const ro = simd.alloc(streamed.length);
          if (name === 'logSumExp') simd.logSumExp(rx, ro, { rowLength: n });
          else simd[name](rx, ro, { rowLength: n });
          const whole = ro.array;
          const i = streamed.findIndex((v, j) => !sameBits(v, whole[j]!));
          expect(i, `${name}, n = ${n}: result ${i}`).toBe(-1);
          ro.free();
        }
        rx.free();
      }
    }
  });
});

describe('special values (as IEEE arithmetic and PyTorch give them)', () => {
  const inf = Infinity;
  // [row, softmax, logSoftmax, logSumExp], for Float32Arrays and (but the huge row) Float64Arrays
  const TABLE: [number[], number[], number[], number][] = [
    [[1, NaN, 2], [NaN, NaN, NaN], [NaN, NaN, NaN], NaN],
    [[1, inf, 2], [NaN, NaN, NaN], [NaN, NaN, NaN], inf],
    [[-inf, -inf], [NaN, NaN], [NaN, NaN], -inf],
    [[-inf, 0, -inf], [0, 1, 0], [-inf, 0, -inf], 0],
    [[3e38, 1e38, -3e38, 2.9999998e38], [1, 0, 0, 0], [0, -2e38, -inf, -2.0282409603651670e31], 3e38],
    [[5], [1], [0], 5],
    [[-0, -0], [0.5, 0.5], [-Math.LN2, -Math.LN2], Math.LN2],
    [[-0], [1], [0], 0],
  ];
  for (const backend of BACKENDS) {
    it(`${backend}: the table in the README`, () => {
      const engine = createEngine({ backend });
      for (const [row, y, logY, lse] of TABLE) {
        const x = Float32Array.from(row);
        // NaN, infinities and zeros (with their sign) exactly; other values to float32 precision.
        const close = (v: number, want: number): boolean => sameBits(v, Math.fround(want)) || (want !== 0 && Math.abs(v - want) <= 1e-7 * Math.abs(want));
        const expectRow = (got: ArrayLike<number>, want: number[], what: string): void =>
          Array.from(got).forEach((v, i) => expect(close(v, want[i]!), `${what}(${row})[${i}] = ${v}`).toBe(true));
        // The huge row is the float32 range's; the double range has its own below.
        const huge = row[0] === 3e38;
        // (Typed as Float32Array: the calls take either.)
        for (const data of (huge ? [x] : [x, Float64Array.from(row)]) as Float32Array[]) {
          const kind = data instanceof Float64Array ? 'Float64Array ' : '';
          expectRow(engine.softmax(data), y, `${kind}softmax`);
          expectRow(engine.logSoftmax(data), logY, `${kind}logSoftmax`);
          const got = engine.logSumExp(data);
          expect(close(got, lse), `${kind}logSumExp(${row}) = ${got}`).toBe(true);
        }
      }
    });
  }
});

describe('special values of the double range', () => {
  it('Float64Array: x - m beyond the double range gives 0 and -inf, as in float32', () => {
    const x = Float64Array.of(1.7e308, -1.7e308);
    expect(Array.from(softmax(x))).toEqual([1, 0]);
    expect(Array.from(createEngine().logSoftmax(x))).toEqual([0, -Infinity]);
    expect(logSumExp(x)).toBe(1.7e308);
  });
});

describe('arguments', () => {
  const engine = createEngine({ backend: 'simd' });
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);

  it('rowLength must be a positive integer dividing the length; nothing is written otherwise', () => {
    const out = new Float32Array(6).fill(7);
    for (const rowLength of [0, -2, 2.5, 4, 7, NaN, Infinity]) {
      expect(() => engine.softmax(x, out, { rowLength }), String(rowLength)).toThrow(RangeError);
      expect(() => engine.softmax(x, out, { rowLength }), String(rowLength)).toThrow(/options\.rowLength/);
    }
    expect(() => engine.softmax(x, out, { rowLength: '3' as unknown as number })).toThrow(TypeError);
    expect(() => (engine.softmax as (...args: unknown[]) => unknown)(x, out, 3)).toThrow(/options must be a plain object/);
    expect(out.every((v) => v === 7)).toBe(true);
  });

  it('an empty x is a RangeError unless a row length says it has no rows', () => {
    expect(() => engine.softmax(new Float32Array(0))).toThrow(RangeError);
    expect(() => engine.logSumExp(new Float32Array(0))).toThrow(/x is empty/);
    expect(engine.softmax(new Float32Array(0), { rowLength: 4 })).toEqual(new Float32Array(0));
    expect(engine.logSumExp(new Float32Array(0), undefined, { rowLength: 4 })).toEqual(new Float32Array(0));
  });

  it('out must match: the length for softmax, the number of rows for logSumExp, the kind always', () => {
    expect(() => engine.softmax(x, new Float32Array(5))).toThrow(/out\.length is 5 but x\.length is 6/);
    expect(() => engine.logSumExp(x, new Float32Array(3), { rowLength: 3 })).toThrow(/out\.length is 3 but x has 2 rows of 3/);
    expect(() => (engine.softmax as (...args: unknown[]) => unknown)(x, new Float64Array(6))).toThrow(TypeError);
    expect(() => engine.softmax(3 as unknown as Float32Array)).toThrow(/x must be a Float32Array, a Float64Array or a ResidentArray of rows/);
    expect(() => engine.softmax([1, 2] as unknown as Float32Array)).toThrow(TypeError);
    // An Array where out goes is an error, not options (nothing may be silently left unwritten).
    expect(() => (engine.softmax as (...args: unknown[]) => unknown)(x, [0, 0, 0, 0, 0, 0])).toThrow(/out must be a Float32Array/);
  });

  it('an out that is not an array is a TypeError naming out, never taken for options and ignored', () => {
    const call = engine.softmax as (...args: unknown[]) => unknown;
    const lse = engine.logSumExp as (...args: unknown[]) => unknown;
    const buffer = new ArrayBuffer(24);
    new Float32Array(buffer).fill(7);
    for (const out of [new DataView(buffer), buffer, new SharedArrayBuffer(24), new Map(), new Date(0)]) {
      const what = Object.prototype.toString.call(out);
      expect(() => call(x, out), what).toThrow(TypeError);
      expect(() => call(x, out), what).toThrow(/softmax\(x, out, options\): out must be/);
      expect(() => lse(x, out), what).toThrow(/logSumExp\(x, out, options\): out must be/);
    }
    expect(new Float32Array(buffer).every((v) => v === 7)).toBe(true);
  });

  it('options that are not a plain object are a TypeError naming options, never ignored', () => {
    const call = engine.softmax as (...args: unknown[]) => unknown;
    const out = new Float32Array(6).fill(7);
    for (const options of [[3], Float32Array.of(3), new Map([['rowLength', 3]]), new Date(0)]) {
      const what = Object.prototype.toString.call(options);
      expect(() => call(x, out, options), what).toThrow(TypeError);
      expect(() => call(x, out, options), what).toThrow(/options must be a plain object such as \{ rowLength: 1000 \}/);
    }
    expect(out.every((v) => v === 7)).toBe(true);
  });

  it('options second: any object without a length, from any realm', () => {
    const options = runInNewContext('({ rowLength: 3 })') as { rowLength: number };
    expect(engine.softmax(x, options)).toEqual(engine.softmax(x, undefined, { rowLength: 3 }));
    expect(() => engine.softmax(new Int32Array(6) as unknown as Float32Array)).toThrow(/x must be a Float32Array, a Float64Array or a ResidentArray of rows, not Int32Array/);
  });

  it("the self-check's recorded hashes (from the SIMD build at build time) are the JS twin's results", () => {
    const js = createEngine({ backend: 'js' });
    const x = selfCheckRows(SELF_CHECK_INPUTS);
    // The third row takes logSumExp's accurate pass (its result cancels).
    const lse = js.logSumExp(x, { rowLength: SELF_CHECK_ROW_LENGTH });
    expect(Math.abs(lse[2]!)).toBeLessThan(0.01);
    for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
      const y = name === 'logSumExp' ? js.logSumExp(x, { rowLength: SELF_CHECK_ROW_LENGTH }) : js[name](x, { rowLength: SELF_CHECK_ROW_LENGTH });
      expect(hashFloat32Bits(new Uint32Array(y.buffer, y.byteOffset, y.length)), name).toBe(SELF_CHECK_ROW_HASHES[name]);
    }
  });

  it('the chunk is a whole number of row blocks, which makes a streamed row the bits of a whole one', () => {
    expect(K.SCRATCH_LENGTH % K.ROW_BLOCK).toBe(0);
  });

  it('logSumExp returns a number for the whole array without out or rowLength, else an array of one per row', () => {
    expect(typeof engine.logSumExp(x)).toBe('number');
    expect(engine.logSumExp(x, undefined, { rowLength: 6 })).toBeInstanceOf(Float32Array);
    expect(engine.logSumExp(x, { rowLength: 2 })).toHaveLength(3);
    expect(logSumExp(x)).toBe(engine.logSumExp(x));
    expect(softmax(x, { rowLength: 3 })).toEqual(engine.softmax(x, undefined, { rowLength: 3 }));
  });
});

describe.each(BACKENDS)('%s backend: in place and overlapping views', (backend) => {
  const engine = createEngine({ backend });
  for (const n of [6, 40000]) {
    const make = (): Float32Array => Float32Array.from(DISTRIBUTIONS.uniform10!(n * 3, uniform(n)));
    for (const name of ['softmax', 'logSoftmax'] as const) {
      it(`${name}: out === x and out shifted over x give the results of separate arrays (rows of ${n})`, () => {
        const data = make();
        const want = engine[name](data.slice(0, n));
        const inPlace = data.slice(0, n);
        engine[name](inPlace, inPlace);
        expect(inPlace).toEqual(want);
        for (const shift of [1, -1, 5]) {
          const buffer = make();
          const x = buffer.subarray(n, 2 * n);
          x.set(data.subarray(0, n));
          const out = buffer.subarray(n + shift, 2 * n + shift);
          engine[name](x, out);
          expect(out, `shift ${shift}`).toEqual(want);
        }
      });
    }
    it(`logSumExp: out over x (rows of ${n})`, () => {
      const data = make();
      const want = engine.logSumExp(data, undefined, { rowLength: n });
      engine.logSumExp(data, data.subarray(1, 4), { rowLength: n });
      expect(data.subarray(1, 4)).toEqual(want);
    });
  }
});

describe('Float64Array rows against a 1,400-bit reference', () => {
  const u = uniform(7);
  const rows: [string, number[]][] = [
    ['uniform10', DISTRIBUTIONS.uniform10!(1000, u)],
    ['normal100', DISTRIBUTIONS.normal100!(300, u)],
    ['dominant', DISTRIBUTIONS.dominant!(300, u)],
    ['wide', DISTRIBUTIONS.wide!(300, u)],
    ['tiny', Array.from({ length: 64 }, () => (u() * 2 - 1) * 1e-300)],
    ['subnormal results', [0, -720, -740, -744, -745.5, -800, -3]],
    ['beyond the double range', [1e308, -1e308, 1.7e308, -Infinity]],
    ['two', [0.5, -0.25]],
    ['one', [3]],
  ];
  // The same bounds as float32 (README): measured 1 ulp.
  for (const [name, values] of rows) {
    it(`${name} (${values.length}): softmax, logSoftmax and logSumExp within their bounds, the same on every backend`, () => {
      const x = Float64Array.from(values);
      const c: Case = { name, x: x as unknown as Float32Array, rowLength: x.length };
      const want = exactRows(c, { W: 1400n, ONE, toFixed, expNegative, logAtLeastOne, ulpError } as ReturnType<typeof fixedPoint>, toFixed(1000));
      const results = BACKENDS.map((backend) => {
        const e = createEngine({ backend });
        return { softmax: e.softmax(x), logSoftmax: e.logSoftmax(x), logSumExp: Float64Array.of(e.logSumExp(x)) };
      });
      for (const f of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
        // Beyond the largest double (by half an ulp), -inf and +inf are the rounded results.
        const overflows = (v: number, exact: bigint): boolean => !Number.isFinite(v) && Math.sign(v) * Number(exact >> 1400n) >= 2 ** 1024 - 2 ** 970;
        const errors = Array.from(results[0]![f], (v, i) => (overflows(v, want[f][i]!) ? 0 : ulpError(v, want[f][i]!)));
        console.log(`float64 ${name} ${f}: largest error ${Math.max(...errors).toFixed(3)} ulp (unrounded)`);
        errors.forEach((error, i) => expect(error, `${f}[${i}] = ${results[0]![f][i]}`).toBeLessThan(BOUND[f] + 0.5));
        for (const r of results.slice(1)) expect(r[f]).toEqual(results[0]![f]);
      }
    });
  }
});

describe('the pool', () => {
  it('gives the engine’s results, on ordinary and resident arrays', async () => {
    const pool = await createPool({ threads: 2 });
    try {
      const engine = createEngine();
      const x = Float32Array.from(DISTRIBUTIONS.normal1!(50000, uniform(3)));
      expect(await pool.softmax(x, { rowLength: 1000 })).toEqual(engine.softmax(x, { rowLength: 1000 }));
      expect(await pool.logSoftmax(x)).toEqual(engine.logSoftmax(x));
      expect(await pool.logSumExp(x)).toBe(engine.logSumExp(x));
      const r = pool.alloc(x.length);
      r.array.set(x);
      const out = await pool.logSumExp(r, pool.alloc(50), { rowLength: 1000 });
      expect(Array.from(out.array)).toEqual(Array.from(engine.logSumExp(x, { rowLength: 1000 })));
      await expect(pool.softmax(x, { rowLength: 3 })).rejects.toThrow(RangeError);
    } finally {
      await pool.close();
    }
  });

  it('splits whole rows across its workers for resident and SharedArrayBuffer arrays, with the engine’s bits', async () => {
    const pool = await createPool({ threads: 2 });
    const scatter = vi.spyOn(pool as unknown as { scatter(...args: unknown[]): Promise<void> }, 'scatter');
    try {
      const engine = createEngine();
      const n = 1 << 20;
      for (const rowLength of [1000, 4096, 16384]) {
        const m = Math.ceil(n / rowLength) * rowLength; // at least the pool's MIN_PARALLEL_LENGTH
        const x = Float32Array.from(DISTRIBUTIONS.logProbabilities!(m, uniform(rowLength)));
        const options = { rowLength };
        const resident = pool.alloc(m);
        resident.array.set(x);
        const shared = new Float32Array(new SharedArrayBuffer(m * 4));
        shared.set(x);
        for (const name of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
          const want = name === 'logSumExp' ? engine.logSumExp(x, options) : engine[name](x, options);
          const calls = scatter.mock.calls.length;
          const fromResident = name === 'logSumExp' ? await pool.logSumExp(resident, options) : await pool[name](resident, options);
          const sharedOut = new Float32Array(new SharedArrayBuffer(want.length * 4));
          await (name === 'logSumExp' ? pool.logSumExp(shared, sharedOut, options) : pool[name](shared, sharedOut, options));
          // logSumExp's out on another SharedArrayBuffer may be x's memory under another name
          // (the pool cannot tell): that call stays on this thread.
          expect(scatter.mock.calls.length, `${name}, rows of ${rowLength}: on the workers`).toBe(calls + (name === 'logSumExp' ? 1 : 2));
          expect(Array.from((fromResident as ResidentArray).array), `${name}, resident, rows of ${rowLength}`).toEqual(Array.from(want));
          expect(sharedOut, `${name}, shared, rows of ${rowLength}`).toEqual(want);
          (fromResident as ResidentArray).free();
        }
        // In place on the workers: softmax over its own input.
        await pool.softmax(resident, resident, options);
        expect(Array.from(resident.array)).toEqual(Array.from(engine.softmax(x, options)));
        resident.free();
      }
    } finally {
      await pool.close();
    }
  });
});
