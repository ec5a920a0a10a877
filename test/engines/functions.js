// @ts-check
// The public array functions that every runtime fingerprints: their names and the names of
// their outputs (a function returns its one output, or an object of its outputs by these
// names). The harness reads this list and nothing else, so a function added here joins every
// runtime's fingerprint, the smoke test and the comparison with Node's.
// TODO: replace with the package's registry

/** @typedef {{ readonly name: string, readonly outputs: readonly string[] }} PublicFunction */

/** @type {readonly PublicFunction[]} */
export const FUNCTIONS = [
  { name: 'sigmoid', outputs: ['y'] },
  { name: 'sigmoidDerivative', outputs: ['y'] },
  { name: 'sigmoidDerivativeFromOutput', outputs: ['y'] },
  { name: 'sigmoidWithDerivative', outputs: ['y', 'dy'] },
];
