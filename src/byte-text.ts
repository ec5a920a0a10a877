// How the embedded builds are written as text (scripts/embed-wasm.mjs encodes, the WASM backend
// decodes): every byte as the same one or two printable ASCII characters, the 91 bytes most
// frequent in the builds as one character, the others as two. Gzip then sees the builds' bytes
// one token each, as in the binary: its matches stay matches and its 32 KB window spans almost
// as many bytes. Measured on the SIMD and scalar builds: 7.9 KB gzipped, where hexadecimal took
// 9.1 (two characters for every byte halve the window) and base64 13.8 (its 4-character groups
// straddle the bytes, so repeats at different offsets stop looking alike). Printable ASCII only,
// without ' and \, so that no bundler escapes a character (esbuild escapes every non-ASCII one).

/**
 * The characters are space to ~ less ' and \ (93), in order, codes 0 to 92: codes below SINGLES
 * stand for one byte each, SINGLES and SINGLES + 1 begin a two-character code.
 */
const SINGLES = 91;

/** The character of a code. */
function char(code: number): string {
  return String.fromCharCode(code + 32 + (code >= 7 ? 1 : 0) + (code >= 59 ? 1 : 0));
}

/**
 * The bytes in the order of their codes: the SINGLES one-character bytes (`singles`, a 256-bit
 * set as 64 hexadecimal digits, low bit first), then the others, each group in ascending order.
 */
function byteOrder(singles: string): number[] {
  const one: number[] = [];
  const two: number[] = [];
  for (let b = 0; b < 256; b++) ((parseInt(singles[b >> 2]!, 16) >> (b & 3)) & 1 ? one : two).push(b);
  return one.concat(two);
}

/** The set of bytes encodeBytes writes as one character: the SINGLES most frequent in `data`. */
export function frequentBytes(data: Uint8Array): string {
  const counts = new Array<number>(256).fill(0);
  for (const byte of data) counts[byte]!++;
  const frequent = [...counts.keys()].sort((a, b) => counts[b]! - counts[a]! || a - b).slice(0, SINGLES);
  const digits = new Array<number>(64).fill(0);
  for (const b of frequent) digits[b >> 2]! |= 1 << (b & 3);
  return digits.map((d) => d.toString(16)).join('');
}

/** Encodes `bytes`, the bytes of the set `singles` (frequentBytes) as one character each. */
export function encodeBytes(bytes: Uint8Array, singles: string): string {
  const ranks = new Map(byteOrder(singles).map((byte, rank) => [byte, rank]));
  const text: string[] = [];
  for (const byte of bytes) {
    const rank = ranks.get(byte)!;
    text.push(rank < SINGLES ? char(rank) : char(SINGLES + Math.floor((rank - SINGLES) / SINGLES)) + char((rank - SINGLES) % SINGLES));
  }
  return text.join('');
}

/**
 * The inverse of encodeBytes: a function that decodes the text of encodeBytes(…, singles) with
 * `wasm`, the decoder build (assembly/byte-text.ts). Natively where the runtime can: TextEncoder
 * copies the text into the decoder's memory (UTF-8 is ASCII here), the decoder's loop maps it
 * back. Decoding the SIMD build on the first use takes ~0.7 ms in Node, the decoder's compilation
 * included (Buffer's native hexadecimal took ~0.3), where a loop in JavaScript, run once and so
 * mostly unoptimised, took ~4.
 */
export function byteTextDecoder(wasm: Uint8Array<ArrayBuffer>, singles: string): (text: string) => Uint8Array<ArrayBuffer> {
  const { memory, decode, SET, TEXT } = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as {
    memory: WebAssembly.Memory;
    decode(length: number): number;
    SET: WebAssembly.Global;
    TEXT: WebAssembly.Global;
  };
  const encoder = typeof TextEncoder === 'function' && (TextEncoder.prototype as Partial<TextEncoder>).encodeInto ? new TextEncoder() : undefined;
  // Each text separately: encodeInto a concatenation (a rope) took four times as long.
  const write = (text: string, at: number): Uint8Array<ArrayBuffer> => {
    const grow = at + text.length - memory.buffer.byteLength;
    if (grow > 0) memory.grow(Math.ceil(grow / 65536));
    const view = new Uint8Array(memory.buffer, at, text.length);
    if (encoder) encoder.encodeInto(text, view);
    else for (let i = 0; i < text.length; i++) view[i] = text.charCodeAt(i);
    return view;
  };
  return (text) => {
    write(singles, SET.value as number);
    const view = write(text, TEXT.value as number);
    return view.slice(0, decode(text.length));
  };
}
