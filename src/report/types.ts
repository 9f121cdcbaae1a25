/**
 * The report of one scenario run: exactly the fields of docs/reference.md §9.1 (scripts that read reports
 * depend on each of them), plus a few additions (`description`, `warnings`, `faults`, `reason`,
 * `about`, `stats.simulatedMs`) that the Markdown and HTML reports use. Every time is an integer number
 * of simulated milliseconds in a field ending `Ms`. Attempts and deliveries are the records the mail
 * events folded into, as they are (src/mail/records.ts); a fetch is the MUA's record of it
 * (src/mail/fetch-record.ts).
 */
import type { FetchRecord } from '../mail/fetch-record.js';
import type { AttemptRecord, DeliveryRecord } from '../mail/records.js';

export const reportFormat = 'mailsim-report/1';

export type RecipientStatus = 'delivered' | 'bounced' | 'deferred' | 'rejected' | 'discarded';

/** One SMTP connection an MTA made for a recipient (§9 `attempts`): result accepted … dropped. */
export type ReportAttempt = AttemptRecord;

/** One landing in a mailbox (§9 `deliveries`). */
export type ReportDelivery = DeliveryRecord;

export interface ReportRecipient {
  address: string;
  /** `lost` never appears when the no-loss invariant holds; it is what that invariant reports. */
  status: RecipientStatus | 'lost';
  finalAtMs: number | null;
  deliveries: ReportDelivery[];
  hops: string[];
  attempts: ReportAttempt[];
  bounce: { atMs: number; status: string; reportingMta: string; diagnostic: string | null; remoteMta: string | null } | null;
  /**
   * The outcome in RFC 3464 terms: the RFC 3463 status code (2.0.0 delivered, the bounce's or the
   * refusal's code, the last attempt's for a deferral; null when none applies: discarded, or nothing
   * tried yet), the diagnostic (the remote reply, the connection failure or the local reason) and the
   * MTA whose reply it is (null when no reply gave it: a failed connection, a local decision; D5).
   */
  statusCode: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  /** Why the recipient ended so, in words: the diagnostic of a bounce or refusal, a discard's reason, why it is still pending. */
  reason: string | null;
}

export interface ReportMessage {
  id: string;
  messageId: string;
  from: string;
  subject: string | null;
  submittedAtMs: number;
  dsn: boolean;
  /** For a DSN: the id ("m1") of the message it reports on (an addition). */
  about: string | null;
  recipients: ReportRecipient[];
}

export interface ReportCheck {
  passed: boolean;
  detail: string;
}

export interface ReportExpectation extends ReportCheck {
  expect: Record<string, unknown>;
}

export interface ReportInvariant extends ReportCheck {
  name: 'no-loss' | 'dsn-sanity' | 'no-open-relay';
}

/** One `fetch` of the traffic (§9.1 `fetches`): the MUA's record of it as it is. */
export type ReportFetch = FetchRecord;

export interface ReportFault {
  index: number;
  atMs: number;
  untilMs: number | null;
  action: string;
  description: string;
  /** Present (true) when the fault's `chance` drew that it does not happen in this run (§6). */
  skipped?: true;
}

export interface Report {
  format: typeof reportFormat;
  scenario: { name: string; file: string; seed: number; description: string | null };
  passed: boolean;
  endedAtMs: number;
  expectations: ReportExpectation[];
  invariants: ReportInvariant[];
  messages: ReportMessage[];
  fetches: ReportFetch[];
  faults: ReportFault[];
  warnings: string[];
  stats: { events: number; wallMs: number; simulatedMs: number };
  traceDigest: string;
}
