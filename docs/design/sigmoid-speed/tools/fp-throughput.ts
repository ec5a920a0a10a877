// Throughput probe: twelve independent dependency chains of one operation each, so that the
// loop is bound by how many vector operations the core issues per cycle, not by latency.
// Build: npx asc docs/design/sigmoid-speed/tools/fp-throughput.ts --enable simd -O3 --runtime stub -o /tmp/fp.wasm
// Run:   node docs/design/sigmoid-speed/tools/fp-throughput.mjs /tmp/fp.wasm
export function mix12(n: i32, c: f32): f32 {
  const k = f32x4.splat(c);
  let a0 = f32x4.splat(1.00);
  let a1 = f32x4.splat(1.01);
  let a2 = f32x4.splat(1.02);
  let a3 = f32x4.splat(1.03);
  let a4 = f32x4.splat(1.04);
  let a5 = f32x4.splat(1.05);
  let a6 = f32x4.splat(1.06);
  let a7 = f32x4.splat(1.07);
  let a8 = f32x4.splat(1.08);
  let a9 = f32x4.splat(1.09);
  let a10 = f32x4.splat(1.10);
  let a11 = f32x4.splat(1.11);
  do {
    a0 = f32x4.mul(a0, k);
    a1 = f32x4.mul(a1, k);
    a2 = f32x4.mul(a2, k);
    a3 = f32x4.mul(a3, k);
    a4 = f32x4.mul(a4, k);
    a5 = f32x4.mul(a5, k);
    a6 = f32x4.add(a6, k);
    a7 = f32x4.add(a7, k);
    a8 = f32x4.add(a8, k);
    a9 = f32x4.add(a9, k);
    a10 = f32x4.add(a10, k);
    a11 = f32x4.add(a11, k);
  } while (--n != 0);
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}
export function mul12(n: i32, c: f32): f32 {
  const k = f32x4.splat(c);
  let a0 = f32x4.splat(1.00);
  let a1 = f32x4.splat(1.01);
  let a2 = f32x4.splat(1.02);
  let a3 = f32x4.splat(1.03);
  let a4 = f32x4.splat(1.04);
  let a5 = f32x4.splat(1.05);
  let a6 = f32x4.splat(1.06);
  let a7 = f32x4.splat(1.07);
  let a8 = f32x4.splat(1.08);
  let a9 = f32x4.splat(1.09);
  let a10 = f32x4.splat(1.10);
  let a11 = f32x4.splat(1.11);
  do {
    a0 = f32x4.mul(a0, k);
    a1 = f32x4.mul(a1, k);
    a2 = f32x4.mul(a2, k);
    a3 = f32x4.mul(a3, k);
    a4 = f32x4.mul(a4, k);
    a5 = f32x4.mul(a5, k);
    a6 = f32x4.mul(a6, k);
    a7 = f32x4.mul(a7, k);
    a8 = f32x4.mul(a8, k);
    a9 = f32x4.mul(a9, k);
    a10 = f32x4.mul(a10, k);
    a11 = f32x4.mul(a11, k);
  } while (--n != 0);
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}
export function add12(n: i32, c: f32): f32 {
  const k = f32x4.splat(c);
  let a0 = f32x4.splat(1.00);
  let a1 = f32x4.splat(1.01);
  let a2 = f32x4.splat(1.02);
  let a3 = f32x4.splat(1.03);
  let a4 = f32x4.splat(1.04);
  let a5 = f32x4.splat(1.05);
  let a6 = f32x4.splat(1.06);
  let a7 = f32x4.splat(1.07);
  let a8 = f32x4.splat(1.08);
  let a9 = f32x4.splat(1.09);
  let a10 = f32x4.splat(1.10);
  let a11 = f32x4.splat(1.11);
  do {
    a0 = f32x4.add(a0, k);
    a1 = f32x4.add(a1, k);
    a2 = f32x4.add(a2, k);
    a3 = f32x4.add(a3, k);
    a4 = f32x4.add(a4, k);
    a5 = f32x4.add(a5, k);
    a6 = f32x4.add(a6, k);
    a7 = f32x4.add(a7, k);
    a8 = f32x4.add(a8, k);
    a9 = f32x4.add(a9, k);
    a10 = f32x4.add(a10, k);
    a11 = f32x4.add(a11, k);
  } while (--n != 0);
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}
export function mix12and(n: i32, c: f32): f32 {
  const k = f32x4.splat(c);
  let a0 = f32x4.splat(1.00);
  let a1 = f32x4.splat(1.01);
  let a2 = f32x4.splat(1.02);
  let a3 = f32x4.splat(1.03);
  let a4 = f32x4.splat(1.04);
  let a5 = f32x4.splat(1.05);
  let a6 = f32x4.splat(1.06);
  let a7 = f32x4.splat(1.07);
  let a8 = f32x4.splat(1.08);
  let a9 = f32x4.splat(1.09);
  let a10 = f32x4.splat(1.10);
  let a11 = f32x4.splat(1.11);
  do {
    a0 = f32x4.mul(a0, k);
    a1 = f32x4.mul(a1, k);
    a2 = f32x4.mul(a2, k);
    a3 = f32x4.mul(a3, k);
    a4 = f32x4.add(a4, k);
    a5 = f32x4.add(a5, k);
    a6 = f32x4.add(a6, k);
    a7 = f32x4.add(a7, k);
    a8 = v128.and(a8, k);
    a9 = v128.and(a9, k);
    a10 = v128.and(a10, k);
    a11 = v128.and(a11, k);
  } while (--n != 0);
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}