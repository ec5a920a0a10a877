// A/B of the raw kernel loop of several builds, and tfjs-wasm's tf.sigmoid, interleaved in one
// process: run(kernel, ...) over resident floats at each size, 200 rounds of ~2 M elements
// each, median and 90th percentile in M elements/s. Run from the project root:
//   taskset -c 0 node docs/design/sigmoid-speed/tools/ab.mjs 0 a.wasm b.wasm
// (kernel 0 = sigmoid; build a variant with `npx asc assembly/index.ts --target simd -o b.wasm`).
// SIZES=1024,65536 and ROUNDS=50 override the defaults.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(`${process.cwd()}/package.json`);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm'); await tf.ready();
const kernel = +process.argv[2];
const files = process.argv.slice(3);
const N = 1 << 20;
const mods = files.map((f) => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), { env: { abort() { throw new Error('abort'); } } });
  const e = inst.exports;
  const g = (n) => e[n].value;
  const mem = e.memory;
  const base = (e.heapBase() + 63) & ~63;
  const need = base + 3 * N * 4 + 1024;
  if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const inp = base, out = base + N * 4, out2 = base + 2 * N * 4;
  const x = new Float32Array(mem.buffer, inp, N);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 8;
  return { f, run: (n) => e.run(kernel, inp, out, out2, n, g('SCRATCH_TAIL')) };
});
const xs = new Float32Array(N); for (let i = 0; i < N; i++) xs[i] = Math.sin(i) * 8;
const tft = {}; for (const n of (process.env.SIZES ?? "65536,1048576").split(",").map(Number)) tft[n] = tf.tensor1d(xs.subarray(0, n));
mods.push({ f: 'tfjs', run: (n) => tf.sigmoid(tft[n]).dispose() });
const sizes = (process.env.SIZES ?? "65536,1048576").split(",").map(Number);
const R = {};
const rounds = +(process.env.ROUNDS ?? 200);
for (let round = 0; round < rounds; round++) for (const m of mods) for (const n of sizes) {
  const reps = Math.max(2, (2e6 / n) | 0);
  m.run(n);
  const t = performance.now(); for (let i = 0; i < reps; i++) m.run(n); const ms = (performance.now() - t);
  (R[m.f + ' ' + n] ??= []).push(n * reps / ms / 1e3);
}
for (const k in R) { const s = R[k].sort((a, b) => a - b); console.log(k.padEnd(40), 'M/s median', s[s.length >> 1].toFixed(0), 'p90', s[Math.floor(s.length * 0.9)].toFixed(0)); }
