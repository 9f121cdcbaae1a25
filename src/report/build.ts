/**
 * Builds the report's message list (docs/reference.md §9) from the mail log and what the queues still hold
 * at the end of the run, and derives each recipient's final status:
 *   delivered (landed in a mailbox) > bounced (a DSN was sent about it) > discarded (dropped for a
 *   stated reason: D2 or a `discard` filter) > rejected (the submission was refused) > deferred
 *   (still queued, or still in the sender's outbox) — and `lost` when a recipient that some server
 *   accepted with a 2xx is none of these: the no-loss invariant's finding.
 */
import type { MailLog, MessageLog, RecipientLog } from '../nodes/mail-log.js';
import type { ReportMessage, ReportRecipient } from './types.js';

export interface QueuedRecipient {
  host: string;
  messageId: string;
  address: string;
}

export function buildMessages(log: MailLog, queued: readonly QueuedRecipient[]): ReportMessage[] {
  const queuedKeys = new Set(queued.map((q) => `${q.messageId}\n${q.address.toLowerCase()}`));
  const idOf = new Map<string, string>();
  for (const message of log.messages.values()) idOf.set(message.messageId, message.id);
  const out: ReportMessage[] = [];
  for (const message of log.messages.values()) {
    out.push({
      id: message.id,
      messageId: message.messageId,
      from: message.from,
      subject: message.subject,
      submittedAtMs: message.submittedAtMs,
      dsn: message.dsn,
      about: message.aboutMessageId === null ? null : (idOf.get(message.aboutMessageId) ?? null),
      recipients: [...message.recipients.values()].map((recipient) =>
        reportRecipient(message, recipient, queuedKeys.has(`${message.messageId}\n${recipient.address.toLowerCase()}`)),
      ),
    });
  }
  return out;
}

function reportRecipient(message: MessageLog, recipient: RecipientLog, queued: boolean): ReportRecipient {
  const base = {
    deliveries: recipient.deliveries.map((d) => ({ host: d.host, user: d.user, folder: d.folder, atMs: d.atMs })),
    hops: recipient.hops,
    attempts: recipient.attempts.map((a) => ({ ...a })),
    bounce: recipient.bounce === null ? null : { atMs: recipient.bounce.atMs, status: recipient.bounce.status, reportingMta: recipient.bounce.reportingMta },
  };
  void message;
  const [status, finalAtMs, reason] = finalState(recipient, queued);
  // Keys in the order of docs/reference.md §9.1, so a report reads the same as the example there.
  return { address: recipient.address, status, finalAtMs, ...base, reason };
}

function finalState(recipient: RecipientLog, queued: boolean): [ReportRecipient['status'], number | null, string | null] {
  const first = recipient.deliveries[0];
  if (first !== undefined) return ['delivered', first.atMs, null];
  if (recipient.bounce !== null) return ['bounced', recipient.bounce.atMs, null];
  if (recipient.discarded !== null) return ['discarded', recipient.discarded.atMs, recipient.discarded.reason];
  if (recipient.rejected !== null) return ['rejected', recipient.rejected.atMs, recipient.rejected.reply];
  if (queued) return ['deferred', null, 'still queued when the run ended'];
  if (recipient.acceptedAtMs === null) return ['deferred', null, 'not yet accepted by any server when the run ended'];
  return ['lost', null, 'accepted with a 2xx, then neither delivered, bounced, queued nor discarded'];
}
