// The shared exponential core: 2^64 * e^-z for z in [0, Z_MAX] (or NaN), and its parts.
//
// Algorithm "rr2-p6-expm1": two-constant Cody-Waite range reduction, a degree-6 polynomial in
// expm1 form evaluated in Estrin's scheme, no table.
//
//   n = round(-z * log2(e))                 an integer in [-162, 0]
//   t = -z - n * ln2                        |t| <= ln2/2, so e^-z = 2^n * e^t
//   e^t - 1 ~ t + t * (t * r(t)),  r(t) = C2 + C3 t + C4 t^2 + C5 t^3 + C6 t^4
//   s = 2^(SCALE_SHIFT + n)
//   P = (t * s) + (t * s) * (t * r(t))       s * (e^t - 1)
//   E = P + s                               2^SCALE_SHIFT * e^-z
//
// Rounding n: MAGIC_BIAS is 1.5 * 2^23 (plus an offset, below). Adding it to -z * log2(e),
// which lies in [-162, 0], leaves no fraction bits, so the float addition itself rounds to
// the nearest integer (ties to even); subtracting MAGIC_BIAS back is exact.
//
// The scale s without integer arithmetic on n: MAGIC_BIAS also carries 127 + SCALE_SHIFT, so
// the low mantissa bits of the biased sum hold the biased exponent 127 + SCALE_SHIFT + n, in
// [29, 191]; shifting the bits left by 23 drops everything above them and yields the float
// s = 2^(SCALE_SHIFT + n) in one integer instruction.
//
// Range reduction: MINUS_LN2_HI keeps 15 significant bits, so n * MINUS_LN2_HI is exact for
// |n| < 2^9, and n * MINUS_LN2_HI - z is exact by Sterbenz' lemma (both operands lie within a
// factor of 2, or n = 0). Only n * MINUS_LN2_LO and the addition of it round, far below one
// float32 ulp of e^t.
//
// Why the expm1 form: the leading term t * s is exact (s is a power of two) and the rounded
// part, t^2 r(t) ~ t^2/2, is at most 0.17 of P for |t| <= ln2/2, so P keeps its relative
// accuracy near t = 0, which tanh (1 - e^-w) and softplus (the rounding error of P + s) need;
// and as s * q(t) + s with q = (e^t - 1)/t it is one operation cheaper (C1 = 1 is never
// multiplied) and more accurate: E is within 1.167 ulp over all float32 z in [0, 112] (1 ulp
// after rounding), against 1.620 (2 ulp) for the association (t * s) * q(t) + s.
//
// Why the result is scaled by 2^SCALE_SHIFT: e^-z is subnormal for z > 87.34 and the callers
// must not flush it to zero. 2^64 * e^-z is a normal float for every z <= Z_MAX, so every step
// above keeps full precision; a caller that needs e^-z itself multiplies by UNSCALE = 2^-64,
// which is exact for normal results and rounds once (to nearest even) for subnormal ones, and
// one that needs e^-z / (1 + e^-z) divides by 2^64 + E, which is scaled the same way.
//
// Cut-off: e^-z < 2^-150 for z > 103.98, where every caller's result rounds to +0. Callers clamp
// z to Z_MAX = 112: n >= -162 keeps s normal, the result still rounds to +0, so +inf needs no
// special case. NaN passes the clamp (pmin keeps its first operand when the comparison is
// false) and propagates through every step.
//
// Error: the polynomial is the minimax one for (e^t - 1)/t on [-ln2/2, ln2/2], relative error
// 2^-28.9 in exact arithmetic, so nearly all of the error is the float32 rounding of the steps.
// The end-to-end bounds of the kernels built on this are proven exhaustively (npm run verify).
//
// Estrin's scheme: the pairs and t^2, t^4 are independent, so the dependency chain is half as
// long as Horner's; the kernels are latency-bound and run ~15% faster for it.
//
// The parts are exported for the kernels that need more than E: expBias, expScale and
// expReduced give n (inside the biased sum), s and t for any argument w in [0, Z_MAX] (tanh
// takes w = 2|x|), and scaledExpm1 gives P. Every form below runs the same operations in the
// same order in its vector and its scalar version, so the vector build, the scalar build and
// the JS emulation (src/backends/js.ts) round identically.

// -log2(e), rounded to float32.
export const MINUS_LOG2E: f32 = reinterpret<f32>(0xBFB8AA3B); // -0x1.715476p+0
// 1.5 * 2^23 + 127 + SCALE_SHIFT: see "Rounding n" and "The scale s" above.
export const MAGIC_BIAS: f32 = reinterpret<f32>(0x4B4000BF); // 0x1.80017Ep+23
// -ln2 = MINUS_LN2_HI + MINUS_LN2_LO, the high part with 15 significant bits.
export const MINUS_LN2_HI: f32 = reinterpret<f32>(0xBF317200); // -0x1.62E400p-1
export const MINUS_LN2_LO: f32 = reinterpret<f32>(0xB5BFBE8E); // -0x1.7F7D1Cp-20
// q(t) = 1 + t r(t) = C1 + C2 t + ... + C6 t^5 ~ (e^t - 1)/t: Lawson's algorithm on a dense grid,
// then each coefficient rounded to float32. C1 rounds to exactly 1 and is never multiplied.
export const C2: f32 = reinterpret<f32>(0x3EFFFFFE); // 0x1.FFFFFCp-2
export const C3: f32 = reinterpret<f32>(0x3E2AAA0D); // 0x1.55541Ap-3
export const C4: f32 = reinterpret<f32>(0x3D2AAC11); // 0x1.555822p-5
export const C5: f32 = reinterpret<f32>(0x3C0933C1); // 0x1.126782p-7
export const C6: f32 = reinterpret<f32>(0x3AB57399); // 0x1.6AE732p-10
// The results are 2^SCALE_SHIFT * e^-z; SCALED_ONE is 1 on the same scale.
export const SCALE_SHIFT: i32 = 64;
export const SCALED_ONE: f32 = reinterpret<f32>(0x5F800000); // 0x1p+64
export const UNSCALE: f32 = reinterpret<f32>(0x1F800000); // 0x1p-64 = 1 / SCALED_ONE
// Callers clamp z to this; see "Cut-off" above.
export const Z_MAX: f32 = 112.0;

/**
 * |x| on four lanes, the argument every kernel's exponential starts from: the sign bit cleared,
 * which is what f32x4.abs does, bit for bit (NaN included). V8 11.3 lowers f32x4.abs to three
 * instructions (pcmpeqd, psrld, andps) and this AND to one; the kernels ran 0-7% faster for it
 * on Zen 4 (docs/design/sigmoid-speed).
 */
// @ts-ignore: decorator
@inline export function absX4(x: v128): v128 {
  return v128.and(x, i32x4.splat(0x7FFFFFFF));
}

/** The biased sum z * MINUS_LOG2E + MAGIC_BIAS, which carries n and s; four lanes. */
// @ts-ignore: decorator
@inline export function expBiasX4(z: v128): v128 {
  return f32x4.add(f32x4.mul(z, f32x4.splat(MINUS_LOG2E)), f32x4.splat(MAGIC_BIAS));
}

/** s = 2^(SCALE_SHIFT + n) from the biased sum. */
// @ts-ignore: decorator
@inline export function expScaleX4(biased: v128): v128 {
  return i32x4.shl(biased, 23);
}

/** t = -z - n ln2 from z and its biased sum. */
// @ts-ignore: decorator
@inline export function expReducedX4(z: v128, biased: v128): v128 {
  const n = f32x4.sub(biased, f32x4.splat(MAGIC_BIAS));
  return f32x4.add(f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_HI)), z), f32x4.mul(n, f32x4.splat(MINUS_LN2_LO)));
}

/** P = s * (e^t - 1) for |t| <~ ln2/2 and s a power of two, four lanes at a time. */
// @ts-ignore: decorator
@inline export function scaledExpm1X4(t: v128, s: v128): v128 {
  const t2 = f32x4.mul(t, t);
  const r01 = f32x4.add(f32x4.mul(f32x4.splat(C3), t), f32x4.splat(C2));
  const r23 = f32x4.add(f32x4.mul(f32x4.splat(C5), t), f32x4.splat(C4));
  const r = f32x4.add(f32x4.add(f32x4.mul(r23, t2), r01), f32x4.mul(f32x4.splat(C6), f32x4.mul(t2, t2)));
  const ts = f32x4.mul(t, s);
  return f32x4.add(ts, f32x4.mul(ts, f32x4.mul(t, r)));
}

/** E = 2^SCALE_SHIFT * e^-z for z in [0, Z_MAX] or NaN, four lanes at a time. */
// @ts-ignore: decorator
@inline export function scaledExpNegativeX4(z: v128): v128 {
  const biased = expBiasX4(z);
  const s = expScaleX4(biased);
  return f32x4.add(scaledExpm1X4(expReducedX4(z, biased), s), s);
}

// The same steps on one lane.

// @ts-ignore: decorator
@inline export function expBias(z: f32): f32 {
  return z * MINUS_LOG2E + MAGIC_BIAS;
}

// @ts-ignore: decorator
@inline export function expScale(biased: f32): f32 {
  return reinterpret<f32>(reinterpret<i32>(biased) << 23);
}

// @ts-ignore: decorator
@inline export function expReduced(z: f32, biased: f32): f32 {
  const n = biased - MAGIC_BIAS;
  return (n * MINUS_LN2_HI - z) + n * MINUS_LN2_LO;
}

// @ts-ignore: decorator
@inline export function scaledExpm1(t: f32, s: f32): f32 {
  const t2 = t * t;
  const r01 = C3 * t + C2;
  const r23 = C5 * t + C4;
  const r = (r23 * t2 + r01) + C6 * (t2 * t2);
  const ts = t * s;
  return ts + ts * (t * r);
}

// @ts-ignore: decorator
@inline export function scaledExpNegative(z: f32): f32 {
  const biased = expBias(z);
  const s = expScale(biased);
  return scaledExpm1(expReduced(z, biased), s) + s;
}
