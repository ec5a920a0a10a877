// The decoder of the embedded builds' text (src/byte-text.ts describes the code; src/byte-text.ts's
// byteTextDecoder runs this), a module of its own (build/byte-text.wasm, asconfig.byte-text.json),
// a few hundred bytes: TextEncoder copies the text into its memory natively and this loop maps
// it back to bytes at a few nanoseconds per character, where the same loop in JavaScript, run
// once and so mostly unoptimised, took ~4 ms for the SIMD build in Node.
//
// Memory: two tables (below, built by decode from the 64 hexadecimal digits of the set of
// one-character bytes, which the caller writes at SET), then the text at TEXT, which decode
// overwrites with the bytes (never ahead of the character being read).

/** Where the caller writes the text. */
export const TEXT: usize = 448;

/** Codes of one character (below): the two highest characters, } and ~, begin a two-character code. */
const SINGLES: usize = 91;
const FIRST_PREFIX: usize = 125;

/**
 * The bytes in the order of their codes (256), the byte of each one-character code by its
 * character (128), and where the caller writes the set's digits (64).
 */
const ORDER: usize = 0;
const CHAR_BYTE: usize = 256;
export const SET: usize = 384;

/** The code of a character: space to ~ less ' and \, 0 to 92 (src/byte-text.ts). */
// @ts-ignore: decorator
@inline function code(char: usize): usize {
  return char - 32 - usize(char > 39) - usize(char > 92);
}

/** Whether byte `b` is in the set of one-character bytes (a 256-bit set, low bit first). */
// @ts-ignore: decorator
@inline function single(b: i32): bool {
  const digit = <i32>load<u8>(SET + (<usize>b >> 2));
  return (((digit <= 57 ? digit - 48 : digit - 87) >> (b & 3)) & 1) != 0;
}

/**
 * Decodes the `length` characters at TEXT, the set's 64 hexadecimal digits at SET; returns how
 * many bytes it wrote at TEXT. (The tables are built on every call: a microsecond, where a second
 * export, called and so compiled separately, cost ~0.2 ms on the first use.)
 */
export function decode(length: usize): usize {
  // The order: the set's bytes, then the others, each in ascending order.
  let rank: usize = 0;
  for (let others = 0; others < 2; others++) {
    for (let b = 0; b < 256; b++) if (<i32>single(b) != others) store<u8>(ORDER + rank++, b);
  }
  // The byte of each one-character code's character.
  for (let char: usize = 32; char < FIRST_PREFIX; char++) store<u8>(CHAR_BYTE + char, load<u8>(ORDER + code(char)));
  let i = TEXT;
  let n = TEXT;
  const end = TEXT + length;
  while (i < end) {
    const char = <usize>load<u8>(i++);
    store<u8>(
      n++,
      char < FIRST_PREFIX
        ? load<u8>(CHAR_BYTE + char)
        : load<u8>(ORDER + SINGLES + (char - FIRST_PREFIX) * SINGLES + code(load<u8>(i++))),
    );
  }
  return n - TEXT;
}
