// Sampled accuracy: a stratified sample of float32 bit patterns covering every exponent (both
// signs, subnormals, infinities, NaNs), plus dense sweeps where the kernels change regime
// (REGIMES in test/reference.ts). The exhaustive proof over all 2^32 inputs is `npm run
// verify`; this keeps a fast guard in the test suite, for every function of the registry. Also
// checks that the SIMD, scalar and JS backends agree bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, functions, type Engine, type FunctionInfo } from 'simd-activations';
import type { SingleName } from '../build/lib/functions.js';
import { REFERENCES, REGIMES } from './reference.js';
import { bits, describeMismatch, ulpDistance } from './helpers.js';

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
  // |x| in [0, 2], where the functions are steepest, evenly by value.
  for (let i = 0; i <= 65536; i++) patterns.push(bits(i / 32768), bits(-i / 32768));
  // Where any kernel changes regime.
  for (const x of REGIMES) patterns.push(...around(x, 40000));
  return new Float32Array(Uint32Array.from(patterns).buffer);
}

const SINGLES = functions.filter((f) => f.outputs.length === 1);
const PAIRS = functions.filter((f) => f.outputs.length === 2);
type Results = Record<string, Float32Array>;

/** Every function's results, a pair's as `name.y` and `name.dy`. */
function runAll(engine: Engine, x: Float32Array): Results {
  const call = engine as unknown as Record<string, (x: Float32Array) => Float32Array & { y: Float32Array; dy: Float32Array }>;
  const results: Results = {};
  for (const f of SINGLES) results[f.name] = call[f.name]!(x);
  for (const f of PAIRS) {
    const { y, dy } = call[f.name]!(x);
    [results[`${f.name}.y`], results[`${f.name}.dy`]] = [y, dy];
  }
  return results;
}

/**
 * The largest ulp distance from the reference rounded to float32, with where it occurs, outside
 * the function's band around a root (inside it, the largest absolute error); NaN must match NaN.
 */
function worstError(f: FunctionInfo, x: Float32Array, got: Float32Array): { ulps: number; absolute: number; message: string } {
  const reference = REFERENCES[f.name as SingleName];
  const band = f.bands[0];
  let ulps = 0;
  let absolute = 0;
  let message = 'exact everywhere';
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const want = reference(v);
    if (band && v >= band.from && v <= band.to) {
      absolute = Math.max(absolute, Math.abs(got[i]! - want));
      continue;
    }
    const d = ulpDistance(got[i]!, Math.fround(want));
    if (d > ulps) {
      ulps = d;
      message = `worst at x = ${v} (bits 0x${bits(v).toString(16)}): got ${got[i]}, reference ${want}, ${d} ulp`;
    }
  }
  return { ulps, absolute, message };
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

  it.each(SINGLES)('$name is within its bound of the float64 reference rounded to float32', (f) => {
    const { ulps, absolute, message } = worstError(f, x, results.simd[f.name]!);
    expect(ulps, message).toBeLessThanOrEqual(f.bounds[0]!);
    if (f.bands[0]) expect(absolute, 'the absolute error around the root').toBeLessThanOrEqual(f.bands[0].absolute);
  });

  it.each(SINGLES)('$name gives NaN exactly where the reference is NaN', (f) => {
    const reference = REFERENCES[f.name as SingleName];
    const got = results.simd[f.name]!;
    let nans = 0;
    let firstWrong = 'none';
    for (let i = 0; i < x.length; i++) {
      const want = Number.isNaN(reference(x[i]!));
      if (want) nans++;
      if (Number.isNaN(got[i]!) !== want && firstWrong === 'none') firstWrong = `${f.name}(${x[i]}) = ${got[i]}, reference ${reference(x[i]!)}`;
    }
    expect(firstWrong).toBe('none');
    expect(nans).toBeGreaterThan(1000); // the sample holds NaNs of many payloads
  });

  it.each(functions.flatMap((f) => (f.outputs.length === 1 ? [f.name] : [`${f.name}.y`, `${f.name}.dy`])))(
    '%s: the SIMD, scalar and JS backends agree bit for bit',
    (kernel) => {
      expect(describeMismatch(results.scalar[kernel]!, results.simd[kernel]!, x), 'scalar vs simd').toBe('identical');
      expect(describeMismatch(results.js[kernel]!, results.simd[kernel]!, x), 'js vs simd').toBe('identical');
    },
  );

  it.each(PAIRS.flatMap((f) => (['simd', 'scalar', 'js'] as const).map((backend) => [backend, f] as const)))(
    "%s: %o's y and dy equal its two functions'",
    (backend, f) => {
      const r = results[backend];
      expect(describeMismatch(r[`${f.name}.y`]!, r[f.parts![0]]!, x), 'y').toBe('identical');
      expect(describeMismatch(r[`${f.name}.dy`]!, r[f.parts![1]]!, x), 'dy').toBe('identical');
    },
  );
});
