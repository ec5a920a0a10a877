// Vector operations per cycle for each chain mix of fp-throughput.ts; the clock is taken as 3.4 GHz
// (a dependent chain of scalar multiplications, 3 cycles each, ran 0.88 ns per step on the Zen 4 VM).
import { readFileSync } from 'node:fs';
const e = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.argv[2])), { env: { abort() {} } }).exports;
for (const f of ['mul12', 'add12', 'mix12', 'mix12and']) { e[f](1000, 1.0000001);
  const res = []; for (let r = 0; r < 9; r++) { const n = 1e7; const t = performance.now(); e[f](n, 1.0000001); res.push((performance.now() - t) * 1e6 / (n * 12)); }
  res.sort((a, b) => a - b); console.log(f, 'vector ops per cycle @3.4GHz', (1 / (res[4] * 3.4)).toFixed(2)); }
