// The built package as a consumer sees it: loaded by name from another folder, from ESM and
// from CommonJS, with its type declarations.
/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as byName from 'simd-activations';
import * as built from '../build/lib/index.js';
import { installPacked } from '../scripts/pack.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const expected = JSON.stringify(['simd', 0.7310585786300049, [0.5, Math.fround(1 / (1 + Math.exp(-2)))]]);

it("the tests' import of 'simd-activations' is the built build/lib/index.js", () => {
  expect(byName.sigmoid).toBe(built.sigmoid);
  expect(byName.createEngine).toBe(built.createEngine);
});

describe('the package from another folder', () => {
  let dir: string;

  // The tarball npm would publish, unpacked with nothing else installed.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'simd-activations-'));
    installPacked(dir);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (file: string): string => execFileSync(process.execPath, [join(dir, file)], { cwd: dir, encoding: 'utf8' }).trim();

  it('loads by name from an ES module', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import { sigmoid, backend } from 'simd-activations';
console.log(JSON.stringify([backend(), sigmoid(1), Array.from(sigmoid(new Float32Array([0, 2])))]));
`,
    );
    expect(run('esm.mjs')).toBe(expected);
  });

  it('loads by name with require() from CommonJS', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const { sigmoid, backend } = require('simd-activations');
console.log(JSON.stringify([backend(), sigmoid(1), Array.from(sigmoid(new Float32Array([0, 2])))]));
`,
    );
    expect(run('cjs.cjs')).toBe(expected);
  });

  it('exposes the .wasm files and package.json through its exports', () => {
    writeFileSync(
      join(dir, 'exports.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { readFileSync } = await import('node:fs');
const simd = readFileSync(require.resolve('simd-activations/simd.wasm'));
const scalar = readFileSync(require.resolve('simd-activations/scalar.wasm'));
const pkg = require('simd-activations/package.json');
console.log(JSON.stringify([pkg.name, WebAssembly.validate(simd), WebAssembly.validate(scalar)]));
`,
    );
    expect(run('exports.mjs')).toBe(JSON.stringify(['simd-activations', true, true]));
  });

  it('its declarations type a consumer (strict TypeScript), and reject wrong calls', () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [] },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { sigmoid, sigmoidDerivative, sigmoidDerivativeFromOutput, sigmoidWithDerivative, init, backend, alloc,
  createEngine, createEngineAsync, createPool, BackendUnavailableError, type BackendName, type Engine, type Pool,
  type ResidentArray, type Rejection } from 'simd-activations';
const n: number = sigmoid(1);
const f: Float32Array = sigmoidDerivative(new Float32Array(2));
const d: Float64Array = sigmoidDerivativeFromOutput(new Float64Array(2));
const both: { y: Float32Array; dy: Float32Array } = sigmoidWithDerivative(new Float32Array(2));
const r: ResidentArray = sigmoid(alloc(3));
const name: BackendName = backend();
const engine: Engine = createEngine({ backend: 'scalar' });
const why: readonly Rejection[] = engine.rejected;
async function later(): Promise<void> {
  const e: Engine = await init({ module: new URL('https://example.com/simd.wasm') });
  await createEngineAsync({ backend: 'auto' });
  const pool: Pool = await createPool({ threads: 2 });
  const y: Float32Array = await pool.sigmoid(new Float32Array(4));
  const t: number = pool.threads;
  await pool.close();
  void [e, y, t];
}
// @ts-expect-error: a string is not an input
sigmoid('1');
// @ts-expect-error: the output must be of the input's kind
sigmoid(new Float32Array(1), new Float64Array(1));
// @ts-expect-error: no such backend
createEngine({ backend: 'gpu' });
void [n, f, d, both, r, name, why, later, BackendUnavailableError];
`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' })).not.toThrow();
  });

  it('imports only its own files, by relative path with extension (what a browser needs without a bundler)', () => {
    const lib = join(dir, 'node_modules', 'simd-activations', 'build', 'lib');
    const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files).toContain(join('generated', 'wasm.js'));
    let imports = 0;
    for (const file of files) {
      const text = readFileSync(join(lib, file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g)) {
        imports++;
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\.?\/.*\.js$/);
        expect(existsSync(join(lib, file, '..', specifier!)), `${file} imports ${specifier}`).toBe(true);
      }
      expect(text, file).not.toMatch(/\bimport\s*\(/); // no dynamic import either
      expect(text, file).not.toMatch(/\brequire\s*\(/);
    }
    expect(imports).toBeGreaterThan(5);
  });
});

describe('the type declarations', () => {
  it("the package's \"types\" entry is build/lib/index.d.ts", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { types: string } } };
    expect(join(root, pkg.exports['.'].types)).toBe(join(root, 'build', 'lib', 'index.d.ts'));
    expect(existsSync(join(root, 'build', 'lib', 'index.d.ts'))).toBe(true);
  });

  it('internal members are stripped from the published declarations', () => {
    const engine = readFileSync(join(root, 'build', 'lib', 'engine.d.ts'), 'utf8');
    // The registry's functions are members through the merged interface (the consumer test
    // above compiles calls to them).
    expect(engine).toMatch(/interface Engine extends EngineFunctions/);
    expect(engine).toContain('(x: Float32Array, out?: Float32Array): Float32Array;');
    expect(engine).not.toMatch(/\bimpl\b/);
    expect(engine).not.toMatch(/\bunary\(|\bpair\(/);
    expect(engine).not.toMatch(/\bpointer\b/);
  });
});
