// The double-precision logarithm that softmax.ts needs once per row: log(a) for a >= 1 and
// log1p(x) for 0 <= x < SQRT2 - 1, in plain IEEE double arithmetic (no Math.log, whose bits
// differ between JS engines), so that src/backends/js-rows.ts can run the same operations in
// the same order and get the same bits.
//
// Algorithm: a = 2^k * m with m in [SQRT2/2, SQRT2), f = m - 1 (exact by Sterbenz' lemma), and
//
//   log(a)     = k * LN2_HI + (k * LN2_LO + log1p(f))
//   log1p(f)   = 2 atanh(s) = 2s + s * (s^2 * A(s^2)),   s = f / (2 + f),  |s| <= 0.1716
//   A(w)       = LOG_A1 + LOG_A2 w + ... + LOG_A10 w^9,               LOG_Aj = 2 / (2j + 1)
//
// The series is atanh's own Taylor series: with w = s^2 <= 0.02944 the first omitted term,
// 2 s^23 / 23, is below 2^-60 of 2s, so no fitting is needed and the coefficients are the
// rationals 2/(2j+1) rounded to double. Every rounding is relative 2^-53 of a term no larger
// than the result, except k * LN2_LO + log1p(f), whose error is 2^-53 of log1p(f); the result is
// within a few ulp (double) of log(a), and log1p(x) keeps its relative accuracy however small x
// is (s is x / (2 + x), rounded twice: no cancellation anywhere).
//
// LN2_HI keeps 32 significant bits, so k * LN2_HI is exact for |k| < 2^21 (here k <= 64).
// a is a finite double >= 1: the caller (softmax.ts) handles NaN and infinite rows before.

// ln 2 = LN2_HI + LN2_LO to ~2^-86.
export const LN2_HI: f64 = reinterpret<f64>(0x3FE62E42FEE00000); // 0x1.62e42feep-1
export const LN2_LO: f64 = reinterpret<f64>(0x3DEA39EF35793C76); // 0x1.a39ef35793c76p-33
// sqrt(2), rounded: the upper end of m's range.
export const SQRT2: f64 = reinterpret<f64>(0x3FF6A09E667F3BCD); // 0x1.6a09e667f3bcdp+0
// LOG_Aj = 2 / (2j + 1), rounded to double: atanh's Taylor coefficients.
export const LOG_A1: f64 = reinterpret<f64>(0x3FE5555555555555); // 0x1.5555555555555p-1  = 2/3
export const LOG_A2: f64 = reinterpret<f64>(0x3FD999999999999A); // 0x1.999999999999ap-2  = 2/5
export const LOG_A3: f64 = reinterpret<f64>(0x3FD2492492492492); // 0x1.2492492492492p-2  = 2/7
export const LOG_A4: f64 = reinterpret<f64>(0x3FCC71C71C71C71C); // 0x1.c71c71c71c71cp-3  = 2/9
export const LOG_A5: f64 = reinterpret<f64>(0x3FC745D1745D1746); // 0x1.745d1745d1746p-3  = 2/11
export const LOG_A6: f64 = reinterpret<f64>(0x3FC3B13B13B13B14); // 0x1.3b13b13b13b14p-3  = 2/13
export const LOG_A7: f64 = reinterpret<f64>(0x3FC1111111111111); // 0x1.1111111111111p-3  = 2/15
export const LOG_A8: f64 = reinterpret<f64>(0x3FBE1E1E1E1E1E1E); // 0x1.e1e1e1e1e1e1ep-4  = 2/17
export const LOG_A9: f64 = reinterpret<f64>(0x3FBAF286BCA1AF28); // 0x1.af286bca1af28p-4  = 2/19
export const LOG_A10: f64 = reinterpret<f64>(0x3FB8618618618618); // 0x1.8618618618618p-4 = 2/21

/** log1p(f) for |f| <= SQRT2 - 1: 2s + s (w A(w)), Horner in w = s^2. */
export function log1pSmall(f: f64): f64 {
  const s = f / (2.0 + f);
  const w = s * s;
  const a = LOG_A1 + w * (LOG_A2 + w * (LOG_A3 + w * (LOG_A4 + w * (LOG_A5 + w * (LOG_A6 + w * (LOG_A7 + w * (LOG_A8 + w * (LOG_A9 + w * LOG_A10))))))));
  return (s + s) + s * (w * a);
}

/** log(a) for a finite double a >= 1. */
export function logAtLeastOne(a: f64): f64 {
  const bits = reinterpret<u64>(a);
  let k = <i32>(bits >> 52) - 1023;
  let m = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000); // in [1, 2)
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const kf = <f64>k;
  return kf * LN2_HI + (kf * LN2_LO + log1pSmall(m - 1.0));
}
