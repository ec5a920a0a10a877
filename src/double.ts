// Double precision in plain JS: the elementwise loop of the double forms (the kernels' twin,
// src/double64.ts) over Float64Arrays, for the backends without double kernels, and the row
// functions over Float64Array rows. Nothing here calls Math.exp or Math.log: the rows'
// exponential and logarithm below are plain arithmetic, so the results are the same bits on
// every engine.
import { BACKWARD, SNAPSHOT, STAGE_OUT2, overlaps, planOrder } from './chunk.js';
import type { FunctionSpec } from './functions.js';
import { POW2 } from './double64.js';

/** 2^27 + 1: Veltkamp's constant, splitting a double into two halves of 26 bits. */
const SPLIT = 134217729;

/** The exact rounding error of the product p = a * b (Dekker), for a, b well inside the range. */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * (n + nl) / (d + dl) to within 1/2 ulp plus a negligible term: q = n / d rounded, then the
 * residual n + nl - q*(d + dl), computed with q*d split exactly (n - q*d is exact by Sterbenz,
 * as q*d is within a factor of 2 of n), corrects it.
 */
function divide(n: number, nl: number, d: number, dl: number): number {
  const q = n / d;
  const p = q * d;
  return q + (n - p - productError(q, d, p) + nl - q * dl) / d;
}

/** Applies a function's double forms elementwise over Float64Arrays, in the order planOrder chooses for overlapping views. */
export function mapFloat64(spec: FunctionSpec, x: Float64Array, out: Float64Array, out2?: Float64Array): void {
  const plan = planOrder(spec.call, x, out, out2);
  const source = plan & SNAPSHOT ? x.slice() : x;
  const backward = (plan & BACKWARD) !== 0;
  const n = source.length;
  const step = backward ? -1 : 1;
  const [f, g] = spec.double as [(x: number) => number, ((x: number) => number)?];
  if (g && out2) {
    const dy = plan & STAGE_OUT2 ? new Float64Array(n) : out2;
    for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) {
      const v = source[i]!;
      out[i] = f(v);
      dy[i] = g(v);
    }
    if (dy !== out2) out2.set(dy);
    return;
  }
  for (let i = backward ? n - 1 : 0; i >= 0 && i < n; i += step) out[i] = f(source[i]!);
}

/** The exact rounding error of the sum s = a + b (Knuth's TwoSum, any magnitudes). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

// The rows' exponential: e^t = 2^k (1 + p), k the integer nearest t / ln 2 and
// p = e^r - 1 for r = t - k ln 2, |r| <= ln 2 / 2. A form computes m e^t as (m + m p) 2^k, or
// divides m (1 + p) by something first: 1 + p keeps its 53 bits whatever the size of e^t, and
// only the last step, the product by 2^k, can round into the subnormal range, once.

/** 1/ln 2, rounded: it only chooses k, and its error moves r by less than 2^-40. */
const LOG2E = 1.4426950408889634;
/**
 * ln 2 = LN2_HI + LN2_LO (+ 2^-86): LN2_HI = 0x1.62e42feep-1 has 32 significant bits, so for
 * |k| < 2^21, k LN2_HI is exact, and t - k LN2_HI is exact too (both are multiples of 2^-54
 * once |t| >= ln 2 / 2, and the difference is below 1/2).
 */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 1.5 * 2^52: for |v| < 2^51, v + ROUNDER - ROUNDER is v rounded to the nearest integer. */
const ROUNDER = 6755399441055744;
/**
 * POW2[i] = 2^(128 - i) for i = 0..1199 (the twin's table), and TINY = 2^-128: 2^k = POW2[-k] *
 * TINY. The offset keeps every entry a normal power of 2 down to k = -1150, so that m 2^k is
 * (m POW2[-k]) TINY: an exact product, then the one that may round into the subnormal range.
 */
const TINY = 2 ** -128;

/** v * 2^k, applied last so that a subnormal result rounds once (k from expExponent). */
function scaled(v: number, k: number): number {
  return v * POW2[-k | 0]! * TINY;
}

/** The integer k (as a double) nearest t / ln 2. */
function expExponent(t: number): number {
  return t * LOG2E + ROUNDER - ROUNDER;
}

/**
 * p = e^(t + tl - k ln 2) - 1, with k from expExponent(t) and t + tl a double-double. r + rl =
 * t - k ln 2 + tl, |r| <= 0.3466; e^r - 1 = r + r^2 q(r), q a degree-10 fit to (e^r - 1 - r) / r^2
 * on [-0.3467, 0.3467] (error 2^-59.3, so 2^-62 in p), evaluated in Estrin's scheme; rl enters
 * as e^(r + rl) - 1 = p + rl (1 + p). p is within 1.5 * 2^-55 (the last sum's rounding and
 * r^2 q's), under 0.4 ulp of 1 + p.
 */
function expFraction(t: number, tl: number, k: number): number {
  const a = t - k * LN2_HI;
  const b = tl - k * LN2_LO;
  const r = a + b;
  const rl = a - r + b;
  const r2 = r * r;
  const r4 = r2 * r2;
  const q =
    0.5 +
    r * 0.1666666666666667 +
    r2 * (0.04166666666666667 + r * 0.00833333333332612) +
    r4 * (0.0013888888888883737 + r * 0.00019841269874873975 + r2 * (2.480158732558584e-5 + r * 2.755725533255441e-6)) +
    r4 * r4 * (2.7557273594799413e-7 + r * 2.510524515390137e-8 + r2 * 2.0914707069612355e-9);
  return r + (r2 * q + rl);
}

/**
 * A(w) for w = s² in [0, 1/9]: log1p(e) = 2 atanh(s) = 2s + s³ A(s²), s = e / (2 + e). A degree-9
 * fit (error 2^-52.7 of A), Estrin's scheme; s³ A is at most 1/26 of the sum, so A's error and
 * rounding reach the result below 2^-57.
 */
function atanhTail(w: number): number {
  const w2 = w * w;
  const w4 = w2 * w2;
  return (
    0.6666666666666666 +
    w * 0.40000000000014585 +
    w2 * (0.2857142856710876 + w * 0.22222222717427864) +
    w4 * (0.18181789436132859 + w * 0.15385570064958623 + w2 * (0.13314144209654935 + w * 0.12001072809590713)) +
    w4 * w4 * (0.08800738486144674 + w * 0.1616404561194353)
  );
}

// ---------------------------------------------------------------------------------------------
// softmax, logSoftmax and logSumExp of Float64Array rows, on the exponential above (no Math.exp
// or Math.log: the same bits on every engine). For a row with maximum m:
//
//   d + dl = x - m exactly (TwoSum), e^(d + dl) = 2^k (1 + p) (expFraction), kept as the
//   double-double 2^k (em + eml); S = sum of the terms as a double-double (each addition's
//   rounding error, exact by TwoSum, and the terms' low parts go to the low word): S is within
//   ~2^-54 relative of the exact sum (the terms' own error) for any row length.
//   softmax:    y = 2^k (em + eml) / S, one corrected quotient (divide: 1/2 ulp), then 2^k.
//   the log kinds exclude x == m (count k) and sum the rest, R, so that the dominant element's
//   -log1p(R) keeps its relative accuracy: lambda = k == 1 ? log1p(R) : log(k + R) as a
//   double-double (logPair), then y = (d + dl) - lambda and logSumExp = m + lambda, each summed
//   exactly and rounded once.
// Measured against mpmath (README): within 1 ulp. logSumExp cancels where m + lambda is near 0
// (m < 0, lambda ~ -m): its error is then ~2^-54 lambda in absolute terms, as lambda's own.
// Special values as the float32 kernels (assembly/softmax.ts).

/** log(a + al) for a + al >= 1 (a finite), as a double-double: sets logHi, logLo. */
let logHi = 0;
let logLo = 0;
const logWord = new DataView(new ArrayBuffer(8));

/**
 * log1p(u + ul) for |u| <= SQRT2 - 1 as a double-double (logHi + logLo): 2 atanh(s), s = (u + ul) /
 * (2 + u + ul) as sh + sl (the quotient and its exact residual), 2 sh exact, the rest in logLo.
 */
function log1pPair(u: number, ul: number): void {
  const d = 2 + u;
  const dl = 2 - d + u + ul; // Fast2Sum: |u| < 2
  const sh = u / d;
  const sd = sh * d;
  const sl = (u - sd - productError(sh, d, sd) + ul - sh * dl) / d;
  const w = sh * sh;
  logHi = 2 * sh;
  logLo = 2 * sl + sh * w * atanhTail(w);
}

/** log(a + al) for a >= 1 finite: j ln2 + log1p(f - 1), a = 2^j f, f in [SQRT2/2, SQRT2). */
function logPair(a: number, al: number): void {
  logWord.setFloat64(0, a);
  const high = logWord.getUint32(0);
  let j = (high >>> 20) - 1023;
  logWord.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let f = logWord.getFloat64(0);
  if (f > Math.SQRT2) {
    f *= 0.5;
    j += 1;
  }
  log1pPair(f - 1, al * POW2[j + 128]!); // f - 1 exact (Sterbenz); al 2^-j exact (POW2[i] = 2^(128 - i))
  const hi = j * LN2_HI; // exact: |j| < 2^11, LN2_HI has 32 bits
  const sum = hi + logHi;
  logLo = sumError(hi, logHi, sum) + (logLo + j * LN2_LO);
  logHi = sum;
}

// One term's parts: e^(x - m) = 2^termK (termM + termMl), and x - m's rounding error termDl.
let termK = 0;
let termM = 0;
let termMl = 0;
let termDl = 0;

/** Sets the term's parts for x <= m (finite m); x - m < -746 gives termM = 0 (below every result). */
function rowTerm(x: number, m: number): void {
  const d = x - m;
  termDl = sumError(x, -m, d);
  if (!(d >= -746)) {
    termK = 0;
    termM = termMl = 0;
    return;
  }
  const k = expExponent(d);
  const p = expFraction(d, termDl, k);
  termK = k;
  termM = 1 + p;
  termMl = 1 - termM + p;
}

/** Rows of `rowLength` doubles from x to out (softmax, logSoftmax: one per element; logSumExp: one per row). */
export function rowsFloat64(kind: 'softmax' | 'logSoftmax' | 'logSumExp', x: Float64Array, out: Float64Array, rowLength: number): void {
  // In place is fine (each element is read before its result is written, and a logSumExp
  // result only after its row); any other overlap reads from a copy.
  const source = overlaps(x, out) && !(x.buffer === out.buffer && x.byteOffset === out.byteOffset && kind !== 'logSumExp') ? x.slice() : x;
  const rows = rowLength === 0 ? 0 : source.length / rowLength;
  const log = kind !== 'softmax';
  for (let r = 0; r < rows; r++) {
    const from = r * rowLength;
    const to = from + rowLength;
    let m = -Infinity;
    let nan = false;
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      if (v > m) m = v;
      else if (v !== v) nan = true;
    }
    m = nan ? NaN : m + 0;
    if (!(Math.abs(m) < Infinity)) {
      // A NaN, +inf or a row of -inf: NaN rows, and logSumExp m (as PyTorch).
      if (kind === 'logSumExp') out[r] = m;
      else out.fill(NaN, from, to);
      continue;
    }
    let sh = 0;
    let sl = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      if (log && v === m) {
        count++;
        continue;
      }
      rowTerm(v, m);
      if (termM === 0) continue;
      const scale = POW2[-termK | 0]! * TINY;
      const hi = termM * scale;
      const sum = sh + hi;
      sl += sumError(sh, hi, sum) + termMl * scale;
      sh = sum;
    }
    if (kind === 'softmax') {
      for (let i = from; i < to; i++) {
        rowTerm(source[i]!, m);
        out[i] = termM === 0 ? 0 : scaled(divide(termM, termMl, sh, sl), termK);
      }
      continue;
    }
    const r0 = sh + sl;
    if (count === 1 && r0 < Math.SQRT2 - 1) log1pPair(sh, sl);
    else {
      const a = count + sh;
      logPair(a, sumError(count, sh, a) + sl);
    }
    const lambda = logHi;
    const lambdaLo = logLo;
    if (kind === 'logSumExp') {
      const sum = m + lambda;
      out[r] = sum + (sumError(m, lambda, sum) + lambdaLo);
      continue;
    }
    for (let i = from; i < to; i++) {
      const v = source[i]!;
      const d = v - m;
      const a = d - lambda;
      // -inf (an element -inf, or x - m beyond the double range) is the result as it is.
      out[i] = a === -Infinity ? a : a + (sumError(d, -lambda, a) + (sumError(v, -m, d) - lambdaLo));
    }
  }
}
