// Test entry: the package's exports (assembly/index.ts) plus the double-precision driver, as
// the package's builds would export it. Built by build.sh into build/{simd,scalar}-f64.wasm.
export * from "../../../../assembly/index";
export { run64 } from "../../../../assembly/map64";
