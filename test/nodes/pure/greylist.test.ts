/** Greylisting with postgrey semantics (docs/delivery.md §11, docs/reference.md §5 `greylist`). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientNetwork, Greylist } from '../../../src/nodes/mta/greylist.js';
import { nextScanAtOrAfterMs, PostfixSchedule } from '../../../src/nodes/mta/schedule.js';

const S = 1000;
const triplet = { clientAddress: '10.0.0.7', sender: 'alice@sender.net', recipient: 'bob@example.org' };

describe('greylisting (docs/delivery.md §11)', () => {
  it('§11: the first attempt is recorded and refused with 450 4.2.0; a retry after the delay passes', () => {
    const greylist = new Greylist({ delayMs: 300 * S });
    const first = greylist.check({ ...triplet, nowMs: 1000 * S });
    expect(first).toMatchObject({ verdict: 'greylisted', retryAfterMs: 1300 * S });
    if (first.verdict === 'greylisted') {
      expect(first.reply.code).toBe(450);
      expect(first.reply.enhanced).toBe('4.2.0');
    }
    expect(greylist.check({ ...triplet, nowMs: 1299 * S }).verdict).toBe('greylisted');
    expect(greylist.check({ ...triplet, nowMs: 1300 * S })).toEqual({ verdict: 'pass', firstPass: true });
    expect(greylist.check({ ...triplet, nowMs: 5000 * S })).toEqual({ verdict: 'pass', firstPass: false });
  });

  it('§11: the key is (client /24, sender, recipient): another host in the /24 shares it, another recipient does not', () => {
    const greylist = new Greylist({ delayMs: 300 * S });
    greylist.check({ ...triplet, nowMs: 0 });
    expect(greylist.check({ ...triplet, clientAddress: '10.0.0.200', nowMs: 300 * S }).verdict).toBe('pass');
    expect(greylist.check({ ...triplet, clientAddress: '10.0.1.7', nowMs: 300 * S }).verdict).toBe('greylisted');
    expect(greylist.check({ ...triplet, recipient: 'carol@example.org', nowMs: 300 * S }).verdict).toBe('greylisted');
    expect(greylist.check({ ...triplet, sender: '', nowMs: 300 * S }).verdict).toBe('greylisted');
  });

  it('§11: a sender that never retries within the retry window starts over', () => {
    const greylist = new Greylist({ delayMs: 300 * S, retryWindowMs: 3600 * S });
    greylist.check({ ...triplet, nowMs: 0 });
    expect(greylist.check({ ...triplet, nowMs: 3601 * S }).verdict).toBe('greylisted');
    expect(greylist.check({ ...triplet, nowMs: 3901 * S }).verdict).toBe('pass');
  });

  it('§11: a Postfix-schedule retrier gets through on the 2nd or 3rd retry for a 300 s delay', () => {
    const greylist = new Greylist({ delayMs: 300 * S });
    const policy = new PostfixSchedule();
    const arrivalMs = 37 * S;
    let nowMs = arrivalMs;
    let attempts = 0;
    while (greylist.check({ ...triplet, nowMs }).verdict === 'greylisted') {
      attempts++;
      const state = { arrivalMs, firstFailureMs: arrivalMs, lastFailureMs: nowMs, nowMs, failures: attempts, nullSender: false };
      nowMs = nextScanAtOrAfterMs(policy.nextAttemptMs(state), 300 * S);
      if (attempts > 10) throw new Error('never passed');
    }
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(3);
  });

  it('keeps at most tripletsMax entries, dropping the least recently seen', () => {
    const greylist = new Greylist({ delayMs: 10, tripletsMax: 3 });
    for (const rcpt of ['a', 'b', 'c']) greylist.check({ ...triplet, recipient: `${rcpt}@x`, nowMs: 0 });
    greylist.check({ ...triplet, recipient: 'a@x', nowMs: 1 }); // a is now the most recent
    greylist.check({ ...triplet, recipient: 'd@x', nowMs: 2 }); // evicts b
    expect(greylist.size()).toBe(3);
    expect(greylist.check({ ...triplet, recipient: 'a@x', nowMs: 20 }).verdict).toBe('pass');
    expect(greylist.check({ ...triplet, recipient: 'b@x', nowMs: 20 }).verdict).toBe('greylisted');
  });

  it('clientNetwork: IPv4 /24, IPv6 /64', () => {
    expect(clientNetwork('192.0.2.55')).toBe('192.0.2.0/24');
    expect(clientNetwork('2001:db8:0:1::25')).toBe('2001:db8:0:1::/64');
    expect(clientNetwork('2001:0db8:0000:0001:0000:0000:0000:0099')).toBe('2001:db8:0:1::/64');
  });

  it('property: a triplet passes exactly when at least delayMs has passed since its first sighting', () => {
    fc.assert(
      fc.property(
        // Steps in quarters of the delay, nudged by a millisecond, so runs land on the boundary often.
        fc.integer({ min: 1, max: 250 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 0, 0, 1)), { minLength: 1, maxLength: 20 }),
        (quarterMs, nudgedSteps) => {
          const delayMs = 4 * quarterMs;
          const steps = nudgedSteps.map(([quarters, nudge]) => Math.max(0, quarters * quarterMs + nudge));
          const greylist = new Greylist({ delayMs });
          let nowMs = 0;
          const firstMs = 0;
          greylist.check({ ...triplet, nowMs });
          for (const step of steps) {
            nowMs += step;
            const verdict = greylist.check({ ...triplet, nowMs }).verdict;
            if ((verdict === 'pass') !== (nowMs - firstMs >= delayMs)) return false;
          }
          return true;
        },
      ),
    );
  });
});
