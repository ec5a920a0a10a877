// The benchmark's report writer, on a fixed set of results: the tables, the JSON and the SVG.
import { describe, expect, it } from 'vitest';
import { formatSize, parseSize, targetTable, throughputTable, toJson, toSvg, type Measurement, type Report } from '../bench/report.js';

const measurements: Measurement[] = [
  { case: 'js-naive', size: 16, elementsPerSecond: 80e6, rme: 1.5 },
  { case: 'js-naive', size: 65536, elementsPerSecond: 81e6, rme: 0.7 },
  { case: 'simd', size: 16, elementsPerSecond: 95e6, rme: 2.25 },
  { case: 'simd', size: 65536, elementsPerSecond: 950e6, rme: 0.4 },
  { case: 'a<b>&"c"', size: 65536, elementsPerSecond: 12345.6e6, rme: 3 },
];

const report: Report = {
  date: '2026-11-30T00:00:00.000Z',
  machine: 'test machine',
  inputs: 'inputs uniform in [-10, 10]',
  measurements,
  targets: [
    { label: 'SIMD / JS naive, 64 Ki', ratio: 950 / 81, goal: 10 },
    { label: 'top-level / JS naive, 16', ratio: 0.5, goal: 1 },
    { label: 'not measured', ratio: undefined, goal: 2 },
    { label: 'a near miss', ratio: 1.697, goal: 1.7 },
  ],
  firstCallMs: 3.25,
};

/** Every opening tag is closed in order (self-closing tags aside): a small well-formedness check. */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

describe('bench report', () => {
  it('formats and parses sizes', () => {
    expect([16, 256, 4096, 65536, 2 ** 20, 2 ** 24].map(formatSize)).toEqual(['16', '256', '4 Ki', '64 Ki', '1 Mi', '16 Mi']);
    expect(['16', '4Ki', '4 Ki', '64k', '1Mi', '16M'].map(parseSize)).toEqual([16, 4096, 4096, 65536, 2 ** 20, 2 ** 24]);
    for (const bad of ['', 'x', '0', '-4', '1.5']) expect(() => parseSize(bad)).toThrow(RangeError);
  });

  it('the throughput table has a row per case and a column per size, in M elem/s', () => {
    const lines = throughputTable(measurements).split('\n');
    expect(lines).toHaveLength(2 + 3); // header, separator, three cases
    expect(lines[0]).toMatch(/^\| case +\| +16 \| +64 Ki \|$/);
    expect(lines[1]).toMatch(/^\| -+ \| -+: \| -+: \|$/);
    expect(lines[2]).toMatch(/^\| js-naive +\| +80\.0 ±1\.5% \| +81\.0 ±0\.7% \|$/);
    expect(lines[3]).toMatch(/^\| simd +\| +95\.0 ±2\.3% \| +950 ±0\.4% \|$/);
    // A case not measured at a size leaves its cell empty, and the columns still line up.
    expect(lines[4]).toMatch(/^\| a<b>&"c" +\| +\| +12346 ±3\.0% \|$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('the target table says met, MISSED or not run', () => {
    const lines = targetTable(report.targets).split('\n');
    expect(lines[2]).toMatch(/SIMD \/ JS naive, 64 Ki +\| +≥ 10× \| +11\.73× \| +met \|$/);
    expect(lines[3]).toMatch(/top-level \/ JS naive, 16 +\| +≥ 1× \| +0\.50× \| +MISSED \|$/);
    expect(lines[4]).toMatch(/not measured +\| +≥ 2× \| +– \| +not run \|$/);
    // A miss that two decimals would round up to the goal shows a third.
    expect(lines[5]).toMatch(/a near miss +\| +≥ 1\.7× \| +1\.697× \| +MISSED \|$/);
  });

  it('the JSON round-trips', () => {
    const text = toJson(report);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('the SVG is a well-formed chart with one line and one legend entry per case', () => {
    const svg = toSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    // Two sizes per case for js-naive and simd, one point only for the third: no line for it.
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg).toContain('>js-naive</text>');
    expect(svg).toContain('>a&lt;b&gt;&amp;&quot;c&quot;</text>');
    expect(svg).not.toContain('a<b>');
    // Log-scale axes: size labels, and powers of ten of M elem/s from 10 to 100000.
    for (const label of ['>16</text>', '>64 Ki</text>', '>10</text>', '>100000</text>']) expect(svg).toContain(label);
    // Faster means higher: simd's 64 Ki point lies above js-naive's.
    const points = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
    const [naive, simd] = points as [number[][], number[][]];
    expect(simd[1]![1]!).toBeLessThan(naive[1]![1]!);
    expect(simd[1]![0]!).toBe(naive[1]![0]!);
  });

  it('an empty report still gives a valid SVG', () => {
    const svg = toSvg({ ...report, measurements: [] });
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain('no measurements');
  });
});
