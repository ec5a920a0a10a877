// @ts-check
// The demo's two charts: a line plot with axes (SVG) and horizontal bars (HTML). Small enough
// that a chart library would be the bigger dependency.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} name
 * @param {Record<string, string | number>} attributes
 * @param {string} [text]
 * @returns {SVGElement}
 */
function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * @typedef {{ label: string, color: string, ys: ArrayLike<number> }} Series
 * @typedef {{ from: number, to: number }} Band
 */

/**
 * A line plot of `series` over `xs` on fixed axes, with `bands` (x ranges) shaded and labelled.
 * @param {HTMLElement} container
 * @param {{ xs: ArrayLike<number>, series: Series[], bands: Band[], bandLabel: string,
 *   xRange: [number, number], yRange: [number, number], xTicks: number[], yTicks: number[] }} plot
 */
export function linePlot(container, plot) {
  // Drawn at the container's width, so that the text keeps its size on a phone.
  const width = Math.max(300, Math.round(container.clientWidth || 640));
  const height = Math.round(Math.min(420, Math.max(240, width * 0.6)));
  const margin = { left: 46, right: 14, top: 14, bottom: 36 };
  const [x0, x1] = plot.xRange;
  const [y0, y1] = plot.yRange;
  /** @param {number} x */
  const sx = (x) => margin.left + ((x - x0) / (x1 - x0)) * (width - margin.left - margin.right);
  /** @param {number} y */
  const sy = (y) => height - margin.bottom - ((y - y0) / (y1 - y0)) * (height - margin.top - margin.bottom);
  const svg = element('svg', { viewBox: `0 0 ${width} ${height}`, role: 'presentation' });

  for (const band of plot.bands) {
    const left = sx(band.from);
    const right = sx(band.to);
    svg.append(element('rect', { x: round(left), y: sy(y1), width: round(right - left), height: sy(y0) - sy(y1), fill: 'var(--flat)' }));
    if (right - left > 60) {
      const label = element('text', { x: round((left + right) / 2), y: sy(y1) + 16, 'text-anchor': 'middle' }, plot.bandLabel);
      svg.append(label);
    }
  }
  for (const x of plot.xTicks) {
    svg.append(element('line', { x1: sx(x), x2: sx(x), y1: sy(y0), y2: sy(y1), stroke: 'var(--line)' }));
    svg.append(element('text', { x: sx(x), y: height - margin.bottom + 16, 'text-anchor': 'middle' }, String(x)));
  }
  for (const y of plot.yTicks) {
    svg.append(element('line', { x1: sx(x0), x2: sx(x1), y1: sy(y), y2: sy(y), stroke: 'var(--line)' }));
    svg.append(element('text', { x: margin.left - 6, y: sy(y) + 4, 'text-anchor': 'end' }, String(y)));
  }
  svg.append(element('text', { x: width - margin.right, y: height - 4, 'text-anchor': 'end' }, 'x'));

  plot.series.forEach((series, index) => {
    let d = '';
    for (let i = 0; i < plot.xs.length; i++) d += `${i === 0 ? 'M' : 'L'}${round(sx(plot.xs[i] ?? 0))},${round(sy(series.ys[i] ?? 0))}`;
    svg.append(element('path', { d, fill: 'none', stroke: series.color, 'stroke-width': 2.5, class: 'series' }));
    // The legend, top left inside the axes.
    const y = margin.top + 46 + index * 20;
    svg.append(element('line', { x1: sx(x0) + 12, x2: sx(x0) + 36, y1: y, y2: y, stroke: series.color, 'stroke-width': 3 }));
    svg.append(element('text', { x: sx(x0) + 42, y: y + 4, style: 'fill: var(--ink)' }, series.label));
  });
  container.replaceChildren(svg);
}

/**
 * @typedef {{ label: string, value: number | undefined, note?: string, color: string }} Bar
 * @typedef {{ title: string, bars: Bar[] }} BarGroup
 */

/**
 * Horizontal bars as HTML (so that the labels reflow on a phone), one group per title, all on
 * one linear scale; `format` prints each value.
 * @param {HTMLElement} container
 * @param {BarGroup[]} groups
 * @param {(value: number) => string} format
 */
export function barChart(container, groups, format) {
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)));
  /** @param {string} tag @param {string} className @param {string} [text] */
  const html = (tag, className, text) => {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  container.replaceChildren(
    ...groups.map((group) => {
      const box = html('div', 'bar-group');
      box.append(html('h3', 'bar-title', group.title));
      for (const bar of group.bars) {
        const row = html('div', 'bar-row');
        const track = html('div', 'bar-track');
        if (bar.value !== undefined) {
          const fill = html('div', 'bar');
          fill.style.width = `${Math.max(0.5, (bar.value / max) * 100)}%`;
          fill.style.background = bar.color;
          track.append(fill);
        }
        const value = bar.value === undefined ? '' : format(bar.value);
        row.append(html('span', 'bar-label', bar.label), track, html('span', bar.value === undefined ? 'bar-value pending' : 'bar-value', [value, bar.note ?? (bar.value === undefined ? 'waiting' : '')].filter(Boolean).join(' · ')));
        box.append(row);
      }
      return box;
    }),
  );
}
