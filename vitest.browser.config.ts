// `npm run test:browser`: the tests that drive headless Chromium (see test/browser/).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
