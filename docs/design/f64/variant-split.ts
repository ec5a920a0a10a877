// JS-only experiment (DESIGN.md §9, "A nearly correctly rounded sigma"): 2^128 sigma(-z) from a
// quotient split into 26 + 27 bits and a residual computed without rounding (Veltkamp), instead of
// the refinement F = E - (E q - (El - El q)); sigma, sigma', silu, silu' from it, written to
// data-variant/ for errors.py. Reads the harness's data/x.f64. Run from the worktree root:
//   nice -n 19 npx tsx docs/design/f64/variant-split.ts [N]
//   cp docs/design/f64/data/sigmoidDerivativeFromOutput.f64 docs/design/f64/data/sigma-output.f64 docs/design/f64/data-variant/
//   F64_DATA=data-variant nice -n 19 python3 docs/design/f64/errors.py N sigmoid silu
/// <reference types="node" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const here = new URL('./', import.meta.url);
const n = Number(process.argv[2] ?? 300000);
const x = new Float64Array(readFileSync(new URL('data/x.f64', here)).buffer.slice(0)).subarray(0, n);
const MINUS_LOG2E = -1.4426950408889634, MAGIC_BIAS = 6755399441056895, HI = -0.6931471805598903, LO = -5.497923018708371e-14;
const C = [0, 0, 0.5, 0.1666666666666667, 0.04166666666666668, 0.008333333333325855, 0.0013888888888875064, 0.0001984126987544169, 2.480158734400302e-5, 2.7557254925014747e-6, 2.7557260898203037e-7, 2.510532776789671e-8, 2.091705633633572e-9];
const ONE = 2 ** 128, UN = 2 ** -128, C27 = 134217729;
function em1(t: number, s: number) {
  const t2 = t * t, t4 = t2 * t2;
  const a0 = C[3]! * t + C[2]!, a1 = C[5]! * t + C[4]!, a2 = C[7]! * t + C[6]!, a3 = C[9]! * t + C[8]!, a4 = C[11]! * t + C[10]!;
  const b0 = a1 * t2 + a0, b1 = a3 * t2 + a2, b2 = C[12]! * t2 + a4;
  const r = (b1 * t4 + b0) + b2 * (t4 * t4);
  const ts = t * s; return ts + ts * (t * r);
}
/** [z, F, Fl]: F + Fl ~ 2^128 sigma(-z). */
function parts(xx: number): [number, number, number] {
  const z = Math.min(Math.abs(xx), 768);
  const biased = z * MINUS_LOG2E + MAGIC_BIAS; const nn = biased - MAGIC_BIAS; const s = 2 ** (128 + nn);
  const p = em1((nn * HI - z) + nn * LO, s);
  const E = p + s; const El = (s - E) + p;
  const e = E * UN;                 // may be subnormal: then every term with it is negligible
  const onePlus = 1 + e;            // D * 2^-128 (rounded; only its quotient uses it)
  const Q = E / onePlus;            // 2^128 sigma(-z), first approximation
  let t = Q * C27; const Qh = t - (t - Q);
  t = e * C27; const eh = t - (t - e); const elo = e - eh;
  const R = (((E - Qh) - Qh * eh) - Qh * elo) + (El - Qh * (El * UN));   // E* - Qh (1 + e*), nearly exact
  const q = Q * UN;                 // sigma(-z), for 1/(1 + e) ~ 1 - q
  const corr = R * (1 - q);
  const F = Qh + corr;
  return [z, F, (Qh - F) + corr];
}
const sig = x.map((v) => { const [, F] = parts(v); const f = F * UN; return v > 0 ? 1 - f : f; });
const dsig = x.map((v) => { const [, F] = parts(v); const f = F * UN; return f - f * f; });
const silu = x.map((v) => { const [z, F, Fl] = parts(v); const zf = (z * F + z * Fl) * UN; return v > 0 ? v - zf : v === 0 ? v : -zf; });
const dsilu = x.map((v) => { const [z, F, Fl] = parts(v); const zf = (z * F + z * Fl) * UN; return v > 0 ? (1 - F * UN) * (1 + zf) : (F * ((1 - z) + zf)) * UN; });
const out = new URL('data-variant/', here);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('x.f64', out), x);
for (const [name, a] of Object.entries({ sigmoid: sig, sigmoidDerivative: dsig, silu, siluDerivative: dsilu })) writeFileSync(new URL(`${name}.f64`, out), a);
