/**
 * Builds the report's message list (docs/reference.md §9) from what the mail events folded into
 * (src/mail/records.ts, the mail log's records) and what the queues still hold at the end of the run,
 * and derives each recipient's final status:
 *   delivered (landed in a mailbox) > bounced (a DSN was sent about it) > discarded (dropped for a
 *   stated reason: D2 or a `discard` filter) > rejected (the submission was refused) > deferred
 *   (still queued, or still in the sender's outbox) — and `lost` when a recipient that some server
 *   accepted with a 2xx is none of these: the no-loss invariant's finding.
 */
import { type MailRecords, neverChangedInPlace, type QueuedRecipient, type RecipientRecord } from '../mail/records.js';
import { fromReplyLine } from '../mail/status.js';
import type { ReportMessage, ReportRecipient } from './types.js';

/** A recipient's outcome in RFC 3464 terms: status code, diagnostic, and the MTA that decided it. */
interface Verdict {
  status: ReportRecipient['status'];
  finalAtMs: number | null;
  statusCode: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  reason: string | null;
}

export function buildMessages(records: MailRecords, queued: readonly QueuedRecipient[]): ReportMessage[] {
  const queuedByKey = new Map(queued.map((q) => [`${q.messageId}\n${q.address.toLowerCase()}`, q]));
  const out: ReportMessage[] = [];
  for (const message of records.messages.values()) {
    out.push({
      id: message.id,
      messageId: message.messageId,
      from: message.from,
      subject: message.subject,
      submittedAtMs: message.submittedAtMs,
      dsn: message.dsn,
      // The records are keyed by Message-ID: no second map of every message (issue 21).
      about: message.aboutMessageId === null ? null : (records.messages.get(message.aboutMessageId)?.id ?? null),
      recipients: message.recipients.map((recipient) =>
        reportRecipient(recipient, queuedByKey.size === 0 ? null : (queuedByKey.get(`${message.messageId}\n${recipient.address.toLowerCase()}`) ?? null)),
      ),
    });
  }
  return out;
}

function reportRecipient(recipient: RecipientRecord, queued: QueuedRecipient | null): ReportRecipient {
  const { status, finalAtMs, statusCode, diagnostic, remoteMta, reason } = verdictOf(recipient, queued);
  const bounce = recipient.bounce;
  // Keys in the order of docs/reference.md §9.1, so a report reads the same as the example there. One
  // literal with every key (no spread): its properties are all in the object, none in a second
  // property array (issue 21: a million of these are held at the end of a run).
  return {
    address: recipient.address,
    status,
    finalAtMs,
    // The records' lists and records themselves, shared rather than copied (issue 21: the report of a
    // million messages): the records replace a short list on append rather than change it, so a
    // report built mid-run does not change after; a long list is copied. Hops lists are never changed.
    deliveries: reportList(recipient.deliveries),
    hops: recipient.hops as string[],
    attempts: reportList(recipient.attempts),
    bounce:
      bounce === null ? null : { atMs: bounce.atMs, status: bounce.status, reportingMta: bounce.reportingMta, diagnostic: bounce.diagnostic, remoteMta: bounce.remoteMta },
    statusCode,
    diagnostic,
    remoteMta,
    reason,
  };
}

function reportList<T>(list: readonly T[]): T[] {
  return neverChangedInPlace(list) ? (list as T[]) : list.slice();
}

function verdictOf(recipient: RecipientRecord, queued: QueuedRecipient | null): Verdict {
  const first = recipient.deliveries[0];
  if (first !== undefined) {
    // The hop that handed it to the delivering host (its 250), or the delivering host itself.
    const handover = recipient.attempts.findLast((a) => a.result === 'accepted' && a.to === first.host);
    return {
      status: 'delivered',
      finalAtMs: first.atMs,
      statusCode: '2.0.0',
      diagnostic: handover?.reply ?? `delivered to ${first.user}'s ${first.folder} on ${first.host}`,
      remoteMta: first.host,
      reason: null,
    };
  }
  const bounce = recipient.bounce;
  if (bounce !== null) return { status: 'bounced', finalAtMs: bounce.atMs, statusCode: bounce.status, diagnostic: bounce.diagnostic, remoteMta: bounce.remoteMta, reason: bounce.diagnostic };
  const discarded = recipient.discarded;
  if (discarded !== null) return { status: 'discarded', finalAtMs: discarded.atMs, statusCode: null, diagnostic: discarded.reason, remoteMta: null, reason: discarded.reason };
  const rejected = recipient.rejected;
  if (rejected !== null) {
    // The refusal's status, read from the reply line as the MTA reads a reply (src/mail/status.ts).
    const refusal = fromReplyLine(rejected.reply, rejected.host);
    return { status: 'rejected', finalAtMs: rejected.atMs, statusCode: refusal?.code ?? null, diagnostic: rejected.reply, remoteMta: rejected.host, reason: rejected.reply };
  }
  if (queued !== null) {
    return { status: 'deferred', finalAtMs: null, statusCode: queued.status, diagnostic: queued.diagnostic, remoteMta: queued.remoteMta, reason: 'still queued when the run ended' };
  }
  const unsettled = { finalAtMs: null, statusCode: null, diagnostic: null, remoteMta: null };
  if (recipient.acceptedAtMs === null) return { status: 'deferred', ...unsettled, reason: 'not yet accepted by any server when the run ended' };
  return { status: 'lost', ...unsettled, reason: 'accepted with a 2xx, then neither delivered, bounced, queued nor discarded' };
}
