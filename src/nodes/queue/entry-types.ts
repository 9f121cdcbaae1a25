/**
 * The shape of a queued message's state (the `queue/<id>.json` file, queue-entry.ts): declared here,
 * apart, so that the entry's reader/writer (queue-entry.ts) and its fast writer (new-entry-json.ts)
 * share one declaration without importing each other.
 */
import type { DsnRcptParams, MailParams } from '../../protocols/smtp/types.js';
import type { RetryRecord } from '../mta/schedule.js';

export interface QueueRecipient {
  address: string;
  /** ORCPT as received, or null (RFC 3461 §4.2). */
  orcpt: string | null;
  notify: DsnRcptParams['notify'];
  /** Delivered, relayed, bounced or discarded: nothing more to do for it here. */
  done: boolean;
  /** The latest RFC 3463 status and diagnostic, for a DSN at expiry (D5). */
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  lastAttemptMs: number | null;
}

export interface QueueEntry {
  queueId: string;
  /** The Message-ID header value: the identity that survives relaying (the mail log's key). */
  messageId: string;
  /** Reverse-path; "" for a DSN (D1). */
  from: string;
  recipients: QueueRecipient[];
  arrivalMs: number;
  retry: RetryRecord;
  /** When the next attempt may start (null: now). */
  eligibleAtMs: number | null;
  /** A `delayed` DSN was sent (warn-after). */
  warned: boolean;
  /** The MAIL FROM parameters the message keeps on every hop (BODY, SMTPUTF8, REQUIRETLS, RET, ENVID). */
  params: MailParams;
  /** `Received:` count was over limits.hops when it arrived: bounce 5.4.6 (loop detection). */
  hopLimitExceeded: boolean;
}
