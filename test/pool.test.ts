// The worker pool: results bit-identical to the synchronous API for every kind of array and
// every size around the cut-off and the staging rounds; calls queued in order; errors; close;
// and the fallback where shared memory is missing.
/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine, createPool, functions, type Pool } from 'simd-activations';
import type { SingleName } from '../build/lib/functions.js';
import { MIN_PARALLEL_LENGTH, MIN_STAGED_LENGTH, STAGE_LENGTH } from '../build/lib/pool.js';
import { SPECS } from '../build/lib/functions.js';
import { describeMismatch, variedInputs } from './helpers.js';

const sync = createEngine({ backend: 'simd' });
let pool: Pool;

beforeAll(async () => {
  pool = await createPool({ threads: 2 });
});

afterAll(async () => {
  await pool?.close();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const SIZES = [
  ['below the cut-off', MIN_PARALLEL_LENGTH - 1],
  ['at the cut-off for arrays the workers reach', MIN_PARALLEL_LENGTH],
  ['a length that is not a whole number of vectors per worker', MIN_PARALLEL_LENGTH + 2 * 16 + 3],
  ['an odd length over several staging rounds of ordinary arrays', MIN_STAGED_LENGTH + 3 * STAGE_LENGTH + 37],
] as const;

/** The functions of the registry, with one result and with two. */
type Single = SingleName;
const SINGLES = functions.filter((f) => f.outputs.length === 1).map((f) => f.name as Single);
const PAIRS = functions.filter((f) => f.outputs.length === 2);

const shared = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(n * 4));

/** Counts the rounds the workers compute (the pool's one way of handing them work). */
function workerRounds(): { count(): number } {
  const spy = vi.spyOn(pool as unknown as { dispatch(...args: unknown[]): Promise<void> }, 'dispatch');
  const before = spy.mock.calls.length;
  return { count: () => spy.mock.calls.length - before };
}

describe.each(SIZES)('%s (%i elements): bit-identical to the synchronous functions', (_, n) => {
  const x = variedInputs(n, 91);
  const want = Object.fromEntries(SINGLES.map((name) => [name, (sync[name] as (x: Float32Array) => Float32Array)(x)])) as Record<Single, Float32Array>;
  // Large calls must really go to the workers: a silent fallback to this thread would pass
  // every comparison below. Ordinary arrays need a larger size than the others.
  let rounds: { count(): number };
  beforeEach(() => {
    rounds = workerRounds();
  });
  const expectWorkers = (ordinary: boolean): void => {
    const parallel = n >= (ordinary ? MIN_STAGED_LENGTH : MIN_PARALLEL_LENGTH);
    if (parallel) expect(rounds.count()).toBeGreaterThan(0);
    else expect(rounds.count()).toBe(0);
  };

  it.each(SINGLES)('%s on ordinary arrays', async (name) => {
    const out = new Float32Array(n);
    const f = pool[name] as (x: Float32Array, out?: Float32Array) => Promise<Float32Array>;
    expect(await f(x, out)).toBe(out);
    expect(describeMismatch(out, want[name], x)).toBe('identical');
    expect(describeMismatch(await f(x), want[name], x)).toBe('identical');
    expectWorkers(true);
  });

  it('sigmoid on SharedArrayBuffer-backed arrays, at an offset, and in place', async () => {
    const xs = new Float32Array(new SharedArrayBuffer((n + 3) * 4), 12, n);
    xs.set(x);
    const out = shared(n);
    await pool.sigmoid(xs, out);
    expect(describeMismatch(out, want.sigmoid, x)).toBe('identical');
    await pool.sigmoid(xs, xs);
    expect(describeMismatch(xs, want.sigmoid, x)).toBe('identical');
    expectWorkers(false);
  });

  it('sigmoid on resident arrays (pool.alloc), into another one and in place', async () => {
    const r = pool.alloc(n);
    r.array.set(x);
    const out = await pool.sigmoid(r);
    expect(describeMismatch(out.array, want.sigmoid, x)).toBe('identical');
    await pool.sigmoid(r, r);
    expect(describeMismatch(r.array, want.sigmoid, x)).toBe('identical');
    pool.free(r);
    pool.free(out);
    expectWorkers(false);
  });

  it.each(PAIRS)('$name: shared and resident arrays, then ordinary ones', async ({ name, parts }) => {
    type Both<T> = { y: T; dy: T };
    const both3 = pool[name] as unknown as (x: unknown, y?: unknown, dy?: unknown) => Promise<Both<never>>;
    const [wantY, wantDy] = [want[parts![0]], want[parts![1]]];
    const xs = shared(n);
    xs.set(x);
    const [y, dy] = [shared(n), shared(n)];
    await both3(xs, y, dy);
    expect(describeMismatch(y, wantY, x)).toBe('identical');
    expect(describeMismatch(dy, wantDy, x)).toBe('identical');
    const r = pool.alloc(n);
    r.array.set(x);
    const resident = (await both3(r)) as Both<typeof r>;
    expect(describeMismatch(resident.y.array, wantY, x)).toBe('identical');
    expect(describeMismatch(resident.dy.array, wantDy, x)).toBe('identical');
    for (const a of [r, resident.y, resident.dy]) a.free();
    expectWorkers(false);
    rounds = workerRounds();
    const both = (await both3(x, new Float32Array(n), shared(n))) as Both<Float32Array>;
    expect(describeMismatch(both.y, wantY, x)).toBe('identical');
    expect(describeMismatch(both.dy, wantDy, x)).toBe('identical');
    expectWorkers(true);
  });
});

describe('the pool', () => {
  it('has the threads it was asked for, and computes numbers and Float64Arrays like the synchronous functions', async () => {
    expect(pool.threads).toBe(2);
    expect(await pool.sigmoid(1)).toBe(sync.sigmoid(1));
    expect(await pool.sigmoidWithDerivative(-3)).toEqual(sync.sigmoidWithDerivative(-3));
    const x64 = Float64Array.from(variedInputs(1000, 3));
    expect(Array.from(await pool.sigmoidDerivative(x64))).toEqual(Array.from(sync.sigmoidDerivative(x64)));
  });

  it('SharedArrayBuffer outputs on buffers of their own go to the workers, in place too', async () => {
    const n = MIN_PARALLEL_LENGTH;
    const rounds = workerRounds();
    const x = shared(n);
    x.set(variedInputs(n, 6));
    await pool.sigmoid(x, shared(n));
    await pool.sigmoid(x, x);
    await pool.sigmoidWithDerivative(x, shared(n), shared(n));
    expect(rounds.count()).toBe(3);
  });

  it('an output shifted against its input (one buffer) gives the synchronous result', async () => {
    const n = MIN_PARALLEL_LENGTH + 1000;
    for (const shift of [-7, 7]) {
      const buffer = new SharedArrayBuffer((n + 20) * 4);
      const x = new Float32Array(buffer, 40, n);
      x.set(variedInputs(n, 5));
      const want = sync.sigmoid(x.slice());
      const out = new Float32Array(buffer, 40 + shift * 4, n);
      await pool.sigmoid(x, out);
      expect(describeMismatch(out, want, x)).toBe('identical');
    }
  });

  it('queues concurrent calls: all resolve, in order, each with its own result', async () => {
    const n = MIN_PARALLEL_LENGTH + 123;
    const a = variedInputs(n, 1);
    const b = new Float32Array(n);
    const c = new Float32Array(n);
    // c depends on b, which the call before writes: the queue keeps them in order.
    const first = pool.sigmoid(a, b);
    const second = pool.sigmoidDerivativeFromOutput(b, c);
    const others = Array.from({ length: 12 }, (_, i) => {
      const x = variedInputs(i % 2 ? 5000 : n + i, 100 + i);
      return pool.sigmoid(x).then((y) => describeMismatch(y, sync.sigmoid(x), x));
    });
    await Promise.all([first, second]);
    expect(describeMismatch(b, sync.sigmoid(a), a)).toBe('identical');
    expect(describeMismatch(c, sync.sigmoidDerivativeFromOutput(sync.sigmoid(a)), a)).toBe('identical');
    expect(await Promise.all(others)).toEqual(Array(12).fill('identical'));
  });

  it('an input the caller changes while its call waits does not touch the other calls', async () => {
    const n = MIN_PARALLEL_LENGTH + 5;
    const a = variedInputs(n, 11);
    const b = variedInputs(n, 12);
    const pendingA = pool.sigmoid(a);
    const pendingB = pool.sigmoid(b);
    a.fill(1000); // while both are queued
    b.reverse();
    const wantB = sync.sigmoid(b);
    await pendingA;
    expect(describeMismatch(await pendingB, wantB, b)).toBe('identical');
  });

  it('rejects bad arguments at once, with the errors of the synchronous functions, writing nothing', async () => {
    const out = new Float32Array(4).fill(7);
    await expect(pool.sigmoid('x' as unknown as number)).rejects.toThrow(TypeError);
    await expect(pool.sigmoid(new Float32Array(5), out)).rejects.toThrow(RangeError);
    await expect(pool.sigmoid(new Float32Array(5), out)).rejects.toThrow(/sigmoid\(x, out\): out/);
    expect(Array.from(out)).toEqual([7, 7, 7, 7]);
    const y = pool.alloc(4);
    y.free();
    await expect(pool.sigmoid(y)).rejects.toThrow(/freed/);
  });

  it("a worker's error rejects the call with that error, and the pool stays usable", async () => {
    const n = MIN_PARALLEL_LENGTH;
    const r = pool.alloc(n);
    // An unknown kernel id cannot come through the public functions: go one level down. The
    // workers' module traps on it.
    const dispatch = (pool as unknown as { dispatch(spec: unknown, count: number, ...locations: unknown[]): Promise<void> }).dispatch.bind(pool);
    const location = { pointer: (r as unknown as { pointer: number }).pointer };
    await expect(dispatch({ ...SPECS.sigmoid, kernel: 9999 }, n, location, location, undefined)).rejects.toThrow(/unreachable/);
    const x = variedInputs(n, 2);
    expect(describeMismatch(await pool.sigmoid(x), sync.sigmoid(x), x)).toBe('identical');
    r.free();
  });

  it('a call that fails frees the outputs it allocated, elementwise and rows', async () => {
    // A failure of the workers' part, where the call made its outputs (resident, as x is).
    const internals = pool as unknown as {
      scatter(...args: unknown[]): Promise<void>;
      engine: { impl: { allocated: Map<number, number> } };
    };
    const live = (): number => internals.engine.impl.allocated.size;
    const n = MIN_PARALLEL_LENGTH;
    const x = pool.alloc(n);
    x.array.set(variedInputs(n, 5));
    const before = live();
    const scatter = vi.spyOn(internals, 'scatter');
    scatter.mockRejectedValueOnce(new Error('simulated failure'));
    await expect(pool.sigmoidWithDerivative(x)).rejects.toThrow('simulated failure');
    expect(live()).toBe(before);
    scatter.mockRejectedValueOnce(new Error('simulated failure'));
    await expect(pool.softmax(x, { rowLength: 1024 })).rejects.toThrow('simulated failure');
    expect(live()).toBe(before);
    expect(scatter).toHaveBeenCalledTimes(2);
    // The next calls are whole.
    const { y, dy } = await pool.sigmoidWithDerivative(x);
    expect(describeMismatch(y.array, sync.sigmoid(x.array), x.array)).toBe('identical');
    expect(live()).toBe(before + 2);
    for (const array of [x, y, dy]) array.free();
  });

  it('a worker that dies fails the call it was part of, and is replaced', async () => {
    const own = await createPool({ threads: 2 });
    const internals = own as unknown as {
      crashed(slot: number, error: Error): void;
      dispatch(...args: unknown[]): Promise<void>;
      start(slot: number): Promise<void>;
      workers: unknown[];
    };
    const dispatched = vi.spyOn(internals, 'dispatch');
    const restarted = vi.spyOn(internals, 'start');
    // Worker 0 never receives its share of the call, so the call is surely in flight, waiting
    // on worker 0, when the crash is reported (no race with a worker that finishes first).
    const victim = internals.workers[0] as { post(message: { type: string }): void };
    const post = victim.post;
    let jobWithheld!: () => void;
    const withheld = new Promise<void>((resolve) => (jobWithheld = resolve));
    victim.post = (message) => (message.type === 'job' ? jobWithheld() : post(message));
    const n = MIN_PARALLEL_LENGTH;
    const [a, b] = [own.alloc(n), own.alloc(n)];
    const pending = own.sigmoid(a, b);
    await withheld;
    // What the pool does when a worker reports an error event or exits unexpectedly.
    internals.crashed(0, new Error('worker 0 died'));
    await expect(pending).rejects.toThrow('worker 0 died');
    expect(restarted).toHaveBeenCalledWith(0);
    // A call right away, while the replacement starts, goes to the worker that is running.
    const x = variedInputs(MIN_PARALLEL_LENGTH + 3, 21);
    const r = own.alloc(x.length);
    r.array.set(x);
    expect(describeMismatch((await own.sigmoid(r)).array, sync.sigmoid(x), x)).toBe('identical');
    await restarted.mock.results[0]!.value;
    expect(internals.workers[0]).toBeDefined();
    expect(describeMismatch((await own.sigmoid(r)).array, sync.sigmoid(x), x)).toBe('identical');
    expect(dispatched.mock.calls.length).toBe(3);
    const closing = own.close();
    expect(own.close()).toBe(closing); // a second close() is the first one
    await closing;
  });

  describe('odd inputs found in review', () => {
    const n = MIN_PARALLEL_LENGTH;
    const js = createEngine({ backend: 'js' });

    it('another SharedArrayBuffer object for the pool’s own memory, shifted against a resident input', async () => {
      const r = pool.alloc(n);
      const x = variedInputs(n, 31);
      r.array.set(x);
      for (const shift of [1, -17, n / 2]) {
        r.array.set(x);
        const clone = structuredClone(r.array.buffer as SharedArrayBuffer); // the same memory, a new object
        const out = new Float32Array(clone, r.array.byteOffset + shift * 4, n);
        await pool.sigmoid(r, out);
        expect(describeMismatch(out, js.sigmoid(x), x)).toBe('identical');
      }
      r.free();
    });

    it('an output the caller detaches mid-call fails that call only; the next call is whole', async () => {
      const m = MIN_STAGED_LENGTH;
      const x = new Float32Array(m).fill(1);
      const y = new Float32Array(m);
      // y is detached right after the first round goes to the workers: its call is then surely
      // in flight (ordinary arrays of 4 Mi take 16 staged rounds).
      const internals = pool as unknown as { dispatch(...args: unknown[]): Promise<void> };
      const dispatch = Object.getPrototypeOf(pool).dispatch as (...args: unknown[]) => Promise<void>;
      vi.spyOn(internals, 'dispatch').mockImplementationOnce(function (this: unknown, ...args: unknown[]) {
        const round = dispatch.apply(pool, args);
        structuredClone(y.buffer, { transfer: [y.buffer] });
        return round;
      });
      const first = pool.sigmoid(x, y); // ordinary arrays: staged rounds
      const [a, b] = [pool.alloc(m), pool.alloc(m)];
      a.array.fill(2);
      b.array.fill(-1);
      const second = pool.sigmoid(a, b);
      await expect(first).rejects.toThrow(TypeError);
      expect(y.length).toBe(0); // it was detached
      await second;
      const [want] = sync.sigmoid(new Float32Array([2]));
      expect(b.array.every((v) => v === want)).toBe(true);
      a.free();
      b.free();
    });

    it('outputs left out are made as the synchronous functions make them', async () => {
      const x = pool.alloc(n);
      const { y, dy } = await pool.sigmoidWithDerivative(x, shared(n) as never);
      expect(y.constructor).toBe(Float32Array);
      expect(dy.constructor).toBe(Float32Array);
      const both = await pool.sigmoidWithDerivative(x);
      expect(both.y.constructor.name).toBe('ResidentArray');
      for (const a of [x, both.y, both.dy]) pool.free(a);
    });

    it('a subclass that lies about byteOffset does not move where the workers write', async () => {
      const buffer = new SharedArrayBuffer(8 * n);
      class Lying extends Float32Array {
        override get byteOffset(): number {
          return 0;
        }
      }
      const x = new Lying(buffer as unknown as ArrayBuffer, 4 * n, n);
      x.fill(3);
      await pool.sigmoid(x, x);
      expect(new Float32Array(buffer, 0, n).every((v) => v === 0)).toBe(true);
      const [want] = sync.sigmoid(new Float32Array([3]));
      expect(x.every((v) => v === want)).toBe(true);
    });
  });

  it('alloc and free: resident arrays of the pool only', () => {
    const r = pool.alloc(10);
    expect(r.array).toBeInstanceOf(Float32Array);
    expect(r.array.buffer).toBeInstanceOf(SharedArrayBuffer);
    pool.free(r);
    pool.free(r); // twice is harmless
    expect(() => pool.free(sync.alloc(3))).toThrow(TypeError);
    expect(() => pool.free(new Float32Array(3) as never)).toThrow(/ResidentArray from this pool/);
  });
});

describe('createPool', () => {
  it('rejects threads of another type with a TypeError', async () => {
    await expect(createPool({ threads: '2' as unknown as number })).rejects.toThrow(TypeError);
  });

  it.each([0, 17, 1.5, NaN, -1])('rejects threads: %s with a RangeError naming options.threads', async (threads) => {
    await expect(createPool({ threads })).rejects.toThrow(RangeError);
    await expect(createPool({ threads })).rejects.toThrow(/options\.threads must be an integer from 1 to 16/);
  });

  it('close() waits for the calls made, ends the workers, and later calls reject', async () => {
    const own = await createPool({ threads: 1 });
    const x = variedInputs(MIN_PARALLEL_LENGTH, 4);
    const pending = own.sigmoid(x);
    await own.close();
    expect(describeMismatch(await pending, sync.sigmoid(x), x)).toBe('identical');
    await expect(own.sigmoid(x)).rejects.toThrow(/the pool is closed/);
  });

  it('a Node process using a pool exits by itself, with close() or without', () => {
    const script = (close: boolean): string => `
      import { createPool } from 'simd-activations';
      const pool = await createPool({ threads: 2 });
      const y = await pool.sigmoid(new Float32Array(${MIN_PARALLEL_LENGTH}).fill(1));
      ${close ? 'await pool.close();' : ''}
      console.log(y[0]);`;
    for (const close of [true, false]) {
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script(close)], { encoding: 'utf8', timeout: 90_000 });
      expect(output.trim()).toBe(String(sync.sigmoid(new Float32Array([1]))[0]));
    }
  });

  it('without SharedArrayBuffer: runs on the calling thread, threads === 1, one warning, same results', async () => {
    vi.resetModules();
    const fresh = (await import('simd-activations')) as typeof import('simd-activations');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const fallback = await fresh.createPool({ threads: 2 });
    await fresh.createPool();
    vi.unstubAllGlobals();
    expect(fallback.threads).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/calling thread: SharedArrayBuffer is not available/);
    const x = variedInputs(MIN_PARALLEL_LENGTH + 9, 8);
    expect(describeMismatch(await fallback.sigmoid(x), sync.sigmoid(x), x)).toBe('identical');
    const r = fallback.alloc(5);
    r.array.set([1, 2, 3, 4, 5]);
    expect(Array.from((await fallback.sigmoid(r)).array)).toEqual(Array.from(sync.sigmoid(new Float32Array([1, 2, 3, 4, 5]))));
    await fallback.close();
  });
});

describe('the package on the calling thread', () => {
  it("installs no message handler there (only the pool's workers listen)", () => {
    expect((globalThis as { onmessage?: unknown }).onmessage).toBeUndefined();
  });
});

describe('the threads build', () => {
  it("has exactly the SIMD build's kernel code, so its results are the same bit for bit", () => {
    const functions = (file: string): Map<string, string> => {
      const text = readFileSync(new URL(`../build/${file}`, import.meta.url), 'utf8');
      const found = new Map<string, string>();
      for (const match of text.matchAll(/\n \(func (\$assembly\/map\/\w+)[\s\S]*?(?=\n \(func |\n \(export |\n\)\s*$)/g)) found.set(match[1]!, match[0]);
      return found;
    };
    const simd = functions('simd.wat');
    const threads = functions('threads.wat');
    // run(), the one entry point, and the kernels' loops it calls.
    expect(simd.has('$assembly/map/run')).toBe(true);
    expect([...simd.keys()].sort()).toEqual([...threads.keys()].sort());
    for (const [name, body] of simd) expect(threads.get(name), name).toBe(body);
  });
});
