// Choosing a backend: the selection order, the options, and the reasons a backend was passed
// over. createEngine and createEngineAsync are public; index.ts's default engine and the pool
// use them too.
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
import { Engine, type Rejection } from './engine.js';
import { checkOptions } from './validate.js';

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
  checkOptions(call, options);
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

export async function selectAsync(call: string, options: AsyncEngineOptions | undefined): Promise<Engine> {
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

