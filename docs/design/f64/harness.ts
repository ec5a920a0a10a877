// Checks the prototype: the SIMD build, the scalar build and the JS twin (src/double64.ts) give
// the same bits for every double kernel on N inputs (default 12 Mi), each fused kernel equals its
// two singles, the twin's constants are the build's, and writes the inputs and results to data/
// for errors.py (the mpmath reference). Run from the worktree root, optionally for some families:
//   nice -n 19 npx tsx docs/design/f64/harness.ts [N] [sigmoid] [silu] [tanh] [softplus] [gelu] [geluTanh]
/// <reference types="node" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as twin from '../../../src/double64.ts';

const here = new URL('./', import.meta.url);
const N = Number(process.argv[2] ?? 12 * 1024 * 1024);
const only = process.argv.slice(3);

/**
 * The kernels, by family: the id (assembly/kernel-ids.ts), the input set ('x', or the outputs
 * 'sigma' / 'tanh' for the functions of the output), and the twin's function, or for a fused
 * kernel the two singles it must equal.
 */
type Single = { name: string; id: number; input: 'x' | 'xg' | 'sigma' | 'tanh'; twin: (x: number) => number };
type Fused = { name: string; id: number; pair: [string, string] };
const FAMILIES: Record<string, (Single | Fused)[]> = {
  sigmoid: [
    { name: 'sigmoid', id: 0, input: 'x', twin: twin.sigmoid },
    { name: 'sigmoidDerivative', id: 1, input: 'x', twin: twin.sigmoidDerivative },
    { name: 'sigmoidDerivativeFromOutput', id: 2, input: 'sigma', twin: twin.sigmoidDerivativeFromOutput },
    { name: 'sigmoidWithDerivative', id: 3, pair: ['sigmoid', 'sigmoidDerivative'] },
  ],
  silu: [
    { name: 'silu', id: 4, input: 'x', twin: twin.silu },
    { name: 'siluDerivative', id: 5, input: 'x', twin: twin.siluDerivative },
    { name: 'siluWithDerivative', id: 6, pair: ['silu', 'siluDerivative'] },
  ],
  tanh: [
    { name: 'tanh', id: 7, input: 'x', twin: twin.tanh },
    { name: 'tanhDerivative', id: 8, input: 'x', twin: twin.tanhDerivative },
    { name: 'tanhDerivativeFromOutput', id: 9, input: 'tanh', twin: twin.tanhDerivativeFromOutput },
    { name: 'tanhWithDerivative', id: 10, pair: ['tanh', 'tanhDerivative'] },
  ],
  softplus: [
    { name: 'sigmoid', id: 0, input: 'x', twin: twin.sigmoid }, // softplus' (no kernel of its own), for the fused kernel
    { name: 'softplus', id: 11, input: 'x', twin: twin.softplus },
    { name: 'softplusWithDerivative', id: 12, pair: ['softplus', 'sigmoid'] },
    { name: 'logSigmoid', id: 13, input: 'x', twin: twin.logSigmoid },
    { name: 'logSigmoidDerivative', id: 14, input: 'x', twin: twin.logSigmoidDerivative },
    { name: 'logSigmoidWithDerivative', id: 15, pair: ['logSigmoid', 'logSigmoidDerivative'] },
  ],
  gelu: [
    { name: 'gelu', id: 16, input: 'xg', twin: twin.gelu },
    { name: 'geluDerivative', id: 17, input: 'xg', twin: twin.geluDerivative },
    { name: 'geluWithDerivative', id: 18, pair: ['gelu', 'geluDerivative'] },
  ],
  geluTanh: [
    { name: 'geluTanh', id: 19, input: 'xg', twin: twin.geluTanh },
    { name: 'geluTanhDerivative', id: 20, input: 'xg', twin: twin.geluTanhDerivative },
    { name: 'geluTanhWithDerivative', id: 21, pair: ['geluTanh', 'geluTanhDerivative'] },
  ],
};

interface Kernels {
  memory: WebAssembly.Memory;
  run64(id: number, input: number, output: number, output2: number, length: number, tail: number): void;
  SCRATCH_INPUT: WebAssembly.Global;
  SCRATCH_OUTPUT: WebAssembly.Global;
  SCRATCH_OUTPUT2: WebAssembly.Global;
  SCRATCH_TAIL: WebAssembly.Global;
  SCRATCH_LENGTH: WebAssembly.Global;
}
function load(name: string): Kernels {
  const bytes = readFileSync(new URL(`build/${name}.wasm`, here));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Kernels;
}
const simd = load('simd-f64');
const scalar = load('scalar-f64');

// The twin's constants are the build's.
const constants = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('build/constants64.wasm', here))), {})
  .exports as Record<string, WebAssembly.Global>;
for (const [name, value] of Object.entries(twin.CONSTANTS64)) {
  if (!Object.is(constants[name]!.value, value)) throw new Error(`constant ${name}: build ${constants[name]!.value}, twin ${value}`);
}
console.log(`constants: ${Object.keys(twin.CONSTANTS64).length} equal to the build's`);

/** A deterministic generator (xorshift128+ on BigInt-free 32-bit halves: mulberry32 twice). */
let seed = 0x9e3779b9;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const bits = new DataView(new ArrayBuffer(8));
function fromBits(hi: number, lo: number): number {
  bits.setUint32(0, hi >>> 0);
  bits.setUint32(4, lo >>> 0);
  return bits.getFloat64(0);
}

/**
 * Inputs of x: every region of the algorithms, a share each (see DESIGN.md, "How this was checked").
 * The GELU families (`gelu`) trade three shares meant for the exp-based families' cut-offs for
 * theirs: |x| in [20.5, 22] (geluTanh's subnormal band and clamp), [36, 40] (gelu's), and
 * [-1.25, -0.25] around both derivatives' roots.
 */
function inputsX(n: number, gelu = false): Float64Array {
  const x = new Float64Array(n);
  const special = gelu ? [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, 1, -1, 1e300, -1e300,
    -0.7524614220710162, -0.7517915246935645, 21.71875, -21.71875, -21.547, -21.593, -38.58, -38.67, 8, -8, 10, -10] : [
    0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, 708.3964185322641, -708.3964185322641,
    745.1332191019411, -745.1332191019411, 36.7368005696771, 37.42994775023705, 768, -768, 1e300, -1e300, 1, -1,
    1.3538603431225865e-8, -1.3538603431225865e-8, 1.3538603431225863e-8, 2 ** -26, 1.7057571449180426e-8, 354.891356446692,
    373.2, -373.3, 751.8, -751.8, -1.2784645427610738];
  x.set(special);
  for (let i = special.length; i < n; i++) {
    const k = i % 12;
    const u = random();
    const sign = random() < 0.5 ? -1 : 1;
    if (k === 0) x[i] = sign * fromBits(random() * 0x7ff00000, random() * 2 ** 32); // any finite bit pattern: every binade
    else if (k === 1) x[i] = sign * u * 2 ** -(random() * 60); // dense near 0, binades 2^-60 .. 1
    else if (k === 2 || k === 3) x[i] = (u - 0.5) * 16; // the bulk, [-8, 8]
    else if (k === 4) x[i] = (u - 0.5) * 80; // up to where sigma and tanh round to 1, [-40, 40]
    else if (k === 5 && gelu) x[i] = sign * (20.5 + u * 1.5); // geluTanh's subnormal band and clamp, |x| in [20.5, 22]
    else if (k === 5) x[i] = sign * (708.3 + u * 37); // sigma's subnormal band and cut-off, |x| in [708.3, 745.3]
    else if (k === 6) x[i] = sign * u * 760; // the tails, [-760, 760]
    else if (k === 7) x[i] = (u - 0.5) * 4; // near 0, [-2, 2]
    else if (k === 8 && gelu) x[i] = -0.25 - u; // around the derivatives' roots, [-1.25, -0.25]
    else if (k === 8) x[i] = sign * (354 + u * 20); // tanh''s subnormal band and cut-off, |x| in [354, 374]
    else if (k === 9) x[i] = sign * 2 ** (-28 + 4 * u); // around TANH64_TINY, |x| in [2^-28, 2^-24]
    else if (k === 10 && gelu) x[i] = sign * (36 + u * 4); // gelu's subnormal band and cut-off, |x| in [36, 40]
    else if (k === 10) x[i] = sign * (745 + u * 30); // silu's cut-off and the clamp, |x| in [745, 775]
    else x[i] = sign * fromBits(random() * 0x100000, random() * 2 ** 32); // every subnormal binade
  }
  return x;
}

/** Inputs of y for the functions of the output: sigma's range [0, 1] (tanh's [-1, 1] with `signed`), dense at the ends, and some outside. */
function inputsY(n: number, signed: boolean): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    const u = random();
    const sign = signed && random() < 0.5 ? -1 : 1;
    if (k === 0) y[i] = sign * u;
    else if (k === 1) y[i] = sign * u * 2 ** -(random() * 1000);
    else if (k === 2) y[i] = sign * (1 - u * 2 ** -(random() * 53));
    else y[i] = (u - 0.5) * 2 ** (random() * 40);
  }
  return y;
}

/** Runs kernel `id` over x on a WASM build, through its scratch buffers, in chunks of varying length (odd ones exercise the tail). */
function runWasm(k: Kernels, id: number, x: Float64Array, two: boolean): [Float64Array, Float64Array] {
  const out = new Float64Array(x.length);
  const out2 = new Float64Array(x.length);
  const chunk = (k.SCRATCH_LENGTH.value * 4) / 8; // the scratch buffers' bytes, in doubles
  const input = new Float64Array(k.memory.buffer, k.SCRATCH_INPUT.value, chunk);
  const output = new Float64Array(k.memory.buffer, k.SCRATCH_OUTPUT.value, chunk);
  const output2 = new Float64Array(k.memory.buffer, k.SCRATCH_OUTPUT2.value, chunk);
  let lengths = 1;
  for (let start = 0; start < x.length; ) {
    const count = Math.min(x.length - start, (lengths++ % 7 === 0 ? (lengths * 37) % chunk : chunk) || 1);
    input.set(x.subarray(start, start + count));
    k.run64(id, k.SCRATCH_INPUT.value, k.SCRATCH_OUTPUT.value, k.SCRATCH_OUTPUT2.value, count, k.SCRATCH_TAIL.value);
    out.set(output.subarray(0, count), start);
    if (two) out2.set(output2.subarray(0, count), start);
    start += count;
  }
  return [out, out2];
}

function sameBits(a: Float64Array, b: Float64Array, what: string, x: Float64Array): void {
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    if (bad++ < 5) console.log(`  ${what} differ at x = ${x[i]}: ${a[i]} vs ${b[i]}`);
  }
  if (bad) throw new Error(`${what}: ${bad} of ${a.length} differ`);
}

const data = new URL(process.env.F64_DATA ?? 'data/', here); // F64_DATA: another directory, e.g. while errors.py reads data/
mkdirSync(data, { recursive: true });
const inputs = { x: inputsX(N), sigma: inputsY(N, false), tanh: inputsY(N, true), xg: inputsX(N, true) };
writeFileSync(new URL('x.f64', data), inputs.x);
writeFileSync(new URL('xg.f64', data), inputs.xg);
writeFileSync(new URL('sigma-output.f64', data), inputs.sigma);
writeFileSync(new URL('tanh-output.f64', data), inputs.tanh);
for (const [family, kernels] of Object.entries(FAMILIES)) {
  if (only.length && !only.includes(family)) continue;
  const t0 = performance.now();
  const results: Record<string, Float64Array> = {};
  for (const kernel of kernels) {
    if ('twin' in kernel) {
      const input = inputs[kernel.input];
      const [s1] = runWasm(simd, kernel.id, input, false);
      const [c1] = runWasm(scalar, kernel.id, input, false);
      sameBits(s1, c1, `${kernel.name}: simd and scalar`, input);
      sameBits(s1, input.map(kernel.twin), `${kernel.name}: simd and js`, input);
      results[kernel.name] = s1;
      if (kernel.name === 'logSigmoid') sameBits(s1, inputs.x.map((v) => -twin.softplus(-v)), 'logSigmoid(x) and -softplus(-x)', inputs.x);
      if (kernel.name === 'logSigmoidDerivative') sameBits(s1, inputs.x.map((v) => twin.sigmoid(-v)), "logSigmoid'(x) and sigmoid(-x)", inputs.x);
      writeFileSync(new URL(`${kernel.name}.f64`, data), s1);
    } else {
      const input = family.startsWith('gelu') ? inputs.xg : inputs.x;
      const [s1, s2] = runWasm(simd, kernel.id, input, true);
      const [c1, c2] = runWasm(scalar, kernel.id, input, true);
      sameBits(s1, c1, `${kernel.name} y: simd and scalar`, input);
      sameBits(s2, c2, `${kernel.name} dy: simd and scalar`, input);
      sameBits(s1, results[kernel.pair[0]]!, `${kernel.name} y and ${kernel.pair[0]}`, input);
      sameBits(s2, results[kernel.pair[1]]!, `${kernel.name} dy and ${kernel.pair[1]}`, input);
    }
    console.log(`${kernel.name}: simd, scalar and js bit-identical on ${N} inputs${'pair' in kernel ? ' (and equal to the singles)' : ''}`);
  }
  console.log(`(${family}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
// Special values, from the twin (equal to the builds' above).
for (const v of [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, -745.2, -745.1, -751.8, -752, 1, -21.5, -21.6, -0.7524614220710162]) {
  console.log(`  x = ${fmt(v)}: ${Object.values(FAMILIES).flat().filter((k, i, all): k is Single => 'twin' in k && (k.input === 'x' || k.input === 'xg') && all.findIndex((o) => o.name === k.name) === i).map((k) => `${k.name} ${fmt(k.twin(v))}`).join(', ')}`);
}
console.log('wrote data/');
