// Prints V8's code for a build's kernels (TurboFan, no Liftoff): run one sigmoid call so that
// its loop is compiled, e.g.
//   node --no-liftoff --print-wasm-code docs/design/sigmoid-speed/tools/dump.mjs build/simd.wasm > code.txt
// then count the instructions between the loop's stack check (jna) and its back edge (jnz).
import { readFileSync } from 'node:fs';
const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.argv[2])), { env: { abort() {} } });
const e = inst.exports; const b = e.heapBase(); e.memory.grow(64);
e.run(0, b, b + 65536*4, b + 2*65536*4, 65536, e.SCRATCH_TAIL.value);
