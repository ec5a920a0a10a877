// Exact references in BigInt fixed point: values are integers times 2^-W, so that every double
// (down to 2^-1074) is exact and errors can be measured in ulp of any result. fixedPoint(W)
// makes the same functions at another scale (float32 results need far fewer bits, and are
// computed faster); the exports below are at W = 1400.

/** The functions below at scale 2^-w. */
export function fixedPoint(w: bigint) {
  const W = w;
  const ONE = 1n << W;

  const view = new DataView(new ArrayBuffer(8));

  /** A double as an exact fixed-point value (times 2^W). */
  function toFixed(x: number): bigint {
    if (x === 0) return 0n;
    view.setFloat64(0, Math.abs(x));
    const bits = view.getBigUint64(0);
    const exponent = Number((bits >> 52n) & 0x7ffn);
    const mantissa = (bits & ((1n << 52n) - 1n)) | (exponent === 0 ? 0n : 1n << 52n);
    const shift = BigInt(Math.max(exponent, 1) - 1075) + W; // value = mantissa * 2^(e - 1075)
    const magnitude = shift >= 0n ? mantissa << shift : mantissa >> -shift;
    return x < 0 ? -magnitude : magnitude;
  }

  /** e^-z for z >= 0 in fixed point: e^-z = (e^-(z/2^j))^(2^j) with z/2^j < 2^-4, Taylor series. */
  function expNegative(z: bigint): bigint {
    let j = 0n;
    while (z >> j > ONE >> 4n) j++;
    const guard = 64n + j; // bits lost by squaring j times
    const scale = W + guard;
    const y = (z << guard) >> j; // z / 2^j at the wider scale
    const one = 1n << scale;
    let term = one;
    let sum = one;
    for (let k = 1n; term !== 0n; k++) {
      term = -((term * y) >> scale) / k;
      sum += term;
    }
    for (let i = 0n; i < j; i++) sum = (sum * sum) >> scale;
    return sum >> guard;
  }

  /** log(s) for s >= 1 in fixed point: Math.log's estimate and two Newton steps, l + s e^-l - 1. */
  function logAtLeastOne(s: bigint): bigint {
    let l = toFixed(Math.log(Number(s >> (W - 60n)) / 2 ** 60));
    if (l < 0n) l = 0n;
    for (let i = 0; i < 2; i++) l = l + ((s * expNegative(l)) >> W) - ONE;
    return l;
  }

  /** |got - exact| in ulp of got (a double; a float32 when `float32`), exact in fixed point. */
  function ulpError(got: number, exact: bigint, float32 = false): number {
    view.setFloat64(0, Math.abs(got));
    const exponent = Number((view.getBigUint64(0) >> 52n) & 0x7ffn);
    // ulp(got) = 2^(ulpShift - W): double 2^(e - 1075), float32 2^(e - 1023 - 23) down to 2^-149.
    const ulpShift = BigInt(float32 ? Math.max(exponent - 1046, -149) : Math.max(exponent, 1) - 1075) + W;
    const diff = toFixed(got) - exact;
    const abs = diff < 0n ? -diff : diff;
    return Number((abs << 32n) >> ulpShift) / 2 ** 32;
  }
  return { W, ONE, toFixed, expNegative, logAtLeastOne, ulpError };
}

/** Fixed-point scale: 2^-1074 (the least double) needs W > 1074. */
export const { W, ONE, toFixed, expNegative, logAtLeastOne, ulpError } = fixedPoint(1400n);
