/**
 * What the mail events fold into: a record per message, keyed by Message-ID, and per envelope
 * recipient — the report's `messages[]` before their verdict (docs/reference.md §9.1) — and the relay
 * violations the no-open-relay invariant reports (§8).
 *
 * Theory of operation. Each event of `events/` declares its fold: how it changes these records when
 * it is recorded (`MailLog.record`). Message-ID is the identity that survives relaying; a message's
 * record is made at its first sight (ids `m1`, `m2` … in that order), and a DSN is a message of its
 * own (`dsn: true`) that points at the message it reports on. Final states are not stored here: at
 * the end of a run the report asks the queues what they still hold (`QueuedRecipient`) and derives
 * delivered / bounced / deferred / rejected / discarded — or `lost`, which the no-loss invariant reports.
 */

/**
 * How an attempt ended: a connection's result, or `suspended` — deferred by the queue without a
 * connection, the destination being dead (docs/delivery.md R14).
 */
export type AttemptResult = 'accepted' | 'deferred' | 'failed' | 'timeout' | 'refused' | 'dropped' | 'suspended';

/**
 * One SMTP connection an MTA made for a recipient (§9.1 `attempts[]`); `atMs` is when it started. A
 * `suspended` attempt made no connection: `to` is the destination (the next hop's domain), `address`
 * and `conn` are empty, and `reply` is the queue's reason.
 */
export interface AttemptRecord {
  atMs: number;
  from: string;
  to: string;
  address: string;
  result: AttemptResult;
  reply: string | null;
  /** The connection's id, as its `net.*` trace events and the HTML report's sessions name it. */
  conn: string;
  /** The session ran over TLS (the handshake completed). */
  tls: boolean;
}

/** One landing in a mailbox (§9.1 `deliveries[]`). */
export interface DeliveryRecord {
  host: string;
  user: string;
  folder: string;
  atMs: number;
}

/** A DSN reported this recipient failed (§9.1 `bounce`, and the Message-ID of that DSN). */
export interface BounceRecord {
  atMs: number;
  status: string;
  reportingMta: string;
  /** Why (RFC 3464 Diagnostic-Code text: the remote reply, or the local reason). */
  diagnostic: string | null;
  /** The host whose SMTP reply decided it, or null when no reply did (a failed connection, a local decision; D5). */
  remoteMta: string | null;
  /** The Message-ID of the DSN that reported it. */
  dsnMessageId: string | null;
}

export interface RecipientRecord {
  address: string;
  attempts: AttemptRecord[];
  /** Hosts that accepted the message for this recipient, in order (the submission host first). */
  hops: string[];
  deliveries: DeliveryRecord[];
  bounce: BounceRecord | null;
  /** Why the recipient was dropped on purpose (D2: a failed DSN; a `discard` filter). */
  discarded: { atMs: number; reason: string } | null;
  /** The 5xx (or other final refusal) the submission got; the message was never accepted. */
  rejected: { atMs: number; reply: string; host: string | null } | null;
  /** When the submission (or the first hop) accepted this recipient with a 2xx. */
  acceptedAtMs: number | null;
}

export interface MessageRecord {
  /** "m1", "m2" … in order of first sight. */
  id: string;
  messageId: string;
  from: string;
  subject: string | null;
  submittedAtMs: number;
  dsn: boolean;
  /** For a DSN: the Message-ID of the message it reports on. */
  aboutMessageId: string | null;
  recipients: Map<string, RecipientRecord>;
  /** Every reverse-path this message was accepted with, on any hop (dsn-sanity: a DSN's is always ""). */
  envelopeSenders: Set<string>;
}

/** A port-25 acceptance of a recipient outside the host's domains and relay-for (no-open-relay). */
export interface RelayViolation {
  atMs: number;
  host: string;
  recipient: string;
}

/** A recipient still queued when the run ended, with what its last attempt got (the report's `deferred`). */
export interface QueuedRecipient {
  host: string;
  messageId: string;
  address: string;
  /** The last attempt's RFC 3463 status, diagnostic and the host that gave it (null before any attempt). */
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
}

export class MailRecords {
  readonly messages = new Map<string, MessageRecord>();
  readonly relayViolations: RelayViolation[] = [];
  private nextId = 1;

  /** The record of a message, made at its first sight with these values (later sights change nothing). */
  message(messageId: string, atMs: number, from: string, subject: string | null = null, aboutMessageId: string | null = null): MessageRecord {
    let record = this.messages.get(messageId);
    if (record === undefined) {
      record = {
        id: `m${this.nextId++}`,
        messageId,
        from,
        subject,
        submittedAtMs: atMs,
        dsn: aboutMessageId !== null,
        aboutMessageId,
        recipients: new Map(),
        envelopeSenders: new Set(),
      };
      this.messages.set(messageId, record);
    }
    return record;
  }

  /** The record of one recipient of a message, made at its first sight (and the message's, if need be). */
  recipient(messageId: string, address: string, atMs: number): RecipientRecord {
    const message = this.messages.get(messageId) ?? this.message(messageId, atMs, '');
    let record = message.recipients.get(address);
    if (record === undefined) {
      record = { address, attempts: [], hops: [], deliveries: [], bounce: null, discarded: null, rejected: null, acceptedAtMs: null };
      message.recipients.set(address, record);
    }
    return record;
  }
}
