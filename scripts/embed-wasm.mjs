// Writes two modules from the compiled modules in build/.
// src/generated/wasm.ts: the SIMD and scalar binaries as strings (so the package needs no bundler
// or file-path setup to find them), one or two printable characters per byte (src/byte-text.ts:
// gzip then compresses them nearly as well as the binaries, a seventh better than hexadecimal);
// the threads build as a patch to the SIMD build
// (their code is the same: they differ in the memory import and a few layout constants, so the
// patch is some hundred bytes where the build itself would add a third to the package); and
// the limits of the memory the threads build imports, read from its text (the worker pool
// creates that shared memory before instantiating the module, so it must know them).
// src/generated/kernels.ts (small: the pool's workers and the JS backend import it without the
// binaries): the kernel ids, named as on the TypeScript side (KERNEL_SIGMOID_DERIVATIVE ->
// sigmoidDerivative), so that assembly/kernel-ids.ts is the only place they are defined; the
// constants the kernels are built with (so the JS emulation uses the very values the WASM kernels
// were built with instead of a second copy that could drift), both read from build/constants.wasm
// (assembly/constants.ts); and the self-check's inputs with
// a hash of the outputs every kernel gives for them (src/hash.ts), which a runtime's build must
// reproduce bit for bit before it is used. (Run by tsx, to share src/hash.ts.)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { SELF_CHECK_ROW_LENGTH, hashFloat32Bits, hashFloat64, selfCheckDoubles, selfCheckRows } from '../src/hash.ts';
import { byteTextDecoder, encodeBytes, frequentBytes } from '../src/byte-text.ts';

const root = new URL('../', import.meta.url);
const simd = readFileSync(new URL('build/simd.wasm', root));
const scalar = readFileSync(new URL('build/scalar.wasm', root));
const threads = readFileSync(new URL('build/threads.wasm', root));
const byteTextWasm = readFileSync(new URL('build/byte-text.wasm', root));
const memoryImport = /\(import "env" "memory" \(memory \$\d+ (\d+) (\d+) shared\)\)/.exec(
  readFileSync(new URL('build/threads.wat', root), 'utf8'),
);
if (!memoryImport) throw new Error('build/threads.wat: no shared memory import with a maximum found');

/** The bytes written as one character: the most frequent in the two embedded builds. */
const singles = frequentBytes(Buffer.concat([simd, scalar]));
/** The decoder src/backends/wasm.ts uses (build/byte-text.wasm). */
const decodeBytes = byteTextDecoder(new Uint8Array(byteTextWasm), singles);
/** `bytes` as text (src/byte-text.ts), checked by decoding it as src/backends/wasm.ts does. */
function encode(bytes) {
  const text = encodeBytes(bytes, singles);
  if (!Buffer.from(decodeBytes(text)).equals(bytes)) throw new Error('src/byte-text.ts: decoding does not give the bytes back');
  return text;
}

/**
 * A patch that turns `from` into `to`: runs of [bytes to copy from `from`, bytes of `from` to
 * skip, bytes to insert (encoded)]. Greedy: copy while the bytes agree, then resynchronise on the
 * nearest 16 equal bytes. Checked by applying it (src/backends/wasm.ts applies it the same way).
 */
function diff(from, to) {
  const runs = [];
  let i = 0;
  let j = 0;
  const same = (a, b, n) => a + n <= from.length && b + n <= to.length && from.subarray(a, a + n).equals(to.subarray(b, b + n));
  while (j < to.length) {
    let copy = 0;
    while (i + copy < from.length && j + copy < to.length && from[i + copy] === to[j + copy]) copy++;
    i += copy;
    j += copy;
    let skip = 0;
    let insert = to.length - j;
    search: for (let d = 1; d < 4096; d++) {
      for (let di = 0; di <= d; di++) {
        if (same(i + di, j + d - di, 16)) {
          [skip, insert] = [di, d - di];
          break search;
        }
      }
    }
    runs.push([copy, skip, encode(Buffer.from(to.subarray(j, j + insert)))]);
    i += skip;
    j += insert;
  }
  return runs;
}
function patch(from, runs) {
  const parts = [];
  let i = 0;
  for (const [copy, skip, insert] of runs) {
    parts.push(from.subarray(i, i + copy), decodeBytes(insert));
    i += copy + skip;
  }
  return Buffer.concat(parts);
}
const threadsPatch = diff(simd, threads);
if (!patch(simd, threadsPatch).equals(threads)) throw new Error('the threads patch does not rebuild build/threads.wasm');

// The kernel ids and constants: exported by build/constants.wasm only (assembly/constants.ts).
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('build/constants.wasm', root))), {});
const globals = Object.entries(exports).filter(([, value]) => value instanceof WebAssembly.Global);
const camel = (name) => name.toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const kernelIds = globals.filter(([name]) => name.startsWith('KERNEL_')).map(([name, global]) => [camel(name.slice(7)), global.value]);
const rowKinds = globals.filter(([name]) => name.startsWith('ROWS_')).map(([name, global]) => [camel(name.slice(5)), global.value]);

const F32_COST = 12;

/**
 * A constant as source text. Most are float32 values, whose shortest double digits run to 17
 * (0.4999999403953552): those are written as their shortest float32 digits, rounded to float32
 * at load time (f32(0.49999994), the same double), where that is shorter. The digits are
 * checked by that very rounding (a decimal rounded to double, then to float32).
 */
function literal(value) {
  const plain = String(value);
  if (!Number.isFinite(value) || Math.fround(value) !== value) return plain;
  for (let digits = 1; digits <= 9; digits++) {
    const short = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(short)) === value) return short.length < plain.length ? `/* @__PURE__ */ f32(${short})` : plain;
  }
  throw new Error(`no float32 digits found for ${plain}`);
}
const constants = globals.filter(([name]) => !/^(KERNEL|ROWS)_/.test(name)).map(([name, global]) => `export const ${name} = ${literal(global.value)};`);

// Special values, both signs of every region of the algorithms (e^-|x| near 1, where 1 + e
// rounds to 1, subnormal results, the clamps), and enough of them (43) that the SIMD build's loop
// runs whole blocks and a partial one (map.ts).
const SELF_CHECK_INPUTS = [
  0, -0, 1, -1, 0.5, -0.5, 1e-30, -1e-30, 0.25, -3.75, 5.5, -7.125, 9, -12.5, 15, -16.6,
  17, -20, 30, -42, 60, -80, 87.3, -87.4, 88, -90, 95, -100, 103, -103.9, 104, -112,
  113, -1000, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 1e-45, -1e-45, 0.75, -0.125,
];
/** The hash of both outputs of every kernel of a build for SELF_CHECK_INPUTS, the second cleared first. */
function selfCheckHashes(build) {
  const { exports: e } = new WebAssembly.Instance(new WebAssembly.Module(build), {});
  const n = SELF_CHECK_INPUTS.length;
  const at = (pointer) => new Uint32Array(e.memory.buffer, pointer, n);
  const [input, output, output2] = [e.SCRATCH_INPUT.value, e.SCRATCH_OUTPUT.value, e.SCRATCH_OUTPUT2.value];
  const hashes = {};
  for (const [name, id] of kernelIds) {
    new Float32Array(e.memory.buffer, input, n).set(SELF_CHECK_INPUTS);
    at(output2).fill(0); // a kernel with one result must leave it zero
    e.run(id, input, output, output2, n, e.SCRATCH_TAIL.value);
    hashes[name] = hashFloat32Bits(at(output2), hashFloat32Bits(at(output)));
  }
  return hashes;
}
const expected = selfCheckHashes(scalar);
// The SIMD build must agree before it is embedded (the runtime self-check would only fall back).
const simdHashes = selfCheckHashes(simd);
const disagree = Object.keys(expected).filter((name) => expected[name] !== simdHashes[name]);
if (disagree.length) throw new Error(`the SIMD and scalar builds disagree on the self-check inputs: ${disagree.join(', ')}`);

// The row functions' self-check (only the SIMD build has them): the SIMD build's results for
// selfCheckRows (src/hash.ts) are what every engine must reproduce at run time (the tests check
// that they are the JS twin's); a hash each, so that the check runs no JavaScript emulation.
const SELF_CHECK_ROWS = selfCheckRows(SELF_CHECK_INPUTS);
const rowHashes = (() => {
  const { exports: e } = new WebAssembly.Instance(new WebAssembly.Module(simd), {});
  const [input, output] = [e.SCRATCH_INPUT.value, e.SCRATCH_OUTPUT.value];
  const hashes = {};
  for (const [name, kind] of rowKinds) {
    new Float32Array(e.memory.buffer, input, SELF_CHECK_ROWS.length).set(SELF_CHECK_ROWS);
    e.rows(kind, input, output, SELF_CHECK_ROW_LENGTH, SELF_CHECK_ROWS.length / SELF_CHECK_ROW_LENGTH, e.SCRATCH_ROW_STATE.value);
    hashes[name] = hashFloat32Bits(new Uint32Array(e.memory.buffer, output, name === 'logSumExp' ? SELF_CHECK_ROWS.length / SELF_CHECK_ROW_LENGTH : SELF_CHECK_ROWS.length));
  }
  return hashes;
})();

// The double kernels' self-check (SIMD build): every double kernel's two outputs for
// selfCheckDoubles (src/hash.ts), one hash for all of them (the tests check the results are the
// JS twin's). A failure is rare enough that naming the kernel is not worth a number per kernel.
const doubleHash = (() => {
  const { exports: e } = new WebAssembly.Instance(new WebAssembly.Module(simd), {});
  const inputs = selfCheckDoubles(SELF_CHECK_INPUTS);
  const n = inputs.length;
  const [input, output, output2] = [e.SCRATCH_INPUT.value, e.SCRATCH_OUTPUT.value, e.SCRATCH_OUTPUT2.value];
  const at = (pointer) => new Float64Array(e.memory.buffer, pointer, n);
  let hash;
  for (let id = 0; id < kernelIds.length; id++) { // kernel-ids.ts numbers them from 0
    at(input).set(inputs);
    at(output2).fill(0);
    e.run64(id, input, output, output2, n, e.SCRATCH_TAIL.value);
    hash = hashFloat64(at(output2), hashFloat64(at(output), hash));
  }
  return hash;
})();

mkdirSync(new URL('src/generated/', root), { recursive: true });
writeFileSync(new URL('src/generated/wasm.ts', root), `// GENERATED by scripts/embed-wasm.mjs from build/*.wasm: do not edit.
// Rebuilt by \`npm run build\` (and so by \`npm install\`).

// The builds as text (src/byte-text.ts): the set of bytes written as one character, then each build.
export const WASM_SINGLES: string = '${singles}';

export const SIMD_WASM: string =
  '${encode(simd)}';

export const SCALAR_WASM: string =
  '${encode(scalar)}';

/**
 * The SIMD build over an imported shared memory, for the worker pool, as a patch to the SIMD
 * build: runs of [bytes to copy, bytes to skip, bytes to insert (as text)].
 */
export const THREADS_WASM_PATCH: readonly (readonly [number, number, string])[] = ${JSON.stringify(threadsPatch)};

/** The limits of the shared memory the threads build imports, in 64 KiB pages. */
export const THREADS_MEMORY_PAGES = { initial: ${memoryImport[1]}, maximum: ${memoryImport[2]} } as const;

/** The decoder of the builds' text (build/byte-text.wasm, from assembly/byte-text.ts). */
export const BYTE_TEXT_DECODER: readonly number[] = [${[...byteTextWasm].join(',')}];
`);

// One export per constant, not an object: a bundler renames (and drops unused) module bindings,
// while an object's property names stay in the minified code (0.6 KB of the gzipped bundle).
writeFileSync(new URL('src/generated/constants.ts', root), `// GENERATED by scripts/embed-wasm.mjs from build/constants.wasm: do not edit.
// Rebuilt by \`npm run build\` (and so by \`npm install\`). The constants the kernels are built
// with, by their names in assembly/ (import * as K from './constants.js'). A float32 value is
// written as its shortest float32 digits, rounded by f32 (the same value, shorter digits).
const f32 = Math.fround;
${constants.join('\n')}
`);

// The names in the order of their ids, which assembly/kernel-ids.ts numbers from 0: each table
// is then a list, zipped with the names at load time, rather than an object that spells the
// names out once more.
const inIdOrder = (entries) => {
  const names = entries.map(([name]) => name);
  if (entries.some(([, id], index) => id !== index)) throw new Error(`assembly/kernel-ids.ts: ids not numbered from 0 in order: ${JSON.stringify(entries)}`);
  return `[${names.map((name) => `'${name}'`).join(', ')}]`;
};
const hashes = (table, entries) => `[${entries.map(([name]) => `0x${table[name].toString(16).padStart(8, '0')}`).join(', ')}]`;

writeFileSync(new URL('src/generated/kernels.ts', root), `// GENERATED by scripts/embed-wasm.mjs from build/constants.wasm and build/scalar.wasm: do not edit.
// Rebuilt by \`npm run build\` (and so by \`npm install\`).

/** The kernels' names, in the order of their ids (assembly/kernel-ids.ts numbers them from 0). */
const KERNEL_NAMES = ${inIdOrder(kernelIds)} as const;

/** The name of a kernel every backend provides. */
export type KernelName = (typeof KERNEL_NAMES)[number];

/** The row functions' names, in the order of their kinds (assembly/kernel-ids.ts, from 0). */
const ROW_KIND_NAMES = ${inIdOrder(rowKinds)} as const;

/** The name of a row function every backend provides. */
export type RowKindName = (typeof ROW_KIND_NAMES)[number];

/** An object with a property per name, each name's value at its index. */
function zip<Name extends string, T>(names: readonly Name[], values: readonly T[]): Record<Name, T> {
  return Object.fromEntries(names.map((name, index) => [name, values[index]!])) as Record<Name, T>;
}

/** Each kernel's id, the first argument of the builds' run() (assembly/kernel-ids.ts). */
export const KERNEL_IDS: Record<KernelName, number> = zip(KERNEL_NAMES, KERNEL_NAMES.map((_, id) => id));

/** Each row function's kind, the first argument of the builds' row passes (assembly/kernel-ids.ts). */
export const ROW_KINDS: Record<RowKindName, number> = zip(ROW_KIND_NAMES, ROW_KIND_NAMES.map((_, kind) => kind));

/** The self-check's inputs (float32 values). */
export const SELF_CHECK_INPUTS: readonly number[] = [${SELF_CHECK_INPUTS.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')}];

/**
 * The hash (src/hash.ts) of each kernel's two outputs for SELF_CHECK_INPUTS (the first, then the
 * second, which a kernel with one result leaves zero), computed by the scalar build at build time.
 */
export const SELF_CHECK_HASHES: Record<KernelName, number> = zip(KERNEL_NAMES, ${hashes(expected, kernelIds)});

/** The hash of each row function's results for selfCheckRows(SELF_CHECK_INPUTS) (src/hash.ts), computed by the SIMD build at build time. */
export const SELF_CHECK_ROW_HASHES: Record<RowKindName, number> = zip(ROW_KIND_NAMES, ${hashes(rowHashes, rowKinds)});

/** The hash of every double kernel's two outputs for selfCheckDoubles(SELF_CHECK_INPUTS) (src/hash.ts), in id order, computed by the SIMD build at build time. */
export const SELF_CHECK_DOUBLE_HASH = 0x${doubleHash.toString(16).padStart(8, '0')};
`);
