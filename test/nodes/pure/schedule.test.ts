/**
 * Retry schedules (docs/delivery.md R7–R9, docs/reference.md §5.1), checked by replaying a message that never
 * gets through: every attempt fails, the queue retries at the first scan after the eligible time, and
 * the schedule eventually says "expired".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EximSchedule,
  eximDefaultRuleText,
  newRetryRecord,
  nextScanAtOrAfterMs,
  PostfixSchedule,
  parseEximRetryRule,
  RetryRuleError,
  type RetryPolicy,
  recordFailure,
  retryPolicyFor,
  retryStateAt,
  shouldSendDelayWarning,
} from '../../../src/nodes/mta/schedule.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** Replays failures from arrival; returns attempt times and the time of the bounce. */
function replay(
  policy: RetryPolicy,
  options: { arrivalMs: number; scanMs?: number; scanPhaseMs?: number; nullSender?: boolean },
): { attempts: number[]; bounceMs: number } {
  const attemptsMax = 10_000;
  let record = newRetryRecord(options.arrivalMs, options.nullSender ?? false);
  let nowMs = options.arrivalMs;
  const attempts: number[] = [];
  for (let i = 0; i < attemptsMax; i++) {
    attempts.push(nowMs);
    const result = recordFailure(policy, record, nowMs);
    record = result.record;
    if (result.decision.kind === 'expired') return { attempts, bounceMs: nowMs };
    nowMs =
      options.scanMs === undefined
        ? result.decision.atMs
        : nextScanAtOrAfterMs(result.decision.atMs, options.scanMs, options.scanPhaseMs ?? 0);
  }
  throw new Error('schedule never expired');
}

describe('Postfix schedule (R8)', () => {
  it('R8: eligible times 0, 300, 600, 1200, 2400, 4800 s, then every 4000 s; 113 attempts; bounce at 432,800 s', () => {
    // The derived figures of docs/delivery.md R8 are the schedule's own eligible times (the deferred
    // file's mtime, no scan rounding), each attempt made at the previous one's eligible time.
    const policy = new PostfixSchedule();
    let record = newRetryRecord(0, false);
    let nowMs = 0;
    const attempts: number[] = [];
    for (;;) {
      attempts.push(nowMs);
      const eligibleMs = policy.eligibleMs(retryStateAt(record, nowMs));
      const { record: next, decision } = recordFailure(policy, record, nowMs);
      if (decision.kind === 'expired') break;
      // A scan takes it from the second before its eligible time on (the 1 s look-ahead).
      expect(decision.atMs).toBe(eligibleMs - S);
      record = next;
      nowMs = eligibleMs;
    }
    expect(attempts.slice(0, 9).map((t) => t / S)).toEqual([0, 300, 600, 1200, 2400, 4800, 8800, 12800, 16800]);
    for (let i = 6; i < attempts.length; i++) expect(attempts[i]! - attempts[i - 1]!).toBe(4000 * S);
    expect(attempts).toHaveLength(113);
    expect(attempts.at(-1)).toBe(432_800 * S);
  });

  it('R8 on Postfix\'s whole-second clock: eligible = ⌊now⌋ + clamp(⌊now⌋ − ⌊arrival⌋), taken by a scan at S once eligible ≤ ⌊S⌋ + 1 s', () => {
    // qmgr_active.c: create_time is the arrival's second, the deferred file's mtime event_time() + delay,
    // and qmgr_active_feed() takes a file whose mtime is ≤ time() + 1.
    const policy = new PostfixSchedule({ minBackoffMs: 4 * S, maxBackoffMs: 32 * S, lifetimeMs: 240 * S });
    const state = { arrivalMs: 700, firstFailureMs: 4200, lastFailureMs: 4200, nowMs: 4200, failures: 1, nullSender: false };
    // ⌊4.2⌋ = 4, age 4 − ⌊0.7⌋ = 4 s, clamped to [4, 32]: eligible at 4 + 4 = 8 s (not 4.2 + 4 = 8.2 s).
    expect(policy.eligibleMs(state)).toBe(8 * S);
    // The scan at 7 s takes it (8 ≤ 7 + 1); with scans every second, one at 6 s or 6.9 s does not.
    expect(policy.nextAttemptMs(state)).toBe(7 * S);
    expect(nextScanAtOrAfterMs(policy.nextAttemptMs(state), 1 * S, 0)).toBe(7 * S);
    expect(nextScanAtOrAfterMs(policy.nextAttemptMs(state), 2 * S, 900)).toBe(8900);
    // The age counts whole seconds too: at 16.9 s it is 16 − 0 = 16 s, so eligible at 32 s, taken from 31 s.
    expect(policy.nextAttemptMs({ ...state, nowMs: 16_900 })).toBe(31 * S);
    // Expiry at the first failure with ⌊now⌋ − ⌊arrival⌋ ≥ lifetime: 240.2 s expires (though only
    // 239.5 s after arrival), 239.9 s does not.
    expect(policy.expired({ ...state, nowMs: 240_200 })).toBe(true);
    expect(policy.expired({ ...state, nowMs: 239_900 })).toBe(false);
    // A backoff of 1 s or less is still never taken at or before the failure itself.
    const short = new PostfixSchedule({ minBackoffMs: 1 * S, maxBackoffMs: 1 * S });
    expect(short.nextAttemptMs({ ...state, arrivalMs: 0, nowMs: 500 })).toBe(501);
  });

  it('R8: with 300 s queue scans each attempt waits for the next scan (4000 s gaps become 4200 s)', () => {
    const { attempts, bounceMs } = replay(new PostfixSchedule(), { arrivalMs: 0, scanMs: 300 * S });
    expect(attempts.slice(0, 8).map((t) => t / S)).toEqual([0, 300, 600, 1200, 2400, 4800, 9000, 13200]);
    for (let i = 6; i < attempts.length; i++) expect(attempts[i]! - attempts[i - 1]!).toBe(4200 * S);
    expect(attempts).toHaveLength(108);
    // Near 432,800 s, within one scan-rounded gap of the lifetime.
    expect(bounceMs).toBe(433_200 * S);
    expect(bounceMs - 432_800 * S).toBeLessThan(4200 * S);
  });

  it('R8: a message arriving between scans is shifted by at most one scan per attempt', () => {
    const arrivalMs = 60 * S; // docs/reference.md §2: alice submits at 1m
    const { attempts, bounceMs } = replay(new PostfixSchedule(), { arrivalMs, scanMs: 300 * S, scanPhaseMs: 0 });
    expect(attempts[1]).toBe(600 * S); // eligible at 360 s, picked up by the 600 s scan
    expect(bounceMs).toBeGreaterThanOrEqual(arrivalMs + 5 * D);
    expect(bounceMs).toBeLessThan(arrivalMs + 5 * D + 4000 * S + 300 * S);
    expect(attempts.length).toBeGreaterThanOrEqual(105);
    expect(attempts.length).toBeLessThanOrEqual(113);
  });

  it('R8: expires at the first failure with now ≥ arrival + lifetime (the boundary itself expires)', () => {
    const policy = new PostfixSchedule({ lifetimeMs: 1200 * S });
    const base = { arrivalMs: 0, firstFailureMs: 0, lastFailureMs: 0, failures: 1, nullSender: false };
    expect(policy.expired({ ...base, nowMs: 1199 * S })).toBe(false);
    expect(policy.expired({ ...base, nowMs: 1200 * S })).toBe(true);
    // With scans at 0/300/600/1200 the attempt at exactly 1200 s bounces.
    expect(replay(policy, { arrivalMs: 0, scanMs: 300 * S }).bounceMs).toBe(1200 * S);
  });

  it('R8: null-sender mail (a DSN) uses bounce-lifetime', () => {
    const policy = new PostfixSchedule({ lifetimeMs: 5 * D, bounceLifetimeMs: 1 * D });
    const state = { arrivalMs: 0, firstFailureMs: 0, lastFailureMs: 0, nowMs: 1 * D, failures: 1 };
    expect(policy.expired({ ...state, nullSender: true })).toBe(true);
    expect(policy.expired({ ...state, nullSender: false })).toBe(false);
    expect(policy.retryUntilMs({ ...state, nullSender: true })).toBe(1 * D);
  });

  it('R8 property: gaps within (min − 2 s, max + scan]; bounce is the first attempt whose whole second is ≥ ⌊arrival⌋ + lifetime', () => {
    // On Postfix's whole-second clock with the 1 s scan look-ahead a retry may come up to 2 s short of
    // min after a failure late in its second (⌊now⌋ + min − 1 s), and expiry counts whole seconds.
    const second = (ms: number) => Math.floor(ms / S);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * D }),
        fc.integer({ min: 0, max: 299 }),
        fc.integer({ min: 1, max: 10 }).map((days) => days * H),
        (arrivalMs, phaseS, lifetimeMs) => {
          const policy = new PostfixSchedule({ lifetimeMs });
          const scanMs = 300 * S;
          const { attempts, bounceMs } = replay(policy, { arrivalMs, scanMs, scanPhaseMs: phaseS * S });
          for (let i = 1; i < attempts.length; i++) {
            const gap = attempts[i]! - attempts[i - 1]!;
            if (gap <= 298 * S || gap > 4000 * S + scanMs) return false;
          }
          const dueS = second(arrivalMs) + lifetimeMs / S;
          const beforeBounce = attempts[attempts.length - 2];
          return second(bounceMs) >= dueS && (beforeBounce === undefined || second(beforeBounce) < dueS);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('nextScanAtOrAfterMs picks the first scan at or after the eligible time', () => {
    expect(nextScanAtOrAfterMs(600, 300, 0)).toBe(600);
    expect(nextScanAtOrAfterMs(601, 300, 0)).toBe(900);
    expect(nextScanAtOrAfterMs(601, 300, 50)).toBe(650);
    expect(nextScanAtOrAfterMs(10, 300, 50)).toBe(50);
    expect(() => nextScanAtOrAfterMs(10, 0)).toThrow(RangeError);
  });

  it('rejects min > max', () => {
    expect(() => new PostfixSchedule({ minBackoffMs: 5000, maxBackoffMs: 100 })).toThrow(RangeError);
  });
});

describe('Exim schedule (R9)', () => {
  it('R9: parses the default rule', () => {
    expect(parseEximRetryRule(eximDefaultRuleText)).toEqual([
      { kind: 'F', cutoffMs: 2 * H, intervalMs: 15 * MIN },
      { kind: 'G', cutoffMs: 16 * H, startMs: 1 * H, multiplier: 1.5 },
      { kind: 'F', cutoffMs: 4 * D, intervalMs: 6 * H },
    ]);
  });

  it('R9: parse errors name the item and the problem', () => {
    const message = (text: string) => {
      try {
        parseEximRetryRule(text);
        return 'no error';
      } catch (error) {
        expect(error).toBeInstanceOf(RetryRuleError);
        return (error as Error).message;
      }
    };
    expect(message('')).toMatch(/empty/);
    expect(message('X,2h,15m')).toMatch(/item 1 .*must start with F, G or H/);
    expect(message('F,2h')).toMatch(/item 1 .*F takes 2 values/);
    expect(message('F,2h,15m; G,16h,1h')).toMatch(/item 2 .*G takes 3 values/);
    expect(message('G,16h,1h,0.5')).toMatch(/factor must be a number from 1/);
    expect(message('F,2h,15 minutes')).toMatch(/item 1 .*interval/);
    expect(message('F,4d,6h; F,2h,15m')).toMatch(/item 2.*cutoffs must grow/);
    // Every problem at once, as the scenario loader reports them.
    expect(message('X,2h,15m; F,2h')).toMatch(/item 1 .*; item 2 /);
    expect(parseEximRetryRule('F,1h30m,10m')).toEqual([{ kind: 'F', cutoffMs: 90 * MIN, intervalMs: 10 * MIN }]);
  });

  it('R9: every 15 min for 2 h, geometric from 1 h ×1.5 until 16 h, every 6 h until 4 d, then bounce', () => {
    const { attempts, bounceMs } = replay(new EximSchedule(), { arrivalMs: 0 });
    const minutes = attempts.map((t) => t / MIN);
    // F,2h,15m: failing for ≤ 2 h (the cutoff itself included, as in Exim's retry.c).
    expect(minutes.slice(0, 10)).toEqual([0, 15, 30, 45, 60, 75, 90, 105, 120, 135]);
    // G,16h,1h,1.5: the last gap (15 m) is below 1 h, so 1 h; then ×1.5 each time.
    expect(minutes.slice(10, 16)).toEqual([195, 285, 420, 622.5, 926.25, 1381.875]);
    // F,4d,6h from then on, until failing for more than 4 d.
    for (let i = 16; i < minutes.length; i++) expect(minutes[i]! - minutes[i - 1]!).toBe(360);
    expect(minutes[minutes.length - 2]).toBeLessThanOrEqual(4 * 24 * 60);
    expect(bounceMs / MIN).toBe(6061.875);
    expect(bounceMs).toBeGreaterThan(4 * D);
  });

  it('R9: accepts pre-parsed items and validates them', () => {
    const policy = new EximSchedule([{ kind: 'F', cutoffMs: 1 * H, intervalMs: 20 * MIN }]);
    const { attempts, bounceMs } = replay(policy, { arrivalMs: 0 });
    expect(attempts.map((t) => t / MIN)).toEqual([0, 20, 40, 60, 80]);
    expect(bounceMs).toBe(80 * MIN);
    expect(() => new EximSchedule([{ kind: 'F', cutoffMs: 1 * H, intervalMs: 0 }])).toThrow(RetryRuleError);
  });

  it('R9: accepts the scenario loader\'s flat items (intervalMs/multiplier) with the same result as the text', () => {
    const flat = [
      { kind: 'F' as const, cutoffMs: 2 * H, intervalMs: 15 * MIN, multiplier: 1 },
      { kind: 'G' as const, cutoffMs: 16 * H, intervalMs: 1 * H, multiplier: 1.5 },
      { kind: 'F' as const, cutoffMs: 4 * D, intervalMs: 6 * H, multiplier: 1 },
    ];
    expect(replay(new EximSchedule(flat), { arrivalMs: 0 })).toEqual(replay(new EximSchedule(), { arrivalMs: 0 }));
    expect(retryPolicyFor({ schedule: 'exim', rule: flat })).toBeInstanceOf(EximSchedule);
  });

  it('R9: H items draw each gap between the last gap and the geometric one with the caller\'s draw', () => {
    expect(parseEximRetryRule('H,1d,1h,2')).toEqual([{ kind: 'H', cutoffMs: 1 * D, startMs: 1 * H, multiplier: 2 }]);
    const draws: Array<[number, number]> = [];
    const high = new EximSchedule('H,1d,1h,2', undefined, (low, highMs) => {
      draws.push([low, highMs]);
      return highMs;
    });
    expect(replay(high, { arrivalMs: 0 }).attempts).toEqual(replay(new EximSchedule('G,1d,1h,2'), { arrivalMs: 0 }).attempts);
    expect(draws[0]).toEqual([1 * H, 2 * H]);
    // A misbehaving draw is clamped into [last gap, geometric gap].
    const wild = new EximSchedule('H,1d,1h,2', undefined, () => -5);
    const { attempts } = replay(wild, { arrivalMs: 0 });
    expect(attempts.slice(0, 4).map((t) => t / H)).toEqual([0, 1, 2, 3]);
    // The default draw is the midpoint: 1 h, then 1.5 h (between 1 h and 2 h).
    expect(replay(new EximSchedule('H,1d,1h,2'), { arrivalMs: 0 }).attempts.slice(0, 3).map((t) => t / MIN)).toEqual([0, 60, 150]);
  });

  it('R9: times count from the first failure, not from arrival', () => {
    const policy = new EximSchedule('F,1h,10m');
    // Queued at 0, first failure at 50 m (e.g. the first attempt waited): failing 30 m at 80 m.
    const state = { arrivalMs: 50 * MIN, firstFailureMs: 50 * MIN, lastFailureMs: 70 * MIN, nowMs: 80 * MIN, failures: 3, nullSender: false };
    expect(policy.expired(state)).toBe(false);
    expect(policy.nextAttemptMs(state)).toBe(90 * MIN);
    expect(policy.expired({ ...state, nowMs: 111 * MIN })).toBe(true);
    expect(policy.retryUntilMs(state)).toBe(110 * MIN);
  });

  it('R9 property: a late queue run never makes the geometric gap grow faster than planned', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 * MIN }), { minLength: 5, maxLength: 30 }), (lateness) => {
        const policy = new EximSchedule('G,30d,1h,2');
        let record = newRetryRecord(0, false);
        let nowMs = 0;
        let expectedGap = 1 * H;
        for (const lateMs of lateness) {
          const { record: next, decision } = recordFailure(policy, record, nowMs);
          if (decision.kind !== 'retry') return false;
          const gap = decision.atMs - nowMs;
          if (gap !== Math.min(expectedGap, 24 * H)) return false;
          expectedGap = Math.min(expectedGap, 24 * H) * 2;
          record = next;
          nowMs = decision.atMs + lateMs;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });
});

describe('warn-after and the policy factory', () => {
  it('warn-after: one delayed DSN once the message has waited that long; off by default (R8)', () => {
    expect(shouldSendDelayWarning({ arrivalMs: 0, nowMs: 4 * H, warnAfterMs: null, alreadyWarned: false })).toBe(false);
    expect(shouldSendDelayWarning({ arrivalMs: 0, nowMs: 3 * H, warnAfterMs: 4 * H, alreadyWarned: false })).toBe(false);
    expect(shouldSendDelayWarning({ arrivalMs: 0, nowMs: 4 * H, warnAfterMs: 4 * H, alreadyWarned: false })).toBe(true);
    expect(shouldSendDelayWarning({ arrivalMs: 0, nowMs: 9 * H, warnAfterMs: 4 * H, alreadyWarned: true })).toBe(false);
  });

  it('retryPolicyFor builds the named schedule', () => {
    expect(retryPolicyFor({ schedule: 'postfix' })).toBeInstanceOf(PostfixSchedule);
    const exim = retryPolicyFor({ schedule: 'exim', rule: 'F,1h,5m' });
    expect(exim).toBeInstanceOf(EximSchedule);
    expect(exim.nextAttemptMs({ arrivalMs: 0, firstFailureMs: 0, lastFailureMs: 0, nowMs: 0, failures: 1, nullSender: false })).toBe(5 * MIN);
  });
});
