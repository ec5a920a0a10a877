// The public API: the functions run on a default engine that is created on first use (sync,
// no init call needed), or by init() ahead of time (async compilation).

// The order of these imports is the bundle's layout (bundlers place each module where it is
// first imported), and gzip finds repeats only within 32 KB. So the embedded builds' text
// (~60 KB) comes first, where it does not cut the code in two parts that share nothing, and the
// engine's modules next: 0.6 KB less gzipped than with the text after the JS backend
// (test/size.test.ts).
import './generated/wasm.js';
import type { BackendName } from './backend.js';
import {
  Engine,
  ResidentArray,
  type ResidentType,
  type ElementwiseFunction,
  type EngineFunctions,
  type Rejection,
  type RowFunction,
  type RowOptions,
  type RowReduction,
  type SigmoidWithDerivative,
  type WithDerivative,
  type WithDerivativeFunction,
} from './engine.js';
import { BackendUnavailableError, type WasmSource } from './backends/wasm.js';
import {
  ROW_SPECS,
  SPECS,
  functions,
  rowFunctions,
  type Band,
  type FunctionInfo,
  type FunctionName,
  type PairName,
  type RowFunctionInfo,
  type RowFunctionName,
  type SingleName,
} from './functions.js';
import { createEngine, createEngineAsync, selectAsync, type AsyncEngineOptions, type BackendPreference, type EngineOptions } from './select.js';

export { Engine, ResidentArray, BackendUnavailableError, createEngine, createEngineAsync };
export { createPool, Pool, type PoolOptions, type AsyncElementwiseFunction, type AsyncSigmoidWithDerivative, type AsyncWithDerivativeFunction, type AsyncRowFunction, type AsyncRowReduction } from './pool.js';
export { functions, rowFunctions };
export type {
  AsyncEngineOptions,
  Band,
  BackendName,
  BackendPreference,
  ElementwiseFunction,
  EngineFunctions,
  EngineOptions,
  FunctionInfo,
  FunctionName,
  PairName,
  SingleName,
  Rejection,
  RowFunction,
  RowFunctionInfo,
  RowFunctionName,
  RowOptions,
  RowReduction,
  SigmoidWithDerivative,
  WasmSource,
  WithDerivative,
  WithDerivativeFunction,
};

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

// The default engine's functions, one per row of the registry (src/functions.ts). Each looks
// the engine up per call, so that importing the package instantiates nothing.
const defaults = {} as Record<FunctionName | RowFunctionName, unknown>;
for (const spec of Object.values(SPECS)) {
  // A number goes to the double form at once, as Engine.unary does, without creating the engine:
  // sigmoid(0.5) instantiates no WebAssembly, and costs little more than the formula itself.
  const [f, df] = spec.double as [(x: number) => number, ((x: number) => number) | undefined];
  defaults[spec.name] =
    spec.outputs.length === 2
      ? (x: unknown, y?: unknown, dy?: unknown) =>
          typeof x === 'number' && y === undefined && dy === undefined ? { y: f(x), dy: df!(x) } : engine().pair(spec, x, y, dy)
      : (x: unknown, out?: unknown) => (typeof x === 'number' && out === undefined ? f(x) : engine().unary(spec, x, out));
}
for (const spec of Object.values(ROW_SPECS)) defaults[spec.name] = (x: unknown, out?: unknown, options?: unknown) => engine().rows(spec, x, out, options);

// ES modules name their exports statically: this is the one list of the registry's names
// outside it (a name missing here fails the package test that compares it with `functions`).
export const {
  sigmoid,
  sigmoidDerivative,
  sigmoidDerivativeFromOutput,
  sigmoidWithDerivative,
  silu,
  siluDerivative,
  siluWithDerivative,
  tanh,
  tanhDerivative,
  tanhDerivativeFromOutput,
  tanhWithDerivative,
  softplus,
  softplusWithDerivative,
  logSigmoid,
  logSigmoidDerivative,
  logSigmoidWithDerivative,
  gelu,
  geluDerivative,
  geluWithDerivative,
  geluTanh,
  geluTanhDerivative,
  geluTanhWithDerivative,
  softmax,
  logSoftmax,
  logSumExp,
} = defaults as EngineFunctions;

/** Swish (Ramachandran et al.), the same function as silu. */
export const swish: ElementwiseFunction = silu;

/** The derivative of softplus, log(1 + e^x), is the logistic sigmoid: the same function as sigmoid. */
export const softplusDerivative: ElementwiseFunction = sigmoid;

/** Allocates a resident array in the default engine's memory: floats, or doubles with `type` Float64Array (see Engine.alloc). */
export function alloc(length: number, type?: Float32ArrayConstructor): ResidentArray;
export function alloc(length: number, type: Float64ArrayConstructor): ResidentArray<Float64Array>;
export function alloc(length: number, type: ResidentType = Float32Array): ResidentArray<Float32Array> | ResidentArray<Float64Array> {
  return engine().alloc(length, type);
}

