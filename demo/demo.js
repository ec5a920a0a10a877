// @ts-check
// The demo page: plots σ and σ′ computed by the package, says which backend runs and why,
// evaluates a typed-in x, and races the backends in a worker.
import { init, sigmoid, sigmoidDerivative, sigmoidWithDerivative } from '../build/lib/index.js';
import { barChart, linePlot } from './charts.js';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The flat regions are where σ′ drops below this.
const VANISHING_GRADIENT = 0.01;

const COLORS = {
  'js-naive': '#868e96',
  js: '#f08c00',
  scalar: '#5c7cfa',
  simd: '#2563eb',
  'simd-resident': '#1e3a8a',
};

const engine = await init();
showBackend();
const drawPlot = plot();
drawPlot();
let plotWidth = byId('plot').clientWidth;
new ResizeObserver(() => {
  if (byId('plot').clientWidth !== plotWidth) drawPlot();
  plotWidth = byId('plot').clientWidth;
}).observe(byId('plot'));
setUpTry();
setUpRace();

function showBackend() {
  const what = {
    simd: 'the WebAssembly SIMD build: it validated in this browser (WebAssembly.validate on its own bytes) and passed its self-check of known outputs.',
    scalar: 'the scalar WebAssembly build: it validated and passed its self-check.',
    js: 'the JavaScript fallback (bit-identical results, slower).',
  };
  const line = byId('backend');
  line.replaceChildren();
  const name = document.createElement('strong');
  name.textContent = engine.backend;
  line.append(name, ` — ${what[engine.backend]}`);
  byId('rejected').replaceChildren(
    ...engine.rejected.map((r) => {
      const item = document.createElement('li');
      item.textContent = `Not ${r.candidate}: ${r.reason}`;
      return item;
    }),
  );
  document.documentElement.dataset['backend'] = engine.backend;
}

/** Computes the curves once; returns the function that draws them at the current width. */
function plot() {
  const n = 2001;
  const xs = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
  const { y, dy } = sigmoidWithDerivative(xs);
  // Contiguous runs where the gradient vanishes.
  /** @type {{ from: number, to: number }[]} */
  const bands = [];
  for (let i = 0; i < n; i++) {
    if ((dy[i] ?? 1) >= VANISHING_GRADIENT) continue;
    const last = bands[bands.length - 1];
    const x = xs[i] ?? 0;
    if (last && last.to === xs[i - 1]) last.to = x;
    else bands.push({ from: x, to: x });
  }
  return () => linePlot(byId('plot'), {
    xs,
    series: [
      { label: 'σ(x)', color: 'var(--sigma)', ys: y },
      { label: 'σ′(x)', color: 'var(--sigma-prime)', ys: dy },
    ],
    bands,
    bandLabel: `σ′ < ${VANISHING_GRADIENT}`,
    xRange: [-10, 10],
    yRange: [0, 1],
    xTicks: [-10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10],
    yTicks: [0, 0.25, 0.5, 0.75, 1],
  });
}

function setUpTry() {
  const input = /** @type {HTMLInputElement} */ (byId('x'));
  const show = () => {
    const text = input.value.trim().replace(/^−/, '-');
    const x = text === '' ? NaN : Number(text);
    const valid = !Number.isNaN(x) || /^nan$/i.test(text);
    input.setAttribute('aria-invalid', String(!valid));
    byId('sigma').textContent = valid ? String(sigmoid(x)) : '—';
    byId('sigma-prime').textContent = valid ? String(sigmoidDerivative(x)) : '—';
    byId('sigma-f32').textContent = valid ? String(sigmoid(new Float32Array([x]))[0]) : '—';
  };
  input.addEventListener('input', show);
  byId('try').addEventListener('submit', (event) => event.preventDefault());
  show();
}

function setUpRace() {
  const form = /** @type {HTMLFormElement} */ (byId('race'));
  const button = /** @type {HTMLButtonElement} */ (byId('start'));
  const progress = /** @type {HTMLProgressElement} */ (byId('progress'));
  const status = byId('status');
  /** @type {Worker | undefined} */
  let worker;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const sizes = data.getAll('size').map(Number);
    const millis = Number(data.get('millis'));
    if (sizes.length === 0) {
      status.textContent = 'Pick at least one size.';
      return;
    }
    worker?.terminate();
    worker = new Worker(new URL('./race-worker.js', import.meta.url), { type: 'module' });
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = 'Starting…';
    document.documentElement.dataset['race'] = 'running';
    /** @type {{ id: string, label: string, unavailable?: string }[]} */
    let cases = [];
    /** @type {Map<string, number>} */
    const rates = new Map();
    const draw = () =>
      barChart(
        byId('bars'),
        sizes.map((size) => ({
          title: `${formatSize(size)} elements`,
          bars: cases.map((c) => {
            const rate = rates.get(`${c.id}@${size}`);
            const naive = rates.get(`js-naive@${size}`);
            const note = c.unavailable ? `unavailable: ${c.unavailable}` : rate !== undefined && naive && c.id !== 'js-naive' ? `${(rate / naive).toFixed(1)}× JS naive` : undefined;
            return { label: c.label, value: rate, color: COLORS[/** @type {keyof COLORS} */ (c.id)] ?? '#888', ...(note ? { note } : {}) };
          }),
        })),
        (rate) => `${formatRate(rate)} M elem/s`,
      );
    const finish = (/** @type {string} */ message, /** @type {string} */ state) => {
      status.textContent = message;
      button.disabled = false;
      progress.hidden = true;
      document.documentElement.dataset['race'] = state;
      worker?.terminate();
      worker = undefined;
    };
    worker.onmessage = ({ data: message }) => {
      if (message.type === 'ready') {
        cases = message.cases;
        draw();
      } else if (message.type === 'result') {
        rates.set(`${message.id}@${message.size}`, message.rate);
        progress.value = message.done / message.total;
        status.textContent = `${message.done} of ${message.total} measured`;
        draw();
      } else if (message.type === 'done') {
        finish('Done.', 'done');
      } else if (message.type === 'error') {
        finish(`Failed: ${message.message}`, 'failed');
      }
    };
    worker.onerror = (event) => finish(`Failed: ${event.message}`, 'failed');
    worker.postMessage({ type: 'race', sizes, millis });
  });
}

/** @param {number} size */
function formatSize(size) {
  if (size >= 2 ** 20) return `${size / 2 ** 20} Mi`;
  if (size >= 2 ** 10) return `${size / 2 ** 10} Ki`;
  return String(size);
}

/** @param {number} rate elements per second */
function formatRate(rate) {
  const m = rate / 1e6;
  return m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2);
}
