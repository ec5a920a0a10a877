// The double-precision exponential core: 2^128 * e^-z for z in [0, Z64_MAX] (or NaN), and its
// parts, for the f64x2 kernels (the *64.ts files, SIMD build only). exp.ts is its float32
// sibling; this file follows it step for step with double constants.
//
// Algorithm "rr2-p12-expm1": two-constant Cody-Waite range reduction, a degree-12 polynomial
// for e^t in expm1 form (t + t^2 r(t), r of degree 10) evaluated in Estrin's scheme, no table.
//
//   n = round(-z * log2(e))                 an integer in [-1108, 0]
//   t = -z - n * ln2                        |t| <= ln2/2 (+2^-40), so e^-z = 2^n * e^t
//   e^t - 1 ~ t + t * (t * r(t)),  r(t) = C2 + C3 t + ... + C12 t^10
//   s = 2^(SCALE64_SHIFT + n)
//   P = (t * s) + (t * s) * (t * r(t))      s * (e^t - 1)
//   E = P + s                               2^SCALE64_SHIFT * e^-z
//
// Rounding n: MAGIC64_BIAS is 1.5 * 2^52 plus 1023 + SCALE64_SHIFT. Adding it to -z log2(e),
// in [-1108, 0], leaves a sum in [2^52, 2^53), whose ulp is 1: the addition itself rounds to
// the nearest integer (ties to even), and subtracting MAGIC64_BIAS back is exact.
//
// The scale s with one integer instruction: the low 12 bits of the biased sum hold
// 1023 + SCALE64_SHIFT + n, in [43, 1151] (bit 11 is clear: 1.5 * 2^52 sets bit 51 only);
// i64x2.shl by 52 moves them into the exponent field, with a clear sign bit, and drops the
// rest: the double s = 2^(SCALE64_SHIFT + n). (The JS twin reads s from a table of powers of
// two; the same bits.)
//
// Range reduction: MINUS_LN2_HI64 has 42 significant bits, so n * MINUS_LN2_HI64 is exact for
// |n| < 2^11, and n * MINUS_LN2_HI64 - z is exact by Sterbenz' lemma (for n <= -1 both lie
// within a factor 2 of each other; for n = 0 it is -z). n * MINUS_LN2_LO64 rounds (2^-86 at
// most), and so does the final sum: t carries an absolute error of at most 2^-55, which e^t
// turns into a relative error of 2^-55 (0.18 ulp of E at most). ln2 - HI - LO is 2^-102.
//
// Why expm1 form: as exp.ts; the leading term t * s is exact, so P keeps its relative accuracy
// near t = 0 (tanh's 1 - e^-w and softplus' rounding error of P + s need it), and C1 = 1 is
// never multiplied.
//
// Polynomial: r minimises the relative error of (e^t - 1 - t)/t^2 on [-0.3466, 0.3466]
// (Lawson iterations from a Chebyshev fit, each coefficient rounded to double and the rest
// refitted: docs/design/f64/tools/fit_exp.py). With the rounded coefficients, in exact
// arithmetic: r within 2^-58.2, e^t within 2^-62.0, e^t - 1 within 2^-60.7 relative: far
// below the evaluation's own roundings. (Degree 9, "p11", is 2 operations cheaper and
// 2^-55.8: 0.1 ulp of E, where this is 0.002.)
//
// Why the result is scaled by 2^128: e^-z is subnormal for z > 708.4 and the callers must not
// flush it. 2^128 e^-z is normal for every z <= Z64_MAX, so every step keeps full precision;
// UNSCALE64 = 2^-128 then rounds once (to nearest even) where the result is subnormal.
//
// Cut-off: every caller's result rounds to 0 beyond z = 751.8 (silu: z e^-z < 2^-1075), so
// callers clamp z to Z64_MAX = 768: n >= -1108 keeps s >= 2^-980, normal, and +inf needs no
// special case. NaN passes the clamp (pmin keeps its first operand when the comparison is
// false) and propagates; its s is garbage, t is NaN.
//
// The JS twin (src/double64.ts) runs the same operations in the same order in double
// arithmetic, and rounds identically (WebAssembly and JavaScript double arithmetic are IEEE 754 binary64, round to
// nearest even, and neither contracts a * b + c into a fused multiply-add).

// -log2(e), rounded.
export const MINUS_LOG2E64: f64 = reinterpret<f64>(0xBFF71547652B82FE); // -0x1.71547652b82fep+0
// 1.5 * 2^52 + 1023 + SCALE64_SHIFT: see "Rounding n" and "The scale s" above.
export const MAGIC64_BIAS: f64 = reinterpret<f64>(0x433800000000047F); // 0x1.800000000047fp+52
// -ln2 = MINUS_LN2_HI64 + MINUS_LN2_LO64 (+2^-102), the high part with 42 significant bits.
export const MINUS_LN2_HI64: f64 = reinterpret<f64>(0xBFE62E42FEFA3800); // -0x1.62e42fefa3800p-1
export const MINUS_LN2_LO64: f64 = reinterpret<f64>(0xBD2EF35793C76730); // -0x1.ef35793c76730p-45
// r(t) = C2 + C3 t + ... + C12 t^10 ~ (e^t - 1 - t)/t^2 (~ 1/k! for C_k).
export const E64_C2: f64 = reinterpret<f64>(0x3FE0000000000000); // 0x1.0000000000000p-1
export const E64_C3: f64 = reinterpret<f64>(0x3FC5555555555557); // 0x1.5555555555557p-3
export const E64_C4: f64 = reinterpret<f64>(0x3FA5555555555557); // 0x1.5555555555557p-5
export const E64_C5: f64 = reinterpret<f64>(0x3F8111111111003A); // 0x1.111111111003ap-7
export const E64_C6: f64 = reinterpret<f64>(0x3F56C16C16C1532F); // 0x1.6c16c16c1532fp-10
export const E64_C7: f64 = reinterpret<f64>(0x3F2A01A01AC1FEED); // 0x1.a01a01ac1feedp-13
export const E64_C8: f64 = reinterpret<f64>(0x3EFA01A01AC0A618); // 0x1.a01a01ac0a618p-16
export const E64_C9: f64 = reinterpret<f64>(0x3EC71DE01C6951F5); // 0x1.71de01c6951f5p-19
export const E64_C10: f64 = reinterpret<f64>(0x3E927E4D26C7FFCB); // 0x1.27e4d26c7ffcbp-22
export const E64_C11: f64 = reinterpret<f64>(0x3E5AF4E6631F3F02); // 0x1.af4e6631f3f02p-26
export const E64_C12: f64 = reinterpret<f64>(0x3E21F7B596CA5997); // 0x1.1f7b596ca5997p-29
// The results are 2^SCALE64_SHIFT * e^-z; SCALED64_ONE is 1 on the same scale.
export const SCALE64_SHIFT: i32 = 128;
export const SCALED64_ONE: f64 = reinterpret<f64>(0x47F0000000000000); // 0x1p+128
export const UNSCALE64: f64 = reinterpret<f64>(0x37F0000000000000); // 0x1p-128
// Callers clamp z to this; see "Cut-off" above.
export const Z64_MAX: f64 = 768.0;

/** The biased sum z * MINUS_LOG2E64 + MAGIC64_BIAS, which carries n and s; two lanes. */
// @ts-ignore: decorator
@inline export function expBiasX2(z: v128): v128 {
  return f64x2.add(f64x2.mul(z, f64x2.splat(MINUS_LOG2E64)), f64x2.splat(MAGIC64_BIAS));
}

/** s = 2^(SCALE64_SHIFT + n) from the biased sum. */
// @ts-ignore: decorator
@inline export function expScaleX2(biased: v128): v128 {
  return i64x2.shl(biased, 52);
}

/** t = -z - n ln2 from z and its biased sum. */
// @ts-ignore: decorator
@inline export function expReducedX2(z: v128, biased: v128): v128 {
  const n = f64x2.sub(biased, f64x2.splat(MAGIC64_BIAS));
  return f64x2.add(f64x2.sub(f64x2.mul(n, f64x2.splat(MINUS_LN2_HI64)), z), f64x2.mul(n, f64x2.splat(MINUS_LN2_LO64)));
}

/** P = s (e^t - 1) for |t| <~ ln2/2 and s a power of two, two lanes. */
// @ts-ignore: decorator
@inline export function scaledExpm1X2(t: v128, s: v128): v128 {
  const t2 = f64x2.mul(t, t);
  const t4 = f64x2.mul(t2, t2);
  const a0 = f64x2.add(f64x2.mul(f64x2.splat(E64_C3), t), f64x2.splat(E64_C2));
  const a1 = f64x2.add(f64x2.mul(f64x2.splat(E64_C5), t), f64x2.splat(E64_C4));
  const a2 = f64x2.add(f64x2.mul(f64x2.splat(E64_C7), t), f64x2.splat(E64_C6));
  const a3 = f64x2.add(f64x2.mul(f64x2.splat(E64_C9), t), f64x2.splat(E64_C8));
  const a4 = f64x2.add(f64x2.mul(f64x2.splat(E64_C11), t), f64x2.splat(E64_C10));
  const b0 = f64x2.add(f64x2.mul(a1, t2), a0);
  const b1 = f64x2.add(f64x2.mul(a3, t2), a2);
  const b2 = f64x2.add(f64x2.mul(f64x2.splat(E64_C12), t2), a4);
  const r = f64x2.add(f64x2.add(f64x2.mul(b1, t4), b0), f64x2.mul(b2, f64x2.mul(t4, t4)));
  const ts = f64x2.mul(t, s);
  return f64x2.add(ts, f64x2.mul(ts, f64x2.mul(t, r)));
}

/** E = 2^128 e^-z for z in [0, Z64_MAX] or NaN, two lanes. */
// @ts-ignore: decorator
@inline export function scaledExpNegativeX2(z: v128): v128 {
  const biased = expBiasX2(z);
  const s = expScaleX2(biased);
  return f64x2.add(scaledExpm1X2(expReducedX2(z, biased), s), s);
}
