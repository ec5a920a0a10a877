// A worker of the pool (src/pool.ts): one instance of the threads build over the pool's shared
// memory. It computes the slice of a call it is given and reports completion through its
// status word in that memory (an atomic store and notify), never by message, so that the
// calling thread can wait on all workers with Atomics. It allocates nothing in the shared
// memory: the layout (its scratch buffers and status word) comes from the module's exports.
import type { KernelExports } from './kernels.js';
import { DONE, FAILED, nodeBuiltin, type FromWorker, type Location, type ToWorker } from './pool-protocol.js';

interface Port {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

/** The channel to the pool: worker_threads' parentPort in Node, the worker's global scope in browsers. */
function port(): Port {
  const node = nodeBuiltin<{ parentPort: { postMessage(m: unknown): void; on(e: 'message', h: (m: ToWorker) => void): void } | null }>(
    'node:worker_threads',
  );
  const parent = node?.parentPort;
  if (parent) return { post: (m) => parent.postMessage(m), listen: (h) => parent.on('message', h) };
  const scope = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
  return { post: (m) => scope.postMessage(m), listen: (h) => (scope.onmessage = (e) => h(e.data)) };
}

let exports: KernelExports | undefined;
let slot = -1;
const channel = port();

channel.listen((message) => {
  if (message.type === 'init') {
    slot = message.slot;
    // The module is the one the calling thread compiled; its exports are numbers only.
    WebAssembly.instantiate(message.module, { env: { memory: message.memory } }).then(
      (instance) => {
        exports = instance.exports as unknown as KernelExports;
        channel.post({ type: 'ready' });
      },
      (error: unknown) => channel.post({ type: 'failed', name: 'Error', message: String(error) }), // the pool adds what could not start
    );
    return;
  }
  const status = new Int32Array(exports!.memory.buffer, exports!.WORKER_STATUS.value as number, slot + 1);
  let outcome = DONE;
  try {
    run(exports!, message);
  } catch (error) {
    // The message first: the pool reads it once the status word says FAILED.
    const e = error as Error;
    channel.post({ type: 'failed', name: e?.name ?? 'Error', message: e?.message ?? String(error) });
    outcome = FAILED;
  }
  Atomics.store(status, slot, outcome);
  Atomics.notify(status, slot);
});

/**
 * Computes elements [start, end) of the job (rows [start, end) of a row function's). Arrays in
 * the pool's memory are read and written in place by the kernel; arrays in another
 * SharedArrayBuffer pass through this worker's scratch buffers, SCRATCH_LENGTH floats at a time.
 * Each piece is read before it is written, so an output that is the input itself (in place) is
 * fine.
 */
function run(wasm: KernelExports, job: Exclude<ToWorker, { type: 'init' }>): void {
  const chunk = wasm.SCRATCH_LENGTH.value as number;
  const scratch = (wasm.WORKER_SCRATCH.value as number) + slot * (wasm.WORKER_SCRATCH_STRIDE.value as number);
  const scratchAt = [scratch, scratch + chunk * 4, scratch + chunk * 8] as const;
  const tail = scratch + chunk * 12; // after the three buffers (memory.ts)
  const memory = wasm.memory.buffer;
  const viewOf = (at: Location, from: number, count: number): Float32Array | undefined =>
    'buffer' in at ? new Float32Array(at.buffer, at.byteOffset + from * 4, count) : undefined;
  const pointer = (at: Location | undefined, from: number, scratchPointer: number): number =>
    at === undefined ? scratchPointer : 'pointer' in at ? at.pointer + from * 4 : scratchPointer;
  // An elementwise job is one of rows of one element. A row function's piece is whole rows (the
  // pool sends only rows that fit a scratch buffer), as many as fit; its row state follows the
  // tail area (memory.ts).
  const rows = job.type === 'rows';
  const rowLength = rows ? job.rowLength : 1;
  const perRow = rows && job.perRow;
  const out2 = rows ? undefined : job.out2;
  const perPiece = Math.floor(chunk / rowLength);
  for (let row = job.start; row < job.end; row += perPiece) {
    const pieceRows = Math.min(perPiece, job.end - row);
    const [from, count] = [row * rowLength, pieceRows * rowLength];
    const [outFrom, outCount] = perRow ? [row, pieceRows] : [from, count];
    const x = viewOf(job.x, from, count);
    if (x) new Float32Array(memory, scratchAt[0], count).set(x);
    const input = pointer(job.x, from, scratchAt[0]);
    const output = pointer(job.out, outFrom, scratchAt[1]);
    if (rows) wasm.rows(job.kind, input, output, rowLength, pieceRows, tail + (wasm.TAIL_BYTES.value as number));
    else wasm.run(job.kernel, input, output, pointer(out2, from, scratchAt[2]), count, tail);
    const out = viewOf(job.out, outFrom, outCount);
    if (out) out.set(new Float32Array(memory, scratchAt[1], outCount));
    const dy = out2 && viewOf(out2, from, count);
    if (dy) dy.set(new Float32Array(memory, scratchAt[2], count));
  }
}
