// What the self-check shares between build time (scripts/embed-wasm.mjs, which records the
// expected results) and run time (src/backends/wasm.ts, which compares): a 32-bit FNV-1a hash of
// float32 results, every NaN counted as one, so that the package carries one number per kernel,
// not its outputs; and the row functions' inputs, made rather than listed.

/**
 * Hashes `words` (float32 bit patterns), continuing from `hash`. FNV-1a on whole words rather
 * than bytes: each step (an xor, then a multiply by an odd number) is a bijection of the hash,
 * so results that differ in one word always hash differently, as with bytes, in a quarter of
 * the steps (the self-check runs them once, in the interpreter, on the first call).
 */
export function hashFloat32Bits(words: Uint32Array, hash = 0x811c9dc5): number {
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if ((w & 0x7fffffff) > 0x7f800000) w = 0x7fc00000;
    hash = Math.imul(hash ^ w, 0x01000193);
  }
  return hash >>> 0;
}

/** Elements per row of the row functions' self-check. */
export const SELF_CHECK_ROW_LENGTH = 20;

/**
 * The row functions' self-check rows, three of SELF_CHECK_ROW_LENGTH (a block and a partial
 * one): 20 of the elementwise self-check's `inputs`, evenly spaced values, and a row whose
 * logSumExp is ~0.005, which takes logSumExp's accurate pass. Exact arithmetic only (no
 * Math.log, whose last bit differs between engines), so every engine makes the same rows.
 */
export function selfCheckRows(inputs: readonly number[]): Float32Array {
  return Float32Array.from({ length: 3 * SELF_CHECK_ROW_LENGTH }, (_, i) => {
    const j = i % SELF_CHECK_ROW_LENGTH;
    return i < 20 ? inputs[j + 8]! : i < 40 ? j * 0.43 - 4 : -3 + j / 1024;
  });
}

/**
 * The double kernels' self-check inputs: the elementwise self-check's `inputs` as doubles, and
 * the regions only doubles reach (subnormal inputs, the subnormal results of sigma and silu from
 * x = -708.4, the clamp at 768, tanh's cut-off near 2^-26), an odd count so that run64 stages a
 * tail. Exact values only.
 */
export function selfCheckDoubles(inputs: readonly number[]): Float64Array {
  return Float64Array.from([...inputs, 5e-324, -2.5e-310, -708.5, -720.25, 745.5, -760, 790, 1.4e-8, -2.9e-8, 0.3, -1.2784]);
}

/** Hashes doubles as hashFloat32Bits hashes their two words, every NaN counted as one. */
export function hashFloat64(values: Float64Array, hash?: number): number {
  const words = new Uint32Array(Float64Array.from(values, (v) => (v === v ? v : NaN)).buffer);
  return hashFloat32Bits(words, hash);
}
