// @ts-check
// Runs in the page and in a worker: computes every function on every backend for the inputs
// the test sends (float32 bit patterns) and returns the output bits, so that the test can
// compare them with the same computation in Node.
import { createEngine, createEngineAsync, createPool, init } from '../../build/lib/index.js';

/** @typedef {import('../../build/lib/index.js').Engine} Engine */
/** @typedef {{ backend: string, rejected: readonly { candidate: string, reason: string }[] }} Selection */

/** @param {Float32Array} v */
const bitsOf = (v) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

/**
 * Every function's output bits on one engine, through the copying API and through resident
 * arrays. (The test runs this very function in Node for the reference.)
 */
export function outputs(/** @type {Engine} */ engine, /** @type {Float32Array} */ x) {
  const both = engine.sigmoidWithDerivative(x);
  const resident = engine.alloc(x.length);
  resident.array.set(x);
  const residentOut = engine.sigmoid(resident);
  const result = {
    sigmoid: bitsOf(engine.sigmoid(x)),
    sigmoidDerivative: bitsOf(engine.sigmoidDerivative(x)),
    sigmoidDerivativeFromOutput: bitsOf(engine.sigmoidDerivativeFromOutput(x)),
    sigmoidWithDerivativeY: bitsOf(both.y),
    sigmoidWithDerivativeDy: bitsOf(both.dy),
    residentSigmoid: bitsOf(residentOut.array),
  };
  resident.free();
  residentOut.free();
  return result;
}

/** @param {Engine} engine @returns {Selection} */
const selection = (engine) => ({ backend: engine.backend, rejected: engine.rejected });

/** @param {unknown} error */
const message = (error) => String(/** @type {Error} */ (error)?.message ?? error);

/** @param {number[]} inputBits */
export async function compute(inputBits) {
  const x = new Float32Array(Uint32Array.from(inputBits).buffer);
  /** @type {Record<string, ReturnType<typeof outputs> | { error: string }>} */
  const backends = {};
  for (const backend of /** @type {const} */ (['simd', 'scalar', 'js'])) {
    try {
      backends[backend] = outputs(await createEngineAsync({ backend }), x);
    } catch (error) {
      backends[backend] = { error: message(error) };
    }
  }
  /** @type {Selection & { sigmoid: number[] } | { error: string }} */
  let fromUrl;
  try {
    const engine = await createEngineAsync({ module: new URL('../../build/simd.wasm', import.meta.url), backend: 'simd' });
    fromUrl = { ...selection(engine), sigmoid: outputs(engine, x).sigmoid };
  } catch (error) {
    fromUrl = { error: message(error) };
  }
  /** @type {Selection | { error: string }} */
  let sync;
  try {
    sync = selection(createEngine());
  } catch (error) {
    sync = { error: message(error) };
  }
  const initialized = await init();
  return {
    default: { ...selection(initialized), sigmoid: outputs(initialized, x).sigmoid },
    sync,
    fromUrl,
    backends,
    isWorker: inWorker,
  };
}

/**
 * The worker pool on `length` elements (the inputs repeated): how many threads it has, whether
 * the page is cross-origin isolated, and how many results differ from the JS backend's, on a
 * SharedArrayBuffer-backed array, on resident arrays and on an ordinary array.
 * @param {number[]} inputBits @param {number} length
 */
export async function computeWithPool(inputBits, length) {
  const pattern = new Float32Array(Uint32Array.from(inputBits).buffer);
  const x = new Float32Array(length);
  for (let i = 0; i < length; i += pattern.length) x.set(pattern.subarray(0, Math.min(pattern.length, length - i)), i);
  const want = new Uint32Array((await createEngineAsync({ backend: 'js' })).sigmoid(x).buffer);
  /** @param {Float32Array} y */
  const differences = (y) => {
    const got = new Uint32Array(y.buffer, y.byteOffset, y.length);
    let count = 0;
    for (let i = 0; i < length; i++) if (got[i] !== want[i] && !(Number.isNaN(y[i]) && Number.isNaN(x[i]))) count++;
    return count;
  };
  const pool = await createPool({ threads: 2 });
  try {
    // Pages that are not cross-origin isolated have no SharedArrayBuffer at all.
    let shared = null;
    if (typeof SharedArrayBuffer === 'function') {
      const sharedX = new Float32Array(new SharedArrayBuffer(length * 4));
      sharedX.set(x);
      const sharedOut = new Float32Array(new SharedArrayBuffer(length * 4));
      await pool.sigmoid(sharedX, sharedOut);
      shared = differences(sharedOut);
    }
    const resident = pool.alloc(length);
    resident.array.set(x);
    const residentOut = await pool.sigmoid(resident);
    const ordinary = await pool.sigmoid(x);
    const result = {
      threads: pool.threads,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      differences: { shared, resident: differences(residentOut.array), ordinary: differences(ordinary) },
    };
    resident.free();
    residentOut.free();
    return result;
  } finally {
    await pool.close();
  }
}

// In a worker: answer each message with the results. (Node, where the test imports this
// module, is neither a page nor a worker.)
const inWorker = typeof (/** @type {{ WorkerGlobalScope?: unknown }} */ (globalThis).WorkerGlobalScope) === 'function';
if (inWorker) {
  const scope = /** @type {{ postMessage(message: unknown): void, onmessage: ((event: MessageEvent) => unknown) | null }} */ (
    /** @type {unknown} */ (self)
  );
  scope.onmessage = async (/** @type {MessageEvent} */ event) => {
    try {
      scope.postMessage({ result: await compute(event.data) });
    } catch (error) {
      scope.postMessage({ error: message(error) });
    }
  };
}
