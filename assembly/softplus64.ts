// The softplus family in double precision (Float64Array and number), softplus.ts's algorithm on
// exp64.ts's core, two lanes per vector. Algorithm "rr2-p12-expm1-log1p-r7-div": the core, then
// a division-based log1p with a degree-7 polynomial in r^2 (float32: r2).
//
//   softplus(x)   = log(1 + e^x)  = max(x, 0) + log1p(e^-|x|)     softplus'(x)   = sigma(x)
//   logSigmoid(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|)     logSigmoid'(x) = sigma(-x)
//
//   z  = min(|x|, Z64_MAX)
//   s, P, E = P + s                      exp64.ts: E = 2^128 e^-z, normal for every x
//   u  = E * 2^-128 = e^-z               rounded once (into the subnormals for z > 708.4)
//   ul = ((s - E) + P) * 2^-128          u's rounding error, exact before the scaling (Fast2Sum)
//
// log1p(u) for u in [0, 1], u's error ul carried separately (softplus.ts, in double):
//   k  = [u >= 1/2];  f = u (k = 0) or u/2 - 1/2 (k = 1), both exact, f in [-1/4, 1/2]
//   log1p(u) = k ln2 + log1p(f)                   (1 + u = 2^k (1 + f) exactly)
//   r  = f / (2 + f), |r| <= 1/5;  log1p(f) = 2 atanh(r) = 2r + r R(r^2)
//   2r = f - f r, so log1p(f) = f - A,  A = r (f - R(r^2))
//   R(t) = t Q(t),  Q(t) = LOG1P64_R0 + ... + LOG1P64_R7 t^7  ~  (2 atanh(r)/r - 2)/r^2,  t <= 1/25
// The leading f is exact; the division's rounding (half an ulp of r) reaches log1p(f) through A
// only, damped by |f| <= 1/2. Then, as softplus.ts, the sum k ln2 + (f - A) + ul/(1 + u) keeps
// the errors of its two additions with Fast2Sums:
//   S1 = f - A,  e1 = (f - S1) - A;   S = k LN2_64 + S1,  e2 = S1 - (S - k LN2_64)
//   low = ((e1 + e2) + ul (1 - u/2)) + k LN2_LO64         (1/(1 + u) ~ 1 - u/2: ul is tiny)
//   result = max(x, 0) + (S + low)
// Unlike float32, ln2 is carried in two parts: LN2_64's own rounding error (2^-55.3) is 0.4 ulp
// of a result near ln(3/2), too much to leave out.
//
// Cut-offs and special values (as softplus.ts, with the double core's clamp):
//   x > 768 (and +inf): the sum is 768 + tiny, and the final pmax(r, x) returns x; softplus(x) =
//     x from x = 33.3 on (e^-x below half an ulp of x), which the sum gives by itself.
//   x < -768 (and -inf): u = e^-768 rounds to +0, ul to 0, so softplus = +0, as exact; u is e^x
//     rounded once into the subnormals and log1p(u) = u there.
//   softplus(+-0) = ln2 (LN2_64: f = 0, S = LN2_64, low = LN2_LO64); NaN propagates (z = NaN
//     passes pmin and every step; the final pmax keeps its NaN first operand).
//   logSigmoid: the same steps on -x (x with its sign bit flipped, which leaves z unchanged), the
//     result's sign bit flipped back: -pmax(r, -x) = pmin(-r, x). logSigmoid(-inf) = -inf,
//     logSigmoid(+inf) = -0; bit for bit -softplus(-x). (Choosing between pmin(-r, x) and
//     pmax(r, x) by the kind instead made binaryen compute both and `select`, 3 operations more.)
//   The derivative lanes run sigmoid64.ts's exact steps on the same E: softplusWithDerivative's
//     second result is bit for bit sigmoid(x), logSigmoid'(x) bit for bit sigmoid(-x).
//
// Error, against mpmath on 12.6 M inputs (docs/design/f64/DESIGN.md): softplus 1 ulp (1.151
// unrounded), logSigmoid 1 ulp (1.171), logSigmoid' = sigma(-x) 2 ulp (1.641). Sampled, not
// proven.
import { SCALED64_ONE, UNSCALE64, Z64_MAX, expBiasX2, expReducedX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import {
  KERNEL_SOFTPLUS as SOFTPLUS,
  KERNEL_LOG_SIGMOID as LOG_SIGMOID,
  KERNEL_LOG_SIGMOID_DERIVATIVE as LOG_SIGMOID_DERIVATIVE,
} from "./kernel-ids";

// Q(t) = R0 + R1 t + ... + R7 t^7 ~ (2 atanh(r)/r - 2)/r^2 on t = r^2 in [0, 1/25]: Lawson
// iterations for the error of r R(r^2) relative to log1p(f), each coefficient rounded to double
// in turn and the rest refitted (docs/design/f64/tools/fit_log1p.py). With the rounded
// coefficients, in exact arithmetic: 2r + r R(r^2) within 2^-62.6 of log1p(f), relative
// (degree 6: 2^-55.9, a tenth of an ulp; degree 8: 2^-66.8).
export const LOG1P64_R0: f64 = reinterpret<f64>(0x3FE555555555554F); // 0x1.555555555554fp-1
export const LOG1P64_R1: f64 = reinterpret<f64>(0x3FD999999999C147); // 0x1.999999999c147p-2
export const LOG1P64_R2: f64 = reinterpret<f64>(0x3FD24924921E8D3A); // 0x1.24924921e8d3ap-2
export const LOG1P64_R3: f64 = reinterpret<f64>(0x3FCC71C748AEBCB3); // 0x1.c71c748aebcb3p-3
export const LOG1P64_R4: f64 = reinterpret<f64>(0x3FC745C4C1CB715C); // 0x1.745c4c1cb715cp-3
export const LOG1P64_R5: f64 = reinterpret<f64>(0x3FC3B3595132AB27); // 0x1.3b3595132ab27p-3
export const LOG1P64_R6: f64 = reinterpret<f64>(0x3FC0DCE9563548BB); // 0x1.0dce9563548bbp-3
export const LOG1P64_R7: f64 = reinterpret<f64>(0x3FC1B6CA5AB0955B); // 0x1.1b6ca5ab0955bp-3
// ln2 = LN2_64 + LN2_LO64 (+2^-110): LN2_64 the nearest double. |LN2_64| >= |S1| (|log1p(f)|
// <= ln(3/2)), so the error of k LN2_64 + S1 is recovered exactly (Fast2Sum).
export const LN2_64: f64 = reinterpret<f64>(0x3FE62E42FEFA39EF); // 0x1.62e42fefa39efp-1
export const LN2_LO64: f64 = reinterpret<f64>(0x3C7ABC9E3B39803F); // 0x1.abc9e3b39803fp-56
const SIGN64: i64 = 0x8000000000000000;

// Which results kernel `kind` writes. The ids: softplus, softplusWithDerivative, logSigmoid,
// logSigmoidDerivative, logSigmoidWithDerivative, in that order (kernel-ids.ts).
// @ts-ignore: decorator
@inline function negated(kind: i32): bool { return kind >= LOG_SIGMOID; } // logSigmoid(x) = -softplus(-x)
// @ts-ignore: decorator
@inline function hasValue(kind: i32): bool { return kind != LOG_SIGMOID_DERIVATIVE; }
// @ts-ignore: decorator
@inline function hasDerivative(kind: i32): bool { return kind != SOFTPLUS && kind != LOG_SIGMOID; }

/** One vector (two doubles) of the softplus-family kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function softplusX2(kind: i32, x: v128, out: usize, out2: usize): void {
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const half = f64x2.splat(0.5);
  const z = f64x2.pmin(f64x2.abs(x), f64x2.splat(Z64_MAX));
  const biased = expBiasX2(z);
  const s = expScaleX2(biased);
  const p = scaledExpm1X2(expReducedX2(z, biased), s);
  const scaled = f64x2.add(p, s);
  const u = f64x2.mul(scaled, f64x2.splat(UNSCALE64));
  const ul = f64x2.mul(f64x2.add(f64x2.sub(s, scaled), p), f64x2.splat(UNSCALE64));
  // logSigmoid(x) = -softplus(-x): its lanes run on x ^ sign (= -x) and negate the result the
  // same way. Lanes whose linear part is taken: x > 0 for softplus, -x > 0 for logSigmoid.
  const sign = i64x2.splat(negated(kind) ? SIGN64 : 0);
  const signed = v128.xor(x, sign);
  const linear = f64x2.gt(signed, zero);
  if (hasValue(kind)) {
    const halfU = f64x2.mul(u, half);
    const upper = f64x2.ge(u, half);
    const f = v128.bitselect(f64x2.sub(halfU, half), u, upper);
    const ratio = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
    const t = f64x2.mul(ratio, ratio);
    const t2 = f64x2.mul(t, t);
    const q01 = f64x2.add(f64x2.mul(f64x2.splat(LOG1P64_R1), t), f64x2.splat(LOG1P64_R0));
    const q23 = f64x2.add(f64x2.mul(f64x2.splat(LOG1P64_R3), t), f64x2.splat(LOG1P64_R2));
    const q45 = f64x2.add(f64x2.mul(f64x2.splat(LOG1P64_R5), t), f64x2.splat(LOG1P64_R4));
    const q67 = f64x2.add(f64x2.mul(f64x2.splat(LOG1P64_R7), t), f64x2.splat(LOG1P64_R6));
    const q = f64x2.add(f64x2.add(f64x2.mul(q23, t2), q01), f64x2.mul(f64x2.add(f64x2.mul(q67, t2), q45), f64x2.mul(t2, t2)));
    const a = f64x2.mul(ratio, f64x2.sub(f, f64x2.mul(t, q)));
    const s1 = f64x2.sub(f, a);
    const e1 = f64x2.sub(f64x2.sub(f, s1), a);
    const kLn2 = v128.and(f64x2.splat(LN2_64), upper);
    const sum = f64x2.add(kLn2, s1);
    const e2 = f64x2.sub(s1, f64x2.sub(sum, kLn2));
    const low = f64x2.add(
      f64x2.add(f64x2.add(e1, e2), f64x2.mul(ul, f64x2.sub(one, halfU))), v128.and(f64x2.splat(LN2_LO64), upper),
    );
    const r = f64x2.add(v128.and(z, linear), f64x2.add(sum, low));
    v128.store(out, v128.xor(f64x2.pmax(r, signed), sign));
  }
  if (hasDerivative(kind)) {
    // sigmoid64.ts's steps: fs = sigma(-z) refined with u's error, 1 - fs = sigma(z).
    const quotient = f64x2.div(scaled, f64x2.add(f64x2.splat(SCALED64_ONE), scaled));
    const fs = f64x2.sub(u, f64x2.sub(f64x2.mul(u, quotient), f64x2.sub(ul, f64x2.mul(ul, quotient))));
    v128.store(hasValue(kind) ? out2 : out, v128.bitselect(f64x2.sub(one, fs), fs, linear));
  }
}
