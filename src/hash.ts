// A 32-bit FNV-1a hash of float32 results, every NaN counted as one: what the self-check compares
// a build's outputs by (src/backends/wasm.ts), and what the build records them as
// (scripts/embed-wasm.mjs), so that the package carries one number per kernel, not its outputs.

/** Hashes `words` (float32 bit patterns), continuing from `hash`. */
export function hashFloat32Bits(words: Uint32Array, hash = 0x811c9dc5): number {
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if ((w & 0x7fffffff) > 0x7f800000) w = 0x7fc00000;
    for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((w >>> shift) & 0xff), 0x01000193);
  }
  return hash >>> 0;
}
