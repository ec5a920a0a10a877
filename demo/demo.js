// @ts-check
// The demo page: plots any function of the package with its derivative (a picker), says which
// backend runs and why, evaluates a typed-in x, and races the backends in a worker.
import { functions, init } from '../build/lib/index.js';
import { barChart, linePlot } from './charts.js';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// The flat regions are where the derivative's magnitude drops below this.
const VANISHING_GRADIENT = 0.01;

/** Short names for the plot and the table; a function without one is shown by its name. */
/** @type {Record<string, string>} */
const SYMBOLS = { sigmoid: 'σ' };

/**
 * What the picker offers: every function of the package that comes with its derivative in one
 * pass ({ y, dy }), from the package's own list, so functions added later appear here.
 */
const FAMILIES = functions.flatMap((f) => (f.parts ? [{ pair: f.name, f: f.parts[0], df: f.parts[1] }] : []));

const COLORS = {
  'js-naive': '#868e96',
  js: '#f08c00',
  scalar: '#5c7cfa',
  simd: '#2563eb',
  'simd-resident': '#1e3a8a',
};

const engine = await init();
/** @type {Record<string, (x: unknown, ...outs: unknown[]) => any>} */
const calls = /** @type {any} */ (engine);
showBackend();
const picker = /** @type {HTMLSelectElement} */ (byId('function'));
picker.replaceChildren(
  ...FAMILIES.map((family) => {
    const option = document.createElement('option');
    option.value = family.f;
    option.textContent = `${family.f}${SYMBOLS[family.f] ? ` (${SYMBOLS[family.f]})` : ''} and its derivative`;
    return option;
  }),
);
const family = () => FAMILIES.find((f) => f.f === picker.value) ?? /** @type {(typeof FAMILIES)[number]} */ (FAMILIES[0]);
let drawPlot = plot(family());
let plotWidth = byId('plot').clientWidth;
const showTry = setUpTry();
const pick = () => {
  const chosen = family();
  document.querySelectorAll('.f-name').forEach((node) => (node.textContent = SYMBOLS[chosen.f] ?? chosen.f));
  byId('pair-name').textContent = chosen.pair;
  document.documentElement.dataset['function'] = chosen.f;
  drawPlot = plot(chosen);
  drawPlot();
  showTry();
};
picker.addEventListener('change', pick);
pick();
new ResizeObserver(() => {
  if (byId('plot').clientWidth !== plotWidth) drawPlot();
  plotWidth = byId('plot').clientWidth;
}).observe(byId('plot'));
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

/** Ticks at a round step (1, 2 or 5 times a power of ten) covering [lo, hi], about `count` of them. */
function ticks(/** @type {number} */ lo, /** @type {number} */ hi, /** @type {number} */ count) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step / 2; t += step) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

/**
 * Computes a function's curves once; returns the function that draws them at the current width.
 * @param {{ pair: string, f: string, df: string }} chosen
 */
function plot(chosen) {
  const n = 2001;
  const xs = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
  const { y, dy } = /** @type {{ y: Float32Array, dy: Float32Array }} */ (calls[chosen.pair]?.(xs));
  // Contiguous runs where the gradient vanishes.
  /** @type {{ from: number, to: number }[]} */
  const bands = [];
  for (let i = 0; i < n; i++) {
    if (Math.abs(dy[i] ?? 1) >= VANISHING_GRADIENT) continue;
    const last = bands[bands.length - 1];
    const x = xs[i] ?? 0;
    if (last && last.to === xs[i - 1]) last.to = x;
    else bands.push({ from: x, to: x });
  }
  const values = [...y, ...dy];
  const yTicks = ticks(Math.min(0, ...values), Math.max(1, ...values), 5);
  const symbol = SYMBOLS[chosen.f] ?? chosen.f;
  return () =>
    linePlot(byId('plot'), {
      xs,
      series: [
        { label: `${symbol}(x)`, color: 'var(--sigma)', ys: y },
        { label: `${symbol}′(x)`, color: 'var(--sigma-prime)', ys: dy },
      ],
      bands,
      bandLabel: `|${symbol}′| < ${VANISHING_GRADIENT}`,
      xRange: [-10, 10],
      yRange: [yTicks[0] ?? 0, yTicks[yTicks.length - 1] ?? 1],
      xTicks: [-10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10],
      yTicks,
    });
}

/** Wires the typed-in x; returns the function that shows the picked function's values. */
function setUpTry() {
  const input = /** @type {HTMLInputElement} */ (byId('x'));
  const show = () => {
    const { f, df } = family();
    const text = input.value.trim().replace(/^−/, '-');
    const x = text === '' ? NaN : Number(text);
    const valid = !Number.isNaN(x) || /^nan$/i.test(text);
    input.setAttribute('aria-invalid', String(!valid));
    byId('f').textContent = valid ? String(calls[f]?.(x)) : '—';
    byId('f-prime').textContent = valid ? String(calls[df]?.(x)) : '—';
    byId('f-f32').textContent = valid ? String(calls[f]?.(new Float32Array([x]))[0]) : '—';
  };
  input.addEventListener('input', show);
  byId('try').addEventListener('submit', (event) => event.preventDefault());
  return show;
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
    worker.postMessage({ type: 'race', sizes, millis, fn: family().f });
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
