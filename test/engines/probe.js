// @ts-check
// Runs unchanged in every runtime (Node, Deno, Bun, a browser page, a module worker): given the
// package as the caller imported it, reports which backend the default engine picked, a
// fingerprint of every public function (the package's own list, `functions`, so a function added
// to the registry joins every runtime's fingerprint) on every backend over a fixed input set,
// a short smoke test of the API, and optionally the worker pool. The harness (run.ts) compares
// every runtime's report with Node's.
/** @typedef {import('../../build/lib/index.js')} Package */
/** @typedef {import('../../build/lib/index.js').FunctionInfo} PublicFunction */

/** The package's functions, set by probe() from the package it is given. */
/** @type {readonly PublicFunction[]} */
let FUNCTIONS = [];
/** @typedef {Record<string, string>} Fingerprints label -> 8 hex digits */

export const BACKENDS = /** @type {const} */ (['simd', 'scalar', 'js']);

/**
 * The pool's arrays: past the pool's cut-off for ordinary arrays (4 Mi, staged through shared
 * memory), so that resident, SharedArrayBuffer and ordinary arrays all reach the workers; not a
 * multiple of the threads, lanes or stage length.
 */
const POOL_LENGTH = (1 << 22) + 1003;

// ---------------------------------------------------------------------------------------------
// The inputs: float32 bit patterns, the same in every runtime.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** @param {number} x */
const bitsOf = (x) => ((f32[0] = x), u32[0] ?? 0);

/** Every `stride`-th float32 bit pattern from the one of `from` to the one of `to` (same sign). */
function sweep(/** @type {number[]} */ out, /** @type {number} */ from, /** @type {number} */ to, /** @type {number} */ stride) {
  const [a, b] = [bitsOf(from), bitsOf(to)].sort((p, q) => p - q);
  for (let bits = a ?? 0; bits <= (b ?? 0); bits += stride) out.push(bits);
}

/**
 * The fixed input set (about 330,000 float32 values, as bit patterns):
 * special values; σ's subnormal band x in [−104, −87]; the derivative's tail |x| in [15, 110],
 * where σ rounds to 0 or 1 but σ' keeps shrinking to subnormals and 0; a dense sweep near 0
 * (the grid k/65536 on [−1, 1], the smallest subnormals, and runs of consecutive floats at every
 * power of two from 2^−126 to 2^4); a stride through all 2^32 patterns (NaN payloads included);
 * seeded values in [−120, 120].
 */
export function inputSet() {
  /** @type {number[]} */
  const out = [];
  for (const v of [0, -0, Infinity, -Infinity, NaN, -NaN, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 1.1754944e-38,
    3.4028235e38, -3.4028235e38, 1, -1, 0.5, -0.5, 2, -2, 16.635532, -16.635532, 87.33655, -87.33655, 88.72284, -88.72284,
    103.97208, -103.97208, 104, -104, 1e-8, -1e-8]) {
    out.push(bitsOf(v));
  }
  sweep(out, -87, -104, 29); // σ's subnormal band
  sweep(out, 15, 110, 727); // the derivative's tail, both signs
  sweep(out, -15, -110, 727);
  for (let k = -65536; k <= 65536; k++) out.push(bitsOf(k / 65536)); // near 0, dense
  for (let b = 0; b < 4096; b++) out.push(b, (b | 0x80000000) >>> 0); // the smallest subnormals
  for (let e = -126; e <= 4; e++) {
    const base = bitsOf(2 ** e);
    for (let i = -32; i < 32; i++) out.push(base + i, ((base + i) | 0x80000000) >>> 0);
  }
  for (let b = 0; b < 2 ** 32; b += 0x10001 * 7) out.push(b >>> 0); // a stride through all patterns
  let state = 12345;
  for (let i = 0; i < 4096; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(bitsOf((state / 2 ** 32) * 240 - 120));
  }
  return new Float32Array(Uint32Array.from(out).buffer);
}

/**
 * The double inputs: the float32 set as doubles, and what only doubles reach: every binade of
 * both signs (subnormal to huge, 8 values each), the band where σ and silu have subnormal results
 * (x from -745.2 to -708.3), the tails to the clamp at 768, tanh's cut-off near 2^-26, and
 * silu's derivative's root. Exact values only (no Math.exp or Math.pow).
 * @param {Float32Array} floats
 */
export function doubleInputSet(floats) {
  const out = Array.from(floats);
  for (let e = -1074, p = 5e-324; e <= 1023; e++, p *= 2) {
    for (let i = 0; i < 8; i++) out.push(p * (1 + i / 8), -p * (1 + i / 8));
  }
  for (let i = 0; i <= 4000; i++) out.push(-745.25 + i * 0.009375, 700 + i * 0.017);
  for (let i = -64; i <= 64; i++) out.push(1.3538603431225865e-8 * (1 + i * 2 ** -40), -1.2784645427610738 * (1 + i * 2 ** -45), 768 + i / 8);
  return Float64Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Fingerprints: MurmurHash3 (x86, 32-bit) of the output words, with every NaN made the same NaN
// (the package promises bit-identical results, NaN payloads aside).

/** @param {Uint32Array} words @param {(words: Uint32Array, i: number) => number} word */
function murmur3(words, word) {
  let h = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    let k = Math.imul(word(words, i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  h ^= words.length * 4;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, '0');
}

/** @param {Uint32Array} w @param {number} i */
const float32Word = (w, i) => {
  const b = w[i] ?? 0;
  return (b & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : b;
};

/**
 * Little-endian pairs (low, high) of float64 words; a NaN's pair becomes (0, 0x7ff80000).
 * @param {Uint32Array} w @param {number} i
 */
const float64Word = (w, i) => {
  const low = i & 1 ? (w[i - 1] ?? 0) : (w[i] ?? 0);
  const high = i & 1 ? (w[i] ?? 0) : (w[i + 1] ?? 0);
  const nan = (high & 0x7fffffff) > 0x7ff00000 || ((high & 0x7fffffff) === 0x7ff00000 && low !== 0);
  if (nan) return i & 1 ? 0x7ff80000 : 0;
  return w[i] ?? 0;
};

/** @param {Float32Array | Float64Array} v */
export function fingerprint(v) {
  const words = new Uint32Array(v.buffer, v.byteOffset, (v.length * v.BYTES_PER_ELEMENT) / 4);
  return murmur3(words, v instanceof Float64Array ? float64Word : float32Word);
}

// ---------------------------------------------------------------------------------------------
// Calling any public function the same way.

/** How an output is named in reports: the function, or function.output for several outputs. */
export const label = (/** @type {PublicFunction} */ fn, /** @type {string} */ output) =>
  fn.outputs.length === 1 ? fn.name : `${fn.name}.${output}`;

/** The outputs of one call's result, in the order of fn.outputs. */
function outputsOf(/** @type {PublicFunction} */ fn, /** @type {any} */ result) {
  return fn.outputs.length === 1 ? [result] : fn.outputs.map((name) => result[name]);
}

/**
 * Calls `fn` on `target` (an engine, the package or a pool) with input x and outputs `outs`
 * (left out when absent) and returns its outputs in order (awaited when the call is async).
 * @param {unknown} target @param {PublicFunction} fn @param {unknown} x @param {unknown[]} [outs]
 */
function call(target, fn, x, outs = []) {
  const result = /** @type {Record<string, (...args: unknown[]) => unknown>} */ (target)[fn.name]?.(x, ...outs);
  if (result instanceof Promise) return result.then((r) => outputsOf(fn, r));
  return outputsOf(fn, result);
}

/** Fingerprints of each function's outputs on one engine, for one kind of input. */
function fingerprintAll(/** @type {unknown} */ engine, /** @type {Float32Array | Float64Array} */ x) {
  /** @type {Fingerprints} */
  const out = {};
  for (const fn of FUNCTIONS) {
    const outputs = /** @type {(Float32Array | Float64Array)[]} */ (call(engine, fn, x));
    fn.outputs.forEach((name, i) => (out[label(fn, name)] = fingerprint(/** @type {Float32Array} */ (outputs[i]))));
  }
  return out;
}

/** The number path: each element through the function on its own, collected into Float64Arrays. */
function fingerprintNumbers(/** @type {unknown} */ engine, /** @type {Float64Array} */ x) {
  /** @type {Fingerprints} */
  const out = {};
  for (const fn of FUNCTIONS) {
    const columns = fn.outputs.map(() => new Float64Array(x.length));
    for (let i = 0; i < x.length; i++) {
      const outputs = /** @type {number[]} */ (call(engine, fn, x[i]));
      for (let j = 0; j < columns.length; j++) /** @type {Float64Array} */ (columns[j])[i] = /** @type {number} */ (outputs[j]);
    }
    fn.outputs.forEach((name, j) => (out[label(fn, name)] = fingerprint(/** @type {Float64Array} */ (columns[j]))));
  }
  return out;
}

/**
 * The row functions' fingerprints (the package's `rowFunctions`), on 60,000 values: uniform in
 * [−20, 20] with every 97th a finite value of the input set (subnormals, extremes), in rows of
 * 1,000 (several rows per chunk) and of 20,000 (each streamed pass by pass), as Float32Arrays and
 * as Float64Arrays (their double form has no Math.exp either: the same bits everywhere).
 * @param {unknown} engine @param {Float32Array} all @param {readonly { name: string }[]} rowFunctions
 */
function fingerprintRows(engine, all, rowFunctions) {
  let state = 777;
  const x = Float32Array.from({ length: 60000 }, (_, i) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const v = all[(i * 7919) % all.length] ?? 0;
    return i % 97 === 0 && Number.isFinite(v) ? v : (state / 2 ** 32) * 40 - 20;
  });
  /** @type {Fingerprints} */
  const out = {};
  const f = /** @type {Record<string, (...args: unknown[]) => Float32Array | Float64Array>} */ (engine);
  for (const { name } of rowFunctions) {
    for (const rowLength of [1000, 20000]) {
      out[`${name}/${rowLength}`] = fingerprint(/** @type {(...args: unknown[]) => Float32Array} */ (f[name])(x, undefined, { rowLength }));
      out[`${name}/${rowLength}/float64`] = fingerprint(/** @type {(...args: unknown[]) => Float64Array} */ (f[name])(new Float64Array(x), undefined, { rowLength }));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The smoke test: in place, overlapping outputs, resident arrays, and bad arguments.

/** Whether two float32 arrays hold the same bits, any NaN equal to any NaN. */
function sameBits(/** @type {Float32Array} */ a, /** @type {Float32Array} */ b) {
  if (a.length !== b.length) return false;
  const [p, q] = [a, b].map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length));
  for (let i = 0; i < a.length; i++) if (float32Word(/** @type {Uint32Array} */ (p), i) !== float32Word(/** @type {Uint32Array} */ (q), i)) return false;
  return true;
}

/** The name of the error a call throws, or 'no error'. */
function thrown(/** @type {() => unknown} */ f) {
  try {
    f();
    return 'no error';
  } catch (error) {
    return /** @type {Error} */ (error)?.constructor?.name ?? String(error);
  }
}

/**
 * Per function: true for each check that held (false otherwise), and the name of the error
 * each bad call threw. Every runtime must give Node's answers.
 * @param {import('../../build/lib/index.js').Engine} engine @param {Float32Array} all
 */
function smoke(engine, all) {
  const n = 1037; // not a multiple of the SIMD lanes or the unroll
  const x = Float32Array.from({ length: n }, (_, i) => all[(i * 307) % all.length] ?? 0);
  /** @type {Record<string, Record<string, boolean | string>>} */
  const report = {};
  for (const fn of FUNCTIONS) {
    const want = /** @type {Float32Array[]} */ (call(engine, fn, x));
    const fresh = () => fn.outputs.slice(1).map(() => new Float32Array(n));
    const matches = (/** @type {unknown[]} */ got) => got.every((v, i) => sameBits(/** @type {Float32Array} */ (v), /** @type {Float32Array} */ (want[i])));

    const inPlace = x.slice();
    const inPlaceResult = /** @type {unknown[]} */ (call(engine, fn, inPlace, [inPlace, ...fresh()]));

    // The output starts 3 floats after the input, then 3 floats before it, in one buffer.
    const after = new Float32Array(n + 3);
    after.set(x);
    const before = new Float32Array(n + 3);
    before.set(x, 3);

    const resident = engine.alloc(n);
    resident.array.set(x);
    const residentOutputs = /** @type {import('../../build/lib/index.js').ResidentArray[]} */ (call(engine, fn, resident));
    const residentMatches = matches(residentOutputs.map((r) => r.array));
    for (const r of [resident, ...residentOutputs]) r.free();

    const short = new Float32Array(n - 1).fill(7);
    report[fn.name] = {
      inPlace: inPlaceResult[0] === inPlace && matches(inPlaceResult),
      overlapAfter: matches(/** @type {unknown[]} */ (call(engine, fn, after.subarray(0, n), [after.subarray(3), ...fresh()]))),
      overlapBefore: matches(/** @type {unknown[]} */ (call(engine, fn, before.subarray(3), [before.subarray(0, n), ...fresh()]))),
      resident: residentMatches,
      arrayInput: thrown(() => call(engine, fn, Array.from(x))),
      int32Input: thrown(() => call(engine, fn, new Int32Array(n))),
      float64Output: thrown(() => call(engine, fn, x, [new Float64Array(n)])),
      shortOutput: thrown(() => call(engine, fn, x, [short])),
      shortOutputUntouched: short.every((v) => v === 7),
    };
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// The worker pool.

/**
 * createPool() with its defaults: how many threads it has, why not more (its console.warn),
 * and fingerprints of every function on POOL_LENGTH elements (the input set repeated) through
 * resident, SharedArrayBuffer-backed (where there is SharedArrayBuffer) and ordinary arrays,
 * with the synchronous default engine's fingerprints of the same input to compare them with.
 * @param {Package} pkg @param {Float32Array} all
 */
async function probePool(pkg, all) {
  const x = new Float32Array(POOL_LENGTH);
  for (let i = 0; i < POOL_LENGTH; i += all.length) x.set(all.subarray(0, Math.min(all.length, POOL_LENGTH - i)), i);

  /** @type {string[]} */
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(' '));
  let pool;
  try {
    pool = await pkg.createPool();
  } finally {
    console.warn = warn;
  }
  /** @type {Record<string, Fingerprints>} */
  const fingerprints = { sync: fingerprintAll(await pkg.init(), x), resident: {}, ordinary: {} };
  const hasShared = typeof SharedArrayBuffer === 'function';
  if (hasShared) fingerprints['shared'] = {};
  try {
    for (const fn of FUNCTIONS) {
      const record = (/** @type {string} */ kind, /** @type {Float32Array[]} */ outputs) =>
        fn.outputs.forEach((name, i) => ((/** @type {Fingerprints} */ (fingerprints[kind]))[label(fn, name)] = fingerprint(/** @type {Float32Array} */ (outputs[i]))));

      const resident = pool.alloc(POOL_LENGTH);
      resident.array.set(x);
      const residentOutputs = /** @type {import('../../build/lib/index.js').ResidentArray[]} */ (await call(pool, fn, resident));
      record('resident', residentOutputs.map((r) => r.array));
      for (const r of [resident, ...residentOutputs]) pool.free(r);

      if (hasShared) {
        const shared = () => new Float32Array(new SharedArrayBuffer(POOL_LENGTH * 4));
        const input = shared();
        input.set(x);
        record('shared', /** @type {Float32Array[]} */ (await call(pool, fn, input, fn.outputs.map(shared))));
      }
      record('ordinary', /** @type {Float32Array[]} */ (await call(pool, fn, x)));
    }
    return {
      threads: pool.threads,
      hardwareConcurrency: /** @type {{ navigator?: { hardwareConcurrency?: number } }} */ (globalThis).navigator?.hardwareConcurrency ?? null,
      crossOriginIsolated: /** @type {{ crossOriginIsolated?: boolean }} */ (globalThis).crossOriginIsolated ?? null,
      sharedArrayBuffer: hasShared,
      warnings,
      fingerprints,
    };
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** The runtime, as the code running in it sees it (browsers: the user agent). */
function runtime() {
  const g = /** @type {any} */ (globalThis);
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `Bun ${g.Bun.version} (JavaScriptCore)`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node} (V8 ${g.process.versions.v8})`;
  return String(g.navigator?.userAgent);
}

/** @param {unknown} error */
const describeError = (error) => String(/** @type {Error} */ (error)?.message ?? error);

/**
 * Everything this runtime reports (a JSON-ready object).
 * @param {Package} pkg the package as the caller imported it
 * @param {{ pool: boolean }} options whether to try the worker pool too
 */
export async function probe(pkg, options) {
  FUNCTIONS = pkg.functions;
  const started = Date.now();
  const all = inputSet();
  const doubles = doubleInputSet(all);
  const engine = await pkg.init();
  /** @type {Record<string, Record<string, unknown>>} */
  const report = { float32: {}, float64: {}, number: {}, rows: {}, smoke: {} };
  for (const backend of BACKENDS) {
    try {
      const e = pkg.createEngine({ backend });
      /** @type {Record<string, unknown>} */ (report['float32'])[backend] = fingerprintAll(e, all);
      /** @type {Record<string, unknown>} */ (report['float64'])[backend] = fingerprintAll(e, doubles);
      /** @type {Record<string, unknown>} */ (report['number'])[backend] = fingerprintNumbers(e, doubles);
      /** @type {Record<string, unknown>} */ (report['rows'])[backend] = fingerprintRows(e, all, pkg.rowFunctions ?? []);
      /** @type {Record<string, unknown>} */ (report['smoke'])[backend] = smoke(e, all);
    } catch (error) {
      for (const part of Object.values(report)) part[backend] = { error: describeError(error) };
    }
  }
  /** @type {unknown} */
  let pool = null;
  if (options.pool) {
    try {
      pool = await probePool(pkg, all);
    } catch (error) {
      pool = { error: describeError(error) };
    }
  }
  return {
    runtime: runtime(),
    inputs: all.length,
    doubleInputs: doubles.length,
    backend: pkg.backend(),
    rejected: engine.rejected,
    ...report,
    pool,
    milliseconds: Date.now() - started,
  };
}
