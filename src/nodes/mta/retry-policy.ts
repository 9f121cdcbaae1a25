/**
 * What every retry schedule of the outbound queue answers (docs/delivery.md R7–R13): schedule.ts has
 * the Postfix and Exim schedules, offsets-schedule.ts the measured one, and haraka-schedule.ts,
 * sendmail-schedule.ts and exchange-schedule.ts the presets of those MTAs' defaults.
 */

/** What a policy knows after a failed attempt. */
export interface RetryState {
  /** When the message entered this host's queue. */
  arrivalMs: number;
  /** The first failed attempt (equal to nowMs on the first failure). */
  firstFailureMs: number;
  /** The failed attempt before this one (equal to nowMs when there was none). */
  lastFailureMs: number;
  /** The failed attempt just made. */
  nowMs: number;
  /** How many attempts have failed, the one just made included (1 on the first failure). */
  failures: number;
  /** A null reverse-path (a DSN): Postfix uses bounce_queue_lifetime for these. */
  nullSender: boolean;
  /**
   * What nextAttemptMs returned after the previous failure, if known. Exim's geometric rule uses the
   * smaller of the planned gap (this − lastFailureMs) and the actual gap (nowMs − lastFailureMs).
   */
  plannedNextAttemptMs?: number;
}

export interface RetryPolicy {
  /** The earliest time of the next attempt (call only when `expired` is false). */
  nextAttemptMs(state: RetryState): number;
  /** True when this failure is final: bounce (with 4.4.7 unless a more precise status is known). */
  expired(state: RetryState): boolean;
  /** The time after which the message will not be retried, for a DSN's Will-Retry-Until (D5). */
  retryUntilMs(state: RetryState): number;
}
