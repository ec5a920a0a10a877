// npm run verify: the exhaustive proof of the accuracy bounds and of bit-identity.
//
// Every one of the 2^32 float32 bit patterns goes through every function of the registry
// (src/functions.ts) on all three backends (SIMD, scalar WASM, JS emulation), by way of the
// public API of the built package. The script asserts that
//   - the three backends agree bit for bit (any NaN equal to any NaN),
//   - each function with two results ({ y, dy }) equals its two functions' outputs,
//   - each result is within the registry's ulp bound of the float64 reference
//     (test/reference.ts) rounded to float32, or, inside a function's band around a root
//     (src/functions.ts, Band), within the band's absolute error of the reference,
//   - NaN comes out exactly where the reference is NaN,
// and prints the table the README shows. The work is split over worker threads.
//
// It also fingerprints each function's SIMD results over all 2^32 inputs (a hash of the output
// bits, any NaN counted as one) and writes the fingerprints with the table to docs/verify.json.
//
// --ci: what CI can afford as functions are added (the full run takes minutes per function on
// 2 cores, mostly in the JS emulation). The SIMD results over all 2^32 inputs must have the
// fingerprints of docs/verify.json, i.e. be the very results the last full run proved; the
// scalar and JS backends must equal the SIMD ones, and all must meet the bounds, on every
// 61st input (70 million). A kernel whose results changed fails until `npm run verify` is run
// again and its table and fingerprints committed. What only the full run proves: the bounds and
// the scalar and JS backends' identity on the other 60 of every 61 inputs.
//
// Options: --stride N checks every Nth bit pattern only (a quick look; not a proof, no
//          fingerprints), --threads N overrides the worker count, --functions a,b checks only
//          these functions (and the pairs made of them): a full run of them replaces their
//          entries in docs/verify.json and keeps the others'.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEngine, functions, type Engine, type FunctionInfo } from '../build/lib/index.js';
import type { SingleName } from '../build/lib/functions.js';
import { REFERENCES } from '../test/reference.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;

const TOTAL = 2 ** 32;
/** In --ci mode, the scalar and JS backends and the reference see every SAMPLE-th input. */
const SAMPLE = 61;
const RECORD = new URL('../docs/verify.json', import.meta.url);
const BLOCK = 2 ** 22; // bit patterns per job
const CHUNK = 2 ** 16; // bit patterns per call

/** The functions checked: all, or those named by --functions (a pair needs both its parts). */
function selected(names: readonly string[] | undefined): { singles: FunctionInfo[]; pairs: FunctionInfo[] } {
  const unknown = names?.filter((n) => !functions.some((f) => f.name === n));
  if (unknown?.length) throw new RangeError(`--functions: unknown ${unknown.join(', ')}`);
  const wanted = (f: FunctionInfo): boolean => names === undefined || names.includes(f.name);
  const singles = functions.filter((f) => f.outputs.length === 1 && wanted(f));
  const pairs = functions.filter((f) => f.parts !== undefined && f.parts.every((p) => singles.some((s) => s.name === p)));
  return { singles, pairs };
}

interface Stats {
  maxUlp: number;
  maxUlpAt: number;
  maxError: number; // in ulp, unrounded: |result - reference| / ulp(reference)
  maxErrorAt: number;
  exact: number;
  count: number;
  histogram: number[]; // counts of 0, 1, 2, 3 and more than 3 ulp
  inBand: number; // inputs inside the band (not in the ulp figures)
  bandMaxAbs: number; // the largest absolute error there
  bandMaxAbsAt: number;
}

interface Report {
  block: number;
  stats: Record<string, Stats>;
  /** Per single function: the hash of its SIMD results over the block. */
  fingerprints: Record<string, string>;
  mismatches: string[];
}

/** Folds 32-bit words into a 64-bit hash kept as two 32-bit halves (FNV-1a on words, two primes). */
function hashWords(state: [number, number], words: Uint32Array, count: number): void {
  let [a, b] = state;
  for (let i = 0; i < count; i++) {
    let w = words[i]!;
    if ((w & 0x7fffffff) > 0x7f800000) w = 0x7fc00000; // every NaN alike
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ ((w >>> 16) | (w << 16)), 0x000193b1) ^ (a >>> 15);
  }
  state[0] = a;
  state[1] = b;
}
const hex = (state: [number, number]): string => state.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join('');

function emptyStats(): Stats {
  return { maxUlp: 0, maxUlpAt: NaN, maxError: 0, maxErrorAt: NaN, exact: 0, count: 0, histogram: [0, 0, 0, 0, 0], inBand: 0, bandMaxAbs: 0, bandMaxAbsAt: NaN };
}

function merge(into: Stats, from: Stats): void {
  if (from.maxUlp > into.maxUlp || Number.isNaN(into.maxUlpAt)) [into.maxUlp, into.maxUlpAt] = [from.maxUlp, from.maxUlpAt];
  if (from.maxError > into.maxError || Number.isNaN(into.maxErrorAt)) [into.maxError, into.maxErrorAt] = [from.maxError, from.maxErrorAt];
  if (from.bandMaxAbs > into.bandMaxAbs) [into.bandMaxAbs, into.bandMaxAbsAt] = [from.bandMaxAbs, from.bandMaxAbsAt];
  into.inBand += from.inBand;
  into.exact += from.exact;
  into.count += from.count;
  from.histogram.forEach((n, i) => (into.histogram[i]! += n));
}

// ---------------------------------------------------------------------------------------------
// Worker: checks blocks of bit patterns.

function worker(stride: number, names: readonly string[] | undefined, sample: number): void {
  const { singles, pairs } = selected(names);
  const engines = BACKENDS.map((name) => createEngine({ backend: name }));
  const n = CHUNK;
  const xBits = new Uint32Array(n);
  const x = new Float32Array(xBits.buffer);
  // Per backend: each single's output, and each pair's two.
  const outputs = engines.map(() => ({
    single: singles.map(() => new Float32Array(n)),
    pair: pairs.map(() => [new Float32Array(n), new Float32Array(n)] as const),
  }));
  // In --ci mode the sampled inputs and the SIMD results for them.
  const sampledBits = new Uint32Array(Math.ceil(n / sample));
  const sampled = new Float32Array(sampledBits.buffer);
  const sampledSimd = singles.map(() => new Float32Array(sampled.length));
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

  const bitsOf = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0]!;

  function firstMismatch(a: Float32Array, b: Float32Array, count: number): number {
    const ua = new Uint32Array(a.buffer, a.byteOffset, count);
    const ub = new Uint32Array(b.buffer, b.byteOffset, count);
    for (let i = 0; i < count; i++) {
      if (ua[i] !== ub[i] && !(isNaNBits(ua[i]!) && isNaNBits(ub[i]!))) return i;
    }
    return -1;
  }

  /** Runs every function on `xs` on one engine, into its output buffers. */
  function runAll(engine: Engine, o: (typeof outputs)[number], xs: Float32Array): void {
    const count = xs.length;
    const sub = (a: Float32Array): Float32Array => (count === n ? a : a.subarray(0, count));
    const call = engine as unknown as Record<string, (x: Float32Array, ...outs: Float32Array[]) => unknown>;
    singles.forEach((f, k) => call[f.name]!(xs, sub(o.single[k]!)));
    pairs.forEach((f, k) => call[f.name]!(xs, sub(o.pair[k]![0]), sub(o.pair[k]![1])));
  }

  function check(block: number): Report {
    const stats: Record<string, Stats> = Object.fromEntries(singles.map((f) => [f.name, emptyStats()]));
    const hashes = singles.map((): [number, number] => [0x811c9dc5, 0x9e3779b9]);
    const mismatches: string[] = [];
    const note = (what: string, v: number): void => {
      if (mismatches.length < 20) mismatches.push(`${what} at x = ${v} (bits 0x${bitsOf(v).toString(16)})`);
    };
    const step = n * stride;
    for (let base = block; base < block + BLOCK; base += step) {
      const count = Math.min(n, Math.ceil((block + BLOCK - base) / stride));
      for (let i = 0; i < count; i++) xBits[i] = base + i * stride;
      const xs = count === n ? x : x.subarray(0, count);
      const simd = outputs[0]!;
      runAll(engines[0]!, simd, xs);
      singles.forEach((_, k) => hashWords(hashes[k]!, new Uint32Array(simd.single[k]!.buffer), count));
      // The inputs the other backends and the reference see: all, or every sample-th.
      let checked = xs;
      let want = simd.single.map((a) => a.subarray(0, count));
      if (sample > 1) {
        const m = Math.ceil(count / sample);
        for (let i = 0; i < m; i++) sampledBits[i] = xBits[i * sample]!;
        singles.forEach((_, k) => {
          for (let i = 0; i < m; i++) sampledSimd[k]![i] = simd.single[k]![i * sample]!;
        });
        checked = sampled.subarray(0, m);
        want = sampledSimd.map((a) => a.subarray(0, m));
      }
      const m = checked.length;
      outputs.forEach((o, b) => {
        if (b > 0) runAll(engines[b]!, o, checked);
        const size = b === 0 ? count : m;
        const input = b === 0 ? xs : checked;
        pairs.forEach((f, k) => {
          f.parts!.forEach((part, j) => {
            const i = firstMismatch(o.pair[k]![j]!, o.single[singles.findIndex((s) => s.name === part)]!, size);
            if (i >= 0) note(`${BACKENDS[b]}: ${f.name} ${f.outputs[j]} differs from ${part}`, input[i]!);
          });
        });
        if (b === 0) return;
        singles.forEach((f, k) => {
          const i = firstMismatch(o.single[k]!, want[k]!, m);
          if (i >= 0) note(`${f.name}: ${BACKENDS[b]} differs from simd`, checked[i]!);
        });
      });
      // The backends agree (checked above), so the SIMD results stand for all three.
      singles.forEach((f, k) => {
        const got = want[k]!;
        const gotBits = new Uint32Array(got.buffer, got.byteOffset, m);
        const reference = REFERENCES[f.name as SingleName];
        const s = stats[f.name]!;
        const band = f.bands[0];
        const [from, to] = band ? [band.from, band.to] : [NaN, NaN];
        let exact = 0;
        let inBand = 0;
        for (let i = 0; i < m; i++) {
          const v = checked[i]!;
          const r = reference(v);
          if (v >= from && v <= to) {
            inBand++;
            const error = Math.abs(got[i]! - r);
            if (error > s.bandMaxAbs || !(error === error)) [s.bandMaxAbs, s.bandMaxAbsAt] = [error === error ? error : Infinity, v];
            continue;
          }
          // Most results equal the rounded reference: count those here, tally the rest (an
          // exact result has an error below 1/2 ulp and can never be the largest).
          if (got[i] === Math.fround(r)) exact++;
          else tally(s, v, got[i]!, gotBits[i]!, r);
        }
        s.exact += exact;
        s.histogram[0]! += exact;
        s.count += m - inBand;
        s.inBand += inBand;
      });
    }
    const fingerprints = Object.fromEntries(singles.map((f, k) => [f.name, hex(hashes[k]!)]));
    return { block, stats, fingerprints, mismatches };
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

/** What docs/verify.json holds: per function, the last full run that proved it. */
interface Proof {
  fingerprint: string;
  /** Its row of the table, and its line about the band around a root, if it has one. */
  row: string;
  band?: string;
  date: string;
  machine: string;
  /** The run's length, for all the functions it checked. */
  seconds: number;
}
interface Record_ {
  note: string;
  functions: Record<string, Proof>;
}

const TABLE_HEAD = [
  '| function | bound | max ulp | at x | max error (ulp) | exactly rounded | 0 / 1 / 2 / 3 ulp |',
  '|---|---|---|---|---|---|---|',
];

async function main(): Promise<void> {
  const ci = process.argv.includes('--ci');
  const stride = option('stride', 1);
  const threads = option('threads', os.availableParallelism());
  const i = process.argv.indexOf('--functions');
  const names = i >= 0 ? (process.argv[i + 1] ?? '').split(',') : undefined;
  if (ci && (stride !== 1 || names)) throw new RangeError('--ci checks every function over all inputs: no --stride or --functions');
  const sample = ci ? SAMPLE : 1;
  const { singles, pairs } = selected(names);
  const blocks: number[] = [];
  for (let b = 0; b < TOTAL; b += BLOCK) blocks.push(b);
  const stats: Record<string, Stats> = Object.fromEntries(singles.map((f) => [f.name, emptyStats()]));
  const blockPrints: Record<string, string>[] = [];
  const mismatches: string[] = [];
  const started = Date.now();
  let next = 0;
  let done = 0;
  const what = ci
    ? `all 2^32 float32 inputs on simd (fingerprints), every ${SAMPLE}th on scalar and js and against the reference,`
    : `${stride === 1 ? 'all 2^32' : `every ${stride}th of the 2^32`} float32 inputs on simd, scalar and js,`;
  console.log(`Checking ${what} through ${singles.map((f) => f.name).join(', ')}; ${threads} threads`);
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          // Workers run this same file, loaded through tsx as the main thread was.
          const w = new Worker(
            `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`,
            { eval: true, workerData: { stride, names, sample } },
          );
          w.on('error', reject);
          w.on('message', (message: 'ready' | Report) => {
            if (message !== 'ready') {
              for (const f of singles) merge(stats[f.name]!, message.stats[f.name]!);
              blockPrints[message.block / BLOCK] = message.fingerprints;
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
  // A function's fingerprint: the hash of its blocks' hashes, in order.
  const fingerprints: Record<string, string> = {};
  for (const f of singles) {
    const state: [number, number] = [0x811c9dc5, 0x9e3779b9];
    for (const prints of blockPrints) {
      const text = prints[f.name]!;
      hashWords(state, Uint32Array.from([0, 8], (o) => parseInt(text.slice(o, o + 8), 16)), 2);
    }
    fingerprints[f.name] = hex(state);
  }
  const bits = (v: number): string => {
    const f = new Float32Array([v]);
    return `0x${new Uint32Array(f.buffer)[0]!.toString(16).padStart(8, '0')}`;
  };
  const lines = [...TABLE_HEAD];
  const rows: Record<string, { row: string; band?: string }> = {};
  const bandLines: string[] = [];
  let failed = mismatches.length > 0;
  for (const f of singles) {
    const s = stats[f.name]!;
    const bound = f.bounds[0]!;
    const band = f.bands[0];
    const bandOk = band === undefined || s.bandMaxAbs <= band.absolute;
    const ok = s.maxUlp <= bound && bandOk;
    failed ||= !ok;
    const row = `| ${f.name} | ${bound} | ${s.maxUlp}${ok ? '' : ' (FAIL)'} | ${Math.fround(s.maxUlpAt)} (${bits(s.maxUlpAt)}) | ${s.maxError.toFixed(3)} | ${((100 * s.exact) / s.count).toFixed(3)}% | ${s.histogram.slice(0, 4).join(' / ')}${s.histogram[4] ? ` / >3: ${s.histogram[4]}` : ''} |`;
    lines.push(row);
    rows[f.name] = { row };
    if (band) {
      const line = `- ${f.name}: x in [${band.from}, ${band.to}] (${s.inBand} inputs), bound ${band.absolute.toExponential(3)} absolute: largest error ${s.bandMaxAbs.toExponential(3)} (2^${Math.log2(s.bandMaxAbs).toFixed(2)}) at x = ${s.bandMaxAbsAt}${bandOk ? '' : ' (FAIL)'}; the ulp figures are for all other inputs`;
      bandLines.push(line);
      rows[f.name]!.band = line;
    }
  }
  const pairNote = pairs.length ? `${pairs.map((f) => f.name).join(', ')}: ${mismatches.length ? 'see below' : 'identical to their two functions'}` : 'no pairs';
  const first = stats[singles[0]!.name]!;
  console.log(`\n${first.count + first.inBand} inputs per function checked against the reference, ${seconds.toFixed(0)} s. simd, scalar and js: ${mismatches.length ? 'MISMATCHES' : 'bit-identical'}; ${pairNote}.\n`);
  const table = lines.join('\n') + (bandLines.length ? `\n\nAround a root (bounded in absolute terms):\n${bandLines.join('\n')}` : '');
  console.log(table);
  for (const m of mismatches) console.log(`MISMATCH ${m}`);

  const record: Record_ = existsSync(RECORD)
    ? (JSON.parse(readFileSync(RECORD, 'utf8')) as Record_)
    : { note: '', functions: {} };
  if (ci) {
    // The SIMD results must be those the last full run proved.
    console.log('');
    for (const f of singles) {
      const proof = record.functions[f.name];
      const got = fingerprints[f.name]!;
      if (proof?.fingerprint === got) {
        console.log(`fingerprint ${f.name}: ${got}, as proved by the full run of ${proof.date}`);
      } else {
        failed = true;
        console.log(
          `fingerprint ${f.name}: ${got}, but docs/verify.json has ${proof?.fingerprint ?? 'none'}: its results changed since the last full run; run npm run verify (-- --functions ${f.name}) and commit docs/verify.json`,
        );
      }
    }
  } else if (stride === 1 && !failed) {
    const date = new Date().toISOString();
    const machine = `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;
    for (const f of singles) record.functions[f.name] = { fingerprint: fingerprints[f.name]!, ...rows[f.name]!, date, machine, seconds: Math.round(seconds) };
    // In the registry's order; functions no longer in it are dropped.
    record.functions = Object.fromEntries(functions.flatMap((f) => (record.functions[f.name] ? [[f.name, record.functions[f.name]!]] : [])));
    record.note =
      'GENERATED by npm run verify (scripts/verify.ts): for each function, the exhaustive run that proved its bound; npm run verify -- --ci checks that the kernels still give these results.';
    writeFileSync(RECORD, JSON.stringify(record, null, 2) + '\n');
    const proofs = Object.values(record.functions);
    console.log(`\nWrote ${RECORD.pathname}. Its table, every function as last proved:\n`);
    console.log([...TABLE_HEAD, ...proofs.map((p) => p.row)].join('\n'));
    const bands = proofs.flatMap((p) => (p.band ? [p.band] : []));
    if (bands.length) console.log(`\nAround a root (bounded in absolute terms):\n${bands.join('\n')}`);
  }
  if (failed) {
    console.log('\nverify: FAILED');
    process.exitCode = 1;
  } else {
    console.log(`\nverify: all bounds met, all backends identical${ci ? ', every fingerprint as proved' : ''}`);
  }
}

if (isMainThread) await main();
else {
  const data = workerData as { stride: number; names: string[] | undefined; sample: number };
  worker(data.stride, data.names, data.sample);
}
