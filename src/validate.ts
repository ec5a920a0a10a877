// Argument checks. Every check runs before anything is written, so a call that throws leaves
// its outputs untouched. Messages name the function, the parameter and what would be accepted.
import { isRetiredWasmBuffer } from './backends/wasm.js';

/**
 * What kind of value an input is; outputs must hold the same element type: float32 data
 * (Float32Arrays and resident arrays of floats) or double data (Float64Arrays and resident
 * arrays of doubles).
 */
export type InputKind = 'number' | 'float32' | 'float64' | 'resident' | 'resident64';

/** Whether a value is a resident array (of this engine's kind), and of which element type. */
export type ResidentKind = (value: unknown) => 'resident' | 'resident64' | undefined;

/** Anything with the shape of a resident array (checked by the engine that owns it). */
export interface ResidentLike {
  readonly length: number;
}

const ACCEPTED = 'a Float32Array, a Float64Array, a ResidentArray or a number';

/** A short description of a value for error messages: 'null', 'Array', 'Int32Array', 'string'. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const tag = typedArrayTag(value);
  if (tag) return tag;
  return (value as object).constructor?.name ?? 'object';
}

/**
 * %TypedArray%.prototype[Symbol.toStringTag]: the built-in getter reads the array's internal
 * type, so arrays from another realm (an iframe, a vm context) are recognised, and an own or
 * inherited `Symbol.toStringTag` property cannot pass an Int32Array off as a Float32Array.
 */
const TYPED_ARRAY_NAME = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype) as object, Symbol.toStringTag)!
  .get as (this: unknown) => string | undefined;

/** The typed-array kind of a value ('Float32Array', ...), 'DataView', or undefined. */
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Int8Array.prototype) as object;
const intrinsicGetter = (name: string): ((this: unknown) => unknown) =>
  Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, name)!.get as (this: unknown) => unknown;
const [BUFFER, BYTE_OFFSET, LENGTH] = ['buffer', 'byteOffset', 'length'].map(intrinsicGetter) as [
  (this: unknown) => unknown,
  (this: unknown) => unknown,
  (this: unknown) => unknown,
];

/**
 * A typed array's buffer, byte offset and length as the engine sees them: read through
 * %TypedArray%.prototype's getters, not the properties, which a subclass or an own property
 * could make lie. Where the memory is matters when workers write to it directly.
 */
export function intrinsicView(array: ArrayBufferView): { buffer: ArrayBufferLike; byteOffset: number; length: number } {
  return { buffer: BUFFER.call(array) as ArrayBufferLike, byteOffset: BYTE_OFFSET.call(array) as number, length: LENGTH.call(array) as number };
}

function typedArrayTag(value: unknown): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  return TYPED_ARRAY_NAME.call(value) ?? 'DataView';
}

export function isFloat32Array(value: unknown): value is Float32Array {
  return typedArrayTag(value) === 'Float32Array';
}

export function isFloat64Array(value: unknown): value is Float64Array {
  return typedArrayTag(value) === 'Float64Array';
}

/** What the row functions accept as x. */
export const ACCEPTED_ROWS = 'a Float32Array, a Float64Array or a ResidentArray of rows';

/** Classifies an input, or throws a TypeError that says what to pass instead (`accepted`). */
export function checkInput(call: string, name: string, value: unknown, residentKind: ResidentKind, accepted = ACCEPTED): InputKind {
  if (typeof value === 'number' && accepted === ACCEPTED) return 'number';
  if (isFloat32Array(value)) {
    checkNotStale(call, name, value);
    return 'float32';
  }
  if (isFloat64Array(value)) {
    checkNotStale(call, name, value);
    return 'float64';
  }
  const resident = residentKind(value);
  if (resident) return resident;
  const hint = Array.isArray(value) || ArrayBuffer.isView(value) ? ` Convert it first, e.g. Float32Array.from(${name}).` : '';
  throw new TypeError(`${call}: ${name} must be ${accepted}, not ${describe(value)}.${hint}`);
}

/**
 * Checks an optional output against its input: the same kind (a number takes no output) and
 * the same length.
 */
export function checkOutput(
  call: string,
  name: string,
  value: unknown,
  input: string,
  kind: InputKind,
  length: number,
  residentKind: ResidentKind,
  /** What the length must match, for the message, if not the input's length: 'x has 4 rows'. */
  expected = `${input}.length is ${length}`,
): void {
  if (value === undefined) return;
  if (kind === 'number') {
    throw new TypeError(`${call}: ${name} must be omitted when ${input} is a number (the result is returned), not ${describe(value)}.`);
  }
  // Data of one element type may go to an array of either kind.
  const doubles = kind === 'float64' || kind === 'resident64';
  const ok = doubles ? isFloat64Array(value) || residentKind(value) === 'resident64' : isFloat32Array(value) || residentKind(value) === 'resident';
  if (!ok) {
    const want = doubles ? 'a Float64Array or a ResidentArray of doubles' : 'a Float32Array or a ResidentArray of floats';
    const got = residentKind(value) === 'resident64' ? 'a ResidentArray of doubles' : residentKind(value) ? 'a ResidentArray of floats' : describe(value);
    throw new TypeError(`${call}: ${name} must be ${want} like ${input}, not ${got}.`);
  }
  if (ArrayBuffer.isView(value)) checkNotStale(call, name, value);
  const outLength = (value as ResidentLike).length;
  if (outLength !== length) {
    throw new RangeError(`${call}: ${name}.length is ${outLength} but ${expected}; they must match.`);
  }
}

/**
 * A view that can no longer be read has length 0: reject it, never read it as empty. That is a
 * view of WASM memory taken before the memory grew, a view whose ArrayBuffer was detached
 * (transferred, or given to postMessage or structuredClone with `transfer`), and a view that lies
 * outside its resizable buffer's current length. Only views of length 0 are looked at.
 */
function checkNotStale(call: string, name: string, value: ArrayBufferView): void {
  if (value.byteLength !== 0) return;
  if (isRetiredWasmBuffer(value.buffer)) {
    throw new TypeError(
      `${call}: ${name} is a stale view: the WebAssembly memory behind it has grown since it was taken. Take a fresh one from resident.array.`,
    );
  }
  if (isUnreadable(value)) {
    throw new TypeError(
      `${call}: ${name} cannot be read: its ArrayBuffer was detached (transferred), or it lies outside its resizable buffer's current length.`,
    );
  }
}

/** %TypedArray%.prototype.at, which throws a TypeError for a detached or out-of-bounds view (ValidateTypedArray). */
const AT = (TYPED_ARRAY_PROTOTYPE as { at?: (this: unknown, index: number) => unknown }).at;

/** Whether a typed array is detached or out of bounds (Node 20 has no ArrayBuffer.prototype.detached). */
function isUnreadable(value: ArrayBufferView): boolean {
  if (AT === undefined || TYPED_ARRAY_NAME.call(value) === undefined) return false;
  try {
    AT.call(value, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Whether a value can be an options object: an object whose built-in tag is Object's (a plain
 * object or a class instance, from any realm). Arrays, typed arrays, DataViews, buffers, Maps,
 * Dates and the like are not: taken for options, they would be silently ignored.
 */
export function isOptionsObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Object]';
}

/** Checks that `options`, if given, is an options object; `example` shows one in the message. */
export function checkOptions(call: string, options: unknown, example = ''): void {
  if (options !== undefined && !isOptionsObject(options)) {
    throw new TypeError(`${call}: options must be a plain object${example}, not ${describe(options)}.`);
  }
}

/** options.rowLength of a row function's call, read once; a TypeError if options is not an object. */
export function rowLengthOption(call: string, options: unknown): unknown {
  checkOptions(call, options, ' such as { rowLength: 1000 }');
  return (options as { rowLength?: unknown } | undefined)?.rowLength;
}

/**
 * The row length of a row function's call: the requested one, or all of x. Throws a TypeError or
 * RangeError naming what is wrong: not a positive integer, not a divisor of x's length, or an
 * empty x as one row.
 */
export function checkRowLength(call: string, rowLength: unknown, length: number): number {
  if (rowLength === undefined) {
    if (length === 0) throw new RangeError(`${call}: x is empty, and a row needs at least one element; pass options.rowLength to compute no rows.`);
    return length;
  }
  if (typeof rowLength !== 'number') throw new TypeError(`${call}: options.rowLength must be a number, not ${describe(rowLength)}.`);
  if (!Number.isSafeInteger(rowLength) || rowLength <= 0) {
    throw new RangeError(`${call}: options.rowLength must be a positive integer, not ${String(rowLength)}.`);
  }
  if (length % rowLength !== 0) {
    throw new RangeError(`${call}: options.rowLength (${rowLength}) must divide x.length (${length}) into whole rows.`);
  }
  return rowLength;
}
