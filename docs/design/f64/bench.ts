// Speed of the prototype (sigmoid, or geluTanh with F64_BENCH=geluTanh) on Float64Arrays and
// numbers, against the naive JS loop and the package's current double path. Median of interleaved rounds: every
// round runs every case once for ~TARGET ms, in a fixed order; the table gives the median
// throughput and the median of the per-round ratios to js-naive.
//   nice -n 19 npx tsx docs/design/f64/bench.ts [rounds] [builds, e.g. simd-f64,simd-f64-u2]
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as twin from '../../../src/double64.ts';
// The package as it is today (main's build): its double path, for reference.
import * as pkg from '../../../../main/build/lib/index.js';
import { SPECS } from '../../../../main/build/lib/functions.js';

const here = new URL('./', import.meta.url);
const ROUNDS = Number(process.argv[2] ?? 15);
const BUILDS = (process.argv[3] ?? 'simd-f64,scalar-f64').split(',');
const TARGET = 25; // ms per case per round
const SIZES = [16, 1024, 65536, 1 << 20];
// The function measured: its kernel id, the twin, the package's export and the naive line.
const SUBJECTS = {
  sigmoid: { id: 0, twin: twin.sigmoid, naive: (x: number): number => 1 / (1 + Math.exp(-x)) },
  geluTanh: {
    id: 19, twin: twin.geluTanh,
    naive: (x: number): number => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))),
  },
};
const NAME = (process.env.F64_BENCH ?? 'sigmoid') as keyof typeof SUBJECTS;
const { id: ID, twin: TWIN, naive: NAIVE } = SUBJECTS[NAME];
const PKG = (pkg as unknown as Record<string, (x: unknown, out?: unknown) => unknown>)[NAME]!;

interface Kernels {
  memory: WebAssembly.Memory;
  run64(id: number, input: number, output: number, output2: number, length: number, tail: number): void;
  heapBase(): number;
  SCRATCH_INPUT: WebAssembly.Global;
  SCRATCH_OUTPUT: WebAssembly.Global;
  SCRATCH_OUTPUT2: WebAssembly.Global;
  SCRATCH_TAIL: WebAssembly.Global;
  SCRATCH_LENGTH: WebAssembly.Global;
}
function load(name: string): Kernels {
  const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`build/${name}.wasm`, here))), {}).exports as unknown as Kernels;
  const need = k.heapBase() + 3 * 8 * (1 << 20) + 64;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  return k;
}

/** The copying path as the wrapper would run it: the shared scratch buffers, 8192 doubles (64 KiB) per chunk. */
function copying(k: Kernels): (x: Float64Array, out: Float64Array) => void {
  const chunk = (k.SCRATCH_LENGTH.value * 4) / 8;
  const input = new Float64Array(k.memory.buffer, k.SCRATCH_INPUT.value, chunk);
  const output = new Float64Array(k.memory.buffer, k.SCRATCH_OUTPUT.value, chunk);
  const [pi, po, po2, pt] = [k.SCRATCH_INPUT.value, k.SCRATCH_OUTPUT.value, k.SCRATCH_OUTPUT2.value, k.SCRATCH_TAIL.value];
  return (x, out) => {
    const n = x.length;
    if (n <= 64) {
      // Small arrays: element loops beat creating subarrays for set() (as src/chunk.ts does).
      for (let i = 0; i < n; i++) input[i] = x[i]!;
      k.run64(ID, pi, po, po2, n, pt);
      for (let i = 0; i < n; i++) out[i] = output[i]!;
      return;
    }
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      if (count === n) input.set(x);
      else input.set(x.subarray(start, start + count));
      k.run64(ID, pi, po, po2, count, pt);
      if (count === n) out.set(count === chunk ? output : output.subarray(0, count));
      else out.set(output.subarray(0, count), start);
    }
  };
}

type Case = { name: string; size: number; run: () => void; elements: number };
const cases: Case[] = [];
let seed = 12345;
const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

for (const n of SIZES) {
  const x = Float64Array.from({ length: n }, () => (random() - 0.5) * 20);
  const out = new Float64Array(n);
  cases.push({ name: 'js-naive', size: n, elements: n, run: () => { for (let i = 0; i < n; i++) out[i] = NAIVE(x[i]!); } });
  cases.push({ name: 'js-twin', size: n, elements: n, run: () => { for (let i = 0; i < n; i++) out[i] = TWIN(x[i]!); } });
  cases.push({ name: 'package-today', size: n, elements: n, run: () => { PKG(x, out); } });
  for (const b of BUILDS) {
    const k = load(b);
    const copy = copying(k);
    cases.push({ name: b, size: n, elements: n, run: () => copy(x, out) });
    const base = (k.heapBase() + 15) & ~15;
    new Float64Array(k.memory.buffer, base, n).set(x);
    cases.push({ name: `${b}-resident`, size: n, elements: n, run: () => k.run64(ID, base, base + 8 * n, base + 16 * n, n, k.SCRATCH_TAIL.value) });
  }
  // memcpy: the speed limit of any elementwise copy path.
  cases.push({ name: 'memcpy', size: n, elements: n, run: () => out.set(x) });
}

// Numbers: the call site is a loop calling an exported function; the function dispatches on
// typeof x === 'number' first (as the wrapper should), and has seen arrays too.
const numbers = Array.from({ length: 1024 }, () => (random() - 0.5) * 20);
let sink = 0;
const spec = SPECS.sigmoid;
function exported(x: unknown, out?: unknown): unknown {
  if (typeof x === 'number') return TWIN(x);
  return PKG(x, out);
}
void spec;
const naiveLine = NAIVE;
for (let i = 0; i < 100; i++) exported(new Float64Array(16)), exported(new Float32Array(16)); // the export has seen arrays
cases.push({ name: 'number: naive line', size: 1, elements: numbers.length, run: () => { let s = 0; for (let i = 0; i < numbers.length; i++) s += NAIVE(numbers[i]!); sink += s; } });
cases.push({ name: 'number: naive function', size: 1, elements: numbers.length, run: () => { let s = 0; for (let i = 0; i < numbers.length; i++) s += naiveLine(numbers[i]!); sink += s; } });
cases.push({ name: 'number: exported, typeof first, twin', size: 1, elements: numbers.length, run: () => { let s = 0; for (let i = 0; i < numbers.length; i++) s += exported(numbers[i]!) as number; sink += s; } });
cases.push({ name: 'number: twin direct', size: 1, elements: numbers.length, run: () => { let s = 0; for (let i = 0; i < numbers.length; i++) s += TWIN(numbers[i]!); sink += s; } });
cases.push({ name: 'number: package today', size: 1, elements: numbers.length, run: () => { let s = 0; for (let i = 0; i < numbers.length; i++) s += PKG(numbers[i]!) as number; sink += s; } });

// Calibrate: repetitions per case for ~TARGET ms.
const reps = new Map<Case, number>();
for (const c of cases) {
  let r = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < r; i++) c.run();
    const dt = performance.now() - t;
    if (dt > TARGET / 4) { reps.set(c, Math.max(1, Math.round((r * TARGET) / dt))); break; }
    r *= 2;
  }
}
const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const r = reps.get(c)!;
    const t = performance.now();
    for (let i = 0; i < r; i++) c.run();
    samples.get(c)!.push((r * c.elements) / ((performance.now() - t) * 1e3)); // M elements/s
  }
}
const median = (a: number[]): number => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]!; };
console.log(`${NAME}: ${cpus()[0]!.model}, ${cpus().length} cores, Node ${process.version}; ${ROUNDS} rounds; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| case | size | M elements/s | vs js-naive (median of per-round ratios) |');
console.log('|---|---:|---:|---:|');
for (const c of cases) {
  const base = c.size === 1 ? cases.find((d) => d.name === 'number: naive line')! : cases.find((d) => d.name === 'js-naive' && d.size === c.size)!;
  const ratios = samples.get(c)!.map((v, i) => v / samples.get(base)![i]!);
  console.log(`| ${c.name} | ${c.size} | ${median(samples.get(c)!).toFixed(1)} | ${median(ratios).toFixed(2)}× |`);
}
if (sink === 42) console.log('');
