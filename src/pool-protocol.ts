// The messages between the pool (src/pool.ts) and its workers (src/pool-worker.ts), and the
// values of a worker's status word. A module of its own: the worker's module starts listening
// for messages as soon as it is loaded, so the pool must not import it.
import type { KernelName } from './backend.js';

/** Where an array of a call lives: in the pool's memory (a byte address), or in another SharedArrayBuffer. */
export type Location = { readonly pointer: number } | { readonly buffer: SharedArrayBuffer; readonly byteOffset: number };

export type ToWorker =
  | { readonly type: 'init'; readonly module: WebAssembly.Module; readonly memory: WebAssembly.Memory; readonly slot: number }
  | {
      readonly type: 'job';
      readonly kernel: KernelName;
      /** Element range of the call's arrays that this worker computes. */
      readonly start: number;
      readonly end: number;
      readonly x: Location;
      readonly out: Location;
      readonly out2: Location | undefined;
    };

export type FromWorker = { readonly type: 'ready' } | { readonly type: 'failed'; readonly name: string; readonly message: string };

/** Status word values (assembly/memory.ts, WORKER_STATUS). */
export const PENDING = 0;
export const DONE = 1;
export const FAILED = 2;

