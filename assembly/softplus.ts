// The softplus family, all from one exponential:
//
//   softplus(x)   = log(1 + e^x)  = max(x, 0) + log1p(e^-|x|)     softplus'(x)   = sigma(x)
//   logSigmoid(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|)     logSigmoid'(x) = sigma(-x)
//
// Algorithm "rr2-p6-log1p-r2-div" (XNNPACK-style name): exp.ts's two-constant reduction and
// degree-6 polynomial, then a division-based log1p with a degree-2 polynomial in s^2.
//
//   z  = min(|x|, Z_MAX)
//   p  = s (e^t - 1)                    exp.ts's parts (as tanh.ts)
//   E  = p + s = 2^64 e^-z               normal for every z <= Z_MAX
//   c  = p - (E - s)                     E's rounding error, exact: E - s is exact (Sterbenz,
//                                        E in [s/sqrt2, s sqrt2]) and |s| >= |p| (Fast2Sum)
//   u  = E * 2^-64 = e^-z, cu = c * 2^-64        (u rounds once into the subnormals, x < -87.3)
//
// log1p(u) for u in [0, 1], with u's rounding error cu carried separately:
//   k  = [u >= 1/2];  f = u (k = 0) or u/2 - 1/2 (k = 1), both exact, f in [-1/4, 1/2]
//   log1p(u) = k ln2 + log1p(f)                    (1 + u = 2^k (1 + f) exactly)
//   s  = f / (2 + f), |s| <= 1/5;  log1p(f) = 2 atanh(s) = 2s + s R(s^2)
//   2s = f - f s  (from s (2 + f) = f),  so  log1p(f) = f - A,  A = s (f - R)
//   R(t) = t (R0 + R1 t + R2 t^2)  ~  2 atanh(s)/s - 2  (t = s^2 <= 1/25)
// The leading f is exact; s, R and their roundings enter only through A <= f^2/2, so the error of
// the division (half an ulp of s) reaches log1p damped by |f| (<= 1/2), not in full as in the
// textbook 2s + ... form. Why k = [u >= 1/2] and not the usual sqrt2 - 1: u/2 - 1/2 is exact only
// for u >= 1/2 (for u in [sqrt2 - 1, 1/2) it needs 25 bits), and every operand must be exact for
// the compensated sums below.
//
// The sum  max(x,0) + k ln2 + f - A + cu/(1 + u)  keeps the low parts of its two inner additions
// with Fast2Sums (each: one addition, two operations for its exact error):  S1 = f - A (+e1),
// S = k ln2 + S1 (+e2),  lo = (e1 + e2) + cu (1 - u/2),  result = max(x,0) + (S + lo).
// 1/(1 + u) ~ 1 - u/2 (error <= 0.086 of cu, under 0.05 ulp). Measured against the fuller form
// (ln2 as two constants, and a third Fast2Sum for the last addition, its operands ordered with
// pmax/pmin): 7 operations fewer, 17% faster, and the same 1-ulp bound; the price is 2.2% more
// results one ulp off (97.6% correctly rounded instead of 99.8%), docs/design/softplus-gelu 1.7.
//
// Cut-offs and special values:
//   x > 112 (and +inf): z is clamped, the sum is 112 + 0 = 112, and the final pmax(r, x) returns
//     x. softplus(x) = x exactly from x = 14.556091 on, where that is the correctly rounded value
//     (all of [8, 200] comes out correctly rounded).
//   x < -103.97 (and -inf): u rounds to +0, so softplus = +0 (correctly rounded); never 0 early:
//     u is e^x rounded once into the subnormals and log1p(u) = u there.
//   softplus(+-0) = ln2 rounded (0x3F317218); NaN propagates (z = NaN passes pmin and every
//     addition, the final pmax keeps its NaN first operand).
//   logSigmoid: the same lanes with the mask x < 0 and -r; logSigmoid(+inf) = -0, (-inf) = -inf,
//     logSigmoid(x) = x for x <= -14.556091; logSigmoid(x) is bit for bit -softplus(-x).
//   sigma: sigmoid.ts's steps on this E: sigma(+-0) = 1/2, sigma(+inf) = 1, sigma(-inf) = +0.
//
// The derivatives: softplus'(x) = sigma(x) is sigmoid.ts's kernel itself (the package exports
// softplusDerivative as sigmoid), and the fused kernel's second result runs sigmoid.ts's exact
// steps on the same E, so it is bit for bit sigmoid(x); logSigmoid'(x) = sigma(-x) runs them
// with the sign test reversed, bit for bit sigmoid(-x).
//
// Error over all 2^32 inputs (npm run verify): softplus and logSigmoid max 1 ulp (the design's
// exhaustive emulation: 1.337 unrounded, 97.6% correctly rounded); sigma max 2 ulp (1.836
// unrounded).
//
// Operations per vector (sigmoid: 32 with one division): softplus 59 with one division,
// logSigmoid 60, softplusWithDerivative 65 with two divisions.
import {
  SCALED_ONE, UNSCALE, Z_MAX, absX4, expBias, expBiasX4, expReduced, expReducedX4, expScale,
  expScaleX4, scaledExpm1, scaledExpm1X4,
} from "./exp";
import {
  KERNEL_SOFTPLUS as SOFTPLUS,
  KERNEL_LOG_SIGMOID as LOG_SIGMOID,
  KERNEL_LOG_SIGMOID_DERIVATIVE as LOG_SIGMOID_DERIVATIVE,
} from "./kernel-ids";

// R(t)/t = R0 + R1 t + R2 t^2 ~ (2 atanh(s)/s - 2)/s^2 on t = s^2 in [0, 1/25]: minimax for the
// error of s R relative to log1p(f) (2^-28.4 after rounding), coefficients rounded to float32 one
// at a time with the rest refitted (docs/design/softplus-gelu).
export const LOG1P_R0: f32 = reinterpret<f32>(0x3F2AAADA); // 0x1.5555B4p-1  ~ 2/3
export const LOG1P_R1: f32 = reinterpret<f32>(0x3ECC954D); // 0x1.992A9Ap-2  ~ 2/5
export const LOG1P_R2: f32 = reinterpret<f32>(0x3E9B775B); // 0x1.36EEB6p-2  ~ 2/7
// ln2 rounded to float32 (0x1.62E430p-1), one constant: its rounding error (k * 1.9e-9, k <= 1)
// is below the bound's resolution (measured with it: 1 ulp over all inputs). The error of
// k ln2 + S1 is recovered exactly because |LN2| >= |S1| (Fast2Sum).
export const LN2: f32 = reinterpret<f32>(0x3F317218); // 0x1.62E430p-1

// Which results kernel `kind` writes. The ids: softplus, softplusWithDerivative, logSigmoid,
// logSigmoidDerivative, logSigmoidWithDerivative, in that order (kernel-ids.ts).
// @ts-ignore: decorator
@inline function negated(kind: i32): bool { return kind >= LOG_SIGMOID; } // logSigmoid(x) = -softplus(-x)
// @ts-ignore: decorator
@inline function hasValue(kind: i32): bool { return kind != LOG_SIGMOID_DERIVATIVE; }
// @ts-ignore: decorator
@inline function hasDerivative(kind: i32): bool { return kind != SOFTPLUS && kind != LOG_SIGMOID; }

/** One vector of the softplus-family kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function softplusX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  const half = f32x4.splat(0.5);
  const z = f32x4.pmin(absX4(x), f32x4.splat(Z_MAX));
  const biased = expBiasX4(z);
  const s = expScaleX4(biased);
  const p = scaledExpm1X4(expReducedX4(z, biased), s);
  const scaled = f32x4.add(p, s);
  const u = f32x4.mul(scaled, f32x4.splat(UNSCALE));
  // Lanes whose linear part is taken: x > 0 for softplus, x < 0 (i.e. -x > 0) for logSigmoid.
  const linear = negated(kind) ? f32x4.lt(x, zero) : f32x4.gt(x, zero);
  if (hasValue(kind)) {
    const uError = f32x4.mul(f32x4.sub(p, f32x4.sub(scaled, s)), f32x4.splat(UNSCALE));
    const halfU = f32x4.mul(u, half);
    const upper = f32x4.ge(u, half);
    const f = v128.bitselect(f32x4.sub(halfU, half), u, upper);
    const ratio = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
    const r2 = f32x4.mul(ratio, ratio);
    const r21 = f32x4.add(f32x4.mul(f32x4.splat(LOG1P_R2), r2), f32x4.splat(LOG1P_R1));
    const series = f32x4.mul(r2, f32x4.add(f32x4.mul(r21, r2), f32x4.splat(LOG1P_R0)));
    const a = f32x4.mul(ratio, f32x4.sub(f, series));
    const s1 = f32x4.sub(f, a);
    const e1 = f32x4.sub(f32x4.sub(f, s1), a);
    const kLn2 = v128.and(f32x4.splat(LN2), upper);
    const sum = f32x4.add(kLn2, s1);
    const e2 = f32x4.sub(s1, f32x4.sub(sum, kLn2));
    const low = f32x4.add(f32x4.add(e1, e2), f32x4.mul(uError, f32x4.sub(one, halfU)));
    const r = f32x4.add(v128.and(z, linear), f32x4.add(sum, low));
    v128.store(out, negated(kind) ? f32x4.pmin(f32x4.neg(r), x) : f32x4.pmax(r, x));
  }
  if (hasDerivative(kind)) {
    // sigmoid.ts's steps: fs = sigma(-z) refined once, 1 - fs = sigma(z).
    const quotient = f32x4.div(scaled, f32x4.add(f32x4.splat(SCALED_ONE), scaled));
    const fs = f32x4.sub(u, f32x4.mul(u, quotient));
    v128.store(hasValue(kind) ? out2 : out, v128.bitselect(f32x4.sub(one, fs), fs, linear));
  }
}

/** One element of the softplus-family kernel `kind`: the steps of softplusX4 on one lane. */
// @ts-ignore: decorator
@inline export function softplus(kind: i32, x: f32, out: usize, out2: usize): void {
  const ax = Mathf.abs(x);
  const z: f32 = select<f32>(Z_MAX, ax, Z_MAX < ax); // pmin(|x|, Z_MAX)
  const biased = expBias(z);
  const s = expScale(biased);
  const p: f32 = scaledExpm1(expReduced(z, biased), s);
  const scaled: f32 = p + s;
  const u: f32 = scaled * UNSCALE;
  const linear: bool = negated(kind) ? x < 0 : x > 0;
  if (hasValue(kind)) {
    const uError: f32 = (p - (scaled - s)) * UNSCALE;
    const halfU: f32 = u * 0.5;
    const upper: bool = u >= 0.5;
    const f: f32 = select<f32>(halfU - 0.5, u, upper);
    const ratio: f32 = f / (<f32>2.0 + f);
    const r2: f32 = ratio * ratio;
    const series: f32 = r2 * ((LOG1P_R2 * r2 + LOG1P_R1) * r2 + LOG1P_R0);
    const a: f32 = ratio * (f - series);
    const s1: f32 = f - a;
    const e1: f32 = (f - s1) - a;
    const kLn2: f32 = select<f32>(LN2, 0, upper);
    const sum: f32 = kLn2 + s1;
    const e2: f32 = s1 - (sum - kLn2);
    const low: f32 = (e1 + e2) + uError * (<f32>1.0 - halfU);
    const r: f32 = select<f32>(z, 0, linear) + (sum + low);
    store<f32>(out, negated(kind) ? select<f32>(x, -r, x < -r) : select<f32>(x, r, r < x));
  }
  if (hasDerivative(kind)) {
    const quotient: f32 = scaled / (SCALED_ONE + scaled);
    const fs: f32 = u - u * quotient;
    store<f32>(hasValue(kind) ? out2 : out, select<f32>(<f32>1.0 - fs, fs, linear));
  }
}
