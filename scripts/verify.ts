// npm run verify: the exhaustive proof of the accuracy bounds and of bit-identity.
//
// Every one of the 2^32 float32 bit patterns goes through every kernel on all three backends
// (SIMD, scalar WASM, JS emulation) and through the fused sigmoidWithDerivative, by way of the
// public API of the built package. The script asserts that
//   - the three backends agree bit for bit (any NaN equal to any NaN),
//   - sigmoidWithDerivative's y and dy equal sigmoid's and sigmoidDerivative's outputs,
//   - each result is within its ulp bound of a float64 reference rounded to float32,
//   - NaN comes out exactly where the reference is NaN,
// and prints the table the README shows. The work is split over worker threads.
//
// Options: --stride N checks every Nth bit pattern only (a quick look; not a proof),
//          --threads N overrides the worker count.
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Engine } from '../build/lib/index.js';

type Kernel = 'sigmoid' | 'sigmoidDerivative' | 'sigmoidDerivativeFromOutput';
const KERNELS: readonly Kernel[] = ['sigmoid', 'sigmoidDerivative', 'sigmoidDerivativeFromOutput'];
/** The bounds the package promises, in ulp against the reference rounded to float32. */
const BOUNDS: Record<Kernel, number> = { sigmoid: 2, sigmoidDerivative: 3, sigmoidDerivativeFromOutput: 3 };
const BACKENDS = ['simd', 'scalar', 'js'] as const;

const TOTAL = 2 ** 32;
const BLOCK = 2 ** 22; // bit patterns per job
const CHUNK = 2 ** 16; // bit patterns per call

interface Stats {
  maxUlp: number;
  maxUlpAt: number;
  maxError: number; // in ulp, unrounded: |result - reference| / ulp(reference)
  maxErrorAt: number;
  exact: number;
  count: number;
  histogram: number[]; // counts of 0, 1, 2, 3 and more than 3 ulp
}

interface Report {
  stats: Record<Kernel, Stats>;
  mismatches: string[];
}

function emptyStats(): Stats {
  return { maxUlp: 0, maxUlpAt: NaN, maxError: 0, maxErrorAt: NaN, exact: 0, count: 0, histogram: [0, 0, 0, 0, 0] };
}

function merge(into: Stats, from: Stats): void {
  if (from.maxUlp > into.maxUlp || Number.isNaN(into.maxUlpAt)) [into.maxUlp, into.maxUlpAt] = [from.maxUlp, from.maxUlpAt];
  if (from.maxError > into.maxError || Number.isNaN(into.maxErrorAt)) [into.maxError, into.maxErrorAt] = [from.maxError, from.maxErrorAt];
  into.exact += from.exact;
  into.count += from.count;
  from.histogram.forEach((n, i) => (into.histogram[i]! += n));
}

// ---------------------------------------------------------------------------------------------
// Worker: checks blocks of bit patterns.

function worker(stride: number): void {
  const engines = BACKENDS.map((name) => createEngine({ backend: name }));
  const n = CHUNK;
  const xBits = new Uint32Array(n);
  const x = new Float32Array(xBits.buffer);
  const outputs = engines.map(() => ({
    sigmoid: new Float32Array(n),
    sigmoidDerivative: new Float32Array(n),
    sigmoidDerivativeFromOutput: new Float32Array(n),
    y: new Float32Array(n),
    dy: new Float32Array(n),
  }));
  const f64 = new Float64Array(1);
  const f64Hi = new Uint32Array(f64.buffer, 4, 1);
  // ulp of a float32 as a function of the float64 exponent field of a value in its range.
  const ULP = new Float64Array(2048).map((_, e) => 2 ** Math.max(e - 1023 - 23, -149));
  const rounded = new Float32Array(1);
  const roundedBits = new Uint32Array(rounded.buffer);

  /** Adds a result that differs from the rounded reference r to the stats (NaN included). */
  function tally(s: Stats, x: number, got: number, gotBits: number, r: number): void {
    rounded[0] = r;
    const want = roundedBits[0]!;
    let ulp: number;
    let error: number;
    if (r !== r) {
      ulp = error = isNaNBits(gotBits) ? 0 : Infinity;
    } else if (isNaNBits(gotBits)) {
      ulp = error = Infinity;
    } else {
      ulp = Math.abs(ordered(gotBits) - ordered(want));
      f64[0] = r;
      const scale = ULP[(f64Hi[0]! >>> 20) & 0x7ff]!;
      // A reference beyond the float32 range rounds to infinity: exact if the result is too.
      error = Math.abs(rounded[0]!) === Infinity ? (ulp === 0 ? 0 : Infinity) : Math.abs(got - r) / scale;
    }
    if (ulp === 0) s.exact++;
    s.histogram[ulp < 4 ? ulp : 4]!++;
    if (ulp > s.maxUlp || Number.isNaN(s.maxUlpAt)) {
      s.maxUlp = ulp;
      s.maxUlpAt = x;
    }
    if (error > s.maxError || Number.isNaN(s.maxErrorAt)) {
      s.maxError = error;
      s.maxErrorAt = x;
    }
  }

  const isNaNBits = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;
  const ordered = (b: number): number => (b & 0x80000000 ? -(b & 0x7fffffff) : b);

  function firstMismatch(a: Float32Array, b: Float32Array, count: number): number {
    const ua = new Uint32Array(a.buffer, a.byteOffset, count);
    const ub = new Uint32Array(b.buffer, b.byteOffset, count);
    for (let i = 0; i < count; i++) {
      if (ua[i] !== ub[i] && !(isNaNBits(ua[i]!) && isNaNBits(ub[i]!))) return i;
    }
    return -1;
  }

  function check(block: number): Report {
    const stats = { sigmoid: emptyStats(), sigmoidDerivative: emptyStats(), sigmoidDerivativeFromOutput: emptyStats() };
    const mismatches: string[] = [];
    const step = n * stride;
    for (let base = block; base < block + BLOCK; base += step) {
      const count = Math.min(n, Math.ceil((block + BLOCK - base) / stride));
      for (let i = 0; i < count; i++) xBits[i] = base + i * stride;
      const xs = count === n ? x : x.subarray(0, count);
      engines.forEach((engine: Engine, b) => {
        const o = outputs[b]!;
        const sub = (a: Float32Array): Float32Array => (count === n ? a : a.subarray(0, count));
        engine.sigmoid(xs, sub(o.sigmoid));
        engine.sigmoidDerivative(xs, sub(o.sigmoidDerivative));
        engine.sigmoidDerivativeFromOutput(xs, sub(o.sigmoidDerivativeFromOutput));
        engine.sigmoidWithDerivative(xs, sub(o.y), sub(o.dy));
      });
      const note = (what: string, i: number): void => {
        if (mismatches.length < 20) mismatches.push(`${what} at x = ${x[i]} (bits 0x${xBits[i]!.toString(16)})`);
      };
      outputs.forEach((o, b) => {
        let i = firstMismatch(o.y, o.sigmoid, count);
        if (i >= 0) note(`${BACKENDS[b]}: sigmoidWithDerivative y differs from sigmoid`, i);
        i = firstMismatch(o.dy, o.sigmoidDerivative, count);
        if (i >= 0) note(`${BACKENDS[b]}: sigmoidWithDerivative dy differs from sigmoidDerivative`, i);
        if (b === 0) return;
        for (const k of KERNELS) {
          i = firstMismatch(o[k], outputs[0]![k], count);
          if (i >= 0) note(`${k}: ${BACKENDS[b]} differs from simd`, i);
        }
      });
      // The backends agree (checked above), so the SIMD results stand for all three. One float64
      // exponential per input gives all three references: with e = e^-|x| and d = 1 + e,
      // sigma(x) = 1/d for x > 0 and e/d otherwise, sigma'(x) = e/d^2.
      const simd = outputs[0]!;
      const [s0, s1, s2] = [simd.sigmoid, simd.sigmoidDerivative, simd.sigmoidDerivativeFromOutput];
      const [b0, b1, b2] = [s0, s1, s2].map((a) => new Uint32Array(a.buffer, 0, count)) as [Uint32Array, Uint32Array, Uint32Array];
      let exact0 = 0;
      let exact1 = 0;
      let exact2 = 0;
      for (let i = 0; i < count; i++) {
        const v = x[i]!;
        const e = Math.exp(-Math.abs(v));
        const d = 1 + e;
        // Most results equal the rounded reference: count those here, tally the rest (an
        // exact result has an error below 1/2 ulp and can never be the largest).
        const r0 = v > 0 ? 1 / d : e / d;
        if (s0[i] === Math.fround(r0)) exact0++;
        else tally(stats.sigmoid, v, s0[i]!, b0[i]!, r0);
        const r1 = e / (d * d);
        if (s1[i] === Math.fround(r1)) exact1++;
        else tally(stats.sigmoidDerivative, v, s1[i]!, b1[i]!, r1);
        const r2 = v * (1 - v);
        if (s2[i] === Math.fround(r2)) exact2++;
        else tally(stats.sigmoidDerivativeFromOutput, v, s2[i]!, b2[i]!, r2);
      }
      for (const [k, exact] of [['sigmoid', exact0], ['sigmoidDerivative', exact1], ['sigmoidDerivativeFromOutput', exact2]] as const) {
        stats[k].exact += exact;
        stats[k].histogram[0]! += exact;
      }
      for (const k of KERNELS) stats[k].count += count;
    }
    return { stats, mismatches };
  }

  parentPort!.on('message', (block: number) => parentPort!.postMessage(check(block)));
  parentPort!.postMessage('ready');
}

// ---------------------------------------------------------------------------------------------
// Main: hands out blocks, merges the results, prints the table, sets the exit code.

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const stride = option('stride', 1);
  const threads = option('threads', os.availableParallelism());
  const blocks: number[] = [];
  for (let b = 0; b < TOTAL; b += BLOCK) blocks.push(b);
  const stats = { sigmoid: emptyStats(), sigmoidDerivative: emptyStats(), sigmoidDerivativeFromOutput: emptyStats() };
  const mismatches: string[] = [];
  const started = Date.now();
  let next = 0;
  let done = 0;
  console.log(
    `Checking ${stride === 1 ? 'all 2^32' : `every ${stride}th of the 2^32`} float32 inputs on simd, scalar and js, ${threads} threads`,
  );
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          // Workers run this same file, loaded through tsx as the main thread was.
          const w = new Worker(
            `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`,
            { eval: true, workerData: { stride } },
          );
          w.on('error', reject);
          w.on('message', (message: 'ready' | Report) => {
            if (message !== 'ready') {
              for (const k of KERNELS) merge(stats[k], message.stats[k]);
              mismatches.push(...message.mismatches);
              done++;
              if (done % 64 === 0 || done === blocks.length) {
                const seconds = (Date.now() - started) / 1000;
                console.log(`  ${((100 * done) / blocks.length).toFixed(0).padStart(3)}%  ${seconds.toFixed(0)} s`);
              }
            }
            if (next < blocks.length) w.postMessage(blocks[next++]);
            else void w.terminate().then(() => resolve());
          });
        }),
    ),
  );

  const seconds = (Date.now() - started) / 1000;
  const bits = (v: number): string => {
    const f = new Float32Array([v]);
    return `0x${new Uint32Array(f.buffer)[0]!.toString(16).padStart(8, '0')}`;
  };
  const lines = [
    '| function | bound | max ulp | at x | max error (ulp) | exactly rounded | 0 / 1 / 2 / 3 ulp |',
    '|---|---|---|---|---|---|---|',
  ];
  let failed = mismatches.length > 0;
  for (const k of KERNELS) {
    const s = stats[k];
    const ok = s.maxUlp <= BOUNDS[k];
    failed ||= !ok;
    lines.push(
      `| ${k} | ${BOUNDS[k]} | ${s.maxUlp}${ok ? '' : ' (FAIL)'} | ${Math.fround(s.maxUlpAt)} (${bits(s.maxUlpAt)}) | ${s.maxError.toFixed(3)} | ${((100 * s.exact) / s.count).toFixed(3)}% | ${s.histogram.slice(0, 4).join(' / ')}${s.histogram[4] ? ` / >3: ${s.histogram[4]}` : ''} |`,
    );
  }
  console.log(`\n${stats.sigmoid.count} inputs per function, ${seconds.toFixed(0)} s. simd, scalar and js: ${mismatches.length ? 'MISMATCHES' : 'bit-identical'}; sigmoidWithDerivative: ${mismatches.length ? 'see below' : 'identical to sigmoid and sigmoidDerivative'}.\n`);
  console.log(lines.join('\n'));
  for (const m of mismatches) console.log(`MISMATCH ${m}`);
  if (failed) {
    console.log('\nverify: FAILED');
    process.exitCode = 1;
  } else {
    console.log('\nverify: all bounds met, all backends identical');
  }
}

if (isMainThread) await main();
else worker((workerData as { stride: number }).stride);
