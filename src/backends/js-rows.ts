// The JS backend's row functions: assembly/softmax.ts and assembly/log.ts step for step, so that
// softmax, logSoftmax and logSumExp are bit-identical to the SIMD and scalar builds.
//
// Pass 2's exponential is float32 arithmetic, emulated as src/backends/js.ts does (Math.fround
// after each operation: exact, see there). The rest is double arithmetic, which JS numbers are:
// promotion is exact and demotion is a Float32Array store or Math.fround (round to nearest even,
// as f32.demote_f64). The kernels' bit operations become tables (the powers of two the shifts
// build) and a DataView (the logarithm's exponent split). No Math.exp or Math.log: their bits
// differ between engines. The powers of two and exp.ts's polynomial are shared with
// src/backends/js.ts, which imports them from here (it imports this module anyway).
import type { RowKind, RowPasses, Scratch } from '../backend.js';
import * as K from '../generated/constants.js';
import { ROW_KINDS } from '../generated/kernels.js';

const fround = Math.fround;
const ACCURATE = K.LOG_SUM_EXP_ACCURATE;

// 2^(SCALE_SHIFT + n) at index -n, SCALE_SHIFT = 64: what the kernels build by shifting a biased
// exponent left by 23 bits. The float32 exponentials reach n = -190 (js.ts: 2^-126) and n = -185
// (pass 2, z <= Z_MAX32), the accurate pass's double one n = -1016 (z <= Z_MAX64).
export const SCALE = new Float64Array(1017).map((_, i) => 2 ** (K.SCALE_SHIFT - i));

/**
 * ts * (t * r(t)), the part of P = s * (e^t - 1) = ts + ts * t * r(t) after its first term, with
 * ts = RN32(t * s) and r exp.ts's degree-4 polynomial, each operation float32 (exp.ts).
 */
export function expm1Correction(t: number, ts: number): number {
  const t2 = fround(t * t);
  const r01 = fround(fround(K.C3 * t) + K.C2);
  const r23 = fround(fround(K.C5 * t) + K.C4);
  const r = fround(fround(fround(r23 * t2) + r01) + fround(K.C6 * fround(t2 * t2)));
  return fround(ts * fround(t * r));
}

/** The rounding error of the last term()'s E (its second result, as the kernel returns it). */
let termError = 0;

/** softmax.ts's term: E = RN32(2^64 e^(x - m)) for float32 m and x, every operation float32. */
function term(m: number, x: number): number {
  const z = fround(m - x);
  const bb = fround(z - m);
  const zl = fround(fround(m - fround(z - bb)) - fround(x + bb));
  const zc = K.Z_MAX32 < z ? K.Z_MAX32 : z;
  const zlc = z <= K.Z_MAX32 ? zl : 0;
  const biased = fround(fround(zc * K.MINUS_LOG2E) + K.MAGIC_BIAS);
  const n = biased - K.MAGIC_BIAS; // exact (exp.ts)
  // The kernel shifts biased's bits left by 23. (0 - n) | 0 is -n, and 0 for NaN (the result is NaN).
  const s = SCALE[(0 - n) | 0]!;
  const a = n * K.MINUS_LN2_HI - zc; // exact (Sterbenz, exp.ts)
  const b = fround(fround(n * K.MINUS_LN2_LO) - zlc);
  const t = fround(a + b);
  // t * s rounds where it is subnormal (small t, n near -185), as the kernel's multiplication does.
  const ts = fround(t * s);
  const q = expm1Correction(t, ts);
  const tl = fround(b - fround(t - a));
  const h = fround(s + ts);
  const e1 = fround(ts - fround(h - s));
  const w = fround(fround(e1 + q) + fround(tl * s));
  const e = fround(h + w);
  termError = fround(w - fround(e - h));
  return e;
}

/** The accurate pass's exponential: 2^64 e^-(m - x) in double (softmax.ts's scaledExp). */
function scaledExp(m: number, x: number): number {
  const d = m - x;
  const z = K.Z_MAX64 < d ? K.Z_MAX64 : d;
  const biased = z * K.MINUS_LOG2E64 + K.MAGIC64;
  const n = biased - K.MAGIC64;
  const s = SCALE[(0 - n) | 0]!;
  const t = n * -K.LN2_HI - z + n * -K.LN2_LO;
  const t2 = t * t;
  const t4 = t2 * t2;
  const a = (K.TAYLOR5 * t + K.TAYLOR4) * t2 + (K.TAYLOR3 * t + 0.5);
  const b = (K.TAYLOR9 * t + K.TAYLOR8) * t2 + (K.TAYLOR7 * t + K.TAYLOR6);
  const c = K.TAYLOR12 * t2 + (K.TAYLOR11 * t + K.TAYLOR10);
  const r = b * t4 + a + c * (t4 * t4);
  return s * (1 + t + t2 * r);
}

/** log.ts's log1pSmall: log1p(f) for |f| <= SQRT2 - 1. */
function log1pSmall(f: number): number {
  const s = f / (2 + f);
  const w = s * s;
  const a =
    K.LOG_A1 + w * (K.LOG_A2 + w * (K.LOG_A3 + w * (K.LOG_A4 + w * (K.LOG_A5 + w * (K.LOG_A6 + w * (K.LOG_A7 + w * (K.LOG_A8 + w * (K.LOG_A9 + w * K.LOG_A10))))))));
  return s + s + s * (w * a);
}

const word = new DataView(new ArrayBuffer(8));

/** log.ts's logAtLeastOne: log(a) for a finite a >= 1, the exponent split on the bits. */
function logAtLeastOne(a: number): number {
  word.setFloat64(0, a);
  const high = word.getUint32(0);
  let k = (high >>> 20) - 1023;
  word.setUint32(0, (high & 0x000fffff) | 0x3ff00000);
  let m = word.getFloat64(0);
  if (m > K.SQRT2) {
    m *= 0.5;
    k += 1;
  }
  return k * K.LN2_HI + (k * K.LN2_LO + log1pSmall(m - 1));
}

/**
 * The row passes over a backend's scratch buffers (the JS backend's, or the scalar build's,
 * which has no row functions), with softmax.ts's state as fields.
 */
export class JsRowPasses implements RowPasses {
  // #private: the minifier shortens these names, where a property's stays in the bundle.
  #m = -Infinity;
  #count = 0;
  #factor = 0;
  #accurate = false;
  readonly #lanes = new Float64Array(16);
  readonly #errs = new Float32Array(4); // its stores round: float32 additions

  /** The current scratch views (WASM memory's are replaced when it grows). */
  readonly #scratch: () => Scratch;

  constructor(scratch: () => Scratch) {
    this.#scratch = scratch;
  }

  start(): void {
    this.#m = -Infinity;
    this.restart();
  }

  restart(): void {
    this.#count = 0;
    this.#lanes.fill(0);
    this.#errs.fill(0);
  }

  max(length: number): void {
    this.#maxOf(this.#scratch().input, 0, length);
  }

  sum(kind: RowKind, length: number): void {
    const { input, output } = this.#scratch();
    this.#sumOf(kind, input, output, 0, length);
  }

  output(kind: RowKind, length: number): void {
    const { input, output } = this.#scratch();
    this.#outputOf(kind, input, output, 0, length);
  }

  /** Pass 1 over x[at, at + length): NaN if any is NaN (Math.max propagates it), +0 for a zero maximum. */
  #maxOf(x: Float32Array, at: number, length: number): void {
    let m = this.#m;
    for (let i = at; i < at + length; i++) m = Math.max(m, x[i]!);
    this.#m = m + 0;
  }

  /** Pass 2 over x[at, at + length) (softmax: E to out[at, ...)); lanes by the index in the row. */
  #sumOf(kind: RowKind, x: Float32Array, out: Float32Array, at: number, length: number): void {
    const m = this.#m;
    const lanes = this.#lanes;
    const errs = this.#errs;
    if (kind === ACCURATE) {
      for (let i = 0; i < length; i++) {
        const v = x[at + i]!;
        if (v === m) this.#count++;
        lanes[i & 15]! += scaledExp(m, v === m ? -Infinity : v);
      }
      return;
    }
    const log = kind !== ROW_KINDS.softmax;
    for (let i = 0; i < length; i++) {
      let v = x[at + i]!;
      if (log && v === m) {
        this.#count++;
        v = -Infinity;
      }
      const e = term(m, v);
      if (!log) out[at + i] = e;
      lanes[i & 3]! += e;
      errs[i & 3] = errs[i & 3]! + termError;
    }
  }

  finish(kind: RowKind): number {
    const m = this.#m;
    const lanes = this.#lanes;
    const errs = this.#errs;
    const finite = Math.abs(m) < Infinity;
    let sum = lanes[0]!;
    for (let j = 1; j < 16; j++) sum += lanes[j]!;
    let err = errs[0]!;
    for (let j = 1; j < 4; j++) err += errs[j]!;
    sum += err;
    this.#accurate = false;
    if (kind === ROW_KINDS.softmax) {
      this.#factor = finite ? 1 / sum : NaN;
      return NaN;
    }
    const k = this.#count;
    const rest = sum * K.ROW_UNSCALE;
    let lambda = NaN;
    if (finite) lambda = k === 1 && rest < K.SQRT2 - 1 ? log1pSmall(rest) : logAtLeastOne(k + rest);
    this.#factor = lambda;
    const result = m + lambda;
    if (kind !== ACCURATE && finite && Math.abs(result) < K.LSE_ACCEPT * (rest / (k + rest))) this.#accurate = true;
    return finite ? fround(result) : m;
  }

  needsAccurateSum(): boolean {
    return this.#accurate;
  }

  /** Pass 3 over [at, at + length): softmax reads its E from out, logSoftmax reads x. */
  #outputOf(kind: RowKind, x: Float32Array, out: Float32Array, at: number, length: number): void {
    const factor = this.#factor;
    if (kind === ROW_KINDS.softmax) {
      for (let i = at; i < at + length; i++) out[i] = out[i]! * factor; // the store rounds once
      return;
    }
    const m = this.#m;
    for (let i = at; i < at + length; i++) out[i] = fround(x[i]! - m - factor) + 0; // + 0: a zero result is +0 (softmax.ts)
  }

  rows(kind: RowKind, rowLength: number, rows: number): void {
    const { input, output } = this.#scratch();
    this.rowsOf(kind, input, output, rowLength, rows);
  }

  /** Whole rows from input to output (may be the same array), as softmax.ts's rows(). */
  rowsOf(kind: RowKind, input: Float32Array, output: Float32Array, rowLength: number, rows: number): void {
    for (let r = 0; r < rows; r++) {
      const at = r * rowLength;
      this.start();
      this.#maxOf(input, at, rowLength);
      this.#sumOf(kind, input, output, at, rowLength);
      let value = this.finish(kind);
      if (kind === ROW_KINDS.logSumExp) {
        if (this.#accurate) {
          this.restart();
          this.#sumOf(ACCURATE, input, output, at, rowLength);
          value = this.finish(ACCURATE);
        }
        output[r] = value;
      } else {
        this.#outputOf(kind, input, output, at, rowLength);
      }
    }
  }
}
