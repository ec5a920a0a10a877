// The registry: every public function, one row each, keyed by its name, which is also the name
// of its float32 kernel (assembly/kernel-ids.ts). The engine, the pool, the default exports,
// the error messages and the type declarations are made from it, and the tests, verify and the
// benchmark read it. Adding a function: its kernel (an id, a family file in assembly/ and its
// JS emulation in src/backends/js.ts), its double-precision form, and a row here. The type
// checker insists on a row for every kernel and a kernel for every row.
import * as double from './double.js';
import * as twin from './double64.js';
import { KERNEL_IDS, ROW_KINDS, type KernelName, type RowKindName } from './generated/kernels.js';

/** A function with one result per element. */
interface Single {
  /** The input's name in the signature and in error messages: x, or y for a function of an activation's output. */
  readonly input: 'x' | 'y';
  /** Its float32 error bound in ulp, proven over every float32 input by `npm run verify`. */
  readonly bound: number;
  /**
   * Where the ulp bound cannot hold: around a root of the function inside its domain, where
   * the result is near 0 but its error, from the rounding of the terms that cancel there, is
   * not; inside [from, to] the bound is the absolute error instead.
   */
  readonly band?: Band;
  /**
   * Its double-precision form, for numbers and Float64Arrays: the JS twin of its double kernel
   * (src/double64.ts), which the SIMD build runs on Float64Arrays with the same bits.
   */
  readonly double: (x: number) => number;
  /** The double form's error bound in ulp of double, measured against mpmath (README). */
  readonly doubleBound: number;
}

/** An interval of x where a function's error is bounded in absolute terms, not in ulp. */
export interface Band {
  readonly from: number;
  readonly to: number;
  /** The largest absolute error inside [from, to], proven by `npm run verify`. */
  readonly absolute: number;
  /** The double form's largest absolute error inside [from, to], measured against mpmath. */
  readonly absolute64: number;
}

/**
 * A function with two results per element, `{ y, dy }`: the two functions named, computed in
 * one pass and bit-identical to them.
 */
interface Pair {
  readonly pair: readonly [KernelName, KernelName];
}

const ROWS = {
  sigmoid: { input: 'x', bound: 2, double: twin.sigmoid, doubleBound: 2 },
  sigmoidDerivative: { input: 'x', bound: 3, double: twin.sigmoidDerivative, doubleBound: 2 },
  sigmoidDerivativeFromOutput: { input: 'y', bound: 3, double: twin.sigmoidDerivativeFromOutput, doubleBound: 1 },
  sigmoidWithDerivative: { pair: ['sigmoid', 'sigmoidDerivative'] },
  silu: { input: 'x', bound: 3, double: twin.silu, doubleBound: 2 },
  siluDerivative: {
    input: 'x',
    bound: 3,
    band: { from: -1.39, to: -0.52, absolute: 2 ** -23, absolute64: 2 ** -53 },
    double: twin.siluDerivative,
    doubleBound: 3,
  },
  siluWithDerivative: { pair: ['silu', 'siluDerivative'] },
  tanh: { input: 'x', bound: 2, double: twin.tanh, doubleBound: 2 },
  tanhDerivative: { input: 'x', bound: 3, double: twin.tanhDerivative, doubleBound: 2 },
  tanhDerivativeFromOutput: { input: 'y', bound: 3, double: twin.tanhDerivativeFromOutput, doubleBound: 1 },
  tanhWithDerivative: { pair: ['tanh', 'tanhDerivative'] },
  softplus: { input: 'x', bound: 1, double: twin.softplus, doubleBound: 1 },
  // softplus' is sigmoid itself (ALIASES), and the fused kernel's dy is bit for bit sigmoid(x).
  softplusWithDerivative: { pair: ['softplus', 'sigmoid'] },
  logSigmoid: { input: 'x', bound: 1, double: twin.logSigmoid, doubleBound: 1 },
  logSigmoidDerivative: { input: 'x', bound: 2, double: twin.logSigmoidDerivative, doubleBound: 2 },
  logSigmoidWithDerivative: { pair: ['logSigmoid', 'logSigmoidDerivative'] },
  gelu: { input: 'x', bound: 3, double: twin.gelu, doubleBound: 2 },
  geluDerivative: { input: 'x', bound: 3, double: twin.geluDerivative, doubleBound: 2 },
  geluWithDerivative: { pair: ['gelu', 'geluDerivative'] },
  geluTanh: { input: 'x', bound: 3, double: twin.geluTanh, doubleBound: 2 },
  geluTanhDerivative: {
    input: 'x',
    bound: 3,
    band: { from: -0.831, to: -0.3245, absolute: 2 ** -23.5, absolute64: 2 ** -52 },
    double: twin.geluTanhDerivative,
    doubleBound: 3,
  },
  geluTanhWithDerivative: { pair: ['geluTanh', 'geluTanhDerivative'] },
} as const satisfies Record<KernelName, Single | Pair>;

/** Other names of functions: each is the same function object as the one it names, on every engine and pool. */
export const ALIASES = { swish: 'silu', softplusDerivative: 'sigmoid' } as const satisfies Record<string, FunctionName>;

type Rows = typeof ROWS;
/** The name of a public array function. */
export type FunctionName = keyof Rows;
/** The functions that return `{ y, dy }`. */
export type PairName = { [K in FunctionName]: Rows[K] extends { pair: unknown } ? K : never }[FunctionName];
/** The functions with one result. */
export type SingleName = Exclude<FunctionName, PairName>;

/** A function as the engine and the pool use it. */
export interface FunctionSpec {
  readonly name: FunctionName;
  /** Its float32 kernel's id (KERNEL_IDS). */
  readonly kernel: number;
  /** The input's name, and the outputs' names: ['out'], or ['y', 'dy'] for a pair. */
  readonly input: string;
  readonly outputs: readonly string[];
  /** How error messages name the call, e.g. 'sigmoid(x, out)'. */
  readonly call: string;
  /** The double-precision form of each result. */
  readonly double: readonly ((x: number) => number)[];
  /** The float32 error bound in ulp of each result. */
  readonly bounds: readonly number[];
  /** The double forms' error bound in ulp of double, of each result. */
  readonly doubleBounds: readonly number[];
  /** Where each result's error is bounded in absolute terms instead (see Band), if anywhere. */
  readonly bands: readonly (Band | undefined)[];
  /** For a function with two results, the two functions it computes at once. */
  readonly parts: readonly [SingleName, SingleName] | undefined;
}

function spec(name: FunctionName): FunctionSpec {
  const row: Single | Pair = ROWS[name];
  const parts = 'pair' in row ? row.pair.map((part): Single | Pair => ROWS[part]) : [row];
  if (!parts.every((p): p is Single => !('pair' in p))) throw new Error(`${name}: a pair is made of two single functions`);
  const input = parts[0]!.input;
  const outputs = parts.length === 2 ? ['y', 'dy'] : ['out'];
  return Object.freeze({
    name,
    kernel: KERNEL_IDS[name],
    input,
    outputs: Object.freeze(outputs),
    call: `${name}(${[input, ...outputs].join(', ')})`,
    double: Object.freeze(parts.map((p) => p.double)),
    bounds: Object.freeze(parts.map((p) => p.bound)),
    doubleBounds: Object.freeze(parts.map((p) => p.doubleBound)),
    bands: Object.freeze(parts.map((p) => p.band)),
    parts: 'pair' in row ? (Object.freeze([...row.pair]) as unknown as [SingleName, SingleName]) : undefined,
  });
}

/** Every public array function, by name. */
export const SPECS: Readonly<Record<FunctionName, FunctionSpec>> = Object.freeze(
  Object.fromEntries((Object.keys(ROWS) as FunctionName[]).map((name) => [name, spec(name)])) as Record<FunctionName, FunctionSpec>,
);

/** A public function's description: its name, parameters and float32 error bound(s). */
export interface FunctionInfo {
  readonly name: FunctionName;
  readonly input: string;
  /** ['out'], or ['y', 'dy'] for the functions that return both. */
  readonly outputs: readonly string[];
  /** Each result's float32 error bound in ulp, proven over all 2^32 inputs. */
  readonly bounds: readonly number[];
  /** Each result's error bound in ulp of double for numbers and Float64Arrays, measured against mpmath. */
  readonly doubleBounds: readonly number[];
  /** Where a result's error is bounded in absolute terms instead, around a root (see Band). */
  readonly bands: readonly (Band | undefined)[];
  /** For a function with two results, the two functions whose results it returns (bit-identical). */
  readonly parts: readonly [SingleName, SingleName] | undefined;
}

/** Every public array function, in the registry's order. */
export const functions: readonly FunctionInfo[] = Object.freeze(
  Object.values(SPECS).map(({ name, input, outputs, bounds, doubleBounds, bands, parts }) =>
    Object.freeze({ name, input, outputs, bounds, doubleBounds, bands, parts }),
  ),
);

// ---------------------------------------------------------------------------------------------
// The row functions: `f(x, out?, options?)` normalises each row of options.rowLength elements
// (default: all of x) on its own (assembly/softmax.ts). Adding one: its kind in
// assembly/kernel-ids.ts, its passes in softmax.ts and src/backends/js-rows.ts, its double
// form, and a row here.

/** A function over rows. */
interface RowFunction {
  /** Its float32 error bound in ulp (docs/design/softmax/DESIGN.md), tested against a high-precision reference. */
  readonly bound: number;
  /** One result per row (logSumExp) rather than one per element. */
  readonly perRow: boolean;
  /** Its double-precision form, for Float64Arrays: rows of `rowLength` from x to out. */
  readonly double: (kind: RowKindName, x: Float64Array, out: Float64Array, rowLength: number) => void;
}

const ROW_FUNCTIONS = {
  softmax: { bound: 2, perRow: false, double: double.rowsFloat64 },
  logSoftmax: { bound: 1, perRow: false, double: double.rowsFloat64 },
  // Relative to lambda = log(sum e^(x - max)) instead where the result is below 2^-27 lambda (README).
  logSumExp: { bound: 1, perRow: true, double: double.rowsFloat64 },
} as const satisfies Record<RowKindName, RowFunction>;

/** The name of a public row function. */
export type RowFunctionName = RowKindName;

/** A row function as the engine and the pool use it. */
export interface RowSpec {
  readonly name: RowFunctionName;
  /** Its kind (ROW_KINDS): the row passes' first argument. */
  readonly kind: number;
  /** How error messages name the call: 'softmax(x, out, options)'. */
  readonly call: string;
  readonly bound: number;
  readonly perRow: boolean;
  /** Its double-precision form over Float64Array rows. */
  readonly double: (x: Float64Array, out: Float64Array, rowLength: number) => void;
}

/** Every public row function, by name. */
export const ROW_SPECS: Readonly<Record<RowFunctionName, RowSpec>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(ROW_FUNCTIONS) as RowFunctionName[]).map((name) => {
      const row: RowFunction = ROW_FUNCTIONS[name];
      const spec: RowSpec = {
        name,
        kind: ROW_KINDS[name],
        call: `${name}(x, out, options)`,
        bound: row.bound,
        perRow: row.perRow,
        double: (x, out, rowLength) => row.double(name, x, out, rowLength),
      };
      return [name, Object.freeze(spec)];
    }),
  ) as Record<RowFunctionName, RowSpec>,
);

/** A public row function's description. */
export interface RowFunctionInfo {
  readonly name: RowFunctionName;
  /** Its float32 error bound in ulp, for any row length up to 2^20 (see the README for logSumExp's cancellation). */
  readonly bound: number;
  /** Whether it gives one result per row (logSumExp) rather than one per element. */
  readonly perRow: boolean;
}

/** Every public row function, in the registry's order. */
export const rowFunctions: readonly RowFunctionInfo[] = Object.freeze(
  Object.values(ROW_SPECS).map(({ name, bound, perRow }) => Object.freeze({ name, bound, perRow })),
);
