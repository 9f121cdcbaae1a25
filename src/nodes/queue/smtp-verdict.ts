/**
 * What one SMTP connection of a delivery attempt decided (docs/delivery.md R3, R5, R6, E3): pure, from
 * the session's outcome to a `DeliveryStatus` (src/mail/status.ts) per recipient, or one for the host.
 *
 * Theory of operation.
 * - The connection failed (refused, or the connect timed out): a failure of the host (R6), 4.4.1.
 * - The session ended before a transaction decided anything — greeting, EHLO, STARTTLS or AUTH
 *   refused, a timeout or a lost line before MAIL FROM: a failure of the host too (R6). The client
 *   settled the recipients with the session's closing reply, but that reply speaks of the host, not of
 *   them: softened to a deferral (Postfix smtp_connect/smtp_helo, smtp_skip_5xx_greeting); without a
 *   reply, 4.4.2 (connected, then the transaction could not complete).
 * - The client would not send a REQUIRETLS message to this host (RFC 8689 §4.2.1): a refusal of the
 *   host, for good (5.7.30); the next MX may take it.
 * - Otherwise the transaction settled each recipient (the SMTP client's outcome, R5) and the status
 *   says the same: the deciding reply's code, 4.4.2 for a timeout or a lost line without one —
 *   'unknown' after the final dot included (RFC 1047, E3) — or X.0.0 for the client's own refusal.
 * Only a reply names a remote MTA (RFC 3464 §2.3.5, src/mail/status.ts): a connection that failed,
 * a line lost without a reply and the client's own refusals carry this MTA's diagnostic, in Postfix's
 * words (session-failure-text.ts), and no remote MTA — as Postfix's DSN has no Remote-MTA for them.
 * The mail log's attempt result (docs/reference.md §9) is decided alongside.
 */
import { asDeferral, type DeliveryStatus, defaultCode, fromConnection, fromLocal, fromReply, soften } from '../../mail/status.js';
import { localRefusal } from '../../protocols/smtp/client.js';
import type { SmtpRecipientResult } from '../../protocols/smtp/client-types.js';
import type { AttemptResult } from '../../mail/records.js';
import type { AddressTarget, ConnectOutcome } from '../mta/mx-selection.js';
import type { SmtpSessionOutcome } from '../smtp-client-session.js';
import { connectFailureText, lostLineText } from './session-failure-text.js';

/** One recipient settled by the transaction. */
export interface RecipientVerdict {
  address: string;
  attempt: AttemptResult;
  status: DeliveryStatus;
}

export type ConnectionVerdict =
  /** Nothing was decided for the recipients: every one is logged with `attempt`; the next address is tried (R6). */
  | { kind: 'host-failed'; attempt: AttemptResult; cursorOutcome: ConnectOutcome; status: DeliveryStatus }
  /** The transaction settled each recipient (R5); `dsnOffered`: the next hop took NOTIFY on (RFC 3461). */
  | { kind: 'settled'; recipients: RecipientVerdict[]; dsnOffered: boolean };

export function judgeConnection(outcome: SmtpSessionOutcome, target: AddressTarget, port: number): ConnectionVerdict {
  const remote = target.exchange;
  if (outcome.kind === 'connect-failed') {
    const refused = outcome.failure === 'refused';
    const status = fromConnection(refused ? 'refused' : 'connect-timeout', connectFailureText(remote, target.address, port, refused));
    return { kind: 'host-failed', attempt: outcome.failure, cursorOutcome: outcome.failure, status };
  }
  const transaction = outcome.transactions[0];
  const refusal = transaction === undefined ? null : hostRefusal(transaction.recipients, remote, target.address);
  if (refusal !== null) return { kind: 'host-failed', attempt: 'failed', cursorOutcome: 'session', status: refusal };
  const settled = transaction?.recipients.some((r) => inTransaction(r) && (r.reply !== null || r.outcome === 'unknown'));
  if (transaction === undefined || settled !== true) return hostFailedInSession(outcome, target);
  const recipients = transaction.recipients.map((recipient): RecipientVerdict => ({ address: recipient.address, attempt: attemptOf(recipient), status: statusOf(recipient, target) }));
  return { kind: 'settled', recipients, dsnOffered: outcome.dsnOffered };
}

/**
 * The client would not send the message to this host, for a reason of the host that will not pass:
 * REQUIRETLS not offered over TLS (RFC 8689 §4.2.1), the message larger than the host's SIZE (RFC 1870
 * §6; Postfix: "message size exceeds size limit of server"), or an internationalised message without
 * SMTPUTF8 (RFC 6531 §3.2; Postfix: "SMTPUTF8 is required, but was not offered"). A refusal of the
 * host for good; the next MX may take it, and where none can the walk returns the message.
 */
function hostRefusal(recipients: readonly SmtpRecipientResult[], remote: string, address: string): DeliveryStatus | null {
  const detail = recipients[0]?.detail;
  if (detail === undefined || detail === null || !recipients.every((r) => r.stage === 'local' && r.detail === detail)) return null;
  const host = `${remote}[${address}]`;
  switch (detail) {
    case localRefusal.requireTls:
      return fromLocal('failed', defaultCode.requireTls, `${host} does not offer REQUIRETLS over TLS`);
    case localRefusal.tooLarge:
      return fromLocal('failed', defaultCode.tooBig, `message size exceeds the size limit of server ${host}`);
    case localRefusal.smtpUtf8:
      return fromLocal('failed', defaultCode.needsSmtpUtf8, `SMTPUTF8 is required, but was not offered by host ${host}`);
    default:
      return null;
  }
}

/** The session ended before its transaction decided anything (R6). */
function hostFailedInSession(outcome: Extract<SmtpSessionOutcome, { kind: 'session' }>, target: AddressTarget): ConnectionVerdict {
  const reply = outcome.closeReply;
  const timedOut = outcome.closeReason === 'timeout';
  const attempt: AttemptResult = timedOut ? 'timeout' : reply !== null ? (reply.code >= 500 ? 'failed' : 'deferred') : 'dropped';
  const cursorOutcome: ConnectOutcome =
    !outcome.handshakeDone && reply !== null
      ? reply.code >= 500
        ? 'greeting-5xx'
        : 'greeting-4xx'
      : outcome.handshakeDone
        ? 'session'
        : timedOut
          ? 'timeout'
          : 'dropped';
  const why = timedOut || outcome.closeReason === 'connection-lost' ? outcome.closeReason : (outcome.closeDetail ?? outcome.closeReason);
  const status =
    reply !== null
      ? soften(fromReply(reply, target.exchange))
      : fromConnection(timedOut ? 'timeout' : 'lost', lostLineText(target.exchange, target.address, outcome.closeStage, why));
  return { kind: 'host-failed', attempt, cursorOutcome, status };
}

/**
 * True when a recipient's result came from its transaction (MAIL FROM onwards). Results settled at the
 * greeting, EHLO/HELO, STARTTLS or AUTH stage carry the session's failure, not a verdict on the recipient.
 */
function inTransaction(recipient: SmtpRecipientResult): boolean {
  return !preTransactionStages.has(recipient.stage);
}

const preTransactionStages: ReadonlySet<SmtpRecipientResult['stage']> = new Set(['greeting', 'helo', 'starttls', 'auth', 'idle']);

/** The status of a recipient the transaction settled: the client's outcome, the deciding reply's code. */
function statusOf(recipient: SmtpRecipientResult, target: AddressTarget): DeliveryStatus {
  const { reply } = recipient;
  const remote = target.exchange;
  if (reply !== null) {
    // A reply that defers is a 4xx — or a 5xx to RSET, which ends the session, not the recipient.
    return recipient.outcome === 'deferred' ? asDeferral(fromReply(reply, remote)) : fromReply(reply, remote);
  }
  // Made only when needed: most recipients are settled by a reply, and this runs for each of them on every attempt.
  const lost = () => lostLineText(remote, target.address, recipient.stage, recipient.detail ?? 'connection-lost');
  switch (recipient.outcome) {
    case 'accepted':
      return fromLocal('accepted', defaultCode.success, lost());
    case 'failed':
      // The client refused to send it (SIZE, SMTPUTF8, a bad address): X.0.0, in its own words.
      return fromLocal('failed', defaultCode.permanent, `not sent to ${remote}[${target.address}]: ${recipient.detail ?? recipient.stage}`);
    case 'unknown':
    case 'deferred':
      return fromConnection(recipient.detail === 'timeout' ? 'timeout' : 'lost', lost());
  }
}

function attemptOf(recipient: SmtpRecipientResult): AttemptResult {
  switch (recipient.outcome) {
    case 'accepted':
    case 'failed':
      return recipient.outcome;
    case 'unknown':
      return 'dropped';
    case 'deferred':
      return recipient.reply !== null ? 'deferred' : recipient.detail === 'timeout' ? 'timeout' : 'dropped';
  }
}
