/**
 * Haraka's outbound retry schedule with its defaults (`queue.schedule: haraka`, docs/delivery.md R11).
 *
 * Source: Haraka's outbound/hmail.js, `temp_fail`, and outbound/config.js, `set_temp_fail_intervals`
 * (github.com/haraka/Haraka, read at commit 0bf10cb of 2026-05). On each temporary failure the
 * message's failure count N goes up by one (so N is 1 after the first failure); if N exceeds the
 * number of configured intervals the message is bounced ("Too many failures"), otherwise it is
 * retried after interval N. Without `temp_fail_intervals` in outbound.ini the intervals are built
 * from `maxTempFailures` (default 13) by the original formula: for i = 1 … maxTempFailures − 1,
 * 2^(i+5) seconds. So the delay after the N-th failure is 2^(N+5) s — 64 s, 128 s, … 131,072 s
 * (about 36 h) after the 12th — and the 13th failure bounces: 13 attempts in all, the last one
 * 64 · (2^12 − 1) = 262,080 s (about 3 d 49 min) after the first when every failure is instant.
 * (Before 2021 hmail.js computed the same delay inline, `2 ** (num_failures + 5)`, and bounced at
 * `num_failures >= maxTempFailures`; Haraka commit 6f336e1 moved it into the interval list.)
 * Haraka's docs/Outbound.md calls maxTempFailures the "maximum temp-fail retries"; by the code it is
 * the number of failed attempts, the first one included (12 retries).
 *
 * Haraka has no queue lifetime (only the count) and no deferred-queue scan: each deferred message
 * has its own timer. Here the queue still starts an attempt at the first scan at or after its time,
 * so set `scan` finer than the delays (e.g. `1s`) to see Haraka's times. `lifetime`,
 * `bounce-lifetime`, `min` and `max` are not used.
 */
import type { RetryPolicy, RetryState } from './retry-policy.js';

/** outbound.ini `maxTempFailures` default: the failed attempt with this number bounces. */
export const harakaMaxTempFailures = 13;

/** The delay after the N-th failure (N ≥ 1): 2^(N+5) s, Haraka's default temp_fail_intervals. */
export function harakaDelayMs(failures: number): number {
  return 2 ** (failures + 5) * 1000;
}

/** The sum of every delay: from the first attempt to the last when failures take no time. */
const harakaTotalDelayMs = Array.from({ length: harakaMaxTempFailures - 1 }, (_, index) => harakaDelayMs(index + 1)).reduce((sum, delay) => sum + delay, 0);

export class HarakaSchedule implements RetryPolicy {
  nextAttemptMs(state: RetryState): number {
    return state.nowMs + harakaDelayMs(state.failures);
  }

  expired(state: RetryState): boolean {
    return state.failures >= harakaMaxTempFailures;
  }

  /** The earliest time of the last attempt: the first failure plus every delay. */
  retryUntilMs(state: RetryState): number {
    return state.firstFailureMs + harakaTotalDelayMs;
  }
}
