import { defineConfig } from 'vitest/config';

// `npm run test:fidelity`: the fidelity suite (test/fidelity/*.fidelity.ts) — a real Postfix against
// fake MX hosts, compared with mailsim (docs/fidelity.md). Not part of `npm test`: it takes about
// 4.5 minutes of wall time (the 240 s queue lifetime of its longest experiment) and needs root.
// One process (forks), so the exit hooks that stop Postfix and dnsmasq belong to it.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/fidelity/**/*.fidelity.ts'],
    testTimeout: 60_000,
    hookTimeout: 480_000,
    pool: 'forks',
  },
});
