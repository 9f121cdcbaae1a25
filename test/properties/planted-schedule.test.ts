/**
 * Planted bugs in the retry schedule (R8), through vitest's module mocking of
 * src/nodes/mta/schedule.js — no production flag:
 *   'early': retries 10 s after a failure (ignores the minimal backoff) → Retry catches it;
 *   'never': after a failure the next attempt is 30 days away (a queue that forgets deferred mail)
 *            → Retry and Eventually catch it;
 *   'exim-fixed': under `schedule: exim` every gap is 5 minutes, whatever the rule says → Exim retry
 *            (R9) catches it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventuallyDelivered, eximRetrySchedule, retrySchedule } from './checks.js';
import { caughtAndShrunk } from './harness.js';
import { eximTemporaryWorld, healedAtMs, healingWorld, temporaryWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ mode: 'none' as 'none' | 'early' | 'never' | 'exim-fixed' }));

vi.mock('../../src/nodes/mta/schedule.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/nodes/mta/schedule.js')>();
  return {
    ...original,
    retryPolicyFor: (queue: Parameters<typeof original.retryPolicyFor>[0]) => {
      const policy = original.retryPolicyFor(queue);
      return {
        expired: (state: Parameters<typeof policy.expired>[0]) => policy.expired(state),
        retryUntilMs: (state: Parameters<typeof policy.retryUntilMs>[0]) => policy.retryUntilMs(state),
        nextAttemptMs: (state: Parameters<typeof policy.nextAttemptMs>[0]) => {
          if (planted.mode === 'early') return state.nowMs + 10_000;
          if (planted.mode === 'never') return state.nowMs + 30 * 86_400_000;
          if (planted.mode === 'exim-fixed' && queue.schedule === 'exim') return state.nowMs + 300_000;
          return policy.nextAttemptMs(state);
        },
      };
    },
  };
});

afterEach(() => {
  planted.mode = 'none';
});

describe('planted bugs in the retry schedule', () => {
  it('retrying before the minimal backoff is caught by Retry (R8) and shrunk', () => {
    planted.mode = 'early';
    const failure = caughtAndShrunk('planted-retry-early', temporaryWorld(), retrySchedule, { faultsMax: 2 });
    expect(failure.violations.join('\n')).toMatch(/before .* min backoff/);
  });

  it('a queue that never retries is caught by Retry (R8) and shrunk', () => {
    planted.mode = 'never';
    const failure = caughtAndShrunk('planted-retry-never', temporaryWorld(), retrySchedule, { faultsMax: 2 });
    expect(failure.violations.join('\n')).toMatch(/later than|no retry/);
  });

  it('an Exim schedule that ignores its rule is caught by Exim retry (R9) and shrunk', () => {
    planted.mode = 'exim-fixed';
    const failure = caughtAndShrunk('planted-retry-exim', eximTemporaryWorld(), eximRetrySchedule, { faultsMax: 2 });
    expect(failure.violations.join('\n')).toMatch(/R9/);
  });

  it('a queue that never retries is caught by Eventually (liveness) and shrunk', () => {
    planted.mode = 'never';
    const failure = caughtAndShrunk('planted-eventually', healingWorld(), eventuallyDelivered(healedAtMs), { faultsMax: 1 });
    expect(failure.violations.join('\n')).toMatch(/still holds/);
  });
});
