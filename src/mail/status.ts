/**
 * A recipient's delivery status after an attempt — one record, declared here and nowhere else
 * (RFC 3463 enhanced status codes, RFC 3464 §2.3 per-recipient fields; docs/delivery.md R2–R6, D5, D7).
 *
 * Theory of operation. Whatever settled a recipient in an attempt — a server's reply, a connection
 * that failed, or a decision made on this host — is turned into a `DeliveryStatus` by one of the
 * constructors below; the queue, the DSN, the mail log and the report read the record instead of
 * deciding again.
 *
 * - `fromReply`: the outcome is what the reply says (`replyOutcome`, the reading the SMTP client
 *   settles its recipients with; R2: 2xx accepted, 5xx failed, else deferred); the code is the reply's
 *   own enhanced code, its class forced to the reply's (D7, RFC 2034 §4), or `<class>.0.0` (RFC 3463
 *   §3.1) when it has none. `fromReplyLine` reads a logged reply line the same way, with
 *   `leadingEnhancedCode` (a code of another class is text, as the reply parser takes it).
 * - `fromConnection`: no reply decided it; every such failure defers (R3). RFC 3463 §3.5, as Postfix
 *   reports it: X.4.1 "No answer from host" when the connection attempt was not answered — refused,
 *   or the connect timed out; X.4.2 "Bad connection" when a connection was made and the transaction
 *   could not complete — a reply timed out or the line was lost after connecting (greeting, dialogue,
 *   after the final dot).
 * - `soften`: a permanent status made temporary. A 5xx greeting or EHLO refusal speaks of the host,
 *   not the recipient, so the queue defers and tries the next MX (R6; Postfix smtp_skip_5xx_greeting).
 * - `asDeferral`: deferred, the code kept as it is — where the queue retries although the last word
 *   was permanent for one host or one session (a 5xx to RSET; a REQUIRETLS refusal when another MX
 *   could not be reached, RFC 8689 §4.2.1), so a bounce at expiry still says it (D5).
 * - `fromLocal`: decided here without a server's word (routing: M2, M6–M8; the client refusing to
 *   send: RFC 1870, RFC 6531, RFC 8689), with the code the decision names.
 *
 * `remoteMta` is set only with a `reply`: RFC 3464 §2.3.5 Remote-MTA names the MTA that gave the
 * diagnostic, and §2.3.6 keeps the `smtp` diagnostic type for SMTP replies. A connection that failed,
 * a line lost before a reply, or a decision of this host has no remote MTA, and its diagnostic is this
 * MTA's own text (the DSN writes it `X-Postfix; …`, as Postfix does: src/nodes/mta/dsn.ts; D5).
 */
import { leadingEnhancedCode, replyClass, replyOutcome } from '../protocols/smtp/reply.js';
import type { SmtpReply } from '../protocols/smtp/types.js';

/** accepted: the server took responsibility (R1); deferred: try again later (R2, R3); failed: bounce (R2, R5). */
export type DeliveryOutcome = 'accepted' | 'deferred' | 'failed';

export interface DeliveryStatus {
  readonly outcome: DeliveryOutcome;
  /** The RFC 3463 enhanced status code (`5.1.1`), the DSN's Status (RFC 3464 §2.3.4). */
  readonly code: string;
  /** The server reply that decided it, or null (a connection failure, a local decision). */
  readonly reply: SmtpReply | null;
  /**
   * The host whose SMTP reply decided it (RFC 3464 §2.3.5 Remote-MTA); null when no reply did — a
   * connection failure, a line lost before a reply, a local decision (D5).
   */
  readonly remoteMta: string | null;
  /** RFC 3464 §2.3.6 Diagnostic-Code text: for a reply, the reply as one line (`replyLine`); else why, in Postfix's words. */
  readonly diagnostic: string | null;
}

/** How a connection failed when no reply settled the recipient (RFC 3463 §3.5). */
export type ConnectionFailure =
  /** The connection attempt was refused (a reset in answer to it). */
  | 'refused'
  /** The connection attempt was not answered within the connect timeout. */
  | 'connect-timeout'
  /** Connected, then a reply did not come within its stage's timeout. */
  | 'timeout'
  /** Connected, then the line was closed or reset, or carried what is not SMTP. */
  | 'lost';

/** RFC 3463 codes for situations without a server's code. */
export const defaultCode = {
  /** §3.1 X.0.0: success with nothing more to say. */
  success: '2.0.0',
  /** §3.1 X.0.0: a permanent failure with nothing more to say. */
  permanent: '5.0.0',
  /** §3.5 X.4.1 No answer from host: the connection attempt was refused or not answered. */
  noAnswer: '4.4.1',
  /** §3.5 X.4.2 Bad connection: connected, but the transaction could not complete (time-out, lost line). */
  badConnection: '4.4.2',
  /** RFC 8689 §6 X.7.30 REQUIRETLS support required: no hop could honour a REQUIRETLS message. */
  requireTls: '5.7.30',
  /** §3.4 X.3.4 Message too big for system: larger than the server's SIZE (RFC 1870). */
  tooBig: '5.3.4',
  /** RFC 6531 §3.6.2 (RFC 3463 §3.7 class) X.6.7: non-ASCII addresses need SMTPUTF8, which the server lacks. */
  needsSmtpUtf8: '5.6.7',
} as const;

/** The status a reply gives (R2, D7). */
export function fromReply(reply: SmtpReply, remoteMta: string | null): DeliveryStatus {
  return { outcome: replyOutcome(reply), code: codeOfReply(reply), reply, remoteMta, diagnostic: replyLine(reply) };
}

/**
 * The status a connection-level failure gives: deferred (R3), 4.4.1 before the connection stood, 4.4.2
 * after; no remote MTA, since no reply gave the diagnostic (RFC 3464 §2.3.5; Postfix's `dsb_simple`).
 */
export function fromConnection(failure: ConnectionFailure, diagnostic: string): DeliveryStatus {
  const code = failure === 'refused' || failure === 'connect-timeout' ? defaultCode.noAnswer : defaultCode.badConnection;
  return { outcome: 'deferred', code, reply: null, remoteMta: null, diagnostic };
}

/** The status deferred instead: a 5.x.x code becomes 4.x.x (R6). */
export function soften(status: DeliveryStatus): DeliveryStatus {
  const code = status.code.startsWith('5') ? `4${status.code.slice(1)}` : status.code;
  return { ...status, outcome: 'deferred', code };
}

/** The status deferred, its code kept (see above: the queue retries what one host or session refused). */
export function asDeferral(status: DeliveryStatus): DeliveryStatus {
  return status.outcome === 'deferred' ? status : { ...status, outcome: 'deferred' };
}

const classOfOutcome: Readonly<Record<DeliveryOutcome, string>> = { accepted: '2', deferred: '4', failed: '5' };

/**
 * A decision made here; its code must be of the outcome's class (RFC 3463 §3.1). No remote MTA, even
 * where the decision is about a host (Postfix's DSN_BY_LOCAL_MTA: the diagnostic is this MTA's).
 */
export function fromLocal(outcome: DeliveryOutcome, code: string, diagnostic: string | null): DeliveryStatus {
  if (code[0] !== classOfOutcome[outcome]) throw new Error(`bug: status ${code} for outcome ${outcome}`);
  return { outcome, code, reply: null, remoteMta: null, diagnostic };
}

/** A reply line as logged ("550 5.1.1 <bob@example.org>: user unknown"), or null when it is not one. */
export function fromReplyLine(line: string, remoteMta: string | null): DeliveryStatus | null {
  if (!/^[245]\d\d/.test(line)) return null;
  const separator = line[3];
  const text = separator === ' ' || separator === '-' ? line.slice(4) : '';
  const own = leadingEnhancedCode(text);
  const enhanced = own !== null && own[0] === line[0] ? own : null;
  return fromReply({ code: Number(line.slice(0, 3)), enhanced, lines: [text] }, remoteMta);
}

/**
 * The reply's own enhanced code with its class forced to the reply's (D7) and its numbers without
 * leading zeros (`5.01.010` → `5.1.10`), or `<class>.0.0` when it has none or a malformed one. A
 * reply of class 3 (or out of range) where a final reply was due counts as class 4, as its outcome does.
 */
function codeOfReply(reply: SmtpReply): string {
  const cls = replyClass(reply);
  const statusClass = cls === 2 || cls === 5 ? cls : 4;
  const enhanced = reply.enhanced;
  const own = enhanced === null ? null : leadingEnhancedCode(enhanced);
  if (own === null || own.length !== enhanced!.length) return `${statusClass}.0.0`;
  const secondDot = own.indexOf('.', 2);
  return `${statusClass}.${Number(own.slice(2, secondDot))}.${Number(own.slice(secondDot + 1))}`;
}

/** "550 5.1.1 user unknown": the reply as one line, for Diagnostic-Code, the mail log and reports. */
export function replyLine(reply: SmtpReply): string {
  const text = reply.lines.join(' ').replace(/[\r\n]+/g, ' ').trim();
  if (reply.enhanced !== null && !text.startsWith(reply.enhanced)) return `${reply.code} ${reply.enhanced} ${text}`.trim();
  return `${reply.code} ${text}`.trim();
}
