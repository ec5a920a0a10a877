// Quick accuracy experiment: variants of the logistic steps in JS (same core), results written to
// data/ for errors.py. Usage: npx tsx variant.ts B  (A = the prototype's steps)
/// <reference types="node" />
import { readFileSync, writeFileSync } from 'node:fs';
const here = new URL('./', import.meta.url);
const v = process.argv[2] ?? 'A';
const MINUS_LOG2E = -1.4426950408889634, MAGIC_BIAS = 6755399441056895, MINUS_LN2_HI = -0.6931471805598903, MINUS_LN2_LO = -5.497923018708371e-14;
const C = [0.5, 0.1666666666666667, 0.04166666666666668, 0.008333333333325855, 0.0013888888888875064, 0.0001984126987544169,
  2.480158734400302e-5, 2.7557254925014747e-6, 2.7557260898203037e-7, 2.510532776789671e-8, 2.091705633633572e-9];
const SCALED_ONE = 2 ** 128, UNSCALE = 2 ** -128, Z_MAX = 768;
const POW2 = new Float64Array(1109); POW2[0] = SCALED_ONE; for (let i = 1; i < 1109; i++) POW2[i] = POW2[i - 1]! * 0.5;
let P = 0, S = 0, TL = 0;
function parts(z: number): void {
  const biased = z * MINUS_LOG2E + MAGIC_BIAS; const n = biased - MAGIC_BIAS; const s = POW2[-n | 0]!;
  const ah = n * MINUS_LN2_HI - z, bl = n * MINUS_LN2_LO; const t = ah + bl; TL = (ah - t) + bl; const t2 = t * t, t4 = t2 * t2;
  const a0 = C[1]! * t + C[0]!, a1 = C[3]! * t + C[2]!, a2 = C[5]! * t + C[4]!, a3 = C[7]! * t + C[6]!, a4 = C[9]! * t + C[8]!;
  const b0 = a1 * t2 + a0, b1 = a3 * t2 + a2, b2 = C[10]! * t2 + a4;
  const r = (b1 * t4 + b0) + b2 * (t4 * t4); const ts = t * s; P = ts + ts * (t * r); S = s;
}
function tail(x: number): number {
  const a = Math.abs(x); parts(Z_MAX < a ? Z_MAX : a);
  const E = P + S; const q = E / (SCALED_ONE + E); const e = E * UNSCALE;
  if (v === 'A') return e - e * q;
  const El = (S - E) + P; const el = El * UNSCALE;
  if (v === 'B') return e - (e * q - (el - el * q));
  if (v === 'C') { const el2 = ((S - E) + P + E * TL) * UNSCALE; return e - (e * q - (el2 - el2 * q)); }
  return 0;
}
const x = new Float64Array(readFileSync(new URL('data/x.f64', here)).buffer.slice(0));
const sig = x.map((xi) => { const f = tail(xi); return xi > 0 ? 1 - f : f; });
const dsig = x.map((xi) => { const f = tail(xi); return f - f * f; });
writeFileSync(new URL('data/sigmoid.f64', here), sig);
writeFileSync(new URL('data/sigmoidDerivative.f64', here), dsig);
console.log(`variant ${v} written (${x.length})`);
