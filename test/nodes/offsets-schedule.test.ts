/**
 * `queue.schedule: offsets` (docs/delivery.md R10, docs/reference.md §5.1): the attempts after the first
 * happen at arrival + each offset; after the last one (or at the lifetime) the message is returned.
 * The policy alone, and a world whose only MX is down until after the third offset.
 */
import { describe, expect, it } from 'vitest';
import { OffsetsSchedule } from '../../src/nodes/mta/offsets-schedule.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { analyseScenarioObject, validateScenarioObject } from '../../src/scenario/load.js';
import { recipient } from './world-harness.js';

const minute = 60_000;
const state = (nowMs: number) => ({ arrivalMs: 0, firstFailureMs: 0, lastFailureMs: 0, nowMs, failures: 1, nullSender: false });

describe('OffsetsSchedule', () => {
  const policy = new OffsetsSchedule({ offsetsMs: [6 * minute, 29 * minute, 57 * minute], lifetimeMs: 5 * 24 * 60 * minute, bounceLifetimeMs: 5 * 24 * 60 * minute });

  it('the next attempt is at the first offset still ahead of the failure', () => {
    expect(policy.nextAttemptMs(state(0))).toBe(6 * minute);
    expect(policy.nextAttemptMs(state(6 * minute))).toBe(29 * minute);
    expect(policy.nextAttemptMs(state(30 * minute))).toBe(57 * minute);
  });

  it('expires when no offset is left, or at the lifetime; Will-Retry-Until is the last offset', () => {
    expect(policy.expired(state(56 * minute))).toBe(false);
    expect(policy.expired(state(57 * minute))).toBe(true);
    expect(policy.retryUntilMs(state(0))).toBe(57 * minute);
    const short = new OffsetsSchedule({ offsetsMs: [6 * minute, 29 * minute], lifetimeMs: 10 * minute, bounceLifetimeMs: 10 * minute });
    expect(short.expired(state(10 * minute))).toBe(true);
  });

  it('refuses offsets that are not positive and strictly ascending', () => {
    expect(() => new OffsetsSchedule({ offsetsMs: [], lifetimeMs: 1, bounceLifetimeMs: 1 })).toThrow(RangeError);
    expect(() => new OffsetsSchedule({ offsetsMs: [5, 5], lifetimeMs: 1, bounceLifetimeMs: 1 })).toThrow(RangeError);
  });
});

function world(queue: Record<string, unknown>, upAt = '40m') {
  return {
    name: 'offsets',
    until: '1d',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' }, queue: { scan: '1m', ...queue } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    faults: [{ at: '0s', down: 'mx.example.org', until: upAt }],
    traffic: [{ at: '0s', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'hi' } }],
  };
}

describe('a world on schedule: offsets', () => {
  it('tries at arrival, then at each offset, and delivers at the one after the MX came back', () => {
    const { report } = runScenarioWorld(validateScenarioObject(world({ schedule: 'offsets', offsets: ['6m', '29m', '57m'] })));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('delivered');
    const fromRelay = bob.attempts.filter((a) => a.from === 'smtp.sender.net').map((a) => a.atMs);
    const arrivalMs = fromRelay[0]!;
    expect(arrivalMs).toBeLessThan(minute);
    // Each later attempt starts at the first 1-minute queue scan at or after arrival + its offset.
    for (const [i, atMs] of fromRelay.slice(1).entries()) {
      const dueMs = arrivalMs + [6, 29, 57][i]! * minute;
      expect(atMs).toBeGreaterThanOrEqual(dueMs);
      expect(atMs).toBeLessThan(dueMs + minute);
    }
    expect(fromRelay).toHaveLength(4);
  });

  it('returns the message after the last offset when the MX never came back in time', () => {
    const { report } = runScenarioWorld(validateScenarioObject(world({ schedule: 'offsets', offsets: ['6m', '29m'] }, '2h')));
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    const relayAttempts = bob.attempts.filter((a) => a.from === 'smtp.sender.net');
    expect(relayAttempts).toHaveLength(3);
    // Returned when the attempt at the last offset failed (its connect timed out), not retried again.
    expect(bob.bounce?.atMs).toBeGreaterThan(relayAttempts[2]!.atMs);
    expect(bob.bounce?.atMs).toBeLessThan(relayAttempts[2]!.atMs + minute);
    expect(bob.bounce?.status).toBe('4.4.1'); // the last attempt's status (connect timed out), as Postfix reports an expired message
  });

  it('schedule: offsets without offsets, or offsets out of order, is an error with its key path', () => {
    const missing = analyseScenarioObject(world({ schedule: 'offsets' }), 'offsets.yaml');
    expect(missing.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([expect.stringMatching(/^hosts\.smtp\.sender\.net\.queue\.schedule: schedule: offsets needs offsets/)]);
    const unordered = analyseScenarioObject(world({ schedule: 'offsets', offsets: ['10m', '5m'] }), 'offsets.yaml');
    expect(unordered.errors.map((e) => e.message)).toEqual(['offsets must be greater than 0 and strictly ascending']);
  });
});
