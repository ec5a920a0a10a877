#!/bin/sh
# Builds the prototype with the project's compiler and options (asconfig.json): the package's
# entry alone (baseline) and with the double driver, each as SIMD and scalar, and the constants.
set -e
cd "$(dirname "$0")/../../.."
OUT=docs/design/f64/build
ASC="nice -n 19 npx asc --config asconfig.json"
$ASC assembly/index.ts --target simd --outFile $OUT/simd-base.wasm --textFile $OUT/simd-base.wat
$ASC assembly/index.ts --target scalar --outFile $OUT/scalar-base.wasm --textFile $OUT/scalar-base.wat
$ASC docs/design/f64/as/index-with-f64.ts --target simd --outFile $OUT/simd-f64.wasm --textFile $OUT/simd-f64.wat
$ASC docs/design/f64/as/index-with-f64.ts --target scalar --outFile $OUT/scalar-f64.wasm --textFile $OUT/scalar-f64.wat
$ASC docs/design/f64/as/constants64.ts --target constants --outFile $OUT/constants64.wasm
for f in simd-base simd-f64 scalar-base scalar-f64; do
  raw=$(wc -c < $OUT/$f.wasm)
  gz=$(gzip -9 -c $OUT/$f.wasm | wc -c)
  hexgz=$(xxd -p $OUT/$f.wasm | tr -d '\n' | gzip -9 | wc -c)
  echo "$f: $raw bytes, gzip -9 $gz, as hex gzip -9 $hexgz"
done
# The same with two vectors per loop iteration (UNROLL64 = 2), for the speed comparison.
sed -i 's/^export const UNROLL64: i32 = 1;/export const UNROLL64: i32 = 2;/' assembly/map64.ts
trap 'sed -i "s/^export const UNROLL64: i32 = 2;/export const UNROLL64: i32 = 1;/" assembly/map64.ts' EXIT
$ASC docs/design/f64/as/index-with-f64.ts --target simd --outFile $OUT/simd-f64-u2.wasm --textFile $OUT/simd-f64-u2.wat
f=simd-f64-u2; echo "$f: $(wc -c < $OUT/$f.wasm) bytes, gzip -9 $(gzip -9 -c $OUT/$f.wasm | wc -c), as hex gzip -9 $(xxd -p $OUT/$f.wasm | tr -d '\n' | gzip -9 | wc -c)"
