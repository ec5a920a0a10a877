// Sampled accuracy: a stratified sample of float32 bit patterns covering every exponent (both
// signs, subnormals, infinities, NaNs), plus dense sweeps where the kernels change regime.
// The exhaustive proof over all 2^32 inputs is `npm run verify`; this keeps a fast guard in
// the test suite. Also checks that the SIMD, scalar and JS backends agree bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from 'simd-activations';
import {
  bits,
  describeMismatch,
  refSigmoid32,
  refSigmoidDerivative32,
  refSigmoidDerivativeFromOutput32,
  ulpDistance,
} from './helpers.js';

// Odd, so that the low bits of the sampled patterns vary too: ~1.05 million inputs.
const STRIDE = 4099;

/** count consecutive float32 bit patterns centred on x, for both signs. */
function around(x: number, count: number): number[] {
  const centre = bits(Math.abs(x));
  const patterns: number[] = [];
  for (let i = -count / 2; i < count / 2; i++) {
    const b = centre + i;
    patterns.push(b, (b | 0x80000000) >>> 0);
  }
  return patterns;
}

function sampleInputs(): Float32Array {
  const patterns: number[] = [];
  for (let b = 0; b < 2 ** 32; b += STRIDE) patterns.push(b);
  // Every bit pattern at the ends of the range and around the special values.
  for (const b of [0, 1, 0x007fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff]) {
    patterns.push(b, (b | 0x80000000) >>> 0);
  }
  // |x| in [0, 2], where sigma is steepest, evenly by value.
  for (let i = 0; i <= 65536; i++) patterns.push(bits(i / 32768), bits(-i / 32768));
  // e^-|x| turns subnormal (x ~ -87.34); the results round to 0 (x ~ -103.97); g = 1 - f
  // rounds to 1 (|x| ~ 16.6); and the clamp at Z_MAX = 112.
  for (const x of [87.33655, 103.97208, 16.635532, 112]) patterns.push(...around(x, 40000));
  return new Float32Array(Uint32Array.from(patterns).buffer);
}

type Kernel = 'sigmoid' | 'sigmoidDerivative' | 'sigmoidDerivativeFromOutput' | 'sigmoidWithDerivative.y' | 'sigmoidWithDerivative.dy';
type Results = Record<Kernel, Float32Array>;

function runAll(engine: Engine, x: Float32Array): Results {
  const both = engine.sigmoidWithDerivative(x);
  return {
    sigmoid: engine.sigmoid(x),
    sigmoidDerivative: engine.sigmoidDerivative(x),
    sigmoidDerivativeFromOutput: engine.sigmoidDerivativeFromOutput(x),
    'sigmoidWithDerivative.y': both.y,
    'sigmoidWithDerivative.dy': both.dy,
  };
}

/** The largest ulp distance from the reference, with where it occurs; NaN must match NaN. */
function worstError(x: Float32Array, got: Float32Array, reference: (x: number) => number): { ulps: number; message: string } {
  let ulps = 0;
  let message = 'exact everywhere';
  for (let i = 0; i < x.length; i++) {
    const want = reference(x[i]!);
    const d = ulpDistance(got[i]!, want);
    if (d > ulps) {
      ulps = d;
      message = `worst at x = ${x[i]} (bits 0x${bits(x[i]!).toString(16)}): got ${got[i]}, reference ${want}, ${d} ulp`;
    }
  }
  return { ulps, message };
}

describe('accuracy on a stratified sample of float32 inputs', () => {
  let x: Float32Array;
  let results: Record<'simd' | 'scalar' | 'js', Results>;

  beforeAll(() => {
    x = sampleInputs();
    results = {
      simd: runAll(createEngine({ backend: 'simd' }), x),
      scalar: runAll(createEngine({ backend: 'scalar' }), x),
      js: runAll(createEngine({ backend: 'js' }), x),
    };
  });

  it('covers every exponent of both signs', () => {
    const exponents = new Set<number>();
    for (let i = 0; i < x.length; i++) exponents.add(bits(x[i]!) >>> 23);
    expect(exponents.size).toBe(512);
    expect(x.length).toBeGreaterThan(2 ** 32 / STRIDE);
  });

  it('sigmoid is within 2 ulp of the float64 reference rounded to float32', () => {
    const { ulps, message } = worstError(x, results.simd.sigmoid, refSigmoid32);
    expect(ulps, message).toBeLessThanOrEqual(2);
  });

  it('sigmoidDerivative is within 3 ulp of the float64 reference rounded to float32', () => {
    const { ulps, message } = worstError(x, results.simd.sigmoidDerivative, refSigmoidDerivative32);
    expect(ulps, message).toBeLessThanOrEqual(3);
  });

  it('sigmoidDerivativeFromOutput is within 3 ulp of y * (1 - y) in float64 rounded to float32', () => {
    const { ulps, message } = worstError(x, results.simd.sigmoidDerivativeFromOutput, refSigmoidDerivativeFromOutput32);
    expect(ulps, message).toBeLessThanOrEqual(3);
  });

  it('gives NaN exactly where the reference is NaN', () => {
    const checks = [
      ['sigmoid', refSigmoid32],
      ['sigmoidDerivative', refSigmoidDerivative32],
      ['sigmoidDerivativeFromOutput', refSigmoidDerivativeFromOutput32],
    ] as const;
    for (const [kernel, reference] of checks) {
      const got = results.simd[kernel];
      let nans = 0;
      let firstWrong = 'none';
      for (let i = 0; i < x.length; i++) {
        const want = Number.isNaN(reference(x[i]!));
        if (want) nans++;
        if (Number.isNaN(got[i]!) !== want && firstWrong === 'none') {
          firstWrong = `${kernel}(${x[i]}) = ${got[i]}, reference ${reference(x[i]!)}`;
        }
      }
      expect(firstWrong).toBe('none');
      expect(nans).toBeGreaterThan(1000); // the sample holds NaNs of many payloads
    }
  });

  it.each(['sigmoid', 'sigmoidDerivative', 'sigmoidDerivativeFromOutput', 'sigmoidWithDerivative.y', 'sigmoidWithDerivative.dy'] as const)(
    '%s: the SIMD, scalar and JS backends agree bit for bit',
    (kernel) => {
      expect(describeMismatch(results.scalar[kernel], results.simd[kernel], x), 'scalar vs simd').toBe('identical');
      expect(describeMismatch(results.js[kernel], results.simd[kernel], x), 'js vs simd').toBe('identical');
    },
  );

  it.each(['simd', 'scalar', 'js'] as const)("%s: sigmoidWithDerivative's y and dy equal sigmoid and sigmoidDerivative", (name) => {
    const r = results[name];
    expect(describeMismatch(r['sigmoidWithDerivative.y'], r.sigmoid, x), 'y').toBe('identical');
    expect(describeMismatch(r['sigmoidWithDerivative.dy'], r.sigmoidDerivative, x), 'dy').toBe('identical');
  });
});
