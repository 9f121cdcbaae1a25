/**
 * The records as they were before they were made compact (issue 21): a Map of recipients and a Set of
 * envelope senders per message, fresh strings, arrays pushed to. `referenceFold` folds a mail event
 * into them exactly as the events' folds did, so test/mail/compact-records.test.ts can build the
 * report from both and compare. `asRecords` presents them in the shape buildMessages reads.
 */
import type { MailEvent } from '../../src/mail/events/index.js';
import type { AttemptRecord, BounceRecord, DeliveryRecord, MailRecords, MessageRecord, RelayViolation } from '../../src/mail/records.js';

interface OldRecipient {
  address: string;
  attempts: AttemptRecord[];
  hops: string[];
  deliveries: DeliveryRecord[];
  bounce: BounceRecord | null;
  discarded: { atMs: number; reason: string } | null;
  rejected: { atMs: number; reply: string; host: string | null } | null;
  acceptedAtMs: number | null;
}

interface OldMessage extends Omit<MessageRecord, 'recipients' | 'envelopeSenders'> {
  recipients: Map<string, OldRecipient>;
  envelopeSenders: Set<string>;
}

export class ReferenceRecords {
  readonly messages = new Map<string, OldMessage>();
  readonly relayViolations: RelayViolation[] = [];
  private nextId = 1;

  message(messageId: string, atMs: number, from: string, subject: string | null = null, about: string | null = null): OldMessage {
    let record = this.messages.get(messageId);
    if (record === undefined) {
      record = { id: `m${this.nextId++}`, messageId, from, subject, submittedAtMs: atMs, dsn: about !== null, aboutMessageId: about, recipients: new Map(), envelopeSenders: new Set() };
      this.messages.set(messageId, record);
    }
    return record;
  }

  recipient(messageId: string, address: string, atMs: number): OldRecipient {
    const message = this.messages.get(messageId) ?? this.message(messageId, atMs, '');
    let record = message.recipients.get(address);
    if (record === undefined) {
      record = { address, attempts: [], hops: [], deliveries: [], bounce: null, discarded: null, rejected: null, acceptedAtMs: null };
      message.recipients.set(address, record);
    }
    return record;
  }

  /** The records in the compact records' shape (lists for the Map and the Set), for buildMessages. */
  asRecords(): MailRecords {
    const messages = new Map<string, MessageRecord>();
    for (const [key, m] of this.messages) messages.set(key, { ...m, recipients: [...m.recipients.values()], envelopeSenders: [...m.envelopeSenders] });
    return { messages, relayViolations: this.relayViolations } as unknown as MailRecords;
  }
}

/** The events' folds as they were written for the old records. */
export function referenceFold(r: ReferenceRecords, e: MailEvent, atMs: number): void {
  switch (e.kind) {
    case 'mail.submit':
      r.message(e.messageId, atMs, e.from, e.subject);
      for (const address of e.to) r.recipient(e.messageId, address, atMs);
      return;
    case 'mail.accept':
      r.message(e.messageId, atMs, e.from).envelopeSenders.add(e.from);
      for (const address of e.to) {
        const recipient = r.recipient(e.messageId, address, atMs);
        recipient.hops.push(e.host);
        if (recipient.acceptedAtMs === null) recipient.acceptedAtMs = atMs;
      }
      return;
    case 'mail.attempt':
      r.recipient(e.messageId, e.rcpt, atMs).attempts.push({ atMs: e.atMs, from: e.from, to: e.to, address: e.address, result: e.result, reply: e.reply, conn: e.conn, tls: e.tls });
      return;
    case 'mail.deliver':
      r.recipient(e.messageId, e.to, atMs).deliveries.push({ host: e.host, user: e.user, folder: e.folder, atMs });
      return;
    case 'mail.bounce':
      r.recipient(e.messageId, e.to, atMs).bounce ??= { atMs, status: e.status, reportingMta: e.reportingMta, diagnostic: e.diagnostic, remoteMta: e.remoteMta, dsnMessageId: e.dsnMessageId };
      return;
    case 'mail.discard':
      r.recipient(e.messageId, e.to, atMs).discarded ??= { atMs, reason: e.reason };
      return;
    case 'mail.reject':
      r.recipient(e.messageId, e.to, atMs).rejected ??= { atMs, reply: e.reply, host: e.host };
      return;
    case 'mail.dsn':
      r.message(e.messageId, atMs, '', null, e.about);
      r.recipient(e.messageId, e.to, atMs);
      return;
    case 'mail.open-relay':
      r.relayViolations.push({ atMs, host: e.host, recipient: e.recipient });
      return;
  }
}
