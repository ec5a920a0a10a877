// @ts-check
// The probe in Node, Deno and Bun: the package imported by name, as its users import it (the
// harness runs this file from a folder whose node_modules holds the packed package), and the
// report printed as one line that starts with 'engine-probe-report '.
import * as pkg from 'simd-activations';
import { probe } from './probe.js';

console.log(`engine-probe-report ${JSON.stringify(await probe(pkg, { pool: true }))}`);
