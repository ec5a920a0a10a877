// @ts-check
// The race, in a Web Worker so that the page stays responsive: times the function picked on
// each backend and posts every result as soon as it is measured.
//
// Messages in:  { type: 'race', sizes: number[], millis: number, fn: string }
// Messages out: { type: 'ready', cases: {id, label, unavailable?}[] }
//               { type: 'result', id, size, rate, done, total }   rate in elements per second
//               { type: 'done' } | { type: 'error', message }
import { createEngineAsync } from '../build/lib/index.js';

/** @typedef {import('../build/lib/index.js').Engine} Engine */
/** @typedef {{ id: string, label: string, unavailable?: string }} CaseInfo */
/** @typedef {(x: Float32Array, out: Float32Array) => void} Kernel */
/** @typedef {{ run: Kernel, release?: () => void }} Prepared */
/** @typedef {(x: unknown, out?: unknown) => unknown} AnyFunction */
/** @param {Engine} engine */
const pickedOn = (engine) => /** @type {AnyFunction} */ (/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (engine))[fn]);

// The worker's global scope (typed by hand: the DOM and WebWorker type libraries conflict).
const scope = /** @type {{ postMessage(message: unknown): void, onmessage: ((event: MessageEvent) => unknown) | null }} */ (
  /** @type {unknown} */ (self)
);

/** @param {import('../build/lib/index.js').BackendName} backend */
async function engineOrReason(backend) {
  try {
    return await createEngineAsync({ backend });
  } catch (error) {
    return String(/** @type {Error} */ (error).message);
  }
}

/** The loop people write for each function (none for a function JS has no short form of). */
/** @type {Record<string, (x: number) => number>} */
const NAIVE = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  sigmoidDerivative: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 - s);
  },
  tanh: Math.tanh,
  tanhDerivative: (x) => 1 - Math.tanh(x) ** 2,
  silu: (x) => x / (1 + Math.exp(-x)),
  siluDerivative: (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 + x * (1 - s));
  },
  softplus: (x) => Math.log1p(Math.exp(x)),
  logSigmoid: (x) => -Math.log1p(Math.exp(-x)),
  logSigmoidDerivative: (x) => 1 / (1 + Math.exp(x)),
  gelu: (x) => 0.5 * x * (1 + erfNaive(x / Math.SQRT2)),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
  geluTanhDerivative: (x) => {
    const t = Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
  },
};

/**
 * JS has no Math.erf: the approximation people paste (Abramowitz and Stegun 7.1.26).
 * @param {number} x
 */
function erfNaive(x) {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

/** The function being raced, set by each race message. */
let fn = 'sigmoid';

const ready = (async () => {
  const [js, scalar, simd] = await Promise.all([engineOrReason('js'), engineOrReason('scalar'), engineOrReason('simd')]);
  /**
   * Each case prepares its arrays for a size and returns the function to time.
   * @type {{ info: CaseInfo, prepare?: (x: Float32Array) => Prepared | undefined }[]}
   */
  const cases = [
    {
      info: { id: 'js-naive', label: 'JS naive' },
      prepare: () => {
        const line = NAIVE[fn];
        if (!line) return undefined;
        return {
          run: /** @type {Kernel} */ ((x, out) => {
            for (let i = 0; i < x.length; i++) out[i] = line(x[i] ?? 0);
          }),
        };
      },
    },
    engineCase('js', 'JS fallback', js),
    engineCase('scalar', 'WASM scalar', scalar),
    engineCase('simd', 'WASM SIMD', simd),
    residentCase('simd-resident', 'WASM SIMD, resident', simd),
  ];
  return cases;
})();

/**
 * sigmoid(x, out) through the copying API.
 * @param {string} id @param {string} label @param {Engine | string} engine
 */
function engineCase(id, label, engine) {
  if (typeof engine === 'string') return { info: { id, label, unavailable: engine } };
  return { info: { id, label }, prepare: () => ({ run: /** @type {Kernel} */ ((x, out) => void pickedOn(engine)(x, out)) }) };
}

/**
 * sigmoid on arrays that live in the engine's memory: no copies.
 * @param {string} id @param {string} label @param {Engine | string} engine
 */
function residentCase(id, label, engine) {
  if (typeof engine === 'string') return { info: { id, label, unavailable: engine } };
  return {
    info: { id, label },
    /** @param {Float32Array} x */
    prepare: (x) => {
      const input = engine.alloc(x.length);
      const output = engine.alloc(x.length);
      input.array.set(x);
      return {
        run: () => void pickedOn(engine)(input, output),
        release: () => {
          input.free();
          output.free();
        },
      };
    },
  };
}

/**
 * Elements per second: the best of three rounds, each calling `kernel` until `millis` / 3 have
 * passed (timers in a worker can be coarse, so each round runs many calls).
 * @param {Kernel} kernel @param {Float32Array} x @param {Float32Array} out @param {number} millis
 */
function measure(kernel, x, out, millis) {
  kernel(x, out); // warm up, and let the engine compile the hot path
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      kernel(x, out);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < millis / 3);
    best = Math.max(best, (calls * x.length) / (elapsed / 1000));
  }
  return best;
}

/** Inputs uniform in [-10, 10], from a fixed seed so that every run times the same data. */
function inputs(/** @type {number} */ size) {
  const x = new Float32Array(size);
  let state = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = (state / 2 ** 32) * 20 - 10;
  }
  return x;
}

scope.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { sizes, millis } = /** @type {{ sizes: number[], millis: number, fn: string }} */ (event.data);
  fn = event.data.fn ?? 'sigmoid';
  try {
    const all = await ready;
    // Every case is listed (an unavailable backend with its reason); the naive loop only for a
    // function that has one.
    const listed = all.filter((c) => c.info.id !== 'js-naive' || NAIVE[fn]);
    scope.postMessage({ type: 'ready', cases: listed.map((c) => c.info) });
    const cases = listed.filter((c) => c.prepare);
    const total = sizes.length * cases.length;
    let done = 0;
    for (const size of sizes) {
      const x = inputs(size);
      const out = new Float32Array(size);
      for (const { info, prepare } of cases) {
        const prepared = /** @type {Prepared} */ (/** @type {NonNullable<typeof prepare>} */ (prepare)(x));
        const rate = measure(prepared.run, x, out, millis);
        prepared.release?.();
        done++;
        scope.postMessage({ type: 'result', id: info.id, size, rate, done, total });
      }
    }
    scope.postMessage({ type: 'done' });
  } catch (error) {
    scope.postMessage({ type: 'error', message: String(error) });
  }
};

ready.catch((error) => scope.postMessage({ type: 'error', message: String(error) }));
