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
 *
 * Memory (issue 21: a million messages in < 2 GiB). The records live until the report is built, so
 * they are kept small: every string that repeats across messages (host names, addresses, replies,
 * folders) is pooled (`intern`), and so are the string lists (hops, envelope senders: most
 * records have the same ones); the other lists (recipients, attempts, deliveries) start as one shared
 * empty array and are replaced by an exact-size copy on append while short (a pushed-to empty array
 * reserves 17 slots), a message's recipients are a list searched in order (an address index is
 * added past a few), and the records are two classes with fixed fields. The folds append through the
 * `add…` methods; readers see read-only lists. test/mail/compact-records.test.ts compares the report
 * built from these records with the one built from the plain Map/Set records they replaced.
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
  readonly address: string;
  /** Appended with `MailRecords.addAttempt` (the list is replaced while short: see the file's comment). */
  readonly attempts: readonly AttemptRecord[];
  /** Hosts that accepted the message for this recipient, in order (the submission host first). */
  readonly hops: readonly string[];
  readonly deliveries: readonly DeliveryRecord[];
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
  readonly id: string;
  readonly messageId: string;
  readonly from: string;
  readonly subject: string | null;
  readonly submittedAtMs: number;
  readonly dsn: boolean;
  /** For a DSN: the Message-ID of the message it reports on. */
  readonly aboutMessageId: string | null;
  /** In order of first sight (addresses compared exactly, as the events spell them). */
  readonly recipients: readonly RecipientRecord[];
  /** Every distinct reverse-path this message was accepted with, on any hop, in order (dsn-sanity: a DSN's is always ""). */
  readonly envelopeSenders: readonly string[];
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

/** The records' own classes: one hidden class each, fields set in the constructor (no dictionary mode). */
class Recipient implements RecipientRecord {
  attempts: readonly AttemptRecord[] = none;
  hops: readonly string[] = none;
  deliveries: readonly DeliveryRecord[] = none;
  bounce: BounceRecord | null = null;
  discarded: { atMs: number; reason: string } | null = null;
  rejected: { atMs: number; reply: string; host: string | null } | null = null;
  acceptedAtMs: number | null = null;
  constructor(readonly address: string) {}
}

class Message implements MessageRecord {
  recipients: readonly Recipient[] = none;
  envelopeSenders: readonly string[] = none;
  /** Built when a message has many recipients, so a lookup stays O(1). */
  byAddress: Map<string, Recipient> | null = null;
  constructor(
    readonly id: string,
    readonly messageId: string,
    readonly from: string,
    readonly subject: string | null,
    readonly submittedAtMs: number,
    readonly dsn: boolean,
    readonly aboutMessageId: string | null,
  ) {}
}

const none: readonly never[] = Object.freeze([]);
/** Lists up to this long are replaced by a copy one longer on append (exact size); longer ones grow in place. */
const exactListMax = 8;
/** A message with more recipients than this gets an address index. */
const linearLookupMax = 8;
/** Distinct strings the pool keeps (host names, addresses, replies repeat; the pool stops growing here). */
const internedMax = 1 << 14;

/**
 * True when the records will never change `list` in place (a short list is replaced on append), so a
 * report may share it instead of copying it (src/report/build.ts).
 */
export function neverChangedInPlace(list: readonly unknown[]): boolean {
  return list.length < exactListMax;
}

/** `list` with `item` appended: a fresh exact-size array while short, else `list` itself, grown. */
function appended<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length >= exactListMax) {
    (list as T[]).push(item);
    return list;
  }
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = item;
  return out;
}

export class MailRecords {
  readonly messages = new Map<string, MessageRecord>();
  readonly relayViolations: RelayViolation[] = [];
  private nextId = 1;
  private readonly pool = new Map<string, string>();
  /** Shared string lists (hops, envelope senders): list → appended string → the list one longer. */
  private readonly lists = new Map<readonly string[], Map<string, readonly string[]>>();

  /**
   * One copy of a string that repeats across messages (a host name, an address, a reply line): the
   * events carry a fresh string each time, often a rope of pieces; the records keep the pooled one.
   */
  intern(text: string): string {
    const pooled = this.pool.get(text);
    if (pooled !== undefined) return pooled;
    if (this.pool.size < internedMax) this.pool.set(text, text);
    return text;
  }

  /** The record of a message, made at its first sight with these values (later sights change nothing). */
  message(messageId: string, atMs: number, from: string, subject: string | null = null, aboutMessageId: string | null = null): MessageRecord {
    let record = this.messages.get(messageId);
    if (record === undefined) {
      record = new Message(`m${this.nextId++}`, messageId, this.intern(from), subject, atMs, aboutMessageId !== null, aboutMessageId);
      this.messages.set(messageId, record);
    }
    return record;
  }

  /** The record of one recipient of a message, made at its first sight (and the message's, if need be). */
  recipient(messageId: string, address: string, atMs: number): RecipientRecord {
    const message = (this.messages.get(messageId) ?? this.message(messageId, atMs, '')) as Message;
    const found = findRecipient(message, address);
    if (found !== undefined) return found;
    const record = new Recipient(this.intern(address));
    message.recipients = appended(message.recipients, record);
    if (message.byAddress !== null) message.byAddress.set(address, record);
    else if (message.recipients.length > linearLookupMax) message.byAddress = new Map(message.recipients.map((r) => [r.address, r]));
    return record;
  }

  /** The message was accepted with this reverse-path (kept once per distinct path). */
  addEnvelopeSender(message: MessageRecord, sender: string): void {
    if (message.envelopeSenders.includes(sender)) return;
    (message as Message).envelopeSenders = this.sharedList(message.envelopeSenders, sender);
  }

  addHop(recipient: RecipientRecord, host: string): void {
    (recipient as Recipient).hops = this.sharedList(recipient.hops, host);
  }

  /**
   * `list` and `text`, as a list shared by every record with the same strings in the same order (most
   * recipients travel the same hops, most messages have one sender). A shared list is never changed.
   */
  private sharedList(list: readonly string[], text: string): readonly string[] {
    let next = this.lists.get(list);
    const found = next?.get(text);
    if (found !== undefined) return found;
    const out = [...list, this.intern(text)];
    if (this.lists.size >= internedMax) return out;
    if (next === undefined) this.lists.set(list, (next = new Map()));
    next.set(text, out);
    return out;
  }

  addAttempt(recipient: RecipientRecord, attempt: AttemptRecord): void {
    const kept: AttemptRecord = {
      atMs: attempt.atMs,
      from: this.intern(attempt.from),
      to: this.intern(attempt.to),
      address: this.intern(attempt.address),
      result: attempt.result,
      reply: attempt.reply === null ? null : this.intern(attempt.reply),
      conn: attempt.conn,
      tls: attempt.tls,
    };
    (recipient as Recipient).attempts = appended(recipient.attempts, kept);
  }

  addDelivery(recipient: RecipientRecord, delivery: DeliveryRecord): void {
    const kept: DeliveryRecord = { host: this.intern(delivery.host), user: this.intern(delivery.user), folder: this.intern(delivery.folder), atMs: delivery.atMs };
    (recipient as Recipient).deliveries = appended(recipient.deliveries, kept);
  }
}

function findRecipient(message: Message, address: string): Recipient | undefined {
  if (message.byAddress !== null) return message.byAddress.get(address);
  for (const recipient of message.recipients) if (recipient.address === address) return recipient;
  return undefined;
}
