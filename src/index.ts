// The public API: the functions run on a default engine that is created on first use (sync,
// no init call needed), or by init() ahead of time (async compilation).
import type { BackendName } from './backend.js';
import { BackendUnavailableError, loadWasmBackend, loadWasmBackendSync, type WasmFlavor } from './backends/wasm.js';
import { JsBackend } from './backends/js.js';
import { Engine, ResidentArray, type ElementwiseFunction, type SigmoidWithDerivative } from './engine.js';

export { Engine, ResidentArray, BackendUnavailableError };
export type { BackendName, ElementwiseFunction, SigmoidWithDerivative };

export type BackendPreference = 'auto' | BackendName;

export interface EngineOptions {
  /**
   * 'auto' (the default) takes the SIMD build if it validates and passes its self-check, else
   * the scalar build if it does, else the JS backend. Naming a backend insists on it: an Error
   * says why it cannot run here.
   */
  backend?: BackendPreference;
}

const CANDIDATES: Record<BackendPreference, readonly BackendName[]> = {
  auto: ['simd', 'scalar', 'js'],
  simd: ['simd'],
  scalar: ['scalar'],
  js: ['js'],
};

function preference(options: EngineOptions | undefined): BackendPreference {
  const value = options?.backend ?? 'auto';
  if (!Object.hasOwn(CANDIDATES, value)) {
    throw new TypeError(`createEngine(options): options.backend must be 'auto', 'simd', 'scalar' or 'js', not ${JSON.stringify(value)}.`);
  }
  return value;
}

function unavailable(wanted: BackendPreference, reasons: string[]): Error {
  return new BackendUnavailableError(`simd-activations: the ${wanted} backend cannot run here: ${reasons.join('; ')}`);
}

/** Creates an independent engine, instantiating its backend synchronously. */
export function createEngine(options?: EngineOptions): Engine {
  const wanted = preference(options);
  const reasons: string[] = [];
  for (const name of CANDIDATES[wanted]) {
    if (name === 'js') return new Engine(new JsBackend());
    try {
      return new Engine(loadWasmBackendSync(name as WasmFlavor));
    } catch (error) {
      reasons.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw unavailable(wanted, reasons);
}

/** Creates an independent engine, compiling its backend asynchronously. */
export async function createEngineAsync(options?: EngineOptions): Promise<Engine> {
  const wanted = preference(options);
  const reasons: string[] = [];
  for (const name of CANDIDATES[wanted]) {
    if (name === 'js') return new Engine(new JsBackend());
    try {
      return new Engine(await loadWasmBackend(name as WasmFlavor));
    } catch (error) {
      reasons.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw unavailable(wanted, reasons);
}

let defaultEngine: Engine | undefined;
let pending: Promise<Engine> | undefined;

function engine(): Engine {
  return (defaultEngine ??= createEngine());
}

/**
 * Prepares the default engine ahead of the first call, compiling asynchronously (browsers
 * refuse synchronous compilation of large modules on the main thread). Concurrent calls share
 * one compilation; calling it is optional.
 */
export function init(): Promise<Engine> {
  if (defaultEngine) return Promise.resolve(defaultEngine);
  return (pending ??= createEngineAsync().then((e) => (defaultEngine ??= e)));
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

