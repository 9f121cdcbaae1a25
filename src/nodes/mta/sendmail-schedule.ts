/**
 * Sendmail's retry schedule with its defaults (`queue.schedule: sendmail`, docs/delivery.md R12).
 *
 * Sendmail keeps no per-message backoff: a daemon started with `-qINTERVAL` runs the whole queue every
 * INTERVAL and tries every queued message at each run (sendmail's QueueTimeout/-q documentation in
 * "sendmail" by Costales & Allman, O'Reilly, ch. 24). MinQueueAge, which would make a message sit
 * out runs until it has waited that long since its last attempt, is off unless configured (its value
 * is ≤ 0 or missing by default, same book, "MinQueueAge"). A message is returned at the first failed
 * attempt once it has been queued Timeout.queuereturn, 5 days by default (HP-UX "Installing and
 * Administering Internet Services", ch. 4; SCO OpenServer "sendmail administration: altering message
 * timeouts", which cites RFC 1123 §5.3.1.1's "at least 4–5 days"; sendmail's own cf/m4/cfhead.m4
 * sets confTO_QUEUERETURN 5d and confTO_QUEUEWARN 4h).
 *
 * The -q interval has no built-in default (init scripts pass it; Oracle's Mail Administration Guide:
 * "usually between 15 minutes and 1 hour"), so it is the host's `scan`: the next attempt is the first
 * queue run after the failure. Timeout.queuewarn is `warn-after` (set it to 4h for sendmail's
 * default). `lifetime`, `bounce-lifetime`, `min` and `max` are not used.
 */
import type { RetryPolicy, RetryState } from './retry-policy.js';

/** Timeout.queuereturn's default. */
export const sendmailQueueReturnMs = 5 * 24 * 3_600_000;

export class SendmailSchedule implements RetryPolicy {
  /**
   * Due right after the failure: the queue starts it at the next run (a run at the very millisecond of
   * the failure is the one that just failed, so one millisecond later).
   */
  nextAttemptMs(state: RetryState): number {
    return state.nowMs + 1;
  }

  expired(state: RetryState): boolean {
    return state.nowMs >= state.arrivalMs + sendmailQueueReturnMs;
  }

  retryUntilMs(state: RetryState): number {
    return state.arrivalMs + sendmailQueueReturnMs;
  }
}
