// The GELU family, exact erf form, from one exponential:
//
//   gelu(x)  = x Phi(x) = x/2 (1 + erf(x/sqrt2))       gelu'(x) = Phi(x) + x phi(x)
//
// With a = |x|, Q(a) = Phi(-a) = phi(a) r(a) (r: Mills' ratio) and T(a) = a - r(a):
//   x <  0:  gelu = -a Q(a) = -phi(a) a r(a)          gelu' = Q(a) - a phi(a) = -phi(a) T(a)
//   x >= 0:  gelu = x - a Q(a)                          gelu' = 1 + phi(a) T(a)
// and for small |x| the series forms  gelu = x/2 + x^2 h(x^2),  gelu' = 1/2 + x (h(x^2) + phi(x)),
// h(u) = (Phi(sqrt u) - 1/2)/sqrt u.
//
// 1. PHI = 2^64 phi(a) (a clamped to A_MAX = 14.75), without losing the rounding of a^2/2:
//      ah = a with its low 12 mantissa bits cleared, al = a - ah     (exact)
//      a^2/2 = zh + zl,  zh = ah*ah/2 (exact: 12 x 12 bits),  zl = al (a + ah)/2 (one rounding,
//      relative 2^-24 of a term below 2^-11 a^2, i.e. 2^-35 a^2)
//    exp.ts's reduction with z = zh + zl + ln sqrt(2 pi):  n = round(-(zh + LNS_HI + zl) log2 e),
//      t = ((n MINUS_LN2_HI - LNS_HI) - zh) - (zl - (n MINUS_LN2_LO - LNS_LO))
//    n MINUS_LN2_HI - LNS_HI is exact (multiples of 2^-16 below 2^8), and so is subtracting zh for
//    every a >= 1/2 (checked on every float32); below 1/2 that subtraction rounds once (<= 1.3e-8),
//    where only gelu' on 0.4 <= |x| < 0.5 uses this branch. t then rounds in its last two steps.
//    p = s (e^t - 1) (exp.ts's scaledExpm1), PHI = p + s, c = p - (PHI - s) its exact rounding
//    error (Sterbenz and Fast2Sum, as in softplus.ts).
// 2. r(a) ~ A(a)/B(a), B = a A + P, deg A = 4, deg P = 5, P(0) = 1: weighted relative minimax on
//    [0, A_MAX] (2^-27.4). Evaluating B from a A (not as its own polynomial) makes the rounding
//    errors of A cancel between a A and B in a A/B, and those of P enter damped by P/B.
//      a <  1: S = a r = aA/B,                 2^64 a Q = PHI S            (+ c S)
//      a >= 1: rho = 1 - a r = P/B (<= 0.35), 2^64 a Q = PHI - PHI rho    (+ c): rho's error
//              reaches the result damped by rho/(1 - rho), the last subtraction rounds once.
// 3. T(a) = (a - a0)(1 + K(a)/B(a)), a0 = 0.7517915... the root of gelu'(-a), K of degree 4
//    fitted with the float32 B (2^-26.2 relative to T). a - a0 = (a - ROOT_HI) - ROOT_LO is
//    exact up to its last rounding (Sterbenz near a0), so gelu' keeps its relative accuracy
//    through the zero crossing: there is no band where the ulp bound fails.
//      phi T 2^64 = PHI dm + (PHI dm (K/B) + c dm)
// 4. Series forms for |x| < 0.75 (gelu) and |x| < 0.4 (gelu'): x/2 is exact and the rounded
//    x^2 h term is at most 0.62 of the result up to |x| = 1/2 and 1.2 times it at x = -0.75, where
//    the erfc form becomes the better one (near 0 that form multiplies 4-6 rounded factors).
// The result's sign is x's (bit select): gelu(-0) = -0, gelu(x) = -0 for x < -14.355.
//
// Special values: gelu(+inf) = +inf, gelu(-inf) = -0, gelu(NaN) = NaN; gelu'(+inf) = 1,
// gelu'(-inf) = -0, gelu'(+-0) = 1/2. gelu(x) = x for x > 5.347515 and gelu'(x) = 1 for
// x > 5.9101605, exactly where those are the correctly rounded values.
// Subnormal results are computed: the last operation of the negative branch is the 2^-64
// scaling, rounding once into the subnormals.
//
// Error over all 2^32 inputs (npm run verify, as first measured on the design's numpy emulation):
// gelu max 3 ulp (2.661 unrounded, 99.61% correctly rounded), gelu' max 3 ulp (3.339 unrounded,
// 99.31%), with no exception band at the root (within 2^-6 of it: max 3 ulp, absolute error
// <= 1.14e-9).
//
// Operations per vector: gelu 86 (1 division), gelu' 95 (1 division), fused 113 (2 divisions);
// sigmoid: 32 (1 division).
import {
  MAGIC_BIAS, MINUS_LN2_HI, MINUS_LN2_LO, UNSCALE, absX4, expBias, expBiasX4, expScale, expScaleX4, scaledExpm1, scaledExpm1X4,
} from "./exp";
import {
  KERNEL_GELU as GELU,
  KERNEL_GELU_DERIVATIVE as GELU_DERIVATIVE,
} from "./kernel-ids";

// a is clamped here: |gelu(-a)| < 2^-150 for a > 14.356 and |gelu'(-a)| for a > 14.542, so the
// clamped lanes round to -0 as they should, and 2^64 phi(A_MAX) stays normal.
export const GELU_A_MAX: f32 = 14.75;
// Series forms below these |x|; the Mills-ratio regime switch (S = aA/B below, 1 - P/B above).
export const GELU_SERIES_MAX: f32 = 0.75;
export const GELU_DERIVATIVE_SERIES_MAX: f32 = reinterpret<f32>(0x3ECCCCCD); // 0.4
export const GELU_RHO_MIN: f32 = 1.0;
// Clears the low 12 of 24 significand bits: ah * ah is exact.
export const GELU_SPLIT_MASK: i32 = 0xFFFFF000;
// ln sqrt(2 pi) = LNS_HI + LNS_LO; LNS_HI is a multiple of 2^-16 (see 1. above).
export const LN_SQRT_2PI_HI: f32 = reinterpret<f32>(0x3F6B4000); // 0x1.D68000p-1
export const LN_SQRT_2PI_LO: f32 = reinterpret<f32>(0xB6E379B4); // -0x1.C6F368p-18
// h(u) = H0 + H1 u + ... + H4 u^4 ~ (Phi(sqrt u) - 1/2)/sqrt u on [0, 0.5625], relative 2^-25.1
// (H0 = 1/sqrt(2 pi) rounded: its rounding is the whole error at u = 0).
export const GELU_H0: f32 = reinterpret<f32>(0x3ECC422A); //  0x1.988454p-2
export const GELU_H1: f32 = reinterpret<f32>(0xBD882C69); // -0x1.1058D2p-4
export const GELU_H2: f32 = reinterpret<f32>(0x3C237ADF); //  0x1.46F5BEp-7
export const GELU_H3: f32 = reinterpret<f32>(0xBA9CE718); // -0x1.39CE30p-10
export const GELU_H4: f32 = reinterpret<f32>(0x38F4D8E2); //  0x1.E9B1C4p-14
// Mills' ratio r(a) ~ A/(aA + P): A = A0 + ... + A4 a^4, P = 1 + P1 a + ... + P5 a^5.
export const MILLS_A0: f32 = reinterpret<f32>(0x3FA06C99); //  0x1.40D932p+0 ~ sqrt(pi/2)
export const MILLS_A1: f32 = reinterpret<f32>(0x3F8B75A0); //  0x1.16EB40p+0
export const MILLS_A2: f32 = reinterpret<f32>(0x3EE7AFAA); //  0x1.CF5F54p-2
export const MILLS_A3: f32 = reinterpret<f32>(0x3DCBE1CF); //  0x1.97C39Ep-4
export const MILLS_A4: f32 = reinterpret<f32>(0x3C236527); //  0x1.46CA4Ep-7
export const MILLS_P1: f32 = reinterpret<f32>(0x3ED3E911); //  0x1.A7D222p-2
export const MILLS_P2: f32 = reinterpret<f32>(0x3DD065AE); //  0x1.A0CB5Cp-4
export const MILLS_P3: f32 = reinterpret<f32>(0x3C209A4D); //  0x1.41349Ap-7
export const MILLS_P4: f32 = reinterpret<f32>(0x37009B6C); //  0x1.0136D8p-17
export const MILLS_P5: f32 = reinterpret<f32>(0xB4212904); // -0x1.425208p-23
// T(a) = (a - a0)(1 + K(a)/B(a)), K = K0 + ... + K4 a^4.
export const ROOT_K0: f32 = reinterpret<f32>(0x3F2AC748); //  0x1.558E90p-1
export const ROOT_K1: f32 = reinterpret<f32>(0x3F2B5D35); //  0x1.56BA6Ap-1
export const ROOT_K2: f32 = reinterpret<f32>(0x3E9A1F93); //  0x1.343F26p-2
export const ROOT_K3: f32 = reinterpret<f32>(0x3D90686D); //  0x1.20D0DAp-4
export const ROOT_K4: f32 = reinterpret<f32>(0x3BF5AC94); //  0x1.EB5928p-8
// a0 = 0.75179152469356445745..., the root of a = r(a) (gelu'(-a0) = 0), = ROOT_HI + ROOT_LO.
export const ROOT_HI: f32 = reinterpret<f32>(0x3F407569); //  0x1.80EAD2p-1
export const ROOT_LO: f32 = reinterpret<f32>(0xB2501FEA); // -0x1.A03FD4p-27

/** One vector of the GELU kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function geluX4(kind: i32, x: v128, out: usize, out2: usize): void {
  const value = kind != GELU_DERIVATIVE;
  const derivative = kind != GELU;
  const zero = f32x4.splat(0.0);
  const half = f32x4.splat(0.5);
  const absX = absX4(x);
  const a = f32x4.pmin(absX, f32x4.splat(GELU_A_MAX));
  // 2^64 phi(a) and the exact error of its last rounding.
  const ah = v128.and(a, i32x4.splat(GELU_SPLIT_MASK));
  const al = f32x4.sub(a, ah);
  const zh = f32x4.mul(f32x4.mul(ah, ah), half);
  const zl = f32x4.mul(f32x4.mul(al, f32x4.add(a, ah)), half);
  const z = f32x4.add(f32x4.add(zh, f32x4.splat(LN_SQRT_2PI_HI)), zl); // only to choose n
  const biased = expBiasX4(z);
  const s = expScaleX4(biased);
  const n = f32x4.sub(biased, f32x4.splat(MAGIC_BIAS));
  const d = f32x4.sub(f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_HI)), f32x4.splat(LN_SQRT_2PI_HI)), zh);
  const lo = f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_LO)), f32x4.splat(LN_SQRT_2PI_LO));
  const t = f32x4.sub(d, f32x4.sub(zl, lo));
  const p = scaledExpm1X4(t, s);
  const phi = f32x4.add(p, s);
  const phiError = f32x4.sub(p, f32x4.sub(phi, s));
  // Mills' ratio: A, P and B = a A + P (Horner).
  let av = f32x4.add(f32x4.mul(f32x4.splat(MILLS_A4), a), f32x4.splat(MILLS_A3));
  av = f32x4.add(f32x4.mul(av, a), f32x4.splat(MILLS_A2));
  av = f32x4.add(f32x4.mul(av, a), f32x4.splat(MILLS_A1));
  av = f32x4.add(f32x4.mul(av, a), f32x4.splat(MILLS_A0));
  let pv = f32x4.add(f32x4.mul(f32x4.splat(MILLS_P5), a), f32x4.splat(MILLS_P4));
  pv = f32x4.add(f32x4.mul(pv, a), f32x4.splat(MILLS_P3));
  pv = f32x4.add(f32x4.mul(pv, a), f32x4.splat(MILLS_P2));
  pv = f32x4.add(f32x4.mul(pv, a), f32x4.splat(MILLS_P1));
  pv = f32x4.add(f32x4.mul(pv, a), f32x4.splat(1.0));
  const aA = f32x4.mul(a, av);
  const b = f32x4.add(aA, pv);
  // Series: u = x^2, h(u).
  const u = f32x4.mul(x, x);
  let hv = f32x4.add(f32x4.mul(f32x4.splat(GELU_H4), u), f32x4.splat(GELU_H3));
  hv = f32x4.add(f32x4.mul(hv, u), f32x4.splat(GELU_H2));
  hv = f32x4.add(f32x4.mul(hv, u), f32x4.splat(GELU_H1));
  hv = f32x4.add(f32x4.mul(hv, u), f32x4.splat(GELU_H0));
  if (value) {
    const large = f32x4.ge(a, f32x4.splat(GELU_RHO_MIN));
    const q = f32x4.div(v128.bitselect(pv, aA, large), b);
    const pq = f32x4.mul(phi, q);
    const rhoForm = f32x4.sub(phi, f32x4.sub(pq, phiError)); // 2^64 phi (1 - rho)
    const y = v128.bitselect(rhoForm, f32x4.add(pq, f32x4.mul(phiError, q)), large);
    const viaMills = f32x4.sub(f32x4.pmax(x, zero), f32x4.mul(y, f32x4.splat(UNSCALE)));
    const viaSeries = f32x4.add(f32x4.mul(x, half), f32x4.mul(u, hv));
    const r = v128.bitselect(viaSeries, viaMills, f32x4.lt(absX, f32x4.splat(GELU_SERIES_MAX)));
    v128.store(out, v128.bitselect(x, r, i32x4.splat(0x80000000)));
  }
  if (derivative) {
    const dm = f32x4.sub(f32x4.sub(a, f32x4.splat(ROOT_HI)), f32x4.splat(ROOT_LO));
    let kv = f32x4.add(f32x4.mul(f32x4.splat(ROOT_K4), a), f32x4.splat(ROOT_K3));
    kv = f32x4.add(f32x4.mul(kv, a), f32x4.splat(ROOT_K2));
    kv = f32x4.add(f32x4.mul(kv, a), f32x4.splat(ROOT_K1));
    kv = f32x4.add(f32x4.mul(kv, a), f32x4.splat(ROOT_K0));
    const phiDm = f32x4.mul(phi, dm);
    const small = f32x4.add(f32x4.mul(phiDm, f32x4.div(kv, b)), f32x4.mul(phiError, dm));
    const v = f32x4.mul(f32x4.add(phiDm, small), f32x4.splat(UNSCALE));
    const viaRoot = v128.bitselect(f32x4.neg(v), f32x4.add(f32x4.splat(1.0), v), f32x4.lt(x, zero));
    const viaSeries = f32x4.add(half, f32x4.mul(x, f32x4.add(hv, f32x4.mul(phi, f32x4.splat(UNSCALE)))));
    const series = f32x4.lt(absX, f32x4.splat(GELU_DERIVATIVE_SERIES_MAX));
    v128.store(value ? out2 : out, v128.bitselect(viaSeries, viaRoot, series));
  }
}

/** One element of the GELU kernel `kind`: the steps of geluX4. */
// @ts-ignore: decorator
@inline export function gelu(kind: i32, x: f32, out: usize, out2: usize): void {
  const value = kind != GELU_DERIVATIVE;
  const derivative = kind != GELU;
  const absX = Mathf.abs(x);
  const a: f32 = select<f32>(GELU_A_MAX, absX, GELU_A_MAX < absX);
  const ah = reinterpret<f32>(reinterpret<i32>(a) & GELU_SPLIT_MASK);
  const al: f32 = a - ah;
  const zh: f32 = (ah * ah) * 0.5;
  const zl: f32 = (al * (a + ah)) * 0.5;
  const z: f32 = (zh + LN_SQRT_2PI_HI) + zl;
  const biased = expBias(z);
  const s = expScale(biased);
  const n: f32 = biased - MAGIC_BIAS;
  const d: f32 = (n * MINUS_LN2_HI - LN_SQRT_2PI_HI) - zh;
  const lo: f32 = n * MINUS_LN2_LO - LN_SQRT_2PI_LO;
  const t: f32 = d - (zl - lo);
  const p: f32 = scaledExpm1(t, s);
  const phi: f32 = p + s;
  const phiError: f32 = p - (phi - s);
  const av: f32 = (((MILLS_A4 * a + MILLS_A3) * a + MILLS_A2) * a + MILLS_A1) * a + MILLS_A0;
  const pv: f32 = ((((MILLS_P5 * a + MILLS_P4) * a + MILLS_P3) * a + MILLS_P2) * a + MILLS_P1) * a + <f32>1.0;
  const aA: f32 = a * av;
  const b: f32 = aA + pv;
  const u: f32 = x * x;
  const hv: f32 = (((GELU_H4 * u + GELU_H3) * u + GELU_H2) * u + GELU_H1) * u + GELU_H0;
  if (value) {
    const large: bool = a >= GELU_RHO_MIN;
    const q: f32 = select<f32>(pv, aA, large) / b;
    const pq: f32 = phi * q;
    const y: f32 = select<f32>(phi - (pq - phiError), pq + phiError * q, large);
    const viaMills: f32 = select<f32>(0, x, x < 0) - y * UNSCALE; // pmax(x, 0) = x < 0 ? 0 : x
    const viaSeries: f32 = x * 0.5 + u * hv;
    const r: f32 = select<f32>(viaSeries, viaMills, absX < GELU_SERIES_MAX);
    store<f32>(out, copysign<f32>(r, x)); // x's sign bit, r's other bits
  }
  if (derivative) {
    const dm: f32 = (a - ROOT_HI) - ROOT_LO;
    const kv: f32 = (((ROOT_K4 * a + ROOT_K3) * a + ROOT_K2) * a + ROOT_K1) * a + ROOT_K0;
    const phiDm: f32 = phi * dm;
    const small: f32 = phiDm * (kv / b) + phiError * dm;
    const v: f32 = (phiDm + small) * UNSCALE;
    const viaRoot: f32 = select<f32>(-v, <f32>1.0 + v, x < 0);
    const viaSeries: f32 = <f32>0.5 + x * (hv + phi * UNSCALE);
    store<f32>(value ? out2 : out, select<f32>(viaSeries, viaRoot, absX < GELU_DERIVATIVE_SERIES_MAX));
  }
}
