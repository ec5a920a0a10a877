// The double-precision path (numbers and Float64Arrays) against an exact reference: e^-|x|
// evaluated with BigInt fixed-point arithmetic to far more bits than a double has, so the
// error of each result can be measured in ulp of double.
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, functions, sigmoid } from 'simd-activations';
import { ulpDistance64 } from './helpers.js';

/** Fixed-point scale: values are integers times 2^-W. 2^-1074 (the least double) needs W > 1074. */
const W = 1400n;
const ONE = 1n << W;

/** A double as an exact BigInt fixed-point value (times 2^W). */
function toFixed(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
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

/** |got - exact| in ulp of got (a double), exact in fixed point. */
function ulpError(got: number, exact: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(got));
  const exponent = Number((view.getBigUint64(0) >> 52n) & 0x7ffn);
  const ulpShift = BigInt(Math.max(exponent, 1) - 1075) + W; // ulp(got) = 2^(ulpShift - W)
  const diff = toFixed(got) - exact;
  const abs = diff < 0n ? -diff : diff;
  return Number((abs << 32n) >> ulpShift) / 2 ** 32;
}

function references(x: number): { sigmoid: bigint; derivative: bigint } {
  const e = expNegative(toFixed(Math.abs(x)));
  const d = ONE + e;
  return {
    sigmoid: x > 0 ? (ONE * ONE) / d : (e * ONE) / d,
    derivative: (e * ONE * ONE) / (d * d),
  };
}

// Every region: around 0, the bulk, where 1 + e^-|x| rounds to 1, deep tails with subnormal
// results, and the extremes.
const inputs: number[] = [0, -0, 1, -1, 1e-300, -1e-300, 5e-324, 37.5, -37.5, 700, -700, 744, -744, 745.1];
for (let i = 0; i < 3000; i++) {
  const t = Math.sin(i * 12.9898) * 43758.5453;
  const u = t - Math.floor(t); // a deterministic spread in [0, 1)
  inputs.push((u - 0.5) * 2 * [1, 4, 20, 50, 760][i % 5]!);
}

describe('double precision (numbers and Float64Array)', () => {
  it('sigmoidDerivativeFromOutput: y(1 - y) within 1.5 ulp of double', () => {
    const engine = createEngine({ backend: 'js' });
    const y = Float64Array.from(inputs, (v) => v / 10 + 0.5);
    const out = engine.sigmoidDerivativeFromOutput(y);
    y.forEach((v, i) => {
      const fy = toFixed(v);
      const exact = (fy * (ONE - fy)) >> W;
      expect(ulpError(out[i]!, exact), `y = ${v}`).toBeLessThanOrEqual(1.5);
    });
  });

  it('sigmoid(1) is 0.7310585786300049, not the 0.7315 of rounding e^-1 to 0.367', () => {
    expect(sigmoid(1)).toBe(0.7310585786300049);
  });

  for (const name of ['simd', 'js'] as const) {
    // The bound is 2 ulp; the implementation's own argument gives 1.5 (see src/double.ts).
    it(`${name} engine: sigmoid and sigmoidDerivative within 1.5 ulp of double on ${inputs.length} inputs`, () => {
      const engine = createEngine({ backend: name });
      const x = Float64Array.from(inputs);
      const y = engine.sigmoid(x);
      const dy = engine.sigmoidDerivative(x);
      const both = engine.sigmoidWithDerivative(x);
      let worst = { sigmoid: 0, derivative: 0, at: [NaN, NaN] };
      x.forEach((v, i) => {
        const ref = references(v);
        const es = ulpError(y[i]!, ref.sigmoid);
        const ed = ulpError(dy[i]!, ref.derivative);
        if (es > worst.sigmoid) worst = { ...worst, sigmoid: es, at: [v, worst.at[1]!] };
        if (ed > worst.derivative) worst = { ...worst, derivative: ed, at: [worst.at[0]!, v] };
        expect(engine.sigmoid(v)).toBe(y[i]);
        expect(engine.sigmoidDerivative(v)).toBe(dy[i]);
      });
      expect(both.y).toEqual(y);
      expect(both.dy).toEqual(dy);
      expect(worst.sigmoid, `sigmoid worst at x = ${worst.at[0]}`).toBeLessThanOrEqual(1.5);
      expect(worst.derivative, `sigmoidDerivative worst at x = ${worst.at[1]}`).toBeLessThanOrEqual(1.5);
    });
  }

  it('the reference itself: e^-1 to 1e-30 and sigma(0) = 1/2 exactly', () => {
    const e1 = Number((expNegative(ONE) * 10n ** 30n) >> W);
    expect(Math.abs(e1 / 1e30 - Math.exp(-1))).toBeLessThan(1e-16);
    expect(references(0).sigmoid).toBe(ONE / 2n);
  });
});

describe('every function in double precision, against correctly rounded values (mpmath)', () => {
  // GENERATED by scripts/double-reference.py: inputs and results rounded from 256-bit values.
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/double-reference.json', import.meta.url), 'utf8')) as {
    functions: Record<string, [number, number][]>;
  };
  const singles = functions.filter((f) => f.outputs.length === 1);

  it('the fixture covers every single-result function of the registry', () => {
    // (It may cover more: the double forms of functions whose float32 kernels are still to come.)
    expect(singles.map((f) => f.name).filter((name) => !(name in fixture.functions))).toEqual([]);
  });

  describe.each(['simd', 'scalar', 'js'] as const)('%s engine', (backend) => {
    const engine = createEngine({ backend }) as unknown as Record<string, (x: unknown) => unknown>;
    // Within 2 ulp of double (issue 11), or the float32 bound where that is tighter.
    it.each(singles)('$name: Float64Array and number results within 2 ulp of double, the same on both paths', (f) => {
      const rows = fixture.functions[f.name]!;
      const x = Float64Array.from(rows, (r) => r[0]);
      const got = engine[f.name]!(x) as Float64Array;
      const band = f.bands[0];
      let worst = 0;
      let at = NaN;
      rows.forEach(([v, want], i) => {
        expect(engine[f.name]!(v), `number path at x = ${v}`).toBe(got[i]);
        if (band && v >= band.from && v <= band.to) {
          expect(Math.abs(got[i]! - want), `absolute error at x = ${v} in the band`).toBeLessThanOrEqual(2 ** -50);
          return;
        }
        const d = ulpDistance64(got[i]!, want);
        if (d > worst) [worst, at] = [d, v];
      });
      expect(worst, `${f.name} worst at x = ${at}`).toBeLessThanOrEqual(Math.min(2, f.bounds[0]!));
    });
  });
});
