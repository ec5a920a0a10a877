// `npm run test:engines`: the packed package, imported by name as its users import it, on Node,
// Deno, Bun, Chromium, Firefox ESR and WebKitGTK (runtimes.ts). Each runs the same probe
// (probe.js): the backend the default engine picked, fingerprints of every public function on
// every backend over a fixed input set, an API smoke test, and the worker pool (in the browsers
// in a cross-origin isolated page, and again in a module worker without the pool). Every
// fingerprint (float32, Float64Array, number, rows) and smoke-test answer must equal Node's: the
// double forms call no Math.exp, so they too are the same bits everywhere. Writes the
// compatibility table to test/engines/results.md and prints it.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPacked } from '../../scripts/pack.js';
import { serve } from '../../scripts/serve.js';
import { RUNTIMES, type PoolReport, type Report, type Run, type Runtime } from './runtimes.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TIMEOUT_MS = 120_000;

interface Outcome {
  runtime: Runtime;
  run?: Run;
  error?: string;
  /** What differs from Node's (any fingerprint, the smoke test, the pool): any fails the run. */
  problems: string[];
  float32: { equal: number; total: number };
  /** Float64Array and number paths. */
  float64: { equal: number; total: number };
}

type Section = Record<string, Record<string, string> | { error: string }>;

/** Counts the fingerprints of `got` equal to Node's, for each backend and label Node has. */
function compareSection(name: string, want: Section, got: Section, count: { equal: number; total: number }, differ: (what: string) => void): void {
  for (const [backend, fingerprints] of Object.entries(want)) {
    const mine = got[backend];
    for (const [label, value] of Object.entries(fingerprints)) {
      count.total++;
      if (mine && !('error' in mine) && mine[label] === value) count.equal++;
      else differ(`${name} ${backend} ${label}: ${mine && 'error' in mine ? mine.error : (mine?.[label] ?? 'missing')} (Node: ${value})`);
    }
  }
}

/** Checks one report against Node's, into `outcome`. */
function compare(where: string, want: Report, got: Report, outcome: Outcome): void {
  const problem = (what: string): number => outcome.problems.push(`${where}: ${what}`);
  compareSection('float32', want.float32, got.float32, outcome.float32, problem);
  // The row functions, float32 and Float64Array alike, must be Node's bits (counted with float32).
  compareSection('rows', want.rows, got.rows, outcome.float32, problem);
  for (const section of ['float64', 'number'] as const) compareSection(section, want[section], got[section], outcome.float64, problem);
  for (const [backend, answers] of Object.entries(want.smoke)) {
    const mine = JSON.stringify(got.smoke[backend]);
    if (mine !== JSON.stringify(answers)) problem(`smoke test on ${backend}: ${mine} (Node: ${JSON.stringify(answers)})`);
  }
  if (got.pool === null) return;
  if ('error' in got.pool) return void problem(`createPool: ${got.pool.error}`);
  // Every kind of array through the pool must give what the synchronous functions give in Node.
  const reference = (want.pool as PoolReport).fingerprints['sync']!;
  for (const [kind, fingerprints] of Object.entries(got.pool.fingerprints)) {
    compareSection('pool', { [kind]: reference }, { [kind]: fingerprints }, outcome.float32, problem);
  }
  if (outcome.runtime.threads && got.pool.threads < 2) problem(`the pool has ${got.pool.threads} thread: ${got.pool.warnings.join(' ')}`);
}

/** Node's report must itself pass: every smoke check held, the pool had threads. */
function checkReference(node: Report): string[] {
  const problems: string[] = [];
  for (const [backend, answers] of Object.entries(node.smoke)) {
    if ('error' in answers) problems.push(`Node ${backend}: ${String(answers.error)}`);
    else for (const [fn, checks] of Object.entries(answers)) for (const [check, value] of Object.entries(checks)) if (value === false) problems.push(`Node smoke test: ${fn} ${check} failed on ${backend}`);
  }
  if (!node.pool || 'error' in node.pool) problems.push(`Node createPool: ${node.pool ? node.pool.error : 'not run'}`);
  return problems;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The table.

const cell = (count: { equal: number; total: number }): string =>
  count.total === 0 ? 'n/a' : count.equal === count.total ? `yes (${count.total})` : `**no** (${count.equal} of ${count.total})`;

function backendCell(reports: Report[]): string {
  const picked = [...new Set(reports.map((r) => [r.backend, ...r.rejected.map((j) => `${j.candidate} rejected: ${j.reason}`)].join('; ')))];
  return picked.join(' / ');
}

function table(outcomes: Outcome[], footnotes: string[]): string {
  const rows = [
    '| runtime | version | engine | backend picked | pool threads | float32 = Node | float64, number = Node | API smoke test |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    if (!o.run) {
      rows.push(`| ${o.runtime.name} | | | | | **failed**: ${o.error?.replaceAll('|', '\\|').replaceAll('\n', ' ')} | | |`);
      continue;
    }
    const reports = Object.values(o.run.reports);
    const places = Object.keys(o.run.reports).length > 1 ? ` (${Object.keys(o.run.reports).join(', ')})` : '';
    const pool = reports.map((r) => r.pool).find((p): p is PoolReport => p !== null && !('error' in p));
    let threads = pool ? String(pool.threads) : 'failed';
    const note = (text: string): void => {
      footnotes.push(`${o.runtime.name}: ${text}`);
      threads += ` [${footnotes.length}]`;
    };
    if (pool && pool.threads < 2) {
      note(`${pool.warnings.join(' ')} (crossOriginIsolated: ${pool.crossOriginIsolated}, SharedArrayBuffer: ${pool.sharedArrayBuffer ? 'yes' : 'no'})`);
    }
    // The pool's default is the cores the runtime reports, which browsers may round.
    if (pool && pool.threads > cpus().length) {
      note(`createPool() took ${pool.threads} threads on ${cpus().length} cores: navigator.hardwareConcurrency is ${pool.hardwareConcurrency} here`);
    }
    const smoke = o.problems.some((p) => p.includes('smoke test')) ? '**fail**' : 'pass';
    rows.push(
      `| ${o.runtime.name}${places} | ${o.run.version} | ${o.run.engine} | ${backendCell(reports)} | ${threads} | ${cell(o.float32)} | ${cell(o.float64)} | ${smoke} |`,
    );
  }
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'simd-activations-engines-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

// The folder a user's project would be: the packed package in node_modules, the probe beside it.
installPacked(dir);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module', dependencies: { 'simd-activations': '*' } }));
mkdirSync(join(dir, 'probe'));
for (const file of ['probe.js', 'cli.js', 'worker.js', 'page.html']) copyFileSync(join(here, file), join(dir, 'probe', file));
// Cross-origin isolated, so that the pool can have workers in the browsers.
const served = await serve(dir, { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });

const outcomes: Outcome[] = [];
for (const runtime of RUNTIMES) {
  const started = Date.now();
  const outcome: Outcome = { runtime, problems: [], float32: { equal: 0, total: 0 }, float64: { equal: 0, total: 0 } };
  try {
    outcome.run = await withTimeout(runtime.run(dir, served.url, TIMEOUT_MS), TIMEOUT_MS + 30_000, runtime.name);
  } catch (error) {
    outcome.error = (error as Error).message;
    outcome.problems.push(`${runtime.name}: ${outcome.error}`);
  }
  outcomes.push(outcome);
  console.log(`${runtime.name}: ${outcome.error ? `FAILED: ${outcome.error}` : 'ran'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
await served.close();

const node = outcomes[0]?.run?.reports['main'];
if (node) {
  outcomes[0]!.problems.push(...checkReference(node));
  for (const outcome of outcomes.filter((o) => o.run)) {
    for (const [where, report] of Object.entries(outcome.run!.reports)) compare(`${outcome.runtime.name} ${where}`, node, report, outcome);
  }
}
const problems = outcomes.flatMap((o) => o.problems);

const footnotes: string[] = [];
const rows = table(outcomes, footnotes);
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const markdown = `# Engine compatibility

Written by \`npm run test:engines\` (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, ${cpu}, ${cpus().length} cores).
The packed package, imported by name, on each runtime: the backend its default engine picked, and
fingerprints (MurmurHash3 of the output bits, NaNs made one NaN) of every public function on every
backend (\`createEngine({ backend })\`: simd, scalar, js) over ${node?.inputs ?? '?'} float32 inputs
(±0, ±inf, NaN, σ's subnormal band, the derivative's tail, a dense sweep near 0) and
${node?.doubleInputs ?? '?'} doubles (those, every binade of both signs, the band of subnormal double
results, the tails to the clamp, cut-offs and roots) as Float64Arrays and as numbers, and of the pool
(\`createPool()\`) on 4 Mi + 1003 elements through resident, SharedArrayBuffer and ordinary arrays.
In the browsers the page is cross-origin isolated (COOP and COEP headers) and the probe runs in the
page and in a module worker. "= Node" counts the fingerprints equal to Node's (float32 with the
row functions; Float64Array and numbers), all of which must be; the API smoke test (in place,
overlapping outputs, resident arrays, the error types of bad arguments) must give Node's answers.
WebKitGTK runs twice: as shipped, where a cross-origin isolated page still has no
SharedArrayBuffer, and with JavaScriptCore's option \`JSC_useSharedArrayBuffer=1\` in the browser's
environment, so that the pool's workers run on JavaScriptCore too.

${rows}
${footnotes.map((f, i) => `\n[${i + 1}] ${f}`).join('\n')}
`;

writeFileSync(join(here, 'results.md'), markdown);
console.log(`\n${markdown}`);
if (problems.length) console.log(`Problems:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
const failed = outcomes.filter((o) => o.problems.length > 0).length;
console.log(`${outcomes.length - failed} passed, ${failed} failed`);
process.exit(problems.length ? 1 : 0);
