// GELU, erf form, and its derivative in double precision (Float64Array and number): src/double.ts's
// Mills-ratio algorithm on exp64.ts's core, two lanes per vector.
//
//   gelu(x)  = x Phi(x)                     gelu'(x) = Phi(x) + x phi(x)
//
// With z = |x|, Q(z) = 1 - Phi(z) the upper tail, phi the normal density and M = Q/phi Mills'
// ratio, write z + F(z) = 1/M(z) = sqrt(2/pi) + z - z R(z), R the rational fit below. Then
//   z Q(z)  = phi(z) z / (z + F)            gelu = -z Q(z) (x <= 0), x - z Q(z) (x > 0)
//   D'(z)   = z - M(z) = (z (z + F) - 1) / (z + F)
//   gelu'   = -phi(z) D' (x <= 0), 1 + phi(z) D' (x > 0)
//
//   z   = min(|x|, GELU64_Z_MAX)           NaN kept (pmin keeps its first operand)
//   zh  = z & MASK26, zl = z - zh          exact split (26 + 27 bits)
//   A   = zh * zh, B = zl * (zh + z)       z^2 = A + B: A exact, B rounded (2^-77 of z^2)
//   v   = z^2/2 + ln sqrt(2 pi)            E = 2^128 e^-v = 2^128 phi(z) (1. below)
//   R   = Pn(z) / Qd(z)                    the fit, Estrin in z, z^2, z^4, z^8 (the one division of R)
//   D + Dl = sqrt(2/pi) + (z - z R)        a pair: TwoSum, and z - zR's error (Fast2Sum, zR < z)
//   N + Nl = z s + z P                     z 2^128 phi(z) (s + P, E's value before rounding), a pair
//   Y   = (N + Nl) / (D + Dl)              Dekker's corrected quotient: within 1/2 ulp + tiny
//   gelu(x)  = x - Y 2^-128 (x > 0),  copysign(Y 2^-128, x) (x <= 0)
//
// 1. The exponent without losing z^2's low part: v = A/2 + B/2 + LNS_HI + LNS_LO,
//      n = round(-v log2 e) (the core's biased sum on v rounded),
//      t = ((n MINUS_LN2_HI64 - LNS_HI) - A/2) + ((n MINUS_LN2_LO64 - LNS_LO) - B/2)
//    n MINUS_LN2_HI64 - LNS_HI is exact (LNS_HI is on the grid 2^-42 of the core's ln2 part) and
//    so is subtracting A/2 once A/2 is within a factor 2 of it (z >= 1.4 or so; below, the
//    rounding is 2^-54 of |t| <= 0.35). A rounded z^2 would cost z^2 2^-53 relative: ~0.3 ulp
//    per unit of z^2, 200 ulp at z = 38. E is normal for every z <= GELU64_Z_MAX.
// 2. Why this shape (src/double.ts): a relative error e of R reaches the quotient damped by
//    z R / (z + F) <= 0.19, so R's own rounding errors (5.7 ulp of R at most, at z = 3.65) cost
//    under one ulp; the rest of the error is the core's (damped the same way), the pairs' low
//    parts (negligible) and the last roundings.
// 3. gelu' near its root z0 = GELU64_ROOT (0.7517915246935645): D' vanishes, and an error of R
//    is magnified without bound. For x in (-1.2, -0.35), D' = w H(w), w = z - z0 (exact by
//    Sterbenz; z0's low part added), H a degree-14 fit (src/double.ts's, 2^-60), w H(0) from an
//    exact 26-bit product: gelu' keeps its relative accuracy through the root, with no band. The
//    SIMD form computes it only when a lane of the vector is in that interval (v128.any_true), and
//    takes it per lane: each lane's result is the JS twin's per-element choice. Outside it D' = (zD - 1)/D with
//    zD - 1 a pair (Dekker's product, TwoSum) and a first-order corrected quotient.
//
// Clamp: GELU64_Z_MAX = 39 (v = 761.4: n >= -1099, s normal). gelu(-z) rounds to -0 from z = 38.58
// and gelu'(-z) from 38.67 (src/double.ts), so every x < -39 gets -0 as the clamped computation
// gives; for x > 8.71 both results are x and 1.
//
// Special values: gelu(+-0) = +-0, gelu'(+-0) = 1/2; gelu(+inf) = +inf, gelu'(+inf) = 1;
// gelu(-inf) = -0, gelu'(-inf) = -0; NaN propagates.
//
// Error, against mpmath on 3 M inputs of the GELU mix (docs/design/f64/DESIGN.md, section 6): gelu
// 2 ulp (1.584 unrounded), gelu' 2 ulp (1.770), with no band; a dense probe of [-1.5, -0.1], 1.625
// and 1.899.
//
// The JS twin (src/double64.ts) runs the same operations in the same order, and geluWithDerivative's results are
// bit for bit gelu's and geluDerivative's.
import { MAGIC64_BIAS, MINUS_LN2_HI64, MINUS_LN2_LO64, UNSCALE64, expBiasX2, expScaleX2, scaledExpm1X2 } from "./exp64";
import { SPLIT26_MASK } from "./gelu-tanh64";
import {
  KERNEL_GELU as GELU,
  KERNEL_GELU_DERIVATIVE as GELU_DERIVATIVE,
} from "./kernel-ids";

// ln sqrt(2 pi) = LNS_HI + LNS_LO (to 2^-96), LNS_HI on the grid 2^-42 (see 1. above).
export const GELU64_LNS_HI: f64 = reinterpret<f64>(0x3FED67F1C864B800); // 0x1.d67f1c864b800p-1
export const GELU64_LNS_LO: f64 = reinterpret<f64>(0x3D4AD29A4A5E4801); // 0x1.ad29a4a5e4801p-43
// sqrt(2/pi) = S2P + S2P_LO: F(0).
export const GELU64_S2P: f64 = reinterpret<f64>(0x3FE9884533D43651); // 0x1.9884533d43651p-1
export const GELU64_S2P_LO: f64 = reinterpret<f64>(0xBC8CBC0D30EBFD15); // -0x1.cbc0d30ebfd15p-55
// R(z) = (sqrt(2/pi) - F(z))/z ~ Pn/Qd on [0, 39]: Pn = P0 + ... + P9 z^9, Qd = 1 + Q1 z + ... + Q10 z^10
// (src/double.ts's fit: 2^-58.8 of z + F).
export const GELU64_P0: f64 = reinterpret<f64>(0x3FD7419F246C6EF9); // 0x1.7419f246c6ef9p-2 ~ 1 - 2/pi
export const GELU64_P1: f64 = reinterpret<f64>(0x3FDFF221F200FF1E); // 0x1.ff221f200ff1ep-2
export const GELU64_P2: f64 = reinterpret<f64>(0x3FD5CE029C8C0A73); // 0x1.5ce029c8c0a73p-2
export const GELU64_P3: f64 = reinterpret<f64>(0x3FC3026261E4C9D9); // 0x1.3026261e4c9d9p-3
export const GELU64_P4: f64 = reinterpret<f64>(0x3FA719B35069BED5); // 0x1.719b35069bed5p-5
export const GELU64_P5: f64 = reinterpret<f64>(0x3F84334A5F6359BC); // 0x1.4334a5f6359bcp-7
export const GELU64_P6: f64 = reinterpret<f64>(0x3F5967F6A3E7074D); // 0x1.967f6a3e7074dp-10
export const GELU64_P7: f64 = reinterpret<f64>(0x3F26382D840B8E00); // 0x1.6382d840b8e00p-13
export const GELU64_P8: f64 = reinterpret<f64>(0x3EE8B0B6FD73BF70); // 0x1.8b0b6fd73bf70p-17
export const GELU64_P9: f64 = reinterpret<f64>(0x3E9AEAD0403D9BDD); // 0x1.aead0403d9bddp-22
export const GELU64_Q1: f64 = reinterpret<f64>(0x3FFAC725BD99A6CF); // 0x1.ac725bd99a6cfp+0
export const GELU64_Q2: f64 = reinterpret<f64>(0x3FF631212CE51113); // 0x1.631212ce51113p+0
export const GELU64_Q3: f64 = reinterpret<f64>(0x3FE78E90C99388A8); // 0x1.78e90c99388a8p-1
export const GELU64_Q4: f64 = reinterpret<f64>(0x3FD1938BC0D08DC1); // 0x1.1938bc0d08dc1p-2
export const GELU64_Q5: f64 = reinterpret<f64>(0x3FB32E4197289632); // 0x1.32e4197289632p-4
export const GELU64_Q6: f64 = reinterpret<f64>(0x3F8EF81BC1723538); // 0x1.ef81bc1723538p-7
export const GELU64_Q7: f64 = reinterpret<f64>(0x3F624A3B1CD9E274); // 0x1.24a3b1cd9e274p-9
export const GELU64_Q8: f64 = reinterpret<f64>(0x3F2E601AB8671057); // 0x1.e601ab8671057p-13
export const GELU64_Q9: f64 = reinterpret<f64>(0x3EF0220BEF3B8F81); // 0x1.0220bef3b8f81p-16
export const GELU64_Q10: f64 = reinterpret<f64>(0x3EA0DE2D4E5030A1); // 0x1.0de2d4e5030a1p-21
// z0 = 0.75179152469356445745... = ROOT + ROOT_LO, the root of D' (gelu'(-z0) = 0).
export const GELU64_ROOT: f64 = reinterpret<f64>(0x3FE80EAD197F00B4); // 0x1.80ead197f00b4p-1
export const GELU64_ROOT_LO: f64 = reinterpret<f64>(0xBC713E74C58CADA8); // -0x1.13e74c58cada8p-56
// D' = w H(w) near the root: H(0) = H0_HI + H0_TAIL (H0_HI: 26 significant bits), then H2 .. H15,
// D' = H(0) w + w^2 (H2 + H3 w + ... + H15 w^13) (src/double.ts's fit, 2^-60).
export const GELU64_H0_HI: f64 = reinterpret<f64>(0x3FF6F4FAC8000000); // 0x1.6f4fac8000000p+0
export const GELU64_H0_TAIL: f64 = reinterpret<f64>(0x3E5D45A820000000); // 0x1.d45a82p-26
// H(0) times w's low part -ROOT_LO, rounded.
export const GELU64_H0_WL: f64 = reinterpret<f64>(0x3C78BDE753B66407); // 0x1.8bde753b66407p-56
export const GELU64_H2: f64 = reinterpret<f64>(0xBFCB31A686433025); // -0x1.b31a686433025p-3
export const GELU64_H3: f64 = reinterpret<f64>(0x3FB7796B2C9A20A3); // 0x1.7796b2c9a20a3p-4
export const GELU64_H4: f64 = reinterpret<f64>(0xBFA25EBC4887E78C); // -0x1.25ebc4887e78cp-5
export const GELU64_H5: f64 = reinterpret<f64>(0x3F8A82B0414E9BA2); // 0x1.a82b0414e9ba2p-7
export const GELU64_H6: f64 = reinterpret<f64>(0xBF71D996C97B2DDB); // -0x1.1d996c97b2ddbp-8
export const GELU64_H7: f64 = reinterpret<f64>(0x3F56A124613F2A5B); // 0x1.6a124613f2a5bp-10
export const GELU64_H8: f64 = reinterpret<f64>(0xBF3B318F6FB043AC); // -0x1.b318f6fb043acp-12
export const GELU64_H9: f64 = reinterpret<f64>(0x3F1F24DBAACC5C07); // 0x1.f24dbaacc5c07p-14
export const GELU64_H10: f64 = reinterpret<f64>(0xBF01127B1CFDF652); // -0x1.1127b1cfdf652p-15
export const GELU64_H11: f64 = reinterpret<f64>(0x3EE1FB83D8AF9614); // 0x1.1fb83d8af9614p-17
export const GELU64_H12: f64 = reinterpret<f64>(0xBEC23F69E85B3AA1); // -0x1.23f69e85b3aa1p-19
export const GELU64_H13: f64 = reinterpret<f64>(0x3EA1F1B0DCA00CF2); // 0x1.1f1b0dca00cf2p-21
export const GELU64_H14: f64 = reinterpret<f64>(0xBE8191CBB596A2B8); // -0x1.191cbb596a2b8p-23
export const GELU64_H15: f64 = reinterpret<f64>(0x3E5E0176C5AFBC44); // 0x1.e0176c5afbc44p-26
// The root form's interval, x in (-GELU64_ROOT_TO, -GELU64_ROOT_FROM) (src/double.ts's).
export const GELU64_ROOT_FROM: f64 = 0.35;
export const GELU64_ROOT_TO: f64 = 1.2;
// |x| is clamped here (see "Clamp" above).
export const GELU64_Z_MAX: f64 = 39.0;

const SIGN64: i64 = 0x8000000000000000;

// @ts-ignore: decorator
@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

// @ts-ignore: decorator
@inline function mulAddX2(a: v128, b: f64, c: f64): v128 {
  return f64x2.add(f64x2.mul(a, f64x2.splat(b)), f64x2.splat(c));
}

/** One vector (two doubles) of the GELU kernel `kind`: x in, results stored. */
// @ts-ignore: decorator
@inline export function geluX2(kind: i32, x: v128, out: usize, out2: usize): void {
  const mask = i64x2.splat(SPLIT26_MASK);
  const half = splat(0.5);
  const z = f64x2.pmin(f64x2.abs(x), splat(GELU64_Z_MAX));
  const zh = v128.and(z, mask);
  const zl = f64x2.sub(z, zh);
  const a = f64x2.mul(f64x2.mul(zh, zh), half);
  const b = f64x2.mul(f64x2.mul(zl, f64x2.add(zh, z)), half);
  // E = 2^128 e^-v (1. above): s, P and E = P + s.
  const halfSquare = f64x2.add(a, b);
  const biased = expBiasX2(f64x2.add(halfSquare, splat(GELU64_LNS_HI)));
  const s = expScaleX2(biased);
  const n = f64x2.sub(biased, splat(MAGIC64_BIAS));
  const t = f64x2.add(
    f64x2.sub(f64x2.sub(f64x2.mul(n, splat(MINUS_LN2_HI64)), splat(GELU64_LNS_HI)), a),
    f64x2.sub(f64x2.sub(f64x2.mul(n, splat(MINUS_LN2_LO64)), splat(GELU64_LNS_LO)), b),
  );
  const p = scaledExpm1X2(t, s);
  const e = f64x2.add(p, s);
  // R = Pn/Qd, and D + Dl = sqrt(2/pi) + z - z R.
  const z2 = f64x2.add(halfSquare, halfSquare);
  const z4 = f64x2.mul(z2, z2);
  const z8 = f64x2.mul(z4, z4);
  const pn = f64x2.add(
    f64x2.add(
      f64x2.add(mulAddX2(z, GELU64_P1, GELU64_P0), f64x2.mul(z2, mulAddX2(z, GELU64_P3, GELU64_P2))),
      f64x2.mul(z4, f64x2.add(mulAddX2(z, GELU64_P5, GELU64_P4), f64x2.mul(z2, mulAddX2(z, GELU64_P7, GELU64_P6)))),
    ),
    f64x2.mul(z8, mulAddX2(z, GELU64_P9, GELU64_P8)),
  );
  const qd = f64x2.add(
    f64x2.add(
      f64x2.add(mulAddX2(z, GELU64_Q1, 1.0), f64x2.mul(z2, mulAddX2(z, GELU64_Q3, GELU64_Q2))),
      f64x2.mul(z4, f64x2.add(mulAddX2(z, GELU64_Q5, GELU64_Q4), f64x2.mul(z2, mulAddX2(z, GELU64_Q7, GELU64_Q6)))),
    ),
    f64x2.mul(z8, f64x2.add(mulAddX2(z, GELU64_Q9, GELU64_Q8), f64x2.mul(z2, splat(GELU64_Q10)))),
  );
  const zr = f64x2.mul(z, f64x2.div(pn, qd));
  const sd = f64x2.sub(z, zr);
  const d = f64x2.add(splat(GELU64_S2P), sd);
  const db = f64x2.sub(d, splat(GELU64_S2P));
  const dl = f64x2.add(
    f64x2.add(f64x2.sub(splat(GELU64_S2P), f64x2.sub(d, db)), f64x2.sub(sd, db)),
    f64x2.add(f64x2.sub(f64x2.sub(z, sd), zr), splat(GELU64_S2P_LO)),
  );
  const dh = v128.and(d, mask);
  const dt = f64x2.sub(d, dh);
  const positive = f64x2.gt(x, splat(0.0));
  if (kind != GELU_DERIVATIVE) {
    // Y = (N + Nl) / (D + Dl), Dekker's correction: N - q D exact from q D's exact error.
    const zs = f64x2.mul(z, s);
    const zp = f64x2.mul(z, p);
    const nh = f64x2.add(zs, zp);
    const nl = f64x2.add(f64x2.sub(zs, nh), zp);
    const q = f64x2.div(nh, d);
    const qd1 = f64x2.mul(q, d);
    const qh = v128.and(q, mask);
    const qt = f64x2.sub(q, qh);
    const error = f64x2.add(
      f64x2.add(f64x2.add(f64x2.sub(f64x2.mul(qh, dh), qd1), f64x2.mul(qh, dt)), f64x2.mul(qt, dh)),
      f64x2.mul(qt, dt),
    );
    const residual = f64x2.add(f64x2.sub(f64x2.sub(nh, qd1), error), f64x2.sub(nl, f64x2.mul(q, dl)));
    const y = f64x2.mul(f64x2.add(q, f64x2.div(residual, d)), splat(UNSCALE64));
    const negative = v128.or(y, v128.and(x, i64x2.splat(SIGN64)));
    v128.store(out, v128.bitselect(f64x2.sub(x, y), negative, positive));
  }
  if (kind != GELU) {
    // phi D' 2^128 = (zD - 1) E / D: zD - 1 = nn + nnl (Dekker's product, TwoSum).
    const zd = f64x2.mul(z, d);
    const zdl = f64x2.add(
      f64x2.add(
        f64x2.add(f64x2.add(f64x2.sub(f64x2.mul(zh, dh), zd), f64x2.mul(zh, dt)), f64x2.mul(zl, dh)),
        f64x2.mul(zl, dt),
      ),
      f64x2.mul(z, dl),
    );
    const nn = f64x2.sub(zd, splat(1.0));
    const nb = f64x2.sub(nn, zd);
    const nnl = f64x2.add(f64x2.add(f64x2.sub(zd, f64x2.sub(nn, nb)), f64x2.sub(splat(-1.0), nb)), zdl);
    const a1 = f64x2.mul(nn, s);
    const a2 = f64x2.mul(nn, p);
    const mh = f64x2.add(a1, a2);
    const ml = f64x2.add(f64x2.add(f64x2.sub(a1, mh), a2), f64x2.mul(nnl, e));
    const q = f64x2.div(mh, d);
    let y = f64x2.add(q, f64x2.div(f64x2.sub(ml, f64x2.mul(q, dl)), d));
    const band = v128.and(f64x2.lt(x, splat(-GELU64_ROOT_FROM)), f64x2.gt(x, splat(-GELU64_ROOT_TO)));
    if (v128.any_true(band)) {
      // D' = w H(w) (3. above): w = wh + wl, wh = z - ROOT exact, H(0) w as an exact product + rest.
      const wh = f64x2.sub(z, splat(GELU64_ROOT));
      const w = f64x2.sub(wh, splat(GELU64_ROOT_LO));
      let h = mulAddX2(w, GELU64_H15, GELU64_H14);
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H13));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H12));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H11));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H10));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H9));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H8));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H7));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H6));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H5));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H4));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H3));
      h = f64x2.add(f64x2.mul(h, w), splat(GELU64_H2));
      const whh = v128.and(wh, mask);
      const rh = f64x2.mul(splat(GELU64_H0_HI), whh);
      const rl = f64x2.add(
        f64x2.add(
          f64x2.add(f64x2.mul(splat(GELU64_H0_HI), f64x2.sub(wh, whh)), f64x2.mul(splat(GELU64_H0_TAIL), wh)),
          splat(GELU64_H0_WL),
        ),
        f64x2.mul(f64x2.mul(w, w), h),
      );
      const yb = f64x2.add(f64x2.mul(s, rh), f64x2.add(f64x2.mul(rh, p), f64x2.mul(rl, e)));
      y = v128.bitselect(yb, y, band);
    }
    const scaled = f64x2.mul(y, splat(UNSCALE64));
    const result = v128.bitselect(f64x2.add(splat(1.0), scaled), f64x2.neg(scaled), positive);
    v128.store(kind == GELU_DERIVATIVE ? out : out2, result);
  }
}
