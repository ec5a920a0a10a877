// Shared test helpers: float32 bit access, ulp distances, and float64 references.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The float32 bit pattern of x (x is rounded to float32 first). */
export function bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The float32 value with bit pattern b. */
export function fromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0]!;
}

/**
 * Bit identity of two float32 (or float64) values, any NaN equal to any NaN: Object.is tells
 * +0 from -0 and is exact otherwise, which for float32 values is equality of the bits.
 */
export function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Maps float32 values to integers in the same order, adjacent floats to adjacent integers. */
function ordered32(x: number): number {
  const b = bits(x);
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}

/** Distance in float32 ulps (0 for two NaNs, Infinity for a NaN and a number). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordered32(a) - ordered32(b));
}

function ordered64(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** Distance in float64 ulps (0 for two NaNs, Infinity for a NaN and a number). */
export function ulpDistance64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const d = ordered64(a) - ordered64(b);
  return Number(d < 0n ? -d : d);
}

// Float64 references.

export function refSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function refSigmoidDerivative(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
}

export function refSigmoidDerivativeFromOutput(y: number): number {
  return y * (1 - y);
}

// The same references rounded to float32.
export const refSigmoid32 = (x: number): number => Math.fround(refSigmoid(x));
export const refSigmoidDerivative32 = (x: number): number => Math.fround(refSigmoidDerivative(x));
export const refSigmoidDerivativeFromOutput32 = (y: number): number => Math.fround(refSigmoidDerivativeFromOutput(y));

// Double-precision references that are correctly rounded given e = Math.exp(-|x|): the
// formulas above round 3 or 4 times, which costs up to ~4 ulp of double, too much to check
// a 2-ulp bound against. Here the quotient is computed exactly with BigInt and rounded once.

/** e (a double in (0, 1]) as M / 2^S with integers M and S. */
function asRatio(e: number): { m: bigint; s: bigint } {
  f64[0] = e;
  const raw = i64[0]!;
  const exponent = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & 0xfffffffffffffn;
  // e = m * 2^(exponent - 1075), with the hidden bit for normal numbers.
  const m = exponent === 0 ? fraction : fraction | (1n << 52n);
  const s = BigInt(1075 - Math.max(exponent, 1));
  return { m, s };
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** num / den (both positive) rounded to the nearest double, via a 66-bit quotient with a sticky bit. */
function ratioToDouble(num: bigint, den: bigint): number {
  const k = bitLength(den) - bitLength(num) + 66;
  const scaledNum = k >= 0 ? num << BigInt(k) : num;
  const scaledDen = k >= 0 ? den : den << BigInt(-k);
  let q = scaledNum / scaledDen;
  if (q * scaledDen !== scaledNum) q |= 1n;
  // Number(q) rounds the 66+ bit quotient once; the power-of-two scaling is exact unless the
  // result is subnormal (only the last step can round, and then by less than one ulp).
  let value = Number(q);
  let shift = k;
  while (shift > 1000) {
    value *= 2 ** -1000;
    shift -= 1000;
  }
  return value * 2 ** -shift;
}

/** sigma(x) in double, correctly rounded from e = Math.exp(-|x|). */
export function exactSigmoid64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const e = Math.exp(-Math.abs(x));
  if (e === 0) return x > 0 ? 1 : 0;
  const { m, s } = asRatio(e);
  const d = (1n << s) + m; // 2^S (1 + e)
  return x > 0 ? ratioToDouble(1n << s, d) : ratioToDouble(m, d);
}

/** sigma'(x) = e / (1 + e)^2 in double, correctly rounded from e = Math.exp(-|x|). */
export function exactSigmoidDerivative64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const e = Math.exp(-Math.abs(x));
  if (e === 0) return 0;
  const { m, s } = asRatio(e);
  const d = (1n << s) + m;
  return ratioToDouble(m << s, d * d);
}

/** Index of the first element where the two arrays differ bitwise, or -1. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < got.length; i++) if (!sameBits(got[i]!, want[i]!)) return i;
  return -1;
}

/** A readable description of the first bitwise difference, or 'identical'. */
export function describeMismatch(got: ArrayLike<number>, want: ArrayLike<number>, input?: ArrayLike<number>): string {
  const i = firstMismatch(got, want);
  if (i < 0) return 'identical';
  if (got.length !== want.length) return `lengths differ: ${got.length} vs ${want.length}`;
  const at = input ? ` (input ${input[i]})` : '';
  return `first difference at [${i}]${at}: got ${got[i]}, expected ${want[i]}`;
}

/**
 * Deterministic float32 inputs that differ from element to element: a spread over [-120, 120]
 * (every region of the kernels, including subnormal results and the clamp), with special
 * values mixed in at a few positions.
 */
export function variedInputs(length: number, seed = 1): Float32Array {
  const specials = [0, -0, NaN, Infinity, -Infinity, 1, -1, 1e-45, -88, -103.5, 16.7, -9.25];
  const x = new Float32Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    x[i] = i % 7 === 3 ? specials[(state >>> 8) % specials.length]! : (state / 2 ** 32) * 240 - 120;
  }
  return x;
}
