// @ts-check
// The probe in a module worker: the page sends the package's URL, resolved from the name
// 'simd-activations' by the page's import map (workers do not see the page's import map).
import { probe } from './probe.js';

self.onmessage = async (/** @type {MessageEvent<string>} */ event) => {
  try {
    const pkg = await import(event.data);
    self.postMessage({ report: await probe(pkg, { pool: false }) });
  } catch (error) {
    self.postMessage({ error: String(/** @type {Error} */ (error)?.stack ?? error) });
  }
};
