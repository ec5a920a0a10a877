// Backend selection: the default engine, the fallbacks when WebAssembly or its SIMD is missing,
// the self-check that rejects a build computing wrong results, and the scalar build's contents.
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import binaryen from 'binaryen';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, createEngine, createEngineAsync, type WasmSource } from 'simd-activations';
import { loadWasmBackendSync, wasmBytes } from '../build/lib/backends/wasm.js';
import * as KERNEL_CONSTANTS from '../build/lib/generated/constants.js';
import * as emu from '../build/lib/backends/js.js';
import { bits, describeMismatch, variedInputs } from './helpers.js';

type Api = typeof import('simd-activations');

/** A fresh copy of the package, with its own (not yet created) default engine. */
async function freshApi(): Promise<Api> {
  vi.resetModules();
  return (await import('simd-activations')) as Api;
}

const buildFile = (name: string): URL => new URL(`../build/${name}`, import.meta.url);

function sameBytes(a: BufferSource, b: Uint8Array): boolean {
  const view = ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(a);
  return view.length === b.length && view.every((v, i) => v === b[i]);
}

/** sigmoid on an engine matches the JS emulation over inputs that exercise every region. */
function expectCorrect(engine: { sigmoid(x: Float32Array): Float32Array; sigmoidDerivative(x: Float32Array): Float32Array }): void {
  const x = variedInputs(1000, 5);
  expect(describeMismatch(engine.sigmoid(x), Float32Array.from(x, emu.sigmoid), x)).toBe('identical');
  expect(describeMismatch(engine.sigmoidDerivative(x), Float32Array.from(x, emu.sigmoidDerivative), x)).toBe('identical');
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the default engine', () => {
  it("is 'simd' in this Node", async () => {
    const api = await freshApi();
    expect(api.backend()).toBe('simd');
    expect(api.sigmoid(1)).toBe(0.7310585786300049);
  });

  it('init() resolves to the SIMD engine; concurrent calls share one result', async () => {
    const api = await freshApi();
    const first = api.init();
    const second = api.init();
    expect(second).toBe(first);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.backend).toBe('simd');
    // Later calls, sync or async, keep using that engine.
    expect(await api.init()).toBe(a);
    expect(api.backend()).toBe('simd');
    expectCorrect(a);
  });

  it('a synchronous call during init() and init() itself end up on one engine', async () => {
    const api = await freshApi();
    const pending = api.init();
    const viaSync = api.backend(); // creates the default engine synchronously
    expect(viaSync).toBe('simd');
    const engine = await pending;
    expect(await api.init()).toBe(engine);
  });
});

describe('createEngine options', () => {
  it('rejects an unknown backend with a TypeError', () => {
    expect(() => createEngine({ backend: 'bogus' as unknown as 'js' })).toThrow(TypeError);
    expect(() => createEngine({ backend: 'bogus' as unknown as 'js' })).toThrow(/bogus/);
    // Not even a key inherited from Object.prototype counts.
    expect(() => createEngine({ backend: 'toString' as unknown as 'js' })).toThrow(TypeError);
    return expect(createEngineAsync({ backend: 'bogus' as unknown as 'js' })).rejects.toThrow(TypeError);
  });

  it("'auto' (or no option) picks 'simd' here, and every named backend runs", async () => {
    expect(createEngine().backend).toBe('simd');
    expect(createEngine({ backend: 'auto' }).backend).toBe('simd');
    for (const name of ['simd', 'scalar', 'js'] as const) {
      const engine = createEngine({ backend: name });
      expect(engine.backend).toBe(name);
      expectCorrect(engine);
      const viaAsync = await createEngineAsync({ backend: name });
      expect(viaAsync.backend).toBe(name);
      expectCorrect(viaAsync);
    }
  });
});

describe('without WebAssembly', () => {
  it("'auto' falls back to the JS backend, with correct results", async () => {
    vi.stubGlobal('WebAssembly', undefined);
    const engine = createEngine();
    expect(engine.backend).toBe('js');
    expectCorrect(engine);
    const viaAsync = await createEngineAsync();
    expect(viaAsync.backend).toBe('js');
    // The default engine of a fresh copy of the package too.
    const api = await freshApi();
    expect(api.backend()).toBe('js');
    expect((await api.init()).backend).toBe('js');
    const x = new Float32Array([-100, -1, 0, 1, 20]);
    expect(Array.from(api.sigmoid(x))).toEqual(Array.from(x, emu.sigmoid));
    // Resident arrays still work (in ordinary memory).
    const r = engine.alloc(5);
    r.array.set(x);
    expect(Array.from(engine.sigmoid(r).array)).toEqual(Array.from(x, emu.sigmoid));
  });

  it.each(['simd', 'scalar'] as const)("insisting on '%s' throws an Error saying WebAssembly is not available", async (name) => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(() => createEngine({ backend: name })).toThrow(BackendUnavailableError);
    expect(() => createEngine({ backend: name })).toThrow(/WebAssembly is not available/);
    await expect(createEngineAsync({ backend: name })).rejects.toThrow(/WebAssembly is not available/);
  });
});

describe('without WebAssembly SIMD', () => {
  /**
   * A WebAssembly that rejects the bytes `rejected` picks as a runtime without SIMD rejects the
   * SIMD build: validate answers false, and compiling throws a CompileError (the backend learns
   * it so, and validates only to say why).
   */
  function rejectBytes(rejected: (bytes: BufferSource) => boolean): void {
    const real = WebAssembly;
    const invalid = (): WebAssembly.CompileError => new real.CompileError('invalid opcode (a runtime without SIMD)');
    class Module extends real.Module {
      constructor(bytes: BufferSource) {
        if (rejected(bytes)) throw invalid();
        super(bytes);
      }
      static override [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof real.Module;
      }
    }
    const compiles = (source: unknown): boolean => source instanceof real.Module || !rejected(source as BufferSource);
    vi.stubGlobal(
      'WebAssembly',
      Object.assign(Object.create(real) as typeof WebAssembly, {
        Module,
        validate: (bytes: BufferSource) => !rejected(bytes) && real.validate(bytes),
        compile: (bytes: BufferSource) => (compiles(bytes) ? real.compile(bytes) : Promise.reject(invalid())),
        instantiate: (source: BufferSource, imports?: WebAssembly.Imports) =>
          compiles(source) ? real.instantiate(source, imports) : Promise.reject(invalid()),
      }),
    );
  }
  /** Rejects the SIMD build's bytes (and only those). */
  function rejectSimdBytes(): void {
    const simd = wasmBytes('simd');
    rejectBytes((bytes) => sameBytes(bytes, simd));
  }

  it("'auto' picks the scalar build", async () => {
    rejectSimdBytes();
    const engine = createEngine();
    expect(engine.backend).toBe('scalar');
    expect(engine.rejected).toEqual([{ candidate: 'simd', reason: expect.stringMatching(/does not support 128-bit WebAssembly SIMD/) }]);
    expectCorrect(engine);
    expect((await createEngineAsync()).backend).toBe('scalar');
    const api = await freshApi();
    expect(api.backend()).toBe('scalar');
  });

  it("insisting on 'simd' throws an Error that says SIMD is unsupported", () => {
    rejectSimdBytes();
    expect(() => createEngine({ backend: 'simd' })).toThrow(BackendUnavailableError);
    expect(() => createEngine({ backend: 'simd' })).toThrow(/SIMD/);
  });

  it("'auto' falls back to JS when neither build validates", () => {
    rejectBytes(() => true);
    const engine = createEngine();
    expect(engine.backend).toBe('js');
    expect(engine.rejected.map((r) => r.candidate)).toEqual(['simd', 'scalar']);
  });
});

describe('a build supplied by the caller: init({ module }) and createEngineAsync({ module })', () => {
  const simdFile = (): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(buildFile('simd.wasm')));
  const scalarFile = (): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(buildFile('scalar.wasm')));
  let server: Server | undefined;

  /** Serves the two builds over HTTP (Node's fetch has no file: URLs); other paths answer 404. */
  async function serveBuilds(): Promise<string> {
    server = createServer((request, response) => {
      const name = request.url?.slice(1);
      if (name !== 'simd.wasm' && name !== 'scalar.wasm') return response.writeHead(404).end();
      // A generic content type on purpose: the package must not depend on application/wasm.
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(buildFile(name)));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('takes the build in every form, tells which build it is, and computes the same results', async () => {
    const base = await serveBuilds();
    const forms: [string, () => WasmSource, string][] = [
      ['a compiled Module', () => new WebAssembly.Module(simdFile()), 'simd'],
      ['an ArrayBuffer', () => scalarFile().buffer, 'scalar'],
      ['a Uint8Array view inside a larger buffer', () => {
        const bytes = simdFile();
        const padded = new Uint8Array(bytes.length + 24);
        padded.set(bytes, 8);
        return padded.subarray(8, 8 + bytes.length);
      }, 'simd'],
      ['a Response', () => new Response(scalarFile()), 'scalar'],
      ['a promise of a Response', () => fetch(`${base}simd.wasm`), 'simd'],
      ['a URL', () => new URL('scalar.wasm', base), 'scalar'],
      ['a URL string', () => `${base}simd.wasm`, 'simd'],
    ];
    for (const [, source, expected] of forms) {
      const engine = await createEngineAsync({ module: source() });
      expect(engine.backend).toBe(expected);
      expect(engine.rejected).toEqual([]);
      expectCorrect(engine);
    }
    const api = await freshApi();
    const engine = await api.init({ module: new URL('scalar.wasm', base) });
    expect(engine.backend).toBe('scalar');
    expect(api.backend()).toBe('scalar');
    expect(await api.init()).toBe(engine);
  });

  /** The SIMD build with its run64 export renamed, as a build from before the double kernels. */
  function olderBuild(): Uint8Array {
    const bytes = simdFile();
    const name = new TextEncoder().encode('run64');
    const at = bytes.findIndex((_, i) => name.every((b, j) => bytes[i + j] === b));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'x'.charCodeAt(0);
    return bytes;
  }

  it("with 'auto', a module that cannot be used is reported once and the embedded builds take over", async () => {
    const base = await serveBuilds();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const emptyModule = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const cases: [WasmSource, RegExp][] = [
      [`${base}missing.wasm`, /HTTP 404/],
      [emptyModule, /not a simd-activations build/],
      [olderBuild(), /an older version of simd-activations \(it exports no run64\)/],
      [new Uint8Array([1, 2, 3]), /cannot load it/],
      [Promise.resolve(42) as unknown as Promise<Response>, /resolved to number, not a Response/],
    ];
    for (const [source, reason] of cases) {
      warn.mockClear();
      const engine = await createEngineAsync({ module: source });
      expect(engine.backend).toBe('simd');
      expect(engine.rejected).toEqual([{ candidate: 'options.module', reason: expect.stringMatching(reason) }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(reason);
      expectCorrect(engine);
    }
  });

  /** A build with every occurrence of the bytes `from` replaced by `to` (at least two: a constant's splats). */
  function replaced(bytes: Uint8Array<ArrayBuffer>, from: Uint8Array, to: Uint8Array): Uint8Array<ArrayBuffer> {
    let count = 0;
    for (let i = 0; i + from.length <= bytes.length; i++) {
      if (from.every((b, j) => bytes[i + j] === b)) {
        bytes.set(to, i);
        count++;
      }
    }
    expect(count).toBeGreaterThan(1);
    return bytes;
  }

  it('a build that fails the self-check is not used', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The exported global C2 and the kernels' splats of it, moved 1000 ulps.
    const bytes = replaced(
      simdFile(),
      new Uint8Array(new Float32Array([KERNEL_CONSTANTS.C2]).buffer),
      new Uint8Array(new Uint32Array([bits(KERNEL_CONSTANTS.C2) + 1000]).buffer),
    );
    const engine = await createEngineAsync({ module: bytes });
    expect(engine.rejected[0]?.reason).toMatch(/self-check/);
    await expect(createEngineAsync({ module: bytes, backend: 'simd' })).rejects.toThrow(/self-check/);
  });

  it('a build whose double kernels fail their self-check keeps its float32 kernels and runs doubles in JavaScript', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The double exponential's C3 (0x3FC5555555555557), in the kernels' splats, moved 1000 ulps.
    const bytes = replaced(
      simdFile(),
      new Uint8Array(new BigUint64Array([0x3fc5555555555557n]).buffer),
      new Uint8Array(new BigUint64Array([0x3fc5555555555557n + 1000n]).buffer),
    );
    const engine = await createEngineAsync({ module: bytes, backend: 'simd' });
    expect(engine.backend).toBe('simd');
    expect(warn).not.toHaveBeenCalled(); // checked on the first use of the double kernels
    const x = Float64Array.from({ length: 1000 }, (_, i) => (i - 500) / 20);
    const js = createEngine({ backend: 'js' });
    expect(Array.from(engine.sigmoid(x))).toEqual(Array.from(js.sigmoid(x)));
    expect(Array.from(engine.gelu(x))).toEqual(Array.from(js.gelu(x)));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/double-precision kernels .* doubles run in JavaScript instead, with the same results/);
    expectCorrect(engine);
  });

  it('naming a backend insists on it', async () => {
    await expect(createEngineAsync({ module: simdFile(), backend: 'simd' })).resolves.toHaveProperty('backend', 'simd');
    await expect(createEngineAsync({ module: simdFile(), backend: 'scalar' })).rejects.toThrow(BackendUnavailableError);
    await expect(createEngineAsync({ module: simdFile(), backend: 'scalar' })).rejects.toThrow(/it is the simd build, not the scalar one/);
    await expect(createEngineAsync({ module: simdFile(), backend: 'js' })).rejects.toThrow(TypeError);
  });

  it('rejects a value of the wrong type with a TypeError naming options.module, before loading anything', async () => {
    for (const bad of [42, {}, null, true, [1, 2]]) {
      await expect(createEngineAsync({ module: bad as unknown as WasmSource })).rejects.toThrow(TypeError);
      await expect(createEngineAsync({ module: bad as unknown as WasmSource })).rejects.toThrow(/options\.module must be/);
    }
    const api = await freshApi();
    await expect(api.init({ module: 42 as unknown as WasmSource })).rejects.toThrow(/init\(options\): options\.module/);
    await expect(api.init(7 as unknown as object)).rejects.toThrow(/init\(options\): options must be a plain object/);
    // A failed init(options) leaves no default engine behind: a corrected call succeeds.
    expect((await api.init({ module: scalarFile() })).backend).toBe('scalar');
  });

  it('init(options) once the default engine exists, or while it is created synchronously, rejects', async () => {
    const api = await freshApi();
    api.sigmoid(new Float32Array(1)); // an array: a number needs no engine
    await expect(api.init({ module: scalarFile() })).rejects.toThrow(/already exists/);
    const other = await freshApi();
    const pending = other.init({ module: scalarFile() });
    other.sigmoid(new Float32Array(1)); // the default engine made synchronously while init(options) compiles
    await expect(pending).rejects.toThrow(/options were not applied/);
    expect(other.backend()).toBe('simd');
  });
});

describe('the self-check', () => {
  /** The SIMD build with every copy of one kernel constant's bytes replaced by a nearby float's. */
  function patchedSimdBuild(constant: number, ulps: number): { bytes: Uint8Array<ArrayBuffer>; replaced: number } {
    const bytes = wasmBytes('simd').slice();
    const from = bits(constant);
    const to = (from + ulps) >>> 0;
    const le = (b: number): number[] => [b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, b >>> 24];
    const [f0, f1, f2, f3] = le(from);
    let replaced = 0;
    for (let i = 0; i + 4 <= bytes.length; i++) {
      if (bytes[i] === f0 && bytes[i + 1] === f1 && bytes[i + 2] === f2 && bytes[i + 3] === f3) {
        bytes.set(le(to), i);
        replaced++;
        i += 3;
      }
    }
    return { bytes, replaced };
  }

  it('accepts the genuine builds', () => {
    expect(loadWasmBackendSync('simd').name).toBe('simd');
    expect(loadWasmBackendSync('scalar').name).toBe('scalar');
    // Patching with the same bits changes nothing: the helper itself keeps a build valid.
    const { bytes, replaced } = patchedSimdBuild(KERNEL_CONSTANTS.C2, 0);
    expect(replaced).toBeGreaterThan(0);
    expect(loadWasmBackendSync('simd', bytes).name).toBe('simd');
  });

  it.each([
    ['C2', KERNEL_CONSTANTS.C2],
    ['C3', KERNEL_CONSTANTS.C3],
    ['MINUS_LN2_LO', KERNEL_CONSTANTS.MINUS_LN2_LO],
  ] as const)('rejects a build that validates but has a wrong %s', (_, constant) => {
    const { bytes, replaced } = patchedSimdBuild(constant, 1000);
    expect(replaced).toBeGreaterThan(1); // the exported global and the kernels' splats
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(() => loadWasmBackendSync('simd', bytes)).toThrow(BackendUnavailableError);
    expect(() => loadWasmBackendSync('simd', bytes)).toThrow(/self-check/);
  });

  it("'auto' then moves on to the scalar build", () => {
    // Feed the broken bytes through the embedded-bytes cache the selection reads.
    const { bytes } = patchedSimdBuild(KERNEL_CONSTANTS.C2, 1000);
    const genuine = wasmBytes('simd');
    const saved = genuine.slice();
    genuine.set(bytes);
    try {
      const engine = createEngine();
      expect(engine.backend).toBe('scalar');
      expectCorrect(engine);
      expect(() => createEngine({ backend: 'simd' })).toThrow(/self-check/);
    } finally {
      genuine.set(saved);
    }
    expect(createEngine().backend).toBe('simd');
  });
});

describe('the builds', () => {
  it('the embedded bytes are the built .wasm files', () => {
    expect(sameBytes(wasmBytes('simd'), readFileSync(buildFile('simd.wasm')))).toBe(true);
    expect(sameBytes(wasmBytes('scalar'), readFileSync(buildFile('scalar.wasm')))).toBe(true);
    // The threads build is embedded as a patch to the SIMD build: applied, it is the build itself.
    expect(sameBytes(wasmBytes('threads'), readFileSync(buildFile('threads.wasm')))).toBe(true);
  });

  it('the scalar build contains no SIMD instruction, and validates', () => {
    const scalar = readFileSync(buildFile('scalar.wat'), 'utf8');
    const simd = readFileSync(buildFile('simd.wat'), 'utf8');
    // The check means something: the SIMD build's text does contain vector instructions.
    expect(simd).toContain('f32x4');
    expect(simd).toContain('v128');
    for (const word of ['v128', 'f32x4', 'i32x4']) expect(scalar).not.toContain(word);
    // And the shipped binary itself, disassembled by Binaryen (the compiler's own backend).
    const text = (buf: Uint8Array): string => binaryen.readBinary(buf).emitText();
    expect(text(wasmBytes('simd'))).toContain('f32x4');
    for (const word of ['v128', 'f32x4', 'i32x4']) expect(text(wasmBytes('scalar'))).not.toContain(word);
    expect(WebAssembly.validate(wasmBytes('scalar'))).toBe(true);
    expect(WebAssembly.validate(readFileSync(buildFile('scalar.wasm')))).toBe(true);
  });
});
