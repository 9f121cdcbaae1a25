import { defineConfig } from 'vitest/config';

// Tests import the package by its name ('mailsim') and resolve it to the TypeScript sources through
// the "source" export condition, so no build step is needed before `npm test`.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'threads',
  },
});
