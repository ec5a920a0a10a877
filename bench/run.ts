// npm run bench: throughput of every backend and API path against JS and tfjs-wasm (XNNPACK's
// SIMD sigmoid), measured side by side in one run with benchmark.js. Prints a line per case as
// it is measured, then the tables, and writes results.json and results.svg (see --out).
//
//   --quick          run every case once per size (a smoke test; the numbers mean nothing)
//   --sizes a,b      array sizes, e.g. 16,4Ki,1Mi (default 16,256,4Ki,64Ki,1Mi,16Mi)
//   --cases a,b      only these cases (names as printed)
//   --wide           inputs uniform in [-110, 110] (subnormal and clamped results included)
//                    instead of [-10, 10]
//   --json           print the report as JSON instead of the tables
//   --out DIR        where to write results.json and results.svg (default: bench/, or a
//                    temporary folder with --quick, so a smoke run never replaces the results)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { onnxModel } from './onnx.js';
import { backend, createEngine, createPool, functions, sigmoid, type Engine, type SingleName } from 'simd-activations';
import { formatRate, formatSize, parseSize, targetTable, throughputTable, toJson, toSvg, type Measurement, type Report, type Target } from './report.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// ---------------------------------------------------------------------------------------------
// Options

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const quick = flag('quick');
const wide = flag('wide');
const sizes = (option('sizes') ?? '16,256,4Ki,64Ki,1Mi,16Mi').split(',').map(parseSize);
const only = option('cases')?.split(',');
const outDir = option('out') ?? (quick ? mkdtempSync(path.join(os.tmpdir(), 'simd-activations-bench-')) : path.join(root, 'bench'));
const range = wide ? 110 : 10;

// ---------------------------------------------------------------------------------------------
// Cases: each prepares its arrays for one size and returns the function to time.

/**
 * What a case times: `run`, or for the pool's asynchronous calls `runAsync`; `elements`: the
 * elements one call computes, where it is not all of x (whole rows of the row functions).
 */
type Prepared = ({ run: () => void } | { runAsync: () => Promise<unknown> }) & { dispose?: () => void; elements?: number };
interface Case {
  name: string;
  description: string;
  /** undefined: the case does not run at this size (a row longer than the array). */
  prepare(x: Float32Array): Prepared | undefined;
}

const engines = {
  js: createEngine({ backend: 'js' }),
  scalar: createEngine({ backend: 'scalar' }),
  simd: createEngine({ backend: 'simd' }),
};

const pool = await createPool({ threads: 2 });

/** A Float32Array on a SharedArrayBuffer of its own, holding `values`. */
function sharedCopy(values: Float32Array): Float32Array {
  const array = new Float32Array(new SharedArrayBuffer(values.length * 4));
  array.set(values);
  return array;
}

type Single = SingleName;

/** The copying API: the caller's Float32Array in, the caller's Float32Array out. */
function copying(engine: Engine | undefined, kernel: Single) {
  return (x: Float32Array): Prepared => {
    const out = new Float32Array(x.length);
    const f = engine ? engine[kernel] : sigmoid; // undefined: the top-level function (default engine)
    return { run: () => f(x, out) };
  };
}

/** The zero-copy path: input and output resident in the engine's memory. */
function resident(engine: Engine, kernel: Single) {
  return (x: Float32Array): Prepared => {
    const rx = engine.alloc(x.length);
    const out = engine.alloc(x.length);
    rx.array.set(x);
    return { run: () => engine[kernel](rx, out), dispose: () => (rx.free(), out.free()) };
  };
}

/**
 * onnxruntime-web's operator for a function, where ONNX has one: a one-node model run on its
 * WebAssembly backend (MLAS kernels) on one thread, copies in and out included (session.run
 * takes and returns tensors of ordinary memory).
 */
const ORT_OPS: Partial<Record<Single, string>> = { sigmoid: 'Sigmoid', tanh: 'Tanh', softplus: 'Softplus', gelu: 'Gelu', geluTanh: 'Gelu' };
/** The ONNX opset each operator needs, where the default (17) lacks it: Gelu came in opset 20. */
const ORT_OPSETS: Record<string, number> = { Gelu: 20 };
/** Node attributes per function: Gelu's tanh form is the same operator with approximate = 'tanh'. */
const ORT_ATTRIBUTES: Partial<Record<Single, Record<string, string>>> = { geluTanh: { approximate: 'tanh' } };
ort.env.wasm.numThreads = 1;

function onnxruntime(op: string, attributes?: Record<string, string>, rowLength?: number) {
  const session = ort.InferenceSession.create(onnxModel(op, ORT_OPSETS[op], attributes, rowLength ? 2 : 1), { executionProviders: ['wasm'] });
  return (x: Float32Array): Prepared | undefined => {
    const rows = rowLength && Math.floor(x.length / rowLength);
    if (rows === 0) return undefined;
    const data = rows ? x.subarray(0, rows * rowLength!) : x;
    const input = { x: new ort.Tensor('float32', data, rows ? [rows, rowLength!] : [x.length]) };
    return { runAsync: async () => (await (await session).run(input)).y!.dispose(), elements: data.length };
  };
}

/** tfjs-wasm's operator for a function, where it has one (timed on a resident tensor). */
const TFJS_OPS: Partial<Record<Single, (t: tf.Tensor) => tf.Tensor>> = {
  tanh: (t) => tf.tanh(t),
  softplus: (t) => tf.softplus(t),
  logSigmoid: (t) => tf.logSigmoid(t),
};

function tfjsCompute(op: (t: tf.Tensor) => tf.Tensor) {
  return (x: Float32Array): Prepared => {
    const t = tf.tensor1d(x);
    return { run: () => op(t).dispose(), dispose: () => t.dispose() };
  };
}

/** The loop a user would write for each function, from Math.exp (and x itself). */
const NAIVE: Partial<Record<Single, (x: number) => number>> = {
  tanh: Math.tanh,
  tanhDerivative: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
  silu: (x) => x / (1 + Math.exp(-x)),
  siluDerivative: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 + x * (1 - s));
  },
  softplus: (x) => Math.log1p(Math.exp(x)),
  logSigmoid: (x) => -Math.log1p(Math.exp(-x)),
  logSigmoidDerivative: (x) => 1 / (1 + Math.exp(x)),
  gelu: (x) => 0.5 * x * (1 + erfNaive(x / Math.SQRT2)),
  geluDerivative: (x) => 0.5 * (1 + erfNaive(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
  geluTanhDerivative: (x) => {
    const t = Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
  },
};

/** JS has no Math.erf: the approximation people paste (Abramowitz and Stegun 7.1.26, 1.5e-7 absolute). */
function erfNaive(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

/** A naive loop over Float32Arrays. */
function naive(f: (x: number) => number) {
  return (x: Float32Array): Prepared => {
    const out = new Float32Array(x.length);
    return {
      run() {
        for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
      },
    };
  };
}

/**
 * The cases of every function of the registry after the logistic ones (which have the
 * cases above): SIMD through the copying API, zero-copy, and the naive JS loop.
 */
function familyCases(): Case[] {
  return functions
    .filter((f) => f.outputs.length === 1 && !f.name.startsWith('sigmoid'))
    .flatMap((f) => {
      const name = f.name as Single;
      const cases: Case[] = [
        { name, description: `${name}, SIMD, copying API`, prepare: copying(engines.simd, name) },
        { name: `${name}-resident`, description: `${name}, SIMD, zero-copy`, prepare: resident(engines.simd, name) },
      ];
      const line = NAIVE[name];
      if (line) cases.push({ name: `${name}-naive`, description: `${name}: the loop people write, from Math.exp`, prepare: naive(line) });
      const op = TFJS_OPS[name];
      if (op) cases.push({ name: `${name}-tfjs`, description: `tfjs-wasm's ${name} on a resident tensor (compute only)`, prepare: tfjsCompute(op) });
      return cases;
    });
}

/** The row functions' row lengths: a classifier's head, an attention row, a vocabulary row of a language model. */
const ROW_LENGTHS = [1000, 4096, 151936];

/** Whole rows of `rowLength` from the start of x (undefined if x is shorter than a row). */
function wholeRows(x: Float32Array, rowLength: number): Float32Array | undefined {
  const rows = Math.floor(x.length / rowLength);
  return rows === 0 ? undefined : x.subarray(0, rows * rowLength);
}

/** softmax in the loop people write: per row, the maximum, exp and sum, then a division. */
function softmaxNaive(x: Float32Array, out: Float32Array, rowLength: number): void {
  for (let from = 0; from < x.length; from += rowLength) {
    const to = from + rowLength;
    let m = -Infinity;
    for (let i = from; i < to; i++) m = Math.max(m, x[i]!);
    let sum = 0;
    for (let i = from; i < to; i++) sum += out[i] = Math.exp(x[i]! - m);
    for (let i = from; i < to; i++) out[i] = out[i]! / sum;
  }
}

/**
 * The row functions' cases, for rows of each length: softmax through the copying API and
 * zero-copy, logSoftmax and logSumExp zero-copy, and softmax's peers: tfjs-wasm's tf.softmax
 * (compute only, and with its copies), onnxruntime-web's Softmax and the naive loop.
 */
function rowCases(): Case[] {
  return ROW_LENGTHS.flatMap((rowLength): Case[] => {
    const rows = (prepare: (x: Float32Array) => Prepared) => (x: Float32Array): Prepared | undefined => {
      const data = wholeRows(x, rowLength);
      return data && { ...prepare(data), elements: data.length };
    };
    const zeroCopy = (name: 'softmax' | 'logSoftmax' | 'logSumExp') =>
      rows((x) => {
        const e = engines.simd;
        const rx = e.alloc(x.length);
        const out = e.alloc(name === 'logSumExp' ? x.length / rowLength : x.length);
        rx.array.set(x);
        const options = { rowLength };
        const run = name === 'logSumExp' ? () => e.logSumExp(rx, out, options) : () => e[name](rx, out, options);
        return { run, dispose: () => (rx.free(), out.free()) };
      });
    const r = `r${rowLength}`;
    return [
      {
        name: `softmax-${r}`,
        description: `softmax, rows of ${rowLength}, SIMD, copying API`,
        prepare: rows((x) => {
          const out = new Float32Array(x.length);
          return { run: () => engines.simd.softmax(x, out, { rowLength }) };
        }),
      },
      { name: `softmax-${r}-resident`, description: `softmax, rows of ${rowLength}, SIMD, zero-copy`, prepare: zeroCopy('softmax') },
      { name: `logSoftmax-${r}-resident`, description: `logSoftmax, rows of ${rowLength}, SIMD, zero-copy`, prepare: zeroCopy('logSoftmax') },
      { name: `logSumExp-${r}-resident`, description: `logSumExp, rows of ${rowLength}, SIMD, zero-copy`, prepare: zeroCopy('logSumExp') },
      {
        name: `softmax-${r}-tfjs`,
        description: `tfjs-wasm tf.softmax, rows of ${rowLength}, on a resident tensor (compute only)`,
        prepare: rows((x) => {
          const t = tf.tensor2d(x, [x.length / rowLength, rowLength]);
          return { run: () => tf.softmax(t).dispose(), dispose: () => t.dispose() };
        }),
      },
      {
        name: `softmax-${r}-tfjs-copy`,
        description: `tfjs-wasm with the copies: tf.tensor2d, tf.softmax, dataSync, rows of ${rowLength}`,
        prepare: rows((x) => ({
          run() {
            const t = tf.tensor2d(x, [x.length / rowLength, rowLength]);
            const y = tf.softmax(t);
            y.dataSync();
            t.dispose();
            y.dispose();
          },
        })),
      },
      {
        name: `softmax-${r}-ort`,
        description: `onnxruntime-web ${ort.env.versions.web} Softmax (last axis), rows of ${rowLength}, session.run with its copies`,
        prepare: onnxruntime('Softmax', undefined, rowLength),
      },
      {
        name: `softmax-${r}-naive`,
        description: `softmax, rows of ${rowLength}: the loop people write, from Math.exp`,
        prepare: rows((x) => {
          const out = new Float32Array(x.length);
          return { run: () => softmaxNaive(x, out, rowLength) };
        }),
      },
    ];
  });
}

/**
 * Double precision (issue 13): sigmoid on Float64Arrays, through the copying API on each backend
 * (SIMD: the f64x2 kernels; scalar and JS: the JS twin), against the naive loop on the same
 * Float64Arrays; and on plain numbers, one call per element, against the naive line.
 */
function float64Cases(): Case[] {
  const doubles = (make: (x: Float64Array, out: Float64Array) => () => void) => (x: Float32Array): Prepared => {
    const x64 = Float64Array.from(x);
    return { run: make(x64, new Float64Array(x.length)) };
  };
  const numbers = Array.from({ length: 4096 }, (_, i) => Math.sin(i) * range);
  let sink = 0;
  return [
    {
      name: 'f64-naive',
      description: 'Float64Array: out[i] = 1 / (1 + Math.exp(-x[i]))',
      prepare: doubles((x, out) => () => {
        for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
      }),
    },
    { name: 'f64', description: 'Float64Array: the top-level sigmoid(x, out), SIMD f64x2', prepare: doubles((x, out) => () => sigmoid(x, out)) },
    {
      name: 'f64-resident',
      description: 'resident arrays of doubles: SIMD f64x2, zero-copy',
      prepare(x) {
        const rx = engines.simd.alloc(x.length, Float64Array);
        const out = engines.simd.alloc(x.length, Float64Array);
        rx.array.set(x);
        return { run: () => engines.simd.sigmoid(rx, out), dispose: () => (rx.free(), out.free()) };
      },
    },
    { name: 'f64-scalar', description: 'Float64Array: sigmoid(x, out) on the scalar backend (the JS twin)', prepare: doubles((x, out) => () => engines.scalar.sigmoid(x, out)) },
    { name: 'f64-js', description: 'Float64Array: sigmoid(x, out) on the JS backend (the JS twin)', prepare: doubles((x, out) => () => engines.js.sigmoid(x, out)) },
    {
      name: 'number-naive',
      description: 'numbers: 1 / (1 + Math.exp(-x)) per call, 4,096 numbers per cycle',
      prepare: () => ({
        run: () => {
          for (let i = 0; i < numbers.length; i++) sink += 1 / (1 + Math.exp(-numbers[i]!));
        },
        elements: numbers.length,
        dispose: () => void (sink = 0),
      }),
    },
    {
      name: 'number',
      description: 'numbers: the top-level sigmoid(x) per call, 4,096 numbers per cycle',
      prepare: () => ({
        run: () => {
          for (let i = 0; i < numbers.length; i++) sink += sigmoid(numbers[i]!);
        },
        elements: numbers.length,
        dispose: () => void (sink = 0),
      }),
    },
  ];
}

const CASES: Case[] = [
  {
    name: 'js-naive',
    description: 'out[i] = 1 / (1 + Math.exp(-x[i])), what people write',
    prepare(x) {
      const out = new Float32Array(x.length);
      return {
        run() {
          for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
        },
      };
    },
  },
  { name: 'js', description: "our JS fallback (bit-exact float32 emulation), copying API", prepare: copying(engines.js, 'sigmoid') },
  { name: 'scalar', description: 'WASM scalar build, copying API', prepare: copying(engines.scalar, 'sigmoid') },
  { name: 'scalar-resident', description: 'WASM scalar build, zero-copy', prepare: resident(engines.scalar, 'sigmoid') },
  { name: 'simd', description: 'WASM SIMD, the top-level sigmoid(x, out)', prepare: copying(undefined, 'sigmoid') },
  { name: 'simd-resident', description: 'WASM SIMD, zero-copy', prepare: resident(engines.simd, 'sigmoid') },
  {
    name: 'tfjs',
    description: 'tfjs-wasm tf.sigmoid on a resident tensor (compute only)',
    prepare(x) {
      const t = tf.tensor1d(x);
      return { run: () => tf.sigmoid(t).dispose(), dispose: () => t.dispose() };
    },
  },
  {
    name: 'tfjs-copy',
    description: 'tfjs-wasm with the copies: tf.tensor1d, tf.sigmoid, dataSync',
    prepare(x) {
      return {
        run() {
          const t = tf.tensor1d(x);
          const y = tf.sigmoid(t);
          y.dataSync();
          t.dispose();
          y.dispose();
        },
      };
    },
  },
  { name: 'simd-derivative', description: 'sigmoidDerivative, SIMD, copying API', prepare: copying(engines.simd, 'sigmoidDerivative') },
  {
    name: 'simd-from-output',
    description: 'sigmoidDerivativeFromOutput, SIMD, copying API',
    prepare: copying(engines.simd, 'sigmoidDerivativeFromOutput'),
  },
  {
    name: 'simd-from-output-resident',
    description: 'sigmoidDerivativeFromOutput, SIMD, zero-copy',
    prepare: resident(engines.simd, 'sigmoidDerivativeFromOutput'),
  },
  {
    name: 'simd-with-derivative',
    description: 'sigmoidWithDerivative (both outputs), SIMD, copying API',
    prepare(x) {
      const y = new Float32Array(x.length);
      const dy = new Float32Array(x.length);
      return { run: () => engines.simd.sigmoidWithDerivative(x, y, dy) };
    },
  },
  {
    name: 'simd-separate',
    description: 'sigmoid then sigmoidDerivative (both outputs), SIMD, copying API',
    prepare(x) {
      const y = new Float32Array(x.length);
      const dy = new Float32Array(x.length);
      return { run: () => (engines.simd.sigmoid(x, y), engines.simd.sigmoidDerivative(x, dy)) };
    },
  },
  {
    name: 'simd-shared',
    description: 'WASM SIMD, copying API, on SharedArrayBuffer-backed arrays (pool-2-shared without the pool)',
    prepare(x) {
      const [xs, out] = [sharedCopy(x), sharedCopy(new Float32Array(x.length))];
      return { run: () => engines.simd.sigmoid(xs, out) };
    },
  },
  {
    name: 'pool-2-resident',
    description: 'createPool({ threads: 2 }), arrays resident in its shared memory (pool.alloc)',
    prepare(x) {
      const [rx, out] = [pool.alloc(x.length), pool.alloc(x.length)];
      rx.array.set(x);
      return { runAsync: () => pool.sigmoid(rx, out), dispose: () => (rx.free(), out.free()) };
    },
  },
  {
    name: 'pool-2-shared',
    description: 'the pool on SharedArrayBuffer-backed arrays (each worker streams its slice)',
    prepare(x) {
      const [xs, out] = [sharedCopy(x), sharedCopy(new Float32Array(x.length))];
      return { runAsync: () => pool.sigmoid(xs, out) };
    },
  },
  {
    name: 'pool-2-copy',
    description: 'the pool on ordinary arrays (copied through its staging buffers)',
    prepare(x) {
      const out = new Float32Array(x.length);
      return { runAsync: () => pool.sigmoid(x, out) };
    },
  },
  {
    name: 'memcpy',
    description: 'out.set(x): a memory copy, the speed limit of any elementwise operation (see below)',
    prepare(x) {
      // On some CPUs (AMD Zen 3 with glibc's memmove, seen here) a copy runs ~20x slower when
      // the destination lies 4 to 28 bytes past the source modulo 4 KiB. Which addresses the
      // allocator hands out is luck, so the roofline takes the fastest of a few destination
      // alignments rather than whatever the first allocation gives.
      const space = new Float32Array(x.length + 64);
      let best = { out: space.subarray(0, x.length), time: Infinity };
      for (const shift of [0, 16, 32, 48]) {
        const out = space.subarray(shift, shift + x.length);
        const reps = Math.max(3, Math.ceil(2 ** 20 / x.length));
        const start = performance.now();
        for (let i = 0; i < reps; i++) out.set(x);
        const time = performance.now() - start;
        if (time < best.time) best = { out, time };
      }
      const out = best.out;
      return { run: () => out.set(x) };
    },
  },
  ...familyCases(),
  ...rowCases(),
  ...float64Cases(),
  ...Object.entries(ORT_OPS).map(([name, op]): Case => {
    const attributes = ORT_ATTRIBUTES[name as Single];
    const shown = attributes ? ` (${Object.entries(attributes).map(([key, value]) => `${key} = '${value}'`).join(', ')})` : '';
    return {
      name: name === 'sigmoid' ? 'ort' : `${name}-ort`,
      description: `onnxruntime-web ${ort.env.versions.web} ${op}${shown} (WebAssembly, 1 thread), session.run with its copies`,
      prepare: onnxruntime(op, attributes),
    };
  }),
];

// ---------------------------------------------------------------------------------------------
// Measuring

/** Deterministic uniform inputs in [-range, range]. */
function inputs(size: number): Float32Array {
  const x = new Float32Array(size);
  let state = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = (state / 2 ** 32) * 2 * range - range;
  }
  return x;
}

/** How many calls in a row take at least `millis` (doubling from one; it warms up too). */
async function callsPerCycle(run: () => Promise<unknown>, millis: number): Promise<number> {
  for (let calls = 1; ; calls *= 2) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await run();
    if (performance.now() - start >= millis) return calls;
  }
}

async function measure(c: Case, size: number): Promise<Measurement | undefined> {
  const prepared = c.prepare(inputs(size));
  if (prepared === undefined) return undefined;
  const elements = prepared.elements ?? size;
  try {
    if (quick) {
      const start = performance.now();
      if ('run' in prepared) prepared.run();
      else await prepared.runAsync();
      const seconds = Math.max((performance.now() - start) / 1000, 1e-9);
      return { case: c.name, size, elementsPerSecond: elements / seconds, rme: 0 };
    }
    // Long enough for a stable mean; the biggest arrays take a while per call.
    const options = { minSamples: 5, maxTime: size >= 2 ** 22 ? 3 : 1.5 };
    // benchmark.js spends about a millisecond on each cycle of an asynchronous ("deferred")
    // benchmark, so such a cycle awaits enough calls in a row to take ~100 ms (the overhead is
    // then ~1%); the synchronous cases already loop many calls per cycle. (Measured at 64 Ki,
    // cycles of 16 calls read 30% slow.)
    const batch = 'run' in prepared ? 1 : await callsPerCycle(prepared.runAsync, 100);
    const bench =
      'run' in prepared
        ? new Benchmark(c.name, prepared.run, options)
        : new Benchmark(c.name, {
            ...options,
            defer: true,
            fn: (deferred: { resolve(): void }) => {
              let calls = 0;
              const next = (): void => void (calls++ < batch ? prepared.runAsync().then(next) : deferred.resolve());
              next();
            },
          });
    await new Promise<void>((done) => {
      bench.on('complete', () => done());
      bench.run({ async: true });
    });
    if (bench.error) throw bench.error;
    return { case: c.name, size, elementsPerSecond: bench.hz * elements * batch, rme: bench.stats.rme };
  } finally {
    prepared.dispose?.();
  }
}

/**
 * Median times in fresh processes: importing the package (module loading, no WebAssembly yet)
 * and then the first call (decode, validate, compile, instantiate, self-check, one element).
 */
function firstCall(): { importMs: number; firstCallMs: number } {
  const script =
    "let t = performance.now(); const m = await import('simd-activations'); const i = performance.now() - t; " +
    't = performance.now(); m.sigmoid(new Float32Array([1])); console.log(JSON.stringify([i, performance.now() - t]));';
  const runs = Array.from({ length: quick ? 1 : 9 }, () =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as [number, number],
  );
  const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
  return { importMs: median(runs.map((r) => r[0])), firstCallMs: median(runs.map((r) => r[1])) };
}

function rate(measurements: Measurement[], name: string, size: number): number | undefined {
  return measurements.find((m) => m.case === name && m.size === size)?.elementsPerSecond;
}

function ratio(measurements: Measurement[], a: string, b: string, size: number): number | undefined {
  const ra = rate(measurements, a, size);
  const rb = rate(measurements, b, size);
  return ra !== undefined && rb !== undefined ? ra / rb : undefined;
}

/**
 * ", family F, model M" from /proc/cpuinfo: a VM may name its CPU only "AMD EPYC", while the
 * family and model tell Zen 3 (25, 1) from Zen 4 (25, 17) or an Intel generation apart.
 */
function cpuFamily(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const value = (key: string): string | undefined => new RegExp(`^${key}\\s*:\\s*(\\d+)`, 'm').exec(info)?.[1];
    const [family, model] = [value('cpu family'), value('model')];
    return family && model ? ` (family ${family}, model ${model})` : '';
  } catch {
    return '';
  }
}

/** The issue's targets: [what, case, against case, size, goal], each a ratio from this run. */
const TARGETS: [string, string, string, number, number][] = [
  ['SIMD zero-copy / tfjs-wasm compute, 64 Ki', 'simd-resident', 'tfjs', 2 ** 16, 1],
  ['SIMD zero-copy / tfjs-wasm compute, 1 Mi', 'simd-resident', 'tfjs', 2 ** 20, 1],
  ['SIMD copying API / SIMD zero-copy, 1 Mi', 'simd', 'simd-resident', 2 ** 20, 0.85],
  ['SIMD copying API / tfjs-wasm with copies, 64 Ki', 'simd', 'tfjs-copy', 2 ** 16, 2.5],
  ['SIMD copying API / tfjs-wasm with copies, 1 Mi', 'simd', 'tfjs-copy', 2 ** 20, 2.5],
  ['SIMD copying API / onnxruntime-web Sigmoid, 64 Ki', 'simd', 'ort', 2 ** 16, 1],
  ['SIMD copying API / onnxruntime-web Sigmoid, 1 Mi', 'simd', 'ort', 2 ** 20, 1],
  ['SIMD / JS naive, 64 Ki', 'simd', 'js-naive', 2 ** 16, 10],
  ['WASM scalar / JS naive, 64 Ki', 'scalar', 'js-naive', 2 ** 16, 1.5],
  ['top-level sigmoid(x, out) / JS naive, 16', 'simd', 'js-naive', 16, 1],
  ['sigmoidDerivativeFromOutput zero-copy / memory copy, 64 Ki', 'simd-from-output-resident', 'memcpy', 2 ** 16, 0.5],
  ['sigmoidDerivativeFromOutput copying API / memory copy, 64 Ki', 'simd-from-output', 'memcpy', 2 ** 16, 0.25],
  ['sigmoidWithDerivative / sigmoid + sigmoidDerivative, 64 Ki', 'simd-with-derivative', 'simd-separate', 2 ** 16, 1.6],
  // The pool against one thread on the same kind of data.
  ['pool, 2 threads, resident / SIMD zero-copy, 16 Mi', 'pool-2-resident', 'simd-resident', 2 ** 24, 1.7],
  ['pool, 2 threads / SIMD, SharedArrayBuffer arrays, 16 Mi', 'pool-2-shared', 'simd-shared', 2 ** 24, 1.7],
  ['pool, 2 threads / SIMD copying API, ordinary arrays, 16 Mi', 'pool-2-copy', 'simd', 2 ** 24, 1],
  ['pool, 2 threads / SIMD copying API, ordinary arrays, 1 Mi', 'pool-2-copy', 'simd', 2 ** 20, 1],
  ['pool, 2 threads, resident / SIMD zero-copy, 64 Ki', 'pool-2-resident', 'simd-resident', 2 ** 16, 1],
  ['pool, 2 threads / SIMD copying API, ordinary arrays, 64 Ki', 'pool-2-copy', 'simd', 2 ** 16, 1],
  // The activation family against sigmoid (zero-copy) and against the naive loop; the goals
  // against sigmoid are issue 11's.
  ...(
    [
      ['tanh', 0.9],
      ['tanhDerivative', 0.9],
      ['silu', 0.9],
      ['siluDerivative', 0.9],
      ['softplus', 0.5],
      ['logSigmoid', 0.5],
      ['logSigmoidDerivative', 0.9],
      ['gelu', 0.6],
      ['geluDerivative', 0.6],
      ['geluTanh', 0.8],
      ['geluTanhDerivative', 0.8],
    ] as const
  ).flatMap(([name, goal]): [string, string, string, number, number][] => [
    [`${name} zero-copy / sigmoid zero-copy, 64 Ki`, `${name}-resident`, 'simd-resident', 2 ** 16, goal],
    [`${name} zero-copy / sigmoid zero-copy, 1 Mi`, `${name}-resident`, 'simd-resident', 2 ** 20, goal],
    [`${name} copying API / JS naive, 64 Ki`, name, `${name}-naive`, 2 ** 16, 8],
  ]),
  ...(
    [
      ['tanh', 'Tanh'],
      ['softplus', 'Softplus'],
    ] as const
  ).flatMap(([name, op]): [string, string, string, number, number][] => [
    [`${name} copying API / onnxruntime-web ${op}, 64 Ki`, name, `${name}-ort`, 2 ** 16, 1.5],
    [`${name} copying API / onnxruntime-web ${op}, 1 Mi`, name, `${name}-ort`, 2 ** 20, 1.5],
    [`${name} copying API / tfjs-wasm tf.${name} (compute only), 64 Ki`, name, `${name}-tfjs`, 2 ** 16, 5],
    [`${name} copying API / tfjs-wasm tf.${name} (compute only), 1 Mi`, name, `${name}-tfjs`, 2 ** 20, 5],
  ]),
  ['gelu copying API / onnxruntime-web Gelu, 64 Ki', 'gelu', 'gelu-ort', 2 ** 16, 2],
  ['gelu copying API / onnxruntime-web Gelu, 1 Mi', 'gelu', 'gelu-ort', 2 ** 20, 2],
  ['geluTanh copying API / onnxruntime-web Gelu (tanh), 64 Ki', 'geluTanh', 'geluTanh-ort', 2 ** 16, 2],
  ['geluTanh copying API / onnxruntime-web Gelu (tanh), 1 Mi', 'geluTanh', 'geluTanh-ort', 2 ** 20, 2],
  // Double precision (issue 13): Float64Arrays and numbers against the naive line.
  ['Float64Array SIMD copying API / JS naive, 16', 'f64', 'f64-naive', 16, 1],
  ['Float64Array SIMD copying API / JS naive, 64 Ki', 'f64', 'f64-naive', 2 ** 16, 2],
  ['Float64Array SIMD copying API / JS naive, 1 Mi', 'f64', 'f64-naive', 2 ** 20, 2],
  ['Float64Array SIMD copying API / zero-copy, 1 Mi', 'f64', 'f64-resident', 2 ** 20, 0.85],
  ['sigmoid(number) / the naive line, per call', 'number', 'number-naive', 2 ** 16, 0.8],
  // The row functions (issue 12), on 1 Mi elements of rows of 1,000 and 4,096.
  ...[1000, 4096].flatMap((rowLength): [string, string, string, number, number][] => {
    const r = `softmax-r${rowLength}`;
    const rows = `rows of ${rowLength}, 1 Mi`;
    return [
      [`softmax zero-copy / tfjs-wasm tf.softmax compute, ${rows}`, `${r}-resident`, `${r}-tfjs`, 2 ** 20, 1],
      [`softmax copying API / tfjs-wasm tf.softmax with copies, ${rows}`, r, `${r}-tfjs-copy`, 2 ** 20, 2],
      [`softmax copying API / onnxruntime-web Softmax, ${rows}`, r, `${r}-ort`, 2 ** 20, 1],
      [`softmax copying API / JS naive, ${rows}`, r, `${r}-naive`, 2 ** 20, 8],
      [`logSoftmax / softmax, zero-copy, ${rows}`, `logSoftmax-r${rowLength}-resident`, `${r}-resident`, 2 ** 20, 0.8],
      [`logSumExp / softmax, zero-copy, ${rows}`, `logSumExp-r${rowLength}-resident`, `${r}-resident`, 2 ** 20, 0.8],
    ];
  }),
];

function targets(m: Measurement[]): Target[] {
  return TARGETS.map(([label, a, b, size, goal]) => ({ label, ratio: ratio(m, a, b, size), goal }));
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const cases = only ? CASES.filter((c) => only.includes(c.name)) : CASES;
  if (only && cases.length !== only.length) {
    throw new RangeError(`unknown case in --cases; the cases are: ${CASES.map((c) => c.name).join(', ')}`);
  }
  const json = flag('json');
  const log = json ? (): void => {} : (line: string): void => console.log(line);
  const cpu = `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}${cpuFamily()}`;
  const machine = `${cpu}, ${os.cpus().length} cores, Node ${process.version} (V8 ${process.versions.v8}), tfjs-wasm SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, default backend ${backend()}`;
  const inputsText = `inputs uniform in [-${range}, ${range}]`;
  log(`${quick ? 'Smoke run (--quick): every case once; the numbers mean nothing.' : 'Benchmark'}: ${machine}; ${inputsText}`);
  for (const c of cases) log(`  ${c.name.padEnd(26)} ${c.description}`);
  log('');

  const measurements: Measurement[] = [];
  for (const size of sizes) {
    for (const c of cases) {
      const m = await measure(c, size);
      if (m === undefined) continue;
      measurements.push(m);
      log(`${formatSize(size).padStart(6)}  ${c.name.padEnd(26)} ${formatRate(m.elementsPerSecond).padStart(8)} M elem/s  ±${m.rme.toFixed(1)}%`);
    }
  }
  const report: Report = {
    date: new Date().toISOString(),
    machine,
    inputs: inputsText,
    measurements,
    targets: targets(measurements),
    ...firstCall(),
  };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'results.json'), toJson(report));
  writeFileSync(path.join(outDir, 'results.svg'), toSvg(report));
  if (json) {
    process.stdout.write(toJson(report));
    return;
  }
  log(`\nThroughput, M elements/s (± relative margin of error), ${inputsText}:\n`);
  log(throughputTable(measurements));
  log('\nTargets (ratios from this run):\n');
  log(targetTable(report.targets));
  log(
    `\nFirst call in a fresh process (decode, compile, instantiate, self-check, one element): ${report.firstCallMs!.toFixed(2)} ms ` +
      `(target: under 5 ms); importing the package before it: ${report.importMs!.toFixed(2)} ms`,
  );
  log(`\nWrote ${path.join(outDir, 'results.json')} and ${path.join(outDir, 'results.svg')}`);
}

try {
  await main();
} finally {
  await pool.close();
}
