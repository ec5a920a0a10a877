// Throughput probe: twelve independent dependency chains, each of one operation, so that the
// loop is bound by how many vector operations the core issues per cycle, not by latency.
// Build: npx asc docs/design/sigmoid-speed/tools/fp-throughput.ts --enable simd -O3 --runtime stub -o /tmp/fp.wasm
// Run:   node docs/design/sigmoid-speed/tools/fp-throughput.mjs /tmp/fp.wasm

const MUL: i32 = 0;
const ADD: i32 = 1;
const AND: i32 = 2;

/** Chain i's operation: the first `muls` chains multiply, the next `adds` add, the rest AND. */
// @ts-ignore: decorator
@inline function step(i: i32, muls: i32, adds: i32, a: v128, k: v128): v128 {
  const op = i < muls ? MUL : i < muls + adds ? ADD : AND;
  if (op == MUL) return f32x4.mul(a, k);
  if (op == ADD) return f32x4.add(a, k);
  return v128.and(a, k);
}

/** n rounds of the twelve chains; `muls` and `adds` are constants at every call, so the choice folds away. */
// @ts-ignore: decorator
@inline function chains(n: i32, c: f32, muls: i32, adds: i32): f32 {
  const k = f32x4.splat(c);
  let a0 = f32x4.splat(1.00), a1 = f32x4.splat(1.01), a2 = f32x4.splat(1.02), a3 = f32x4.splat(1.03);
  let a4 = f32x4.splat(1.04), a5 = f32x4.splat(1.05), a6 = f32x4.splat(1.06), a7 = f32x4.splat(1.07);
  let a8 = f32x4.splat(1.08), a9 = f32x4.splat(1.09), a10 = f32x4.splat(1.10), a11 = f32x4.splat(1.11);
  do {
    a0 = step(0, muls, adds, a0, k); a1 = step(1, muls, adds, a1, k); a2 = step(2, muls, adds, a2, k);
    a3 = step(3, muls, adds, a3, k); a4 = step(4, muls, adds, a4, k); a5 = step(5, muls, adds, a5, k);
    a6 = step(6, muls, adds, a6, k); a7 = step(7, muls, adds, a7, k); a8 = step(8, muls, adds, a8, k);
    a9 = step(9, muls, adds, a9, k); a10 = step(10, muls, adds, a10, k); a11 = step(11, muls, adds, a11, k);
  } while (--n != 0);
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0);
}

export function mul12(n: i32, c: f32): f32 { return chains(n, c, 12, 0); }
export function add12(n: i32, c: f32): f32 { return chains(n, c, 0, 12); }
export function mix12(n: i32, c: f32): f32 { return chains(n, c, 6, 6); }
export function mix12and(n: i32, c: f32): f32 { return chains(n, c, 4, 4); }
