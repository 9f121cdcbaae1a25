/**
 * The retry-schedule presets (docs/delivery.md R11 Haraka, R12 sendmail, R13 Exchange). For each, a
 * message whose every attempt fails: its attempt times and its return time, against times derived by
 * hand below from the preset's definition — first the policy alone with failures that take no time,
 * then a world whose only MX refuses every connection.
 *
 * How the world's times follow from a definition: the queue starts an attempt at the first scan at or
 * after the time the policy names (scans every `scan`, phased from boot at 0), and the policy counts
 * from the failure, which comes one round trip after the attempt starts (the refused connect; the
 * trace's queue.defer). So the attempt after one that failed at f with gap G starts at
 * ⌈(f + G) / scan⌉ · scan.
 */
import { describe, expect, it } from 'vitest';
import { ExchangeSchedule } from '../../src/nodes/mta/exchange-schedule.js';
import { HarakaSchedule } from '../../src/nodes/mta/haraka-schedule.js';
import { recordFailure, newRetryRecord, type RetryPolicy } from '../../src/nodes/mta/schedule.js';
import { SendmailSchedule } from '../../src/nodes/mta/sendmail-schedule.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { analyseScenarioObject, validateScenarioObject } from '../../src/scenario/load.js';
import { type QueueAttempt, queueEntries } from 'mailsim/testing';
import { recipient } from './world-harness.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** Every attempt fails the moment it starts and the next starts when due: the attempt times and the return. */
function allFail(policy: RetryPolicy, arrivalMs = 0): { attempts: number[]; returnedAtMs: number } {
  let record = newRetryRecord(arrivalMs, false);
  const attempts = [arrivalMs];
  for (;;) {
    const nowMs = attempts.at(-1)!;
    const { record: next, decision } = recordFailure(policy, record, nowMs);
    record = next;
    if (decision.kind === 'expired') return { attempts, returnedAtMs: nowMs };
    attempts.push(decision.atMs);
    if (attempts.length > 10_000) throw new Error('never returned');
  }
}

/** A world whose only MX refuses every connection; `queue` is the sending relay's queue block. */
function refusingWorld(queue: Record<string, unknown>, until: string, sendAt = '0s') {
  return {
    name: 'preset',
    until,
    network: { latency: '20ms' },
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' }, queue },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    faults: [{ at: '0s', refuse: 'mx.example.org' }],
    traffic: [{ at: sendAt, send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'hi' } }],
  };
}

/** The relay's queue attempts for bob's message (start, and failure: the trace's queue.attempt, queue.defer / queue.expired). */
function runRefused(queue: Record<string, unknown>, until: string, sendAt?: string): { arrivalMs: number; attempts: QueueAttempt[] } {
  const { report, world } = runScenarioWorld(validateScenarioObject(refusingWorld(queue, until, sendAt)), { keepTrace: true });
  expect(recipient(report, 'bob@example.org').status).toBe('bounced');
  const entry = queueEntries(world.sim.trace.events).find((e) => e.host === 'smtp.sender.net')!;
  expect(entry.attempts.slice(0, -1).every((a) => a.outcome === 'deferred')).toBe(true);
  expect(entry.attempts.at(-1)!.outcome).toBe('expired');
  return entry;
}

/** The first scan at or after `ms`, scans every `scanMs` from 0. */
const scanAtOrAfter = (ms: number, scanMs: number) => Math.ceil(ms / scanMs) * scanMs;

describe('R11 haraka', () => {
  // Definition: after the N-th failure (N = 1, 2, …) wait 2^(N+5) s; the 13th failure returns it.
  // With instant failures, attempt k (k = 1 … 13) is at Σ_{N<k} 2^(N+5) s = 64 · (2^(k−1) − 1) s:
  const byHand = [0, 64, 192, 448, 960, 1984, 4032, 8128, 16_320, 32_704, 65_472, 131_008, 262_080].map((s) => s * S);

  it('tries 13 times, 2^(N+5) s after the N-th failure, and returns the message at the 13th failure', () => {
    const { attempts, returnedAtMs } = allFail(new HarakaSchedule());
    expect(attempts).toEqual(byHand);
    expect(returnedAtMs).toBe(262_080 * S);
  });

  it('Will-Retry-Until is the first failure plus every delay', () => {
    const policy = new HarakaSchedule();
    expect(policy.retryUntilMs({ arrivalMs: 0, firstFailureMs: 10 * S, lastFailureMs: 10 * S, nowMs: 10 * S, failures: 1, nullSender: false })).toBe(262_090 * S);
  });

  it('in a world: the same schedule, each retry at the first 1 s scan after it is due', () => {
    const { attempts } = runRefused({ schedule: 'haraka', scan: '1s' }, '4d');
    // Attempt N+1 starts at the first 1 s scan at or after failure N + 2^(N+5) s; the 13th failure returns it.
    expect(attempts).toHaveLength(13);
    for (let n = 1; n < 13; n++) expect(attempts[n]!.startMs).toBe(scanAtOrAfter(attempts[n - 1]!.endMs! + 2 ** (n + 5) * S, S));
    // So the last attempt comes Σ 2^(N+5) s = 262,080 s after the first, plus under 1 s per retry.
    expect(attempts[12]!.startMs - attempts[0]!.startMs).toBeGreaterThanOrEqual(262_080 * S);
    expect(attempts[12]!.startMs - attempts[0]!.startMs).toBeLessThan(262_092 * S);
  });
});

describe('R12 sendmail', () => {
  // Definition: a try at every queue run (every `scan`, the -q interval) after the failure; returned at
  // the first failure at or after arrival + 5 d (Timeout.queuereturn).

  it('tries at every queue run and returns the message at the first failure 5 d after arrival', () => {
    const policy = new SendmailSchedule();
    // With instant failures the next attempt is due 1 ms after each one: with hourly runs (−q1h) from 0,
    // a message arriving at 30 min is tried then, at 1 h, 2 h, … and returned at the first run at or
    // after 30 min + 5 d, which is 121 h.
    let record = newRetryRecord(30 * MIN, false);
    const attempts = [30 * MIN];
    for (;;) {
      const { record: next, decision } = recordFailure(policy, record, attempts.at(-1)!);
      record = next;
      if (decision.kind === 'expired') break;
      attempts.push(Math.ceil(decision.atMs / H) * H);
    }
    expect(attempts).toEqual([30 * MIN, ...Array.from({ length: 121 }, (_, i) => (i + 1) * H)]);
  });

  it('in a world with scan: 1h: arrival, then every hour until 121 h, returned there', () => {
    const { arrivalMs, attempts } = runRefused({ schedule: 'sendmail', scan: '1h' }, '6d', '30m');
    // Sent at 30 min: tried on arrival, then at every queue run 1 h, 2 h, …; the run at 120 h fails before
    // arrival + 5 d (30 min later), the run at 121 h after it, and that failure returns the message.
    expect(arrivalMs).toBeGreaterThanOrEqual(30 * MIN);
    expect(attempts[0]!.startMs).toBe(arrivalMs);
    expect(attempts.slice(1).map((a) => a.startMs)).toEqual(Array.from({ length: 121 }, (_, i) => (i + 1) * H));
    expect(attempts.at(-1)!.endMs).toBeGreaterThanOrEqual(arrivalMs + 5 * D);
    expect(attempts.at(-2)!.endMs).toBeLessThan(arrivalMs + 5 * D);
  });
});

describe('R13 exchange', () => {
  // Definition: the gap after the N-th failure is 1 min for N = 1–4 (queue glitch retries), 5 min for
  // N = 5–10 (transient failure retries), 10 min after that; returned at the first failure at or after
  // arrival + 2 d (MessageExpirationTimeout).
  const gapMs = (n: number) => (n <= 4 ? MIN : n <= 10 ? 5 * MIN : 10 * MIN);

  it('4 × 1 min, 6 × 5 min, then every 10 min; returned at the first failure 2 d after arrival', () => {
    const { attempts, returnedAtMs } = allFail(new ExchangeSchedule());
    // By hand: 0, 1, 2, 3, 4 min; 9, 14, 19, 24, 29, 34 min; then 44 min, 54 min, … every 10 min. The
    // first at or after 2 d = 2880 min is 34 + 10 · 285 = 2884 min, attempt 11 + 285 = 296.
    expect(attempts.slice(0, 12)).toEqual([0, 1, 2, 3, 4, 9, 14, 19, 24, 29, 34, 44].map((m) => m * MIN));
    expect(attempts).toHaveLength(296);
    expect(returnedAtMs).toBe(2884 * MIN);
    expect(attempts.at(-2)).toBe(2874 * MIN);
  });

  it('in a world: the same chain, each retry at the first 1 s scan after it is due', () => {
    const { arrivalMs, attempts } = runRefused({ schedule: 'exchange', scan: '1s' }, '3d');
    // Attempt N+1 starts at the first 1 s scan at or after failure N + gap(N); only the last failure is
    // at or after arrival + 2 d, and it returns the message.
    for (let n = 1; n < attempts.length; n++) expect(attempts[n]!.startMs).toBe(scanAtOrAfter(attempts[n - 1]!.endMs! + gapMs(n), S));
    expect(attempts.at(-1)!.endMs).toBeGreaterThanOrEqual(arrivalMs + 2 * D);
    expect(attempts.at(-2)!.endMs).toBeLessThan(arrivalMs + 2 * D);
    // 11 attempts by 34 min (+ under 1 s each), then one per 10 min (+ under 1 s): 285 more reach 2 d.
    expect(attempts.length).toBeGreaterThanOrEqual(295);
    expect(attempts.length).toBeLessThanOrEqual(296);
  });
});

describe('the presets in a scenario file', () => {
  it('schedule: haraka, sendmail and exchange load; another name is refused', () => {
    for (const schedule of ['haraka', 'sendmail', 'exchange']) {
      expect(analyseScenarioObject(refusingWorld({ schedule }, '1d'), 'preset.yaml').errors).toEqual([]);
    }
    expect(analyseScenarioObject(refusingWorld({ schedule: 'qmail' }, '1d'), 'preset.yaml').errors).toHaveLength(1);
  });
});
