/**
 * deliveredOrBounced({ within }) (R1, R7): passes when a queue returns the message after its lifetime,
 * and catches a planted queue that never gives up (its retry policy never expires a message, through
 * vitest's module mocking of src/nodes/mta/schedule.js): still deferred past the default deadline.
 */
import { deliveredOrBounced, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allMxDownWorld, lines, twoMxWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ neverExpire: false }));

vi.mock('../../../src/nodes/mta/schedule.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/mta/schedule.js')>();
  return {
    ...original,
    retryPolicyFor: (queue: Parameters<typeof original.retryPolicyFor>[0]) => {
      const policy = original.retryPolicyFor(queue);
      return {
        expired: (state: Parameters<typeof policy.expired>[0]) => (planted.neverExpire ? false : policy.expired(state)),
        retryUntilMs: (state: Parameters<typeof policy.retryUntilMs>[0]) => policy.retryUntilMs(state),
        nextAttemptMs: (state: Parameters<typeof policy.nextAttemptMs>[0]) => policy.nextAttemptMs(state),
      };
    },
  };
});

afterEach(() => {
  planted.neverExpire = false;
});

describe('deliveredOrBounced()', () => {
  it('passes when the queue bounces after its lifetime, and when the mail is delivered', () => {
    expect(deliveredOrBounced()(runMail(allMxDownWorld({ until: '10d' })))).toEqual([]);
    expect(deliveredOrBounced({ within: '5m' })(runMail(twoMxWorld()))).toEqual([]);
  });

  it('catches a queue that never gives up', () => {
    planted.neverExpire = true;
    const found = lines(deliveredOrBounced()(runMail(allMxDownWorld({ until: '10d' }))));
    expect(found).toEqual([expect.stringMatching(/^m1 <[^>]+> → bob@example\.org is still deferred at t=10d.*, past the deadline t=6d 1m \(submitted at t=1m; R7\)$/)]);
  });

  it('judges a deadline given as a duration string or as ms, and refuses a bad one', () => {
    const run = runMail(allMxDownWorld({ until: '10d' }));
    expect(lines(deliveredOrBounced({ within: '1d' })(run))).toEqual([expect.stringMatching(/bounced at t=5d.*after the deadline t=1d 1m \(submitted at t=1m\)$/)]);
    expect(deliveredOrBounced({ within: 6 * 86_400_000 })(run)).toEqual([]);
    expect(() => deliveredOrBounced({ within: '5 parsecs' })).toThrow(/deliveredOrBounced\(\{ within \}\)/);
  });
});
