/**
 * The mail log: what happened to every message and every recipient, on every hop — the projection of
 * the trace that the report (docs/reference.md §9) and the invariants (§8: no-loss, dsn-sanity,
 * no-open-relay) are built from.
 *
 * Theory of operation. Nodes call one method per mail-level fact (a submission, an SMTP delivery
 * attempt, an acceptance on a hop, a landing in a mailbox, a DSN, a discard). Each call records a
 * `mail.*` event in the trace (so the digest covers it and `--trace` shows it) and updates a model
 * keyed by Message-ID and envelope recipient. Message-ID is the identity that survives relaying; a
 * DSN is a message of its own (`dsn: true`) that points at the message it reports on.
 *
 * Final states are not stored here: at the end of a run the runner asks the queues what they still
 * hold, and `recipientStatus` derives delivered / bounced / deferred / rejected / discarded — or
 * `lost`, which the no-loss invariant reports.
 */
import type { Simulator } from '../sim/index.js';

export type AttemptResult = 'accepted' | 'deferred' | 'failed' | 'timeout' | 'refused' | 'dropped';

export interface AttemptRecord {
  atMs: number;
  from: string;
  to: string;
  address: string;
  result: AttemptResult;
  reply: string | null;
}

export interface DeliveryRecord {
  host: string;
  user: string;
  folder: string;
  atMs: number;
}

export interface BounceRecord {
  atMs: number;
  status: string;
  reportingMta: string;
  /** Why (RFC 3464 Diagnostic-Code text: the remote reply, or the local reason). */
  diagnostic: string | null;
  /** The host whose reply decided it, or null for a local decision. */
  remoteMta: string | null;
  /** The Message-ID of the DSN that reported it; null when the DSN was not sent (D2). */
  dsnMessageId: string | null;
}

export interface RecipientLog {
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

export interface MessageLog {
  /** "m1", "m2" … in order of first sight. */
  id: string;
  messageId: string;
  from: string;
  subject: string | null;
  submittedAtMs: number;
  dsn: boolean;
  /** For a DSN: the Message-ID of the message it reports on. */
  aboutMessageId: string | null;
  recipients: Map<string, RecipientLog>;
  /** Every reverse-path this message was accepted with, on any hop (dsn-sanity: a DSN's is always ""). */
  envelopeSenders: Set<string>;
}

/** Port-25 acceptances of recipients outside the host's domains and relay-for (no-open-relay). */
export interface RelayViolation {
  atMs: number;
  host: string;
  recipient: string;
}

export interface MailLogOptions {
  /**
   * Keep the model (messages, recipients, relay violations) for a report. Default true. `mailsim serve`
   * builds no report and runs for as long as it is left running: it records the trace events only, so
   * its memory does not grow with every message it handles.
   */
  keep?: boolean;
}

export class MailLog {
  readonly messages = new Map<string, MessageLog>();
  readonly relayViolations: RelayViolation[] = [];
  private nextId = 1;
  private readonly keep: boolean;

  constructor(
    private readonly sim: Simulator,
    options: MailLogOptions = {},
  ) {
    this.keep = options.keep ?? true;
  }

  /** The log of a message, created on first sight. */
  message(messageId: string, init: { from: string; subject?: string | null; dsn?: boolean; aboutMessageId?: string | null }): MessageLog {
    let log = this.messages.get(messageId);
    if (log === undefined) {
      log = {
        id: `m${this.nextId++}`,
        messageId,
        from: init.from,
        subject: init.subject ?? null,
        submittedAtMs: this.sim.nowMs,
        dsn: init.dsn ?? false,
        aboutMessageId: init.aboutMessageId ?? null,
        recipients: new Map(),
        envelopeSenders: new Set(),
      };
      if (this.keep) this.messages.set(messageId, log);
    }
    return log;
  }

  recipient(messageId: string, address: string): RecipientLog {
    const message = this.messages.get(messageId) ?? this.message(messageId, { from: '' });
    let log = message.recipients.get(address);
    if (log === undefined) {
      log = { address, attempts: [], hops: [], deliveries: [], bounce: null, discarded: null, rejected: null, acceptedAtMs: null };
      if (this.keep) message.recipients.set(address, log);
    }
    return log;
  }

  /** A MUA is about to submit a message (docs/reference.md `send`). */
  submitting(messageId: string, from: string, recipients: readonly string[], subject: string | null): void {
    this.message(messageId, { from, subject });
    for (const address of recipients) this.recipient(messageId, address);
    this.sim.trace.record('mail.submit', { messageId, from, to: recipients.join(','), subject });
  }

  /** A host accepted the message for these recipients with a 2xx (a hop, docs/delivery.md R1). */
  accepted(host: string, messageId: string, from: string, recipients: readonly string[], port: number): void {
    this.message(messageId, { from }).envelopeSenders.add(from);
    for (const address of recipients) {
      const log = this.recipient(messageId, address);
      log.hops.push(host);
      if (log.acceptedAtMs === null) log.acceptedAtMs = this.sim.nowMs;
    }
    this.sim.trace.record('mail.accept', { host, messageId, to: recipients.join(','), port });
  }

  /**
   * The submission was refused for good (5xx) or could not happen; nothing was accepted. `host` is
   * the submission server that refused it, or null when the MUA gave up without a refusal.
   */
  rejected(messageId: string, address: string, reply: string, host: string | null = null): void {
    const log = this.recipient(messageId, address);
    log.rejected ??= { atMs: this.sim.nowMs, reply, host };
    this.sim.trace.record('mail.reject', { messageId, to: address, reply });
  }

  /** One SMTP connection an MTA made for this recipient; `atMs` is when it started (docs/reference.md §9). */
  attempt(messageId: string, address: string, record: AttemptRecord): void {
    this.recipient(messageId, address).attempts.push(record);
    // The record's fields written out (not `...record`, a slow path): one call per connection per recipient.
    const { atMs, from, to, address: ip, result, reply } = record;
    this.sim.trace.record('mail.attempt', { messageId, rcpt: address, atMs, from, to, address: ip, result, reply });
  }

  delivered(messageId: string, address: string, record: Omit<DeliveryRecord, 'atMs'>): void {
    this.recipient(messageId, address).deliveries.push({ atMs: this.sim.nowMs, ...record });
    this.sim.trace.record('mail.deliver', { messageId, to: address, ...record });
  }

  bounced(messageId: string, address: string, record: Omit<BounceRecord, 'atMs'>): void {
    const log = this.recipient(messageId, address);
    log.bounce ??= { atMs: this.sim.nowMs, ...record };
    this.sim.trace.record('mail.bounce', { messageId, to: address, ...record });
  }

  discarded(messageId: string, address: string, reason: string): void {
    const log = this.recipient(messageId, address);
    log.discarded ??= { atMs: this.sim.nowMs, reason };
    this.sim.trace.record('mail.discard', { messageId, to: address, reason });
  }

  /** A DSN message was created (it then travels like any mail). */
  dsnCreated(dsnMessageId: string, aboutMessageId: string, to: string, reportingMta: string, action: string): void {
    this.message(dsnMessageId, { from: '', dsn: true, aboutMessageId, subject: null });
    this.recipient(dsnMessageId, to);
    this.sim.trace.record('mail.dsn', { messageId: dsnMessageId, about: aboutMessageId, to, reportingMta, action });
  }

  relayViolation(host: string, recipient: string): void {
    if (this.keep) this.relayViolations.push({ atMs: this.sim.nowMs, host, recipient });
    this.sim.trace.record('mail.open-relay', { host, recipient });
  }
}
