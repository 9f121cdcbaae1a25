/**
 * retrySchedule() (R7, R8, R9): passes on the Postfix and the Exim schedule, and catches planted queues
 * (vitest's module mocking of src/nodes/mta/schedule.js, as test/properties/planted-schedule.test.ts)
 * that retry 10 s after a failure, or every 5 minutes whatever the Exim rule says.
 */
import { retrySchedule, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allMxDownWorld, lines } from './worlds.js';

const planted = vi.hoisted(() => ({ mode: 'none' as 'none' | 'early' | 'exim-fixed' }));

vi.mock('../../../src/nodes/mta/schedule.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/mta/schedule.js')>();
  return {
    ...original,
    retryPolicyFor: (queue: Parameters<typeof original.retryPolicyFor>[0]) => {
      const policy = original.retryPolicyFor(queue);
      return {
        expired: (state: Parameters<typeof policy.expired>[0]) => policy.expired(state),
        retryUntilMs: (state: Parameters<typeof policy.retryUntilMs>[0]) => policy.retryUntilMs(state),
        nextAttemptMs: (state: Parameters<typeof policy.nextAttemptMs>[0]) => {
          if (planted.mode === 'early') return state.nowMs + 10_000;
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

const eximWorld = () => {
  const world = allMxDownWorld({ until: '2d' });
  const hosts = world.hosts as Record<string, Record<string, unknown>>;
  hosts['smtp.sender.net'] = { ...hosts['smtp.sender.net'], queue: { schedule: 'exim', rule: 'F,2h,15m; G,16h,1h,1.5; F,4d,6h' } };
  return world;
};

describe('retrySchedule()', () => {
  it('passes on the Postfix schedule up to the bounce, and on an Exim rule', () => {
    expect(retrySchedule()(runMail(allMxDownWorld()))).toEqual([]);
    expect(retrySchedule()(runMail(eximWorld()))).toEqual([]);
  });

  it('catches a queue that retries before the minimal backoff (R8)', () => {
    planted.mode = 'early';
    const found = lines(retrySchedule()(runMail(allMxDownWorld({ until: '1h' }))));
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/^smtp\.sender\.net \S+ \(<[^>]+>\): retried at t=[0-9dhms. ]+, more than 1 s before t=[0-9dhms. ]+ \(R8: min backoff\)$/);
  });

  it('catches an Exim queue that ignores its rule (R9)', () => {
    planted.mode = 'exim-fixed';
    const found = lines(retrySchedule()(runMail(eximWorld())));
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(/R9/);
  });
});
