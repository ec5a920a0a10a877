// softmax, logSoftmax and logSumExp over rows of float32, as passes that a row streams through in
// chunks. Design, proofs and measurements: docs/design/softmax/DESIGN.md (revision 2).
//
//   m = max_i x_i                                        pass 1 (rowMax: exact, any order)
//   E_i = RN32(2^64 e^(x_i - m)), S = sum_i 2^64 e^(x_i - m)     pass 2 (rowSum), below
//   softmax:     y_i = RN32(E_i * (1 / S))               pass 3 (rowOutput), in double
//   logSoftmax:  y_i = RN32((x_i - m) - lambda)          pass 3, in double; lambda = log(2^-64 S)
//   logSumExp:   RN32(m + lambda)                        once per row (rowFinish)
//
// Pass 2 is the float32 exponential of exp.ts with its rounding errors kept, per element:
//
//   z = m - x, bb = z - m, zl = (m - (z - bb)) - (x + bb)      TwoSum: m - x = z + zl exactly
//   zc = min(z, Z_MAX32), zl = 0 where z > Z_MAX32 or NaN      (x = -inf: z = +inf, zl NaN)
//   biased, s = 2^(64 + n), n: exp.ts's reduction               n = round(-zc log2 e) >= -185
//   a = n MINUS_LN2_HI - zc (exact), b = n MINUS_LN2_LO - zl
//   t = a + b, tl = b - (t - a)                                 t + tl = a + b exactly (Fast2Sum)
//   ts = t s (exact), q = ts (t r(t))                           exp.ts's polynomial r
//   h = s + ts, e1 = ts - (h - s)                               h + e1 = s + ts exactly
//   w = (e1 + q) + tl s,  E = h + w,  err = w - (E - h)         E + err = h + w exactly
//
// Why each part: x - m rounds by up to 2^-18 relative, which e^(x - m) would turn into 64 ulp at
// z ~ 100, so z is carried as a pair; t's rounding and that of s + P would leave a 3.2-ulp bound,
// so both are carried; E is what softmax stores, within 0.5 ulp + 2^-24.7 relative of
// 2^64 e^(x - m) (an exhaustive scan of every float32 z, DESIGN.md). The sum adds E to double
// lanes and err (below 2^-24 E) to float32 lanes: S = sum E + sum err is the sum of the unrounded
// h + w, to 2^-29.9 relative for rows of up to 2^20. Bounds (DESIGN.md, "Error analysis"):
// softmax < 2.42 ulp unrounded (so <= 2 ulp), logSoftmax < 1.17 (<= 1 ulp), logSumExp < 1.4.
//
// Z_MAX32 = 128 keeps s = 2^(64 + n) >= 2^-121 a normal float32 (exp.ts clamps at 112, too
// early here: 2^20 clamped terms of 2^64 e^-112 would move logSoftmax's dominant output by 180
// subnormal ulp), and a clamped term 2^64 e^-128 = 2^-120.7 is small enough that even 2^31 of
// them do not move any result. -inf elements clamp with no special case.
//
// logSoftmax near 0: for the dominant element y = -log(1 + R) with R the sum over the others,
// which 1 + R in double would lose below 2^-53. The log kinds replace each x_i == m by -inf
// before the exponential (its term becomes negligible), count them (k) and sum the rest (R), and
// lambda = k == 1 ? log1p(R) : log(k + R) (log.ts: no Math.log, so the JS twin has the same bits).
//
// logSumExp where m + lambda cancels (m < 0, result within 0.75 of 0, e.g. a row of
// log-probabilities): lambda's relative error 2^-24 R / (k + R) is multiplied by
// lambda / |m + lambda|. rowFinish flags such rows (|m + lambda| < LSE_ACCEPT R / (k + R)) and
// the wrapper sums them again with LOG_SUM_EXP_ACCURATE: the exponential in double, e^t's Taylor
// series to degree 12 (2^-51.9), 16 double lanes; its result is within 0.5 + 2^-27 lambda /
// |m + lambda| ulp, so below ~2^-27 lambda the bound is relative to lambda (documented).
//
// Chunks and state: a row longer than a scratch buffer is streamed, pass by pass, each chunk a
// multiple of ROW_BLOCK (16) floats except the row's last. Element i of a row (counted from
// the row's start) goes to lane i mod 4 (16 for the accurate pass), in increasing i, and
// rowFinish adds the lanes in one fixed order: the sums, and so every result, are the same bits
// for any chunking, in every build and in the JS twin (src/backends/js-rows.ts). The state
// between calls (ROW_STATE_BYTES, memory.ts reserves it):
const M_AT: usize = 0; //       f32  m, canonical: NaN if any element is NaN, +0 for a zero maximum
const K_AT: usize = 4; //       i32  k, the count of x_i == m (the log kinds)
const FACTOR_AT: usize = 8; //  f64  1 / S (softmax) or lambda (the log kinds), set by rowFinish
const LANES_AT: usize = 16; //  f64[16]  the sums of E (pass 2: lanes 0-3; the accurate pass: 0-15)
const ERRS_AT: usize = 144; //  f32[4]  the sums of E's rounding errors
const FLAG_AT: usize = 160; //  i32  1: logSumExp needs the accurate pass
const E_SLOT_AT: usize = 176; // f32[16] the log kinds' E, stored by the pass and read back
/** Bytes of a row's state. */
export const ROW_STATE_BYTES: i32 = 240;
/** Floats per block: every chunk of a row but its last is a multiple. */
export const ROW_BLOCK: i32 = 16;
//
// Special values (rowFinish, once per row):
//   a NaN in the row (m NaN)        every result NaN
//   m = +inf or m = -inf            softmax, logSoftmax: a NaN row (inf - inf, as PyTorch);
//                                   logSumExp: m (+inf; -inf for a row of -inf, as PyTorch)
//   x_i = -inf, m finite            softmax +0, logSoftmax -inf
//
// The vector and scalar forms run the same operations in the same order; the SIMD build runs
// whole blocks as vectors and a chunk's last partial block with the scalar form.
//
// Only the SIMD build carries these functions: in the scalar build every export below returns at
// once and compiles to nothing (1.3 KB less of the gzipped bundle). Where SIMD is unavailable
// the wrapper runs the JS twin on the scalar build's memory instead, which gives the same bits.
import { ROWS_LOG_SUM_EXP, ROWS_SOFTMAX } from "./kernel-ids";
import { logAtLeastOne, log1pSmall, LN2_HI, LN2_LO, SQRT2 } from "./log";
import { C2, C3, C4, C5, C6, MAGIC_BIAS, MINUS_LN2_HI, MINUS_LN2_LO, expBias, expBiasX4, expScale, expScaleX4 } from "./exp";
import { MINUS_LOG2E64 } from "./exp64";

/** logSumExp's second pass over a row that cancels (a kind of the row passes, internal). */
export const LOG_SUM_EXP_ACCURATE: i32 = 3;

// The clamp on z of pass 2 (above).
export const Z_MAX32: f32 = 128.0;
// logSumExp keeps pass 2's sum when |m + lambda| >= LSE_ACCEPT R / (k + R); the bound above
// (< 1.4 ulp) follows from lambda's error 0.66 * 2^-24 R / (k + R) over this margin.
export const LSE_ACCEPT: f64 = 0.75;
// The terms are 2^64 e^(x - m): lambda = log(2^-64 S).
export const ROW_UNSCALE: f64 = reinterpret<f64>(0x3BF0000000000000); // 0x1p-64

// The accurate pass's exponential (double): exp.ts's scheme on f64 lanes.
//   z = min(m - x, Z_MAX64); biased = z MINUS_LOG2E64 + MAGIC64; s = biased << 52 = 2^(64 + n)
//   t = (n MINUS_LN2_HI64 - z) + n MINUS_LN2_LO64;  E = s ((1 + t) + t^2 r(t))
// MAGIC64 = 1.5 * 2^52 + 1023 + 64: the addition rounds -z log2 e (in [-1016, 0]) to an integer
// and leaves 1087 + n in the low bits, which the shift moves into the exponent. n * HI is exact
// (LN2_HI has 32 significant bits), n * HI - z exact by Sterbenz. Z_MAX64 = 704 keeps
// 2^(64 + n) >= 2^-952 normal. r: e^t's Taylor coefficients 1/k! for k = 2..12, rounded.
// (MINUS_LOG2E64 is exp64.ts's: -log2(e) rounded.)
export const MAGIC64: f64 = reinterpret<f64>(0x433800000000043F); // 0x1.800000000043fp+52
export const Z_MAX64: f64 = 704.0;
export const TAYLOR3: f64 = reinterpret<f64>(0x3FC5555555555555); // 0x1.5555555555555p-3  = 1/3!
export const TAYLOR4: f64 = reinterpret<f64>(0x3FA5555555555555); // 0x1.5555555555555p-5  = 1/4!
export const TAYLOR5: f64 = reinterpret<f64>(0x3F81111111111111); // 0x1.1111111111111p-7  = 1/5!
export const TAYLOR6: f64 = reinterpret<f64>(0x3F56C16C16C16C17); // 0x1.6c16c16c16c17p-10 = 1/6!
export const TAYLOR7: f64 = reinterpret<f64>(0x3F2A01A01A01A01A); // 0x1.a01a01a01a01ap-13 = 1/7!
export const TAYLOR8: f64 = reinterpret<f64>(0x3EFA01A01A01A01A); // 0x1.a01a01a01a01ap-16 = 1/8!
export const TAYLOR9: f64 = reinterpret<f64>(0x3EC71DE3A556C734); // 0x1.71de3a556c734p-19 = 1/9!
export const TAYLOR10: f64 = reinterpret<f64>(0x3E927E4FB7789F5C); // 0x1.27e4fb7789f5cp-22 = 1/10!
export const TAYLOR11: f64 = reinterpret<f64>(0x3E5AE64567F544E4); // 0x1.ae64567f544e4p-26 = 1/11!
export const TAYLOR12: f64 = reinterpret<f64>(0x3E21EED8EFF8D898); // 0x1.1eed8eff8d898p-29 = 1/12!
const TAYLOR2: f64 = 0.5; // 1/2!

// ---------------------------------------------------------------------------------------------
// Pass 1: the maximum. pmax (running < x ? x : running: one maxps; f32x4.max's NaN and
// signed-zero rules cost ~8 instructions), with NaN tracked separately, and the result made
// canonical (NaN if any, -0 turned into +0), so it depends neither on order nor on chunking.

/** Pass 1 over a chunk: the state's m becomes max(m, x[0..length)). */
export function rowMax(input: usize, length: i32, state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  let running = load<f32>(state, M_AT);
  let nan = running != running;
  let i = 0;
  if (ASC_FEATURE_SIMD && length >= ROW_BLOCK) {
    let m0 = f32x4.splat(running), m1 = m0, m2 = m0, m3 = m0;
    let bad = i32x4.splat(0);
    const whole = length & ~(ROW_BLOCK - 1);
    do {
      const p = input + (<usize>i << 2);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      m0 = f32x4.pmax(m0, v0);
      m1 = f32x4.pmax(m1, v1);
      m2 = f32x4.pmax(m2, v2);
      m3 = f32x4.pmax(m3, v3);
      bad = v128.or(bad, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
      i += ROW_BLOCK;
    } while (i < whole);
    const m = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    const a = f32x4.extract_lane(m, 0), b = f32x4.extract_lane(m, 1), c = f32x4.extract_lane(m, 2), d = f32x4.extract_lane(m, 3);
    running = running < a ? a : running;
    running = running < b ? b : running;
    running = running < c ? c : running;
    running = running < d ? d : running;
    nan = nan || v128.any_true(bad);
  }
  for (; i < length; i++) {
    const x = load<f32>(input + (<usize>i << 2));
    running = running < x ? x : running;
    nan = nan || x != x;
  }
  store<f32>(state, nan ? NaN : running + 0.0, M_AT);
}

/** Starts a row: m = -inf, k = 0, every lane 0. */
export function rowStart(state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  store<f32>(state, -Infinity, M_AT);
  rowRestart(state);
}

/** Starts pass 2 again with the same m (logSumExp's accurate pass): k = 0, every lane 0. */
export function rowRestart(state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  store<i32>(state, 0, K_AT);
  memory.fill(state + LANES_AT, 0, E_SLOT_AT - LANES_AT);
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the sum (softmax also stores E to `output`).

// termX4 / term store E to `eOut` (softmax: the output; the log kinds: the state's E slot) and
// return err: the caller reloads E (one load per vector, forwarded from the store).

// @ts-ignore: decorator
@inline function termX4(mf: v128, x: v128, eOut: usize): v128 {
  const z = f32x4.sub(mf, x);
  const bb = f32x4.sub(z, mf);
  const zl = f32x4.sub(f32x4.sub(mf, f32x4.sub(z, bb)), f32x4.add(x, bb));
  const zmax = f32x4.splat(Z_MAX32);
  const zc = f32x4.pmin(z, zmax);
  const zlc = v128.and(zl, f32x4.le(z, zmax));
  const biased = expBiasX4(zc);
  const s = expScaleX4(biased);
  const n = f32x4.sub(biased, f32x4.splat(MAGIC_BIAS));
  const a = f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_HI)), zc);
  const b = f32x4.sub(f32x4.mul(n, f32x4.splat(MINUS_LN2_LO)), zlc);
  const t = f32x4.add(a, b);
  const t2 = f32x4.mul(t, t);
  const r01 = f32x4.add(f32x4.mul(f32x4.splat(C3), t), f32x4.splat(C2));
  const r23 = f32x4.add(f32x4.mul(f32x4.splat(C5), t), f32x4.splat(C4));
  const r = f32x4.add(f32x4.add(f32x4.mul(r23, t2), r01), f32x4.mul(f32x4.splat(C6), f32x4.mul(t2, t2)));
  const ts = f32x4.mul(t, s);
  const q = f32x4.mul(ts, f32x4.mul(t, r));
  const tl = f32x4.sub(b, f32x4.sub(t, a));
  const h = f32x4.add(s, ts);
  const e1 = f32x4.sub(ts, f32x4.sub(h, s));
  const w = f32x4.add(f32x4.add(e1, q), f32x4.mul(tl, s));
  const e = f32x4.add(h, w);
  v128.store(eOut, e);
  return f32x4.sub(w, f32x4.sub(e, h));
}

// @ts-ignore: decorator
@inline function term(m: f32, x: f32, eOut: usize): f32 {
  const z = m - x;
  const bb = z - m;
  const zl = (m - (z - bb)) - (x + bb);
  const zc = select<f32>(Z_MAX32, z, Z_MAX32 < z);
  const zlc = select<f32>(zl, 0, z <= Z_MAX32);
  const biased = expBias(zc);
  const s = expScale(biased);
  const n = biased - MAGIC_BIAS;
  const a = n * MINUS_LN2_HI - zc;
  const b = n * MINUS_LN2_LO - zlc;
  const t = a + b;
  const t2 = t * t;
  const r01 = C3 * t + C2;
  const r23 = C5 * t + C4;
  const r = (r23 * t2 + r01) + C6 * (t2 * t2);
  const ts = t * s;
  const q = ts * (t * r);
  const tl = b - (t - a);
  const h = s + ts;
  const e1 = ts - (h - s);
  const w = (e1 + q) + tl * s;
  const e = h + w;
  store<f32>(eOut, e);
  return w - (e - h);
}

/** Lanes 2 and 3 of a float32 vector, promoted. */
// @ts-ignore: decorator
@inline function promoteHigh(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
}

// One function for the three kinds, `log` tested once per block (predicted): inlined per kind,
// the two loops cost 0.4 KB more of the gzipped SIMD build and ran no faster (rows of 1,000 and
// 4,096, Zen 4).
function sumPass(log: bool, input: usize, output: usize, length: i32, state: usize): void {
  const m = load<f32>(state, M_AT);
  const lanes = state + LANES_AT;
  const errs = state + ERRS_AT;
  let i = 0;
  if (ASC_FEATURE_SIMD && length >= ROW_BLOCK) {
    const mf = f32x4.splat(m);
    // Element i goes to double lane i mod 4 (a0: lanes 0 and 1, a1: 2 and 3) and float32 lane
    // i mod 4 (f0), in increasing i: three accumulators leave registers for the exponential
    // (with 16 lanes, 12 accumulators spilled and pass 2 ran 8-14% slower). Two vectors per
    // iteration: four ran no faster here (rows of 1,000 and 4,096, Zen 4, a loaded machine) and
    // cost 0.3 KB more of the gzipped build.
    let a0 = v128.load(lanes), a1 = v128.load(lanes, 16), f0 = v128.load(errs);
    let count = i32x4.splat(0);
    const whole = length & ~(ROW_BLOCK - 1);
    do {
      const p = input + (<usize>i << 2);
      let x0 = v128.load(p), x1 = v128.load(p, 16);
      if (log) {
        const q0 = f32x4.eq(x0, mf), q1 = f32x4.eq(x1, mf);
        count = i32x4.sub(i32x4.sub(count, q0), q1);
        const minf = f32x4.splat(-Infinity);
        x0 = v128.bitselect(minf, x0, q0);
        x1 = v128.bitselect(minf, x1, q1);
      }
      const eo = log ? state + E_SLOT_AT : output + (<usize>i << 2);
      f0 = f32x4.add(f0, termX4(mf, x0, eo));
      const e0 = v128.load(eo);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(e0));
      a1 = f64x2.add(a1, promoteHigh(e0));
      f0 = f32x4.add(f0, termX4(mf, x1, eo + 16));
      const e1 = v128.load(eo, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(e1));
      a1 = f64x2.add(a1, promoteHigh(e1));
      i += 8;
    } while (i < whole);
    v128.store(lanes, a0);
    v128.store(lanes, a1, 16);
    v128.store(errs, f0);
    if (log) {
      const k = i32x4.extract_lane(count, 0) + i32x4.extract_lane(count, 1) + i32x4.extract_lane(count, 2) + i32x4.extract_lane(count, 3);
      store<i32>(state, load<i32>(state, K_AT) + k, K_AT);
    }
  }
  for (; i < length; i++) {
    let x = load<f32>(input + (<usize>i << 2));
    if (log) {
      const equal = x == m;
      store<i32>(state, load<i32>(state, K_AT) + <i32>equal, K_AT);
      x = select<f32>(-Infinity, x, equal);
    }
    const eOut = log ? state + E_SLOT_AT : output + (<usize>i << 2);
    const err = term(m, x, eOut);
    const lane = lanes + (<usize>(i & 3) << 3);
    const errLane = errs + (<usize>(i & 3) << 2);
    store<f64>(lane, load<f64>(lane) + <f64>load<f32>(eOut));
    store<f32>(errLane, load<f32>(errLane) + err);
  }
}

// The accurate pass's exponential: 2^64 e^-(m - x) in double.
// @ts-ignore: decorator
@inline function scaledExp(m: f64, x: f64): f64 {
  const d = m - x;
  const z = select<f64>(Z_MAX64, d, Z_MAX64 < d);
  const biased = z * MINUS_LOG2E64 + MAGIC64;
  const s = reinterpret<f64>(reinterpret<u64>(biased) << 52);
  const n = biased - MAGIC64;
  const t = (n * -LN2_HI - z) + n * -LN2_LO;
  const t2 = t * t;
  const t4 = t2 * t2;
  const a = (TAYLOR5 * t + TAYLOR4) * t2 + (TAYLOR3 * t + TAYLOR2);
  const b = (TAYLOR9 * t + TAYLOR8) * t2 + (TAYLOR7 * t + TAYLOR6);
  const c = TAYLOR12 * t2 + (TAYLOR11 * t + TAYLOR10);
  const r = (b * t4 + a) + c * (t4 * t4);
  return s * ((1.0 + t) + t2 * r);
}

/**
 * The accurate pass: x == m excluded and counted, element i to double lane i mod 16. Scalar in
 * every build: it runs only for rows whose logSumExp cancels, and a vector form (8 accumulators,
 * 8 inlined exponentials) would add ~0.6 KB to the gzipped SIMD build for those rows alone.
 */
function accurateSumPass(input: usize, length: i32, state: usize): void {
  const m = load<f32>(state, M_AT);
  const lanes = state + LANES_AT;
  let k = load<i32>(state, K_AT);
  for (let i = 0; i < length; i++) {
    const x = load<f32>(input + (<usize>i << 2));
    const equal = x == m;
    k += <i32>equal;
    const lane = lanes + (<usize>(i & (ROW_BLOCK - 1)) << 3);
    store<f64>(lane, load<f64>(lane) + scaledExp(<f64>m, <f64>select<f32>(-Infinity, x, equal)));
  }
  store<i32>(state, k, K_AT);
}

/**
 * Pass 2 over a chunk of `length` floats at `input`, after pass 1 over the whole row (and
 * rowRestart for the accurate pass). softmax also writes E (float32) to `output` (may be `input`).
 */
export function rowSum(kind: i32, input: usize, output: usize, length: i32, state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  if (kind == LOG_SUM_EXP_ACCURATE) accurateSumPass(input, length, state);
  else sumPass(kind != ROWS_SOFTMAX, input, output, length, state);
}

/**
 * Ends pass 2: S = (lanes 0 + 1 + ... + 15) + (err lanes 0 + ... + 3) in that order, and the
 * factor for pass 3 (1 / S for softmax, lambda for the log kinds). Returns logSumExp's result
 * (meaningless for softmax), and sets the state's flag where logSumExp needs the accurate pass.
 */
export function rowFinish(kind: i32, state: usize): f32 {
  if (!ASC_FEATURE_SIMD) return NaN;
  const m = load<f32>(state, M_AT);
  const finite = Mathf.abs(m) < Infinity; // false for NaN too
  let sum = load<f64>(state, LANES_AT);
  for (let j = 1; j < 16; j++) sum += load<f64>(state + LANES_AT + (<usize>j << 3));
  let err = <f64>load<f32>(state, ERRS_AT);
  for (let j = 1; j < 4; j++) err += <f64>load<f32>(state + ERRS_AT + (<usize>j << 2));
  sum += err;
  store<i32>(state, 0, FLAG_AT);
  if (kind == ROWS_SOFTMAX) {
    store<f64>(state, finite ? 1.0 / sum : NaN, FACTOR_AT);
    return NaN;
  }
  const k = load<i32>(state, K_AT);
  const rest = sum * ROW_UNSCALE;
  let lambda: f64 = NaN;
  if (finite) lambda = k == 1 && rest < SQRT2 - 1.0 ? log1pSmall(rest) : logAtLeastOne(<f64>k + rest);
  store<f64>(state, lambda, FACTOR_AT);
  const result = <f64>m + lambda;
  if (kind != LOG_SUM_EXP_ACCURATE && finite && Math.abs(result) < LSE_ACCEPT * (rest / (<f64>k + rest))) {
    store<i32>(state, 1, FLAG_AT);
  }
  return finite ? <f32>result : m;
}

/** After rowFinish(ROWS_LOG_SUM_EXP): 1 if the row must be summed again with LOG_SUM_EXP_ACCURATE. */
export function rowNeedsAccurateSum(state: usize): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  return load<i32>(state, FLAG_AT);
}

// ---------------------------------------------------------------------------------------------
// Pass 3: the outputs, in double, rounded once.

/** Two double vectors rounded to one float32 vector (a's lanes first). */
// @ts-ignore: decorator
@inline function demotePair(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline function outputPass(log: bool, input: usize, output: usize, length: i32, state: usize): void {
  const factor = load<f64>(state, FACTOR_AT);
  const m = <f64>load<f32>(state, M_AT);
  let i = 0;
  if (ASC_FEATURE_SIMD && length >= ROW_BLOCK) {
    const c = f64x2.splat(factor);
    const md = f64x2.splat(m);
    const whole = length & ~(ROW_BLOCK - 1);
    do {
      // softmax reads the E it stored in `output`, logSoftmax reads x. All loads come first.
      const p = (log ? input : output) + (<usize>i << 2);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      const o = output + (<usize>i << 2);
      if (log) {
        // + 0: a zero result is +0 (x = m = -0 would give -0 - (+0) = -0), as PyTorch and the double form.
        const zero = f32x4.splat(0);
        v128.store(o, f32x4.add(demotePair(f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(v0), md), c), f64x2.sub(f64x2.sub(promoteHigh(v0), md), c)), zero));
        v128.store(o, f32x4.add(demotePair(f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(v1), md), c), f64x2.sub(f64x2.sub(promoteHigh(v1), md), c)), zero), 16);
        v128.store(o, f32x4.add(demotePair(f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(v2), md), c), f64x2.sub(f64x2.sub(promoteHigh(v2), md), c)), zero), 32);
        v128.store(o, f32x4.add(demotePair(f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(v3), md), c), f64x2.sub(f64x2.sub(promoteHigh(v3), md), c)), zero), 48);
      } else {
        v128.store(o, demotePair(f64x2.mul(f64x2.promote_low_f32x4(v0), c), f64x2.mul(promoteHigh(v0), c)));
        v128.store(o, demotePair(f64x2.mul(f64x2.promote_low_f32x4(v1), c), f64x2.mul(promoteHigh(v1), c)), 16);
        v128.store(o, demotePair(f64x2.mul(f64x2.promote_low_f32x4(v2), c), f64x2.mul(promoteHigh(v2), c)), 32);
        v128.store(o, demotePair(f64x2.mul(f64x2.promote_low_f32x4(v3), c), f64x2.mul(promoteHigh(v3), c)), 48);
      }
      i += ROW_BLOCK;
    } while (i < whole);
  }
  for (; i < length; i++) {
    const o = output + (<usize>i << 2);
    if (log) store<f32>(o, <f32>((<f64>load<f32>(input + (<usize>i << 2)) - m) - factor) + <f32>0);
    else store<f32>(o, <f32>(<f64>load<f32>(o) * factor));
  }
}

function outputSoftmax(output: usize, length: i32, state: usize): void {
  outputPass(false, 0, output, length, state);
}
function outputLogSoftmax(input: usize, output: usize, length: i32, state: usize): void {
  outputPass(true, input, output, length, state);
}

/** Pass 3 over a chunk (softmax: `output` holds the chunk's E from pass 2; logSumExp has none). */
export function rowOutput(kind: i32, input: usize, output: usize, length: i32, state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  if (kind == ROWS_SOFTMAX) outputSoftmax(output, length, state);
  else outputLogSoftmax(input, output, length, state);
}

/**
 * Whole rows in memory: `rows` rows of `rowLength` floats at `input`, results to `output` (one
 * float per row for logSumExp; `output` may be `input`). The passes above, one call each over the
 * whole row: the same bits as any streaming of it.
 */
export function rows(kind: i32, input: usize, output: usize, rowLength: i32, rows: i32, state: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const bytes = <usize>rowLength << 2;
  for (let r = 0; r < rows; r++) {
    rowStart(state);
    rowMax(input, rowLength, state);
    rowSum(kind, input, output, rowLength, state);
    let value = rowFinish(kind, state);
    if (kind == ROWS_LOG_SUM_EXP) {
      if (rowNeedsAccurateSum(state)) {
        rowRestart(state);
        rowSum(LOG_SUM_EXP_ACCURATE, input, output, rowLength, state);
        value = rowFinish(LOG_SUM_EXP_ACCURATE, state);
      }
      store<f32>(output, value);
      output += 4;
    } else {
      rowOutput(kind, input, output, rowLength, state);
      output += bytes;
    }
    input += bytes;
  }
}
