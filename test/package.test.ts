// The built package as a consumer sees it: loaded by name from another folder, from ESM and
// from CommonJS, with its type declarations.
/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as byName from 'simd-activations';
import * as built from '../build/lib/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const expected = JSON.stringify(['simd', 0.7310585786300049, [0.5, Math.fround(1 / (1 + Math.exp(-2)))]]);

it("the tests' import of 'simd-activations' is the built build/lib/index.js", () => {
  expect(byName.sigmoid).toBe(built.sigmoid);
  expect(byName.createEngine).toBe(built.createEngine);
});

describe('the package from another folder', () => {
  let dir: string;

  // The tarball npm would publish, unpacked with nothing else installed: the package must run
  // on its own files (it has no runtime dependencies).
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'simd-activations-'));
    mkdirSync(join(dir, 'node_modules'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
    ) as { filename: string }[];
    execFileSync('tar', ['-xzf', join(dir, packed!.filename), '-C', join(dir, 'node_modules')]);
    renameSync(join(dir, 'node_modules', 'package'), join(dir, 'node_modules', 'simd-activations'));
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

  it('imports only its own files, by relative path with extension (what a browser needs without a bundler)', () => {
    const lib = join(dir, 'node_modules', 'simd-activations', 'build', 'lib');
    const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files).toContain(join('generated', 'loader.js'));
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
  it('build/lib/index.d.ts exists and declares the public functions', () => {
    const file = join(root, 'build', 'lib', 'index.d.ts');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    for (const name of ['sigmoid', 'sigmoidDerivative', 'sigmoidDerivativeFromOutput', 'sigmoidWithDerivative']) {
      expect(text).toMatch(new RegExp(`export declare const ${name}\\b`));
    }
    for (const name of ['createEngine', 'createEngineAsync', 'init', 'backend', 'alloc']) {
      expect(text).toMatch(new RegExp(`export declare function ${name}\\b`));
    }
    // The package's "types" entry points at it.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { types: string } } };
    expect(join(root, pkg.exports['.'].types)).toBe(file);
  });

  it('internal members are stripped from the published declarations', () => {
    const engine = readFileSync(join(root, 'build', 'lib', 'engine.d.ts'), 'utf8');
    expect(engine).toContain('readonly sigmoid: ElementwiseFunction');
    expect(engine).toContain('(x: Float32Array, out?: Float32Array): Float32Array;');
    expect(engine).not.toMatch(/\bimpl\b/);
    expect(engine).not.toMatch(/\bpointer\b/);
  });
});
