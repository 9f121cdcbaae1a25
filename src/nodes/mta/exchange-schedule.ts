/**
 * Exchange Server's retry schedule with its defaults (`queue.schedule: exchange`, docs/delivery.md R13),
 * for the Transport service on a Mailbox (formerly Hub Transport) server.
 *
 * Sources, Microsoft's documentation: "Message retry, resubmit, and expiration intervals in Exchange
 * Server" (learn.microsoft.com/exchange/mail-flow/queues/message-intervals, and its Exchange 2010/2013
 * versions) and the TransportServer property reference (Exchange 2010/2013 API). When the server cannot
 * reach the next hop it first retries QueueGlitchRetryCount = 4 times, QueueGlitchRetryInterval = 1 min
 * apart; then TransientFailureRetryCount = 6 times (Exchange 2007's Set-TransportServer parameter of
 * that name), TransientFailureRetryInterval = 5 min apart; after that every
 * OutboundConnectionFailureRetryInterval = 10 min; a message still queued after
 * MessageExpirationTimeout = 2 days is returned to the sender. (On an Edge Transport server the
 * intervals are 10 min and 30 min.)
 *
 * So the gap after the N-th failed attempt is 1 min for N = 1–4, 5 min for N = 5–10 and 10 min after
 * that, and the message expires at the first failed attempt at or after arrival + 2 d. Exchange retries
 * a next-hop queue, not a message; mailsim applies the chain to each message, which is the same while
 * one message waits for one destination. MessageRetryInterval (a message's retry inside a queue that
 * is not in Retry) is not modelled: Microsoft's pages give it as 1 min (Exchange 2010) and 15 min
 * (Exchange 2013). `lifetime`, `bounce-lifetime`, `min` and `max` are not used.
 */
import type { RetryPolicy, RetryState } from './retry-policy.js';

const MINUTE_MS = 60_000;

/** The default chain: `count` failures followed by `intervalMs` each, then `afterMs` for good. */
export const exchangeDefaults = {
  glitch: { count: 4, intervalMs: 1 * MINUTE_MS },
  transient: { count: 6, intervalMs: 5 * MINUTE_MS },
  outboundConnectionFailureMs: 10 * MINUTE_MS,
  messageExpirationMs: 2 * 24 * 60 * MINUTE_MS,
} as const;

/** The gap after the N-th failed attempt (N ≥ 1). */
export function exchangeGapMs(failures: number): number {
  const { glitch, transient, outboundConnectionFailureMs } = exchangeDefaults;
  if (failures <= glitch.count) return glitch.intervalMs;
  if (failures <= glitch.count + transient.count) return transient.intervalMs;
  return outboundConnectionFailureMs;
}

export class ExchangeSchedule implements RetryPolicy {
  nextAttemptMs(state: RetryState): number {
    return state.nowMs + exchangeGapMs(state.failures);
  }

  expired(state: RetryState): boolean {
    return state.nowMs >= state.arrivalMs + exchangeDefaults.messageExpirationMs;
  }

  retryUntilMs(state: RetryState): number {
    return state.arrivalMs + exchangeDefaults.messageExpirationMs;
  }
}
