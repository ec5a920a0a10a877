import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { createEngine } from '/work/main/build/lib/index.js';
await tf.setBackend('wasm'); await tf.ready();
const e = createEngine({ backend: 'simd' });
const n = 1 << 20;
const x = new Float32Array(n); let s = 0x9e3779b9;
for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = (s / 2 ** 32) * 20 - 10; }
function cpu(f: () => void, reps: number): number { const t = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const d = process.cpuUsage(t); return (d.user + d.system) / 1e6 / reps; }
for (const R of [1000, 4096]) {
  const m = Math.floor(n / R) * R; const xs = x.subarray(0, m);
  const rx = e.alloc(m); rx.array.set(xs); const ro = e.alloc(m); const rl = e.alloc(m / R);
  const out = new Float32Array(m);
  const t = tf.tensor2d(xs, [m / R, R]);
  const cases: Record<string, () => void> = {
    softmax: () => e.softmax(rx, ro, { rowLength: R }),
    logSoftmax: () => e.logSoftmax(rx, ro, { rowLength: R }),
    logSumExp: () => e.logSumExp(rx, rl, { rowLength: R }),
    copying: () => e.softmax(xs, out, { rowLength: R }),
    tfjs: () => tf.softmax(t).dispose(),
    tfjsCopy: () => { const a = tf.tensor2d(xs, [m / R, R]); const y = tf.softmax(a); y.dataSync(); a.dispose(); y.dispose(); },
    naive: () => { for (let f = 0; f < m; f += R) { let mx = -Infinity; for (let i = f; i < f + R; i++) mx = Math.max(mx, xs[i]!); let sum = 0; for (let i = f; i < f + R; i++) sum += out[i] = Math.exp(xs[i]! - mx); for (let i = f; i < f + R; i++) out[i] = out[i]! / sum; } },
  };
  const best: Record<string, number> = {};
  for (let round = 0; round < 7; round++) for (const [k, f] of Object.entries(cases)) { const sec = cpu(f, k === 'naive' ? 2 : 6); best[k] = Math.min(best[k] ?? Infinity, sec); }
  const rate = (k: string) => m / best[k]! / 1e6;
  console.log(`rows of ${R}: ` + Object.keys(cases).map((k) => `${k} ${rate(k).toFixed(0)}`).join(', ') + ` M/s (CPU time, best of 7)`);
  console.log(`  softmax/tfjs ${(rate('softmax') / rate('tfjs')).toFixed(2)}, copying/tfjsCopy ${(rate('copying') / rate('tfjsCopy')).toFixed(2)}, copying/naive ${(rate('copying') / rate('naive')).toFixed(2)}, log/softmax ${(rate('logSoftmax') / rate('softmax')).toFixed(2)}, lse/softmax ${(rate('logSumExp') / rate('softmax')).toFixed(2)}`);
}
