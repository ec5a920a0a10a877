// The benchmark's report: the table printed at the end, results.json and the chart
// results.svg. Pure functions of the measured results, so that a unit test can check them.

export interface Measurement {
  /** Case name, e.g. 'simd-resident'. */
  case: string;
  /** Elements per call. */
  size: number;
  /** Elements per second. */
  elementsPerSecond: number;
  /** Relative margin of error of the mean, in percent (benchmark.js `stats.rme`). */
  rme: number;
}

export interface Target {
  /** What is promised, e.g. 'SIMD zero-copy vs tfjs-wasm compute at 64 Ki'. */
  label: string;
  /** Measured ratio, or undefined when a case was not run. */
  ratio: number | undefined;
  /** The ratio the target asks for (at least). */
  goal: number;
}

export interface Report {
  date: string;
  machine: string;
  inputs: string;
  measurements: Measurement[];
  targets: Target[];
  /** Milliseconds for the first call in a fresh process (after the import), if measured. */
  firstCallMs?: number | undefined;
  /** Milliseconds to import the package in a fresh process, if measured. */
  importMs?: number | undefined;
}

/** 16 -> '16', 4096 -> '4 Ki', 1048576 -> '1 Mi'. */
export function formatSize(size: number): string {
  if (size >= 2 ** 20 && size % 2 ** 20 === 0) return `${size / 2 ** 20} Mi`;
  if (size >= 2 ** 10 && size % 2 ** 10 === 0) return `${size / 2 ** 10} Ki`;
  return String(size);
}

/** Parses what formatSize prints (and plain numbers, and 'k'/'m' suffixes): '4Ki', '1Mi', '256'. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ki|k|mi|m)?\s*$/i.exec(text);
  if (!match) throw new RangeError(`not an array size: ${JSON.stringify(text)} (examples: 16, 4Ki, 1Mi)`);
  const unit = (match[2] ?? '').toLowerCase();
  const size = Number(match[1]) * (unit.startsWith('m') ? 2 ** 20 : unit.startsWith('k') ? 2 ** 10 : 1);
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`not an array size: ${JSON.stringify(text)}`);
  return size;
}

/** M elem/s with a sensible number of digits. */
export function formatRate(elementsPerSecond: number): string {
  const m = elementsPerSecond / 1e6;
  return m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2);
}

function orderedKeys<T>(items: T[], key: (item: T) => string | number): (string | number)[] {
  const seen: (string | number)[] = [];
  for (const item of items) if (!seen.includes(key(item))) seen.push(key(item));
  return seen;
}

/** Throughput (M elem/s) per case and size, as a markdown table. */
export function throughputTable(measurements: Measurement[]): string {
  const cases = orderedKeys(measurements, (m) => m.case) as string[];
  const sizes = (orderedKeys(measurements, (m) => m.size) as number[]).sort((a, b) => a - b);
  const rows = [['case', ...sizes.map(formatSize)]];
  for (const name of cases) {
    rows.push([
      name,
      ...sizes.map((size) => {
        const m = measurements.find((x) => x.case === name && x.size === size);
        return m ? `${formatRate(m.elementsPerSecond)} ±${m.rme.toFixed(1)}%` : '';
      }),
    ]);
  }
  return markdown(rows);
}

/** The targets with their measured ratios, as a markdown table. */
export function targetTable(targets: Target[]): string {
  const rows = [['target', 'goal', 'measured', '']];
  for (const t of targets) {
    const verdict = t.ratio === undefined ? 'not run' : t.ratio >= t.goal ? 'met' : 'MISSED';
    // Two decimals, or three where two would round a miss up to the goal (1.697 is not 1.70).
    const digits = t.ratio !== undefined && t.ratio < t.goal && Number(t.ratio.toFixed(2)) >= t.goal ? 3 : 2;
    rows.push([t.label, `≥ ${t.goal}×`, t.ratio === undefined ? '–' : `${t.ratio.toFixed(digits)}×`, verdict]);
  }
  return markdown(rows);
}

/** A markdown table with aligned columns; the first row is the header. */
function markdown(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(3, ...rows.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  const separator = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(rows[0]!), separator, ...rows.slice(1).map(line)].join('\n');
}

export function toJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// Distinct colours for up to 22 cases (black is the memcpy roofline's).
const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#e6ab02',
  '#1b9e77', '#a6761d', '#525252', '#7b4173', '#3182bd', '#e7298a', '#66a61e', '#fd8d3c', '#6a51a3', '#74c476', '#9ecae1',
];

/** Line style by kind of case: the roofline dashed black, the peer dashed, plain JS dotted. */
function dash(name: string): string {
  if (name === 'memcpy') return ' stroke-dasharray="8 4"';
  if (name.startsWith('tfjs')) return ' stroke-dasharray="6 3"';
  if (name.startsWith('js')) return ' stroke-dasharray="2 3"';
  return '';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Throughput against array size, one line per case, both axes logarithmic. */
export function toSvg(report: Report): string {
  const { measurements } = report;
  const width = 900;
  const height = 480;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sizes = (orderedKeys(measurements, (m) => m.size) as number[]).sort((a, b) => a - b);
  const rates = measurements.map((m) => m.elementsPerSecond / 1e6).filter((r) => r > 0);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="22" font-size="15" font-weight="600">${escapeXml(`Throughput (M elements/s) against array size: ${report.inputs}`)}</text>`);
  if (sizes.length === 0 || rates.length === 0) {
    parts.push(`<text x="${left}" y="${top + 20}">no measurements</text></svg>`);
    return `${parts.join('\n')}\n`;
  }
  const xMin = Math.log2(sizes[0]!);
  const xMax = Math.max(Math.log2(sizes[sizes.length - 1]!), xMin + 1);
  const yMin = Math.floor(Math.log10(Math.min(...rates)));
  const yMax = Math.max(Math.ceil(Math.log10(Math.max(...rates))), yMin + 1);
  const x = (size: number): number => left + ((Math.log2(size) - xMin) / (xMax - xMin)) * plotW;
  const y = (rate: number): number => top + plotH - ((Math.log10(rate) - yMin) / (yMax - yMin)) * plotH;
  // Grid and axes.
  for (let p = yMin; p <= yMax; p++) {
    const gy = top + plotH - ((p - yMin) / (yMax - yMin)) * plotH;
    parts.push(`<line x1="${left}" y1="${gy.toFixed(1)}" x2="${left + plotW}" y2="${gy.toFixed(1)}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 8}" y="${(gy + 4).toFixed(1)}" text-anchor="end">${10 ** p}</text>`);
  }
  for (const size of sizes) {
    const gx = x(size);
    parts.push(`<line x1="${gx.toFixed(1)}" y1="${top}" x2="${gx.toFixed(1)}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${gx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${formatSize(size)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">elements per call (log scale)</text>`);
  parts.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">M elements/s (log scale)</text>`);
  // One line per case, with a legend entry.
  const cases = orderedKeys(measurements, (m) => m.case) as string[];
  cases.forEach((name, i) => {
    const color = name === 'memcpy' ? '#000000' : PALETTE[i % PALETTE.length]!;
    const points = measurements
      .filter((m) => m.case === name && m.elementsPerSecond > 0)
      .sort((a, b) => a.size - b.size)
      .map((m) => `${x(m.size).toFixed(1)},${y(m.elementsPerSecond / 1e6).toFixed(1)}`);
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash(name)} points="${points.join(' ')}"/>`);
    }
    for (const p of points) {
      const [px, py] = p.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
    }
    const ly = top + 10 + i * 18;
    parts.push(`<line x1="${left + plotW + 15}" y1="${ly}" x2="${left + plotW + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dash(name)}/>`);
    parts.push(`<text x="${left + plotW + 46}" y="${ly + 4}">${escapeXml(name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
