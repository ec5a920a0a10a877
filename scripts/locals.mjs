// Rewrites build/simd.wasm, build/scalar.wasm and build/threads.wasm (after asc, before
// embed-wasm.mjs) so that they gzip smaller, changing nothing but which local each value lives
// in. The kernels unroll one element's work four times; asc leaves each copy's temporaries in
// rotated locals (8 9 10, then 7 8 9, ...), so the copies differ in every local index and gzip
// matches them only in short pieces. Two steps:
// - Binaryen's -O3, without inlining (map.ts: the kernels must stay separate functions), run
//   again on asc's output, reassigns the locals so that the copies use the same ones. Its version
//   of a function is kept only if the code is otherwise the very same: the same instructions in
//   the same order, each local access to a local of the same type, the parameters untouched
//   (checked below; where it changes anything else, e.g. turns a > b into b < a or reuses a
//   parameter as a temporary, that function stays as asc wrote it; every other section must be
//   byte-identical, else the whole build stays asc's).
// - The locals are then numbered in the order each function first uses them.
// V8's optimising tier works on SSA values, not on locals, so neither step changes the code it
// generates. Measured on the SIMD build (before the row functions): 5.56 KB gzipped, 4.66 after
// both steps (-O3 alone 4.87).
// The .wat files stay asc's (their local numbers are asc's).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const wasmOpt = createRequire(import.meta.url).resolve('binaryen/bin/wasm-opt');

function readU32(b, p) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = b[p++];
    value += (byte & 127) * 2 ** shift;
    shift += 7;
  } while (byte & 128);
  return [value, p];
}
function skipLeb(b, p) {
  while (b[p++] & 128);
  return p;
}
function u32(n) {
  const out = [];
  do {
    let byte = n & 127;
    n >>>= 7;
    if (n) byte |= 128;
    out.push(byte);
  } while (n);
  return out;
}

/**
 * Walks the instructions of a function body from p to end, calling visit(index, at, next) for
 * each local.get, local.set and local.tee (its index, where the index starts and ends). Knows
 * the immediates of the MVP, bulk memory, SIMD and atomics; throws on anything else.
 */
function walk(b, p, end, visit) {
  const memarg = (q) => {
    let align;
    [align, q] = readU32(b, q);
    if (align & 64) q = skipLeb(b, q); // a memory index
    return skipLeb(b, q);
  };
  while (p < end) {
    const op = b[p++];
    if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) continue;
    if (op >= 0x02 && op <= 0x04) {
      const type = b[p];
      p = type === 0x40 || (type >= 0x6f && type <= 0x7f) ? p + 1 : skipLeb(b, p);
    } else if ([0x0c, 0x0d, 0x10, 0x23, 0x24, 0x25, 0x26, 0xd2].includes(op)) p = skipLeb(b, p);
    else if (op === 0x0e) {
      let n;
      [n, p] = readU32(b, p);
      for (let i = 0; i <= n; i++) p = skipLeb(b, p);
    } else if (op === 0x11) p = skipLeb(b, skipLeb(b, p));
    else if (op === 0x1c) {
      let n;
      [n, p] = readU32(b, p);
      p += n;
    } else if (op >= 0x20 && op <= 0x22) {
      const at = p;
      let index;
      [index, p] = readU32(b, p);
      visit(index, at, p);
    } else if (op >= 0x28 && op <= 0x3e) p = memarg(p);
    else if (op === 0x3f || op === 0x40 || op === 0xd0) p++;
    else if (op === 0x41 || op === 0x42) p = skipLeb(b, p);
    else if (op === 0x43) p += 4;
    else if (op === 0x44) p += 8;
    else if (op === 0xfc) {
      let sub;
      [sub, p] = readU32(b, p);
      if (sub <= 7) continue;
      else if (sub === 8) p = skipLeb(b, p) + 1;
      else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) p = skipLeb(b, p);
      else if (sub === 10) p += 2;
      else if (sub === 11) p += 1;
      else if (sub === 12 || sub === 14) p = skipLeb(b, skipLeb(b, p));
      else throw new Error(`unknown instruction 0xfc ${sub}`);
    } else if (op === 0xfd) {
      let sub;
      [sub, p] = readU32(b, p);
      if (sub <= 11 || sub === 92 || sub === 93) p = memarg(p);
      else if (sub === 12 || sub === 13) p += 16;
      else if (sub >= 21 && sub <= 34) p += 1;
      else if (sub >= 84 && sub <= 91) p = memarg(p) + 1;
    } else if (op === 0xfe) {
      let sub;
      [sub, p] = readU32(b, p);
      p = sub === 3 ? p + 1 : memarg(p);
    } else throw new Error(`unknown opcode 0x${op.toString(16)}`);
  }
  if (p !== end) throw new Error('an instruction runs past the end of its function');
}

/**
 * The sections of a module, and for each function of its code section: its parameter count,
 * local types, and body (instructions with each local access's index and position).
 */
function parse(b) {
  const sections = [];
  const paramCounts = [];
  const functionTypes = [];
  let functions;
  let p = 8;
  while (p < b.length) {
    const id = b[p];
    const [size, start] = readU32(b, p + 1);
    const end = start + size;
    sections.push({ id, bytes: b.subarray(p, end) });
    let q = start;
    let n;
    if (id === 1) {
      [n, q] = readU32(b, q);
      for (let i = 0; i < n; i++) {
        if (b[q++] !== 0x60) throw new Error('a type that is not a function type');
        let count;
        [count, q] = readU32(b, q);
        paramCounts.push(count);
        q += count;
        [count, q] = readU32(b, q);
        q += count;
      }
    } else if (id === 3) {
      [n, q] = readU32(b, q);
      for (let i = 0; i < n; i++) {
        let type;
        [type, q] = readU32(b, q);
        functionTypes.push(type);
      }
    } else if (id === 10) {
      functions = [];
      [n, q] = readU32(b, q);
      for (let f = 0; f < n; f++) {
        let length;
        [length, q] = readU32(b, q);
        const bodyEnd = q + length;
        const bodyStart = q;
        let groups;
        [groups, q] = readU32(b, q);
        const types = [];
        for (let g = 0; g < groups; g++) {
          let count;
          [count, q] = readU32(b, q);
          const type = b[q++];
          for (let k = 0; k < count; k++) types.push(type);
        }
        const accesses = [];
        walk(b, q, bodyEnd, (index, at, next) => accesses.push({ index, at, next }));
        functions.push({ params: paramCounts[functionTypes[f]], types, code: [q, bodyEnd], declaration: q - bodyStart, accesses });
        q = bodyEnd;
      }
      sections.at(-1).functions = functions;
    }
    p = end;
  }
  return { sections, functions };
}

/** Whether function f of module a and function g of module b differ only in their locals (see the top). */
function sameButLocalsIn(f, a, g, b) {
  if (f.params !== g.params || f.accesses.length !== g.accesses.length) return false;
  const typeOf = (fn, index) => (index < fn.params ? -1 - index : fn.types[index - fn.params]);
  const stripped = (fn, bytes) => {
    const parts = [];
    let last = fn.code[0];
    for (const { at, next } of fn.accesses) {
      parts.push(bytes.subarray(last, at));
      last = next;
    }
    parts.push(bytes.subarray(last, fn.code[1]));
    return Buffer.concat(parts);
  };
  return f.accesses.every((access, k) => typeOf(f, access.index) === typeOf(g, g.accesses[k].index)) && stripped(f, a).equals(stripped(g, b));
}

/** Whether modules a and b have the same sections but for their functions' bodies, and as many functions. */
function sameButBodies(x, y) {
  return (
    x.sections.length === y.sections.length &&
    x.sections.every((s, i) => s.id === y.sections[i].id && (s.id === 10 || Buffer.compare(s.bytes, y.sections[i].bytes) === 0)) &&
    x.functions.length === y.functions.length
  );
}

/** Whether `b` is `a` with its locals reassigned and nothing else changed. */
function sameButLocals(a, b) {
  const [x, y] = [parse(a), parse(b)];
  return sameButBodies(x, y) && x.functions.every((f, i) => sameButLocalsIn(f, a, y.functions[i], b));
}

/** A module of a's sections and, for each function, b's body where it differs from a's only in its locals, else a's. */
function mergeBodies(a, b) {
  const [x, y] = [parse(a), parse(b)];
  if (!sameButBodies(x, y)) return { bytes: a, kept: 0 };
  let kept = 0;
  const bodies = x.functions.map((f, i) => {
    const g = y.functions[i];
    const [bytes, fn] = sameButLocalsIn(f, a, g, b) ? (kept++, [b, g]) : [a, f];
    const start = fn.code[0] - fn.declaration;
    return [...u32(fn.code[1] - start), ...bytes.subarray(start, fn.code[1])];
  });
  const content = [...u32(bodies.length), ...bodies.flat()];
  const out = [a.subarray(0, 8)];
  for (const section of x.sections) out.push(section.id === 10 ? Uint8Array.from([10, ...u32(content.length), ...content]) : section.bytes);
  return { bytes: Buffer.concat(out), kept };
}

/** `b` with each function's locals (not its parameters) numbered in the order of first use. */
function numberByFirstUse(b) {
  const { sections } = parse(b);
  const out = [b.subarray(0, 8)];
  for (const section of sections) {
    if (section.id !== 10) {
      out.push(section.bytes);
      continue;
    }
    const bodies = section.functions.map((f) => {
      const order = [];
      const seen = new Set();
      for (const { index } of f.accesses) if (index >= f.params && !seen.has(index)) seen.add(index), order.push(index);
      for (let i = f.params; i < f.params + f.types.length; i++) if (!seen.has(i)) order.push(i);
      const renamed = new Map(order.map((old, k) => [old, f.params + k]));
      const types = order.map((old) => f.types[old - f.params]);
      const declaration = [];
      let groups = 0;
      for (let k = 0; k < types.length; ) {
        let m = k;
        while (m < types.length && types[m] === types[k]) m++;
        declaration.push(...u32(m - k), types[k]);
        groups++;
        k = m;
      }
      const body = [...u32(groups), ...declaration];
      let last = f.code[0];
      for (const { index, at, next } of f.accesses) {
        body.push(...b.subarray(last, at), ...u32(renamed.get(index) ?? index));
        last = next;
      }
      body.push(...b.subarray(last, f.code[1]));
      return [...u32(body.length), ...body];
    });
    const content = [...u32(bodies.length), ...bodies.flat()];
    out.push(Uint8Array.from([10, ...u32(content.length), ...content]));
  }
  return Buffer.concat(out);
}

const dir = mkdtempSync(join(tmpdir(), 'simd-activations-locals-'));
try {
  for (const build of ['simd', 'scalar', 'threads']) {
    const file = new URL(`build/${build}.wasm`, root);
    const original = readFileSync(file);
    const [input, output] = [join(dir, 'in.wasm'), join(dir, 'out.wasm')];
    writeFileSync(input, original);
    // --one-caller-inline-max-function-size 0: run() calls each kernel once, which would inline them all.
    execFileSync(process.execPath, [wasmOpt, input, '--all-features', '-O3', '--one-caller-inline-max-function-size', '0', '-o', output]);
    const { bytes: reassigned, kept } = mergeBodies(original, readFileSync(output));
    const rewritten = numberByFirstUse(reassigned);
    // Not every build gains (the scalar one's few locals): the smaller of the two.
    const result = gzipSync(rewritten).length < gzipSync(original).length ? rewritten : original;
    if (!WebAssembly.validate(result) || !sameButLocals(original, result)) throw new Error(`scripts/locals.mjs: build/${build}.wasm came out changed`);
    writeFileSync(file, result);
    const gz = (bytes) => (gzipSync(bytes).length / 1024).toFixed(2);
    console.log(`build/${build}.wasm: ${gz(original)} KB gzipped; with the locals of ${kept} of its ${parse(original).functions.length} functions reassigned, all renumbered: ${gz(rewritten)}${result === original ? ', not kept' : ''}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
