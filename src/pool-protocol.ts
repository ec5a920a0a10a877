// What the pool (src/pool.ts) and its workers (src/pool-worker.ts) share: the messages, the
// values of a worker's status word, and the way to Node's built-in modules. A module of its
// own: the worker's module starts listening for messages as soon as it is loaded, so the pool
// must not import it.
import type { KernelId, RowKind } from './backend.js';

/** Where an array of a call lives: in the pool's memory (a byte address), or in another SharedArrayBuffer. */
export type Location = { readonly pointer: number } | { readonly buffer: SharedArrayBuffer; readonly byteOffset: number };

export type ToWorker =
  | { readonly type: 'init'; readonly module: WebAssembly.Module; readonly memory: WebAssembly.Memory; readonly slot: number }
  | {
      readonly type: 'job';
      /** The kernel's id (KERNEL_IDS). */
      readonly kernel: KernelId;
      /** Element range of the call's arrays that this worker computes. */
      readonly start: number;
      readonly end: number;
      readonly x: Location;
      readonly out: Location;
      readonly out2: Location | undefined;
    }
  | {
      readonly type: 'rows';
      /** The row function's kind (ROW_KINDS). */
      readonly kind: RowKind;
      readonly rowLength: number;
      /** The range of rows this worker computes. */
      readonly start: number;
      readonly end: number;
      readonly x: Location;
      readonly out: Location;
      /** One result per row (logSumExp), at out's row index, rather than one per element. */
      readonly perRow: boolean;
    };

export type FromWorker = { readonly type: 'ready' } | { readonly type: 'failed'; readonly name: string; readonly message: string };

/** Status word values (assembly/memory.ts, WORKER_STATUS). */
export const PENDING = 0;
export const DONE = 1;
export const FAILED = 2;


/**
 * A Node built-in module, or undefined outside Node. Through process.getBuiltinModule, not an
 * import, so that no bundler or browser ever sees a Node module on the way.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  return (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.(id) as T | undefined;
}
