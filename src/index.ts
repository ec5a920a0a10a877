// The public API: the functions run on a default engine that is created on first use (sync,
// no init call needed), or by init() ahead of time (async compilation).
import type { BackendName } from './backend.js';
import { BackendUnavailableError, type WasmSource } from './backends/wasm.js';
import { Engine, ResidentArray, type ElementwiseFunction, type Rejection, type SigmoidWithDerivative } from './engine.js';
import { createEngine, createEngineAsync, selectAsync, type AsyncEngineOptions, type BackendPreference, type EngineOptions } from './select.js';

export { Engine, ResidentArray, BackendUnavailableError, createEngine, createEngineAsync };
export { createPool, Pool, type PoolOptions, type AsyncElementwiseFunction, type AsyncSigmoidWithDerivative } from './pool.js';
export type { AsyncEngineOptions, BackendName, BackendPreference, ElementwiseFunction, EngineOptions, Rejection, SigmoidWithDerivative, WasmSource };

let defaultEngine: Engine | undefined;
let pending: Promise<Engine> | undefined;

function engine(): Engine {
  return (defaultEngine ??= createEngine());
}

/**
 * Prepares the default engine ahead of the first call, compiling asynchronously, so that the
 * first call does not compile on the spot (older Chromium refused synchronous compilation of
 * modules over 4 KB on the main thread; the first call then settled for the scalar build).
 * Calls without options share one compilation. Options (see createEngineAsync) apply only
 * before the default engine exists.
 */
export function init(options?: AsyncEngineOptions): Promise<Engine> {
  if (options === undefined) {
    if (defaultEngine) return Promise.resolve(defaultEngine);
    return (pending ??= selectAsync('init(options)', undefined).then((e) => (defaultEngine ??= e)));
  }
  if (defaultEngine || pending) {
    return Promise.reject(new Error('init(options): the default engine already exists; call init(options) before any other use of the package.'));
  }
  pending = selectAsync('init(options)', options).then((e) => {
    if (defaultEngine) throw new Error('init(options): the package was used before init(options) had finished, so the options were not applied; await init(options) first.');
    return (defaultEngine = e);
  });
  // A failed init(options) leaves nothing behind, so that it can be called again.
  pending.catch(() => (pending = undefined));
  return pending;
}

/** The backend the default engine runs on. */
export function backend(): BackendName {
  return engine().backend;
}

// The default engine's functions. Each looks the engine up per call, so that importing the
// package instantiates nothing.
export const sigmoid: ElementwiseFunction = ((x: never, out?: never) => engine().sigmoid(x, out)) as ElementwiseFunction;
export const sigmoidDerivative: ElementwiseFunction = ((x: never, out?: never) =>
  engine().sigmoidDerivative(x, out)) as ElementwiseFunction;
export const sigmoidDerivativeFromOutput: ElementwiseFunction = ((y: never, out?: never) =>
  engine().sigmoidDerivativeFromOutput(y, out)) as ElementwiseFunction;
export const sigmoidWithDerivative: Engine['sigmoidWithDerivative'] = ((x: never, y?: never, dy?: never) =>
  engine().sigmoidWithDerivative(x, y, dy)) as Engine['sigmoidWithDerivative'];

/** Allocates a resident array in the default engine's memory (see Engine.alloc). */
export function alloc(length: number): ResidentArray {
  return engine().alloc(length);
}

