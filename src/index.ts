// The public API: the functions run on a default engine that is created on first use (sync,
// no init call needed), or by init() ahead of time (async compilation).
import type { BackendName } from './backend.js';
import {
  BackendUnavailableError,
  isWasmSource,
  loadWasmBackend,
  loadWasmBackendFrom,
  loadWasmBackendSync,
  type WasmFlavor,
  type WasmSource,
} from './backends/wasm.js';
import { JsBackend } from './backends/js.js';
import { Engine, ResidentArray, type ElementwiseFunction, type Rejection, type SigmoidWithDerivative } from './engine.js';

export { Engine, ResidentArray, BackendUnavailableError };
export type { BackendName, ElementwiseFunction, Rejection, SigmoidWithDerivative, WasmSource };

export type BackendPreference = 'auto' | BackendName;

export interface EngineOptions {
  /**
   * 'auto' (the default) takes the SIMD build if it validates and passes its self-check, else
   * the scalar build if it does, else the JS backend. Naming a backend insists on it: an Error
   * says why it cannot run here.
   */
  backend?: BackendPreference;
}

export interface AsyncEngineOptions extends EngineOptions {
  /**
   * A build to use instead of the embedded one: the package's `simd-activations/simd.wasm` or
   * `simd-activations/scalar.wasm`, as a compiled WebAssembly.Module, its bytes, a fetch
   * Response, or a URL to fetch. Which build it is comes from the module itself. With
   * backend 'auto', a module that cannot be used here is reported once with console.warn and
   * in `engine.rejected`, and the embedded builds are tried next; naming a backend insists on it.
   */
  module?: WasmSource;
}

const CANDIDATES: Record<BackendPreference, readonly BackendName[]> = {
  auto: ['simd', 'scalar', 'js'],
  simd: ['simd'],
  scalar: ['scalar'],
  js: ['js'],
};

function preference(call: string, options: EngineOptions | undefined): BackendPreference {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${call}: options must be an object, not ${options === null ? 'null' : typeof options}.`);
  }
  const value = options?.backend ?? 'auto';
  if (!Object.hasOwn(CANDIDATES, value)) {
    throw new TypeError(`${call}: options.backend must be 'auto', 'simd', 'scalar' or 'js', not ${JSON.stringify(value)}.`);
  }
  return value;
}

function unavailable(wanted: BackendPreference, rejected: Rejection[]): Error {
  const reasons = rejected.map((r) => `${r.candidate}: ${r.reason}`);
  return new BackendUnavailableError(`simd-activations: the ${wanted} backend cannot run here: ${reasons.join('; ')}`);
}

/** Creates an independent engine, instantiating its backend synchronously. */
export function createEngine(options?: EngineOptions): Engine {
  const wanted = preference('createEngine(options)', options);
  const rejected: Rejection[] = [];
  for (const name of CANDIDATES[wanted]) {
    if (name === 'js') return new Engine(new JsBackend(), rejected);
    try {
      return new Engine(loadWasmBackendSync(name as WasmFlavor), rejected);
    } catch (error) {
      rejected.push({ candidate: name, reason: (error as Error).message });
    }
  }
  throw unavailable(wanted, rejected);
}

/** Creates an independent engine, compiling its backend asynchronously. */
export async function createEngineAsync(options?: AsyncEngineOptions): Promise<Engine> {
  return selectAsync('createEngineAsync(options)', options);
}

async function selectAsync(call: string, options: AsyncEngineOptions | undefined): Promise<Engine> {
  const wanted = preference(call, options);
  const module = options?.module;
  if (module !== undefined && !isWasmSource(module)) {
    throw new TypeError(`${call}: options.module must be a WebAssembly.Module, an ArrayBuffer or view of the bytes, a Response, or a URL.`);
  }
  if (module !== undefined && wanted === 'js') throw new TypeError(`${call}: options.module cannot be used with options.backend 'js'.`);
  const rejected: Rejection[] = [];
  if (module !== undefined) {
    try {
      const loaded = await loadWasmBackendFrom(module);
      if (wanted === 'auto' || wanted === loaded.name) return new Engine(loaded, rejected);
      throw new BackendUnavailableError(`it is the ${loaded.name} build, not the ${wanted} one`);
    } catch (error) {
      const reason = (error as Error).message;
      if (wanted !== 'auto') throw new BackendUnavailableError(`simd-activations: ${call}: options.module cannot be used: ${reason}`);
      rejected.push({ candidate: 'options.module', reason });
      console.warn(`simd-activations: options.module cannot be used (${reason}); using the embedded builds instead.`);
    }
  }
  for (const name of CANDIDATES[wanted]) {
    if (name === 'js') return new Engine(new JsBackend(), rejected);
    try {
      return new Engine(await loadWasmBackend(name as WasmFlavor), rejected);
    } catch (error) {
      rejected.push({ candidate: name, reason: (error as Error).message });
    }
  }
  throw unavailable(wanted, rejected);
}

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

