// Dense samples where a family's error peaks, for errors.py: N inputs uniform in [from, to] (both
// signs with --both), the twin's results (bit-identical to the builds: harness.ts), written to
// $F64_DATA (default data-probe/). Then: F64_DATA=data-probe python3 errors.py - <family>.
//   nice -n 19 npx tsx docs/design/f64/probe.ts <family> <from> <to> [N] [--both]
/// <reference types="node" />
import { mkdirSync, writeFileSync } from 'node:fs';
import * as twin from '../../../src/double64.ts';

const [family = 'silu', from = '-0.5', to = '-0.1', count] = process.argv.slice(2);
const both = process.argv.includes('--both');
const N = Number(count ?? 1_000_000);
const FUNCTIONS: Record<string, string[]> = {
  sigmoid: ['sigmoid', 'sigmoidDerivative', 'sigmoidDerivativeFromOutput'],
  tanh: ['tanh', 'tanhDerivative', 'tanhDerivativeFromOutput'],
  silu: ['silu', 'siluDerivative'],
  softplus: ['softplus', 'logSigmoid', 'logSigmoidDerivative'],
  gelu: ['gelu', 'geluDerivative'],
  geluTanh: ['geluTanh', 'geluTanhDerivative'],
};
const here = new URL('./', import.meta.url);
const data = new URL(process.env.F64_DATA ?? 'data-probe/', here);
mkdirSync(data, { recursive: true });
const a = Number(from), b = Number(to);
const x = new Float64Array(N);
for (let i = 0; i < N; i++) x[i] = (both && i % 2 ? -1 : 1) * (a + ((b - a) * (i + 0.5)) / N);
writeFileSync(new URL(family.startsWith('gelu') ? 'xg.f64' : 'x.f64', data), x); // errors.py's input file per family
for (const name of FUNCTIONS[family]!) {
  const f = (twin as unknown as Record<string, (v: number) => number>)[name]!;
  // The functions of the output get the family's outputs as inputs.
  const output = name.endsWith('FromOutput');
  const input = output ? x.map(family === 'tanh' ? twin.tanh : twin.sigmoid) : x;
  if (output) writeFileSync(new URL(`${family === 'tanh' ? 'tanh' : 'sigma'}-output.f64`, data), input);
  writeFileSync(new URL(`${name}.f64`, data), input.map(f));
}
console.log(`wrote ${N} inputs in [${a}, ${b}]${both ? ' (both signs)' : ''} for ${family} to ${data.pathname}`);
