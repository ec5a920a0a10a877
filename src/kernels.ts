// What assembly/index.ts exports, and the one way to call a kernel by name: shared by the WASM
// backend (src/backends/wasm.ts) and the pool's workers (src/pool-worker.ts), which must not
// load the backend module and its embedded builds.
import type { KernelName } from './backend.js';

/** What assembly/index.ts exports. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly LANES: WebAssembly.Global;
  readonly MAX_WORKERS: WebAssembly.Global;
  readonly WORKER_STATUS: WebAssembly.Global;
  readonly WORKER_SCRATCH: WebAssembly.Global;
  readonly WORKER_SCRATCH_STRIDE: WebAssembly.Global;
  readonly SCRATCH_LENGTH: WebAssembly.Global;
  readonly SCRATCH_INPUT: WebAssembly.Global;
  readonly SCRATCH_OUTPUT: WebAssembly.Global;
  readonly SCRATCH_OUTPUT2: WebAssembly.Global;
  heapBase(): number;
  sigmoid(input: number, output: number, length: number): void;
  sigmoidDerivative(input: number, output: number, length: number): void;
  sigmoidDerivativeFromOutput(input: number, output: number, length: number): void;
  sigmoidWithDerivative(input: number, output: number, output2: number, length: number): void;
}

/**
 * Runs a kernel on `length` floats at byte addresses of the module's memory. A switch of direct
 * calls, not exports[kernel](...): each call site stays monomorphic, which matters for the
 * per-call overhead on small arrays.
 */
export function runKernel(exports: KernelExports, kernel: KernelName, input: number, output: number, output2: number, length: number): void {
  switch (kernel) {
    case 'sigmoid':
      return exports.sigmoid(input, output, length);
    case 'sigmoidDerivative':
      return exports.sigmoidDerivative(input, output, length);
    case 'sigmoidDerivativeFromOutput':
      return exports.sigmoidDerivativeFromOutput(input, output, length);
    case 'sigmoidWithDerivative':
      return exports.sigmoidWithDerivative(input, output, output2, length);
    default:
      throw new TypeError(`unknown kernel ${JSON.stringify(kernel)}`);
  }
}
