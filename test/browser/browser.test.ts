// The package in a real browser (Debian's headless Chromium, driven by playwright-core): loaded
// with no bundler, in a page and in a worker; under a Content-Security-Policy with and without
// 'wasm-unsafe-eval'; and the demo, served as files and as built by Vite. Results computed in
// the browser must be bit-identical to the same computation in Node.
/// <reference types="node" />
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  functions,
  sigmoid as sigmoid64,
  sigmoidDerivative as sigmoidDerivative64,
  silu as silu64,
  siluDerivative as siluDerivative64,
} from 'simd-activations';
import { MIN_PARALLEL_LENGTH } from '../../build/lib/pool.js';
import { launch, type Browser } from '../../scripts/chromium.js';
import { outputs } from './fixture.js';
import { serve, type Served } from '../../scripts/serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Forbids compiling WebAssembly: no 'wasm-unsafe-eval' (nor 'unsafe-eval').
const CSP_WITHOUT_WASM = "default-src 'self'; img-src 'self' data:; script-src 'self' 'unsafe-inline'";
const CSP_WITH_WASM = "default-src 'self'; img-src 'self' data:; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'";

/** Float32 bit patterns: special values, a stride through all 2^32, and seeded values in [-120, 120]. */
function inputBits(): number[] {
  const out: number[] = [];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (const v of [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-45, -1e-45, 88.7, -88.7, -103.97, -104, 3.4e38, -3.4e38]) {
    f32[0] = v;
    out.push(u32[0]!);
  }
  for (let b = 0; b < 2 ** 32; b += 0x10001 * 7) out.push(b >>> 0);
  let state = 12345;
  for (let i = 0; i < 4096; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    f32[0] = (state / 2 ** 32) * 240 - 120;
    out.push(u32[0]!);
  }
  return out; // 15 + 9363 + 4096 values: not a multiple of the unroll, over several chunks
}

const INPUT_BITS = inputBits();

/** What the fixture computes, computed in Node by the fixture's own code, on the JS backend (the reference emulation). */
function expectedInNode(): Record<string, number[]> {
  const x = new Float32Array(Uint32Array.from(INPUT_BITS).buffer);
  const expected = outputs(createEngine({ backend: 'js' }), x);
  // Node's SIMD build agrees with its JS backend, so either is the reference.
  expect(outputs(createEngine({ backend: 'simd' }), x)).toEqual(expected);
  return expected;
}

interface Selection {
  backend: string;
  rejected: { candidate: string; reason: string }[];
}
interface FixtureResult {
  default: Selection & { sigmoid: number[] };
  sync: Selection | { error: string };
  fromUrl: (Selection & { sigmoid: number[] }) | { error: string };
  backends: Record<string, Record<string, number[]> | { error: string }>;
  isWorker: boolean;
}

/** The first index where two bit arrays differ, described; or 'identical'. */
function firstDifference(got: number[] | undefined, want: number[]): string {
  if (!got) return 'missing';
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  const nan = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i] && !(nan(got[i]!) && nan(want[i]!))) {
      return `input bits 0x${INPUT_BITS[i]!.toString(16)}: got 0x${got[i]!.toString(16)}, expected 0x${want[i]!.toString(16)}`;
    }
  }
  return 'identical';
}

let browser: Browser;
let plain: Served;
let noWasm: Served;
let withWasm: Served;
let viteBuilt: Served;
let isolated: Served;
let viteDir: string;
let expected: Record<string, number[]>;

beforeAll(async () => {
  expected = expectedInNode();
  viteDir = mkdtempSync(join(tmpdir(), 'simd-activations-vite-'));
  await build({ configFile: join(root, 'demo', 'vite.config.ts'), build: { outDir: viteDir, emptyOutDir: true } });
  [browser, plain, noWasm, withWasm, viteBuilt, isolated] = await Promise.all([
    launch(),
    serve(root),
    serve(root, { headers: { 'content-security-policy': CSP_WITHOUT_WASM } }),
    serve(root, { headers: { 'content-security-policy': CSP_WITH_WASM } }),
    serve(viteDir),
    serve(root, { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), plain?.close(), noWasm?.close(), withWasm?.close(), viteBuilt?.close(), isolated?.close()]);
  if (viteDir) rmSync(viteDir, { recursive: true, force: true });
});

/** Opens the fixture page and runs it in the page or in a worker. */
async function runFixture(server: Served, where: 'page' | 'worker'): Promise<{ result: FixtureResult; errors: string[]; page: Page }> {
  const { page, errors } = await browser.page();
  await page.goto(`${server.url}test/browser/fixture.html`);
  await page.waitForSelector('html[data-ready]');
  const result = (await page.evaluate(
    ([bits, inWorker]) => {
      const fixture = (window as unknown as { fixture: { run(b: number[]): Promise<unknown>; runInWorker(b: number[]): Promise<unknown> } }).fixture;
      return inWorker ? fixture.runInWorker(bits) : fixture.run(bits);
    },
    [INPUT_BITS, where === 'worker'] as const,
  )) as FixtureResult;
  expect(result.isWorker).toBe(where === 'worker');
  return { result, errors, page };
}

function expectAllBackendsIdentical(result: FixtureResult, backends: string[]): void {
  for (const backend of backends) {
    const outputs = result.backends[backend] as Record<string, number[]>;
    expect(outputs, `${backend}: ${JSON.stringify((outputs as { error?: string }).error)}`).not.toHaveProperty('error');
    for (const [name, want] of Object.entries(expected)) {
      expect(firstDifference(outputs[name], want), `${backend} ${name}`).toBe('identical');
    }
  }
}

describe.each(['page', 'worker'] as const)('the package without a bundler, in a %s', (where) => {
  it("loads with no console error, picks 'simd', and every backend's results are bit-identical to Node's", async () => {
    const { result, errors, page } = await runFixture(plain, where);
    expect(errors).toEqual([]);
    expect(result.default.backend).toBe('simd');
    expect(result.default.rejected).toEqual([]);
    expect(firstDifference(result.default.sigmoid, expected.sigmoid!)).toBe('identical');
    expectAllBackendsIdentical(result, ['simd', 'scalar', 'js']);
    // init({ module }) with the URL of the .wasm file, served as a file.
    expect(result.fromUrl).toMatchObject({ backend: 'simd', rejected: [] });
    expect(firstDifference((result.fromUrl as { sigmoid: number[] }).sigmoid, expected.sigmoid!)).toBe('identical');
    // A first call without init() compiles synchronously, on the main thread too.
    expect(result.sync).toEqual({ backend: 'simd', rejected: [] });
    await page.close();
  });
});

describe.each(['page', 'worker'] as const)('under a Content-Security-Policy, in a %s', (where) => {
  it("without 'wasm-unsafe-eval': the JS backend, the same numbers, no uncaught error", async () => {
    const { result, errors, page } = await runFixture(noWasm, where);
    expect(errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    expect(result.default.backend).toBe('js');
    expect(result.default.rejected.map((r) => r.candidate)).toEqual(['simd', 'scalar']);
    expect(firstDifference(result.default.sigmoid, expected.sigmoid!)).toBe('identical');
    expectAllBackendsIdentical(result, ['js']);
    // Insisting on a WASM backend says why it cannot run.
    for (const backend of ['simd', 'scalar']) expect(result.backends[backend]).toEqual({ error: expect.stringMatching(/cannot run here/) });
    expect(result.fromUrl).toHaveProperty('error');
    await page.close();
  });

  it("with 'wasm-unsafe-eval': SIMD runs", async () => {
    const { result, errors, page } = await runFixture(withWasm, where);
    expect(errors).toEqual([]);
    expect(result.default.backend).toBe('simd');
    expectAllBackendsIdentical(result, ['simd', 'scalar', 'js']);
    await page.close();
  });
});

describe('the worker pool in a page', () => {
  const length = MIN_PARALLEL_LENGTH + 1000;

  async function runPool(server: Served): Promise<{ result: PoolResult; errors: string[]; warnings: string[] }> {
    const { page, errors } = await browser.page();
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(`${server.url}test/browser/fixture.html`);
    await page.waitForSelector('html[data-ready]');
    const result = (await page.evaluate(
      ([bits, n]) => (window as unknown as { fixture: { runPool(b: number[], n: number): Promise<unknown> } }).fixture.runPool(bits, n),
      [INPUT_BITS, length] as const,
    )) as PoolResult;
    await page.close();
    return { result, errors, warnings };
  }

  it('cross-origin isolated (COOP and COEP headers): 2 threads, results bit-identical to the JS backend', async () => {
    const { result, errors, warnings } = await runPool(isolated);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(result).toEqual({ threads: 2, crossOriginIsolated: true, differences: { shared: 0, resident: 0, ordinary: 0 } });
  });

  it('not isolated: the calling thread, threads === 1, one warning that says why, the same results', async () => {
    const { result, errors, warnings } = await runPool(plain);
    expect(errors).toEqual([]);
    expect(result).toEqual({ threads: 1, crossOriginIsolated: false, differences: { shared: null, resident: 0, ordinary: 0 } });
    expect(warnings).toEqual([expect.stringMatching(/calling thread: the page is not cross-origin isolated/)]);
  });
});

interface PoolResult {
  threads: number;
  crossOriginIsolated: boolean;
  differences: Record<string, number | null>;
}

/** The demo's checks: no console error, SIMD, the plot drawn, a typed-in x, the race finished. */
async function checkDemo(url: string): Promise<void> {
  const { page, errors } = await browser.page();
  await page.goto(url);
  await page.waitForSelector('html[data-backend]');
  expect(await page.getAttribute('html', 'data-backend')).toBe('simd');
  expect(await page.textContent('#backend')).toContain('self-check');

  // Two curves of 2,001 points each, and the two flat regions shaded and labelled.
  const paths = await page.$$eval('#plot path.series', (nodes) => nodes.map((n) => (n.getAttribute('d') ?? '').split('L').length));
  expect(paths).toEqual([2001, 2001]);
  expect(await page.$$eval('#plot text', (nodes) => nodes.filter((n) => n.textContent === '|σ′| < 0.01').length)).toBe(2);

  // Typing x shows the package's float64 results.
  await page.fill('#x', '-2.5');
  expect(await page.textContent('#f')).toBe(String(sigmoid64(-2.5)));
  expect(await page.textContent('#f-prime')).toBe(String(sigmoidDerivative64(-2.5)));

  // The picker offers every function that comes with its derivative; picking one redraws the
  // plot and the values with it (and the race below then races it).
  const offered = await page.$$eval('#function option', (nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
  expect(offered).toEqual(functions.flatMap((f) => (f.parts ? [f.parts[0]] : [])));
  await page.selectOption('#function', 'silu');
  await page.waitForSelector('html[data-function="silu"]');
  expect(await page.$$eval('#plot path.series', (nodes) => nodes.map((n) => (n.getAttribute('d') ?? '').split('L').length))).toEqual([2001, 2001]);
  expect(await page.textContent('#f')).toBe(String(silu64(-2.5)));
  expect(await page.textContent('#f-prime')).toBe(String(siluDerivative64(-2.5)));

  // The race, on two sizes, short rounds: a number for every case, measured in a worker.
  for (const size of ['256', '4096', '65536', '1048576']) await page.setChecked(`input[name=size][value="${size}"]`, size === '256' || size === '4096');
  await page.check('input[name=millis][value="100"]');
  // The race runs in a module worker that the click creates: wait for the browser to report
  // it (page.workers() is filled in asynchronously, so reading it right after the click races).
  const raceWorker = page.waitForEvent('worker', { timeout: 60_000 });
  await page.click('#start');
  expect((await raceWorker).url()).toMatch(/race-worker[^/]*\.js$/);
  await page.waitForSelector('html[data-race="done"], html[data-race="failed"]', { timeout: 60_000 });
  expect(await page.textContent('#status')).toBe('Done.');
  const values = await page.$$eval('#bars .bar-value', (nodes) => nodes.map((n) => n.textContent ?? ''));
  expect(values).toHaveLength(2 * 5);
  for (const value of values) expect(value).toMatch(/^\d+(\.\d+)? M elem\/s/);
  expect(await page.$$eval('#bars .bar', (nodes) => nodes.length)).toBe(2 * 5);

  expect(errors).toEqual([]);
  await page.close();
}

describe('the demo', () => {
  it('served as files (no bundler)', async () => {
    await checkDemo(`${plain.url}demo/`);
  });

  it('built by Vite', async () => {
    await checkDemo(viteBuilt.url);
  });
});
