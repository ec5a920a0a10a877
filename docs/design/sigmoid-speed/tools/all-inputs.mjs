// Bit-identity of two builds over all 2^32 float32 inputs: run(kernel) of both on every bit
// pattern, 2^20 at a time, counting inputs whose outputs (both outputs for the kernels with
// two) differ in any bit, NaN payloads included. About a minute per kernel:
//   node docs/design/sigmoid-speed/tools/all-inputs.mjs 0 a.wasm b.wasm
import { readFileSync } from 'node:fs';
const kernel = +process.argv[2];
const C = 1 << 20;
const mk = (f) => { const e = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), { env: { abort() {} } }).exports;
  const b = (e.heapBase() + 63) & ~63; e.memory.grow(Math.ceil((b + 3 * C * 4) / 65536) + 1);
  return { e, b, x: new Uint32Array(e.memory.buffer, b, C), y: new Uint32Array(e.memory.buffer, b + C * 4, C), y2: new Uint32Array(e.memory.buffer, b + 2 * C * 4, C) }; };
const A = mk(process.argv[3]), B = mk(process.argv[4]);
let diff = 0, first = null;
for (let hi = 0; hi < 4096; hi++) {
  const base = hi * C;
  for (let i = 0; i < C; i++) { A.x[i] = base + i; }
  B.x.set(A.x);
  A.e.run(kernel, A.b, A.b + C * 4, A.b + 2 * C * 4, C, A.e.SCRATCH_TAIL.value);
  B.e.run(kernel, B.b, B.b + C * 4, B.b + 2 * C * 4, C, B.e.SCRATCH_TAIL.value);
  for (let i = 0; i < C; i++) if (A.y[i] !== B.y[i] || A.y2[i] !== B.y2[i]) { diff++; if (!first) first = (base + i) >>> 0; }
}
console.log('kernel', kernel, 'differing inputs', diff, first === null ? '' : 'first 0x' + first.toString(16));
