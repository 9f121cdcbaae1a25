import { defineConfig } from 'vitest/config';

// A fault property runs a few hundred simulations; give it more than vitest's default 5 s.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
