/**
 * The MTA's queue on one host: every message the host accepted (on 25, 587 or 465, or made itself: a
 * DSN, a forward) waits here until each recipient is delivered, relayed, bounced or discarded.
 *
 * Theory of operation (Postfix's qmgr, docs/delivery.md R1–R9):
 * - `enqueue` commits the entry to disk before returning (R1: the SMTP server replies 250 after it),
 *   then schedules an immediate attempt as a separate event (so the 250 goes out first).
 * - An attempt splits the pending recipients into groups — local mailboxes (the MDA), and one group
 *   per destination domain for SMTP (recipients split into per-domain transactions) — runs them
 *   concurrently through the transports and waits for all of them. An SMTP group goes through its
 *   destination's state (destinations.ts, R14: Postfix's per-destination concurrency window and
 *   dead-destination mark, keyed by the next hop): it may wait for a slot, or be deferred at once
 *   without a connection while the destination is dead — a `suspended` attempt in the mail log.
 * - After the attempt: delivered / relayed / discarded recipients are done; failed ones are bounced
 *   in one DSN (D1), unless the sender is null (D2: discarded and logged); if some are still pending,
 *   the retry policy (Postfix schedule by default, R8; Exim rules, R9) gives the next eligible time,
 *   or says the message expired (lifetime / bounce-lifetime): the pending recipients then fail with
 *   their last status and are bounced. `warn-after` sends one `delayed` DSN.
 * - Deferred messages are picked up by queue scans every `scan` ms, phased from the boot time (R8:
 *   each retry shifts by up to one scan). Only a pending scan keeps the simulation busy, so a run with
 *   an empty queue can end.
 * - A crash loses the in-memory queue and in-flight attempts; on boot the queue is reloaded from disk
 *   and every entry is tried at the first scan. The message bytes are kept in memory from the
 *   enqueue (the bytes it committed; never modified: every header change makes new bytes), or read
 *   from the disk at an entry's first attempt after a boot, and kept for the later attempts, so a
 *   week of retries does not copy every message out of the disk each time; the disk stays the
 *   source of truth (the copy is dropped by `reload`). An attempt whose result was not yet written is
 *   repeated: delivery is at-least-once (E3).
 */
import { type Envelope, mailParamsOf, plainMailParams } from '../../protocols/smtp/types.js';
import type { TimerId } from '../../sim/index.js';
import { hopCount } from '../mail/headers.js';
import { buildDsn, type DsnAction, type DsnRecipient, decideDsn } from '../mta/dsn.js';
import { newRetryRecord, nextScanAtOrAfterMs, type RetryPolicy, recordFailure, retryPolicyFor, retryStateAt, shouldSendDelayWarning } from '../mta/schedule.js';
import type { QueueConfig } from '../config.js';
import type { HostContext } from '../host-context.js';
import {
  commitNewEntry,
  loadEntries,
  type QueueEntry,
  type QueueRecipient,
  readMessage,
  removeEntry,
  writeEntryState,
} from './queue-entry.js';
import { domainOf } from '../../mail/address.js';
import { type CacheUse, Destinations, type HopFailure } from './destinations.js';

/** What a transport reports for one recipient after its part of an attempt. */
export interface RecipientResult {
  address: string;
  /** done: delivered / relayed / discarded on purpose; deferred: try again later; failed: bounce. */
  fate: 'done' | 'deferred' | 'failed';
  /**
   * For `done`, what a success notice would say (RFC 3464 §2.3.3): `delivered` into a mailbox here;
   * `relayed` to a next hop that does not offer DSN (so the notice is ours to send, RFC 3461 §5.2.2);
   * `passed-on` to one that does (NOTIFY went with the message: the next hop reports). Absent: nothing
   * to report (discarded, forwarded).
   */
  success?: 'delivered' | 'relayed' | 'passed-on' | null;
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
}

/**
 * A way out of the queue: the MDA for local mailboxes, the SMTP client for everything else. `hop` is
 * given (by the SMTP transport) when the recipients were deferred because the destination failed (R14).
 */
export interface Transport {
  deliver(job: DeliveryJob, done: (results: RecipientResult[], hop?: HopFailure | null) => void, use?: DeliveryUse): void;
  /** A local transport that takes all of a message's local recipients in one job (a capturing catch-all); else one job each. */
  readonly takesAllLocalRecipients?: boolean;
}

/** What the queue tells the SMTP transport of a job: its destination (the next hop) and its use of the connection cache (R15). */
export interface DeliveryUse {
  destination: string;
  cache: CacheUse;
}

export interface DeliveryJob {
  entry: Readonly<QueueEntry>;
  message: Uint8Array;
  recipients: readonly QueueRecipient[];
  /** The destination domain of an SMTP group (all recipients share it). */
  domain: string;
}

export interface NewMessage {
  messageId: string;
  /** The envelope as the server took it (or as the MDA/queue writes it), carried whole into the queue file. */
  envelope: Pick<Envelope, 'from' | 'recipients' | 'body' | 'smtpUtf8' | 'requireTls' | 'dsn'>;
  message: Uint8Array;
  /** Check the hop count against limits.hops (mail that arrived over SMTP). */
  checkHops?: boolean;
  /** `hopCount(message)`, when the caller counted it already (the SMTP commit's one header scan). */
  hops?: number;
  /** A queue id from `reserveQueueId` (the Received: header names it before the commit). */
  queueId?: string;
}

/** A recipient still in the queue, with what its last attempt said (null before the first). */
export interface PendingRecipient {
  messageId: string;
  address: string;
  queueId: string;
  /** RFC 3463 status of the last attempt, e.g. "4.4.1". */
  status: string | null;
  /** The last attempt's diagnostic (the remote reply, or why the connection failed). */
  diagnostic: string | null;
  /** The host that gave it, or null (no attempt yet, or a local decision). */
  remoteMta: string | null;
  lastAttemptMs: number | null;
}

/** One queue entry as `MailQueue.listing` shows it. */
export interface QueueListing {
  queueId: string;
  messageId: string;
  /** Reverse-path; "" for a DSN. */
  from: string;
  arrivalMs: number;
  /** When its next attempt starts; null while one is running, or while the host is down. */
  nextAttemptMs: number | null;
  recipients: Array<Pick<PendingRecipient, 'address' | 'status' | 'diagnostic' | 'remoteMta' | 'lastAttemptMs'>>;
}

/** Bound on messages one host's queue holds in memory. */
export const queueEntriesMax = 10_000_000;

/** The retry policy a host's queue settings name (docs/delivery.md R8–R13). */
function policyOf(queue: QueueConfig): RetryPolicy {
  switch (queue.schedule) {
    case 'exim':
      return retryPolicyFor({ schedule: 'exim', rule: queue.rule });
    case 'offsets':
      return retryPolicyFor({ schedule: 'offsets', offsetsMs: queue.offsetsMs, lifetimeMs: queue.lifetimeMs, bounceLifetimeMs: queue.bounceLifetimeMs });
    case 'haraka':
    case 'sendmail':
    case 'exchange':
      return retryPolicyFor({ schedule: queue.schedule });
    case 'postfix':
      return retryPolicyFor({
        schedule: 'postfix',
        minBackoffMs: queue.minMs,
        maxBackoffMs: queue.maxMs,
        lifetimeMs: queue.lifetimeMs,
        bounceLifetimeMs: queue.bounceLifetimeMs,
      });
  }
}

export class MailQueue {
  private readonly entries = new Map<string, QueueEntry>();
  /** Message bytes of the entries, as committed or read back after a boot (volatile; ≤ queueEntriesMax). */
  private readonly messageBytes = new Map<string, Uint8Array>();
  private readonly inFlight = new Set<string>();
  /** Entries enqueued whose first attempt has not started yet (see `scheduleScanAfter`). */
  private readonly awaitingFirstAttempt = new Set<QueueEntry>();
  private scanTimer: TimerId | null = null;
  private scanAtMs = Number.POSITIVE_INFINITY;
  private nextQueueNumber = 1;
  private readonly policy: RetryPolicy;
  /** Per-destination concurrency and dead marks (R14): in memory only, so a boot starts afresh. */
  private destinations: Destinations;
  /** The next hop a domain's mail goes to (a route's host, else the domain): the destinations' key. */
  private readonly routes: ReadonlyMap<string, string>;

  constructor(
    private readonly ctx: HostContext,
    private readonly transports: { local: Transport | null; smtp: Transport },
    private readonly isLocalDomain: (domain: string) => boolean,
  ) {
    this.policy = policyOf(ctx.config.queue);
    this.routes = new Map(ctx.config.routes.map((route) => [route.domain, route.host]));
    this.destinations = this.newDestinations();
  }

  private newDestinations(): Destinations {
    const queue = this.ctx.config.queue;
    const settings = { initialConcurrency: queue.concurrency, concurrencyLimit: queue.concurrencyLimit, failedCohortLimit: queue.failedCohorts, deadMs: queue.minMs, processLimit: queue.processLimit };
    return new Destinations(
      settings,
      () => this.ctx.sim.nowMs,
      (fn) => this.ctx.after(0, fn),
      (destination, untilMs) => this.ctx.sim.trace.record('queue.dead', { host: this.ctx.name, destination, untilMs }),
    );
  }

  get size(): number {
    return this.entries.size;
  }

  /** Recipients still waiting here (for the end-of-run report: "deferred"). */
  pendingRecipients(): PendingRecipient[] {
    const out: PendingRecipient[] = [];
    for (const entry of this.entries.values()) {
      for (const recipient of entry.recipients) {
        if (recipient.done) continue;
        out.push({
          messageId: entry.messageId,
          address: recipient.address,
          queueId: entry.queueId,
          status: recipient.status,
          diagnostic: recipient.diagnostic,
          remoteMta: recipient.remoteMta,
          lastAttemptMs: recipient.lastAttemptMs,
        });
      }
    }
    return out;
  }

  /**
   * What the queue holds now, as `mailq` lists it: each entry with its pending recipients and when its
   * next attempt starts — the scan that will take it (R8), now for a new entry, null while an attempt
   * runs or the host is down. Reads only: nothing is scheduled or changed.
   */
  listing(): QueueListing[] {
    const nowMs = this.ctx.sim.nowMs;
    const up = this.ctx.isCurrent(this.ctx.epoch);
    return [...this.entries.values()].map((entry) => {
      const waitingMs = this.awaitingFirstAttempt.has(entry) ? nowMs : nextScanAtOrAfterMs(Math.max(entry.eligibleAtMs ?? nowMs, nowMs), this.ctx.config.queue.scanMs, this.ctx.bootedAtMs);
      return {
        queueId: entry.queueId,
        messageId: entry.messageId,
        from: entry.from,
        arrivalMs: entry.arrivalMs,
        nextAttemptMs: !up || this.inFlight.has(entry.queueId) ? null : waitingMs,
        recipients: entry.recipients
          .filter((recipient) => !recipient.done)
          .map(({ address, status, diagnostic, remoteMta, lastAttemptMs }) => ({ address, status, diagnostic, remoteMta, lastAttemptMs })),
      };
    });
  }

  /** Commits a message (R1) and starts its first attempt right after the current event. */
  enqueue(input: NewMessage): string {
    if (this.entries.size >= queueEntriesMax) throw new Error(`${this.ctx.name}: queue full (${queueEntriesMax})`);
    const queueId = input.queueId ?? this.reserveQueueId();
    const entry: QueueEntry = {
      queueId,
      messageId: input.messageId,
      from: input.envelope.from,
      recipients: input.envelope.recipients.map((recipient) => ({
        address: recipient.address,
        orcpt: recipient.dsn.orcpt,
        notify: recipient.dsn.notify,
        done: false,
        status: null,
        diagnostic: null,
        remoteMta: null,
        lastAttemptMs: null,
      })),
      arrivalMs: this.ctx.sim.nowMs,
      retry: newRetryRecord(this.ctx.sim.nowMs, input.envelope.from === ''),
      eligibleAtMs: null,
      warned: false,
      params: mailParamsOf(input.envelope),
      hopLimitExceeded: input.checkHops === true && (input.hops ?? hopCount(input.message)) > this.ctx.config.limits.hops,
    };
    commitNewEntry(this.ctx.disk(), entry, input.message);
    this.entries.set(queueId, entry);
    // The bytes just committed are what a read would return: kept for the attempts (see the top).
    this.messageBytes.set(queueId, input.message);
    this.awaitingFirstAttempt.add(entry);
    this.ctx.sim.trace.record('queue.add', { host: this.ctx.name, queueId, messageId: entry.messageId, from: entry.from, to: entry.recipients.length });
    this.ctx.after(0, () => {
      if (this.entries.has(queueId)) this.startAttempt(entry);
    });
    return queueId;
  }

  /** After a boot: reload every committed entry; all are tried at the first scan (Postfix restarts so). */
  reload(): void {
    this.entries.clear();
    this.messageBytes.clear();
    this.inFlight.clear();
    this.awaitingFirstAttempt.clear();
    this.scanTimer = null;
    this.scanAtMs = Number.POSITIVE_INFINITY;
    this.destinations = this.newDestinations();
    for (const entry of loadEntries(this.ctx.disk())) {
      this.entries.set(entry.queueId, entry);
      entry.eligibleAtMs = this.ctx.sim.nowMs;
      this.nextQueueNumber = Math.max(this.nextQueueNumber, Number.parseInt(entry.queueId.slice(1), 16) + 1);
    }
    this.ctx.sim.trace.record('queue.reload', { host: this.ctx.name, entries: this.entries.size });
    if (this.entries.size > 0) this.scheduleScan();
  }

  /** A fresh queue id, Postfix-style (unique on this host across crashes: reload resumes after the highest). */
  reserveQueueId(): string {
    return `Q${(this.nextQueueNumber++).toString(16).toUpperCase().padStart(6, '0')}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Scans

  /** Arms the scan timer for the earliest entry not in flight; the timer only ever moves earlier. */
  private scheduleScan(): void {
    let earliestMs = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      if (this.inFlight.has(entry.queueId)) continue;
      earliestMs = Math.min(earliestMs, entry.eligibleAtMs ?? this.ctx.sim.nowMs);
    }
    this.armScanFor(earliestMs);
  }

  /**
   * The same as `scheduleScan` after `entry` finished an attempt, without visiting every entry (a
   * full visit per attempt made a queue of n deferred messages cost O(n²) per retry round). While a
   * timer is armed at S, every entry that was neither in flight nor new when S was chosen wants a scan
   * at or after S, and still does: its eligible time has not changed (only an attempt or a reload
   * changes it) and a later "now" only moves its scan later. So only the entry that just finished and
   * the entries enqueued since (not yet attempted) can ask for an earlier scan. With no timer armed
   * nothing is known, and every entry is visited.
   */
  private scheduleScanAfter(entry: QueueEntry): void {
    if (this.scanTimer === null) {
      this.scheduleScan();
      return;
    }
    const nowMs = this.ctx.sim.nowMs;
    let earliestMs = Number.POSITIVE_INFINITY;
    if (this.entries.has(entry.queueId) && !this.inFlight.has(entry.queueId)) earliestMs = entry.eligibleAtMs ?? nowMs;
    for (const fresh of this.awaitingFirstAttempt) {
      if (!this.inFlight.has(fresh.queueId)) earliestMs = Math.min(earliestMs, fresh.eligibleAtMs ?? nowMs);
    }
    this.armScanFor(earliestMs);
  }

  private armScanFor(earliestMs: number): void {
    if (earliestMs === Number.POSITIVE_INFINITY) return;
    const scanMs = nextScanAtOrAfterMs(Math.max(earliestMs, this.ctx.sim.nowMs), this.ctx.config.queue.scanMs, this.ctx.bootedAtMs);
    if (this.scanTimer !== null && this.scanAtMs <= scanMs) return;
    if (this.scanTimer !== null) this.ctx.sim.cancel(this.scanTimer);
    this.scanAtMs = scanMs;
    this.scanTimer = this.ctx.at(scanMs, () => {
      this.scanTimer = null;
      this.scanAtMs = Number.POSITIVE_INFINITY;
      this.scan();
    });
  }

  private scan(): void {
    const nowMs = this.ctx.sim.nowMs;
    this.ctx.sim.trace.record('queue.scan', { host: this.ctx.name, entries: this.entries.size });
    for (const entry of [...this.entries.values()]) {
      if (this.inFlight.has(entry.queueId)) continue;
      if ((entry.eligibleAtMs ?? nowMs) <= nowMs) this.startAttempt(entry);
    }
    this.scheduleScan();
  }

  // ---------------------------------------------------------------------------------------------
  // Attempts

  private startAttempt(entry: QueueEntry): void {
    this.awaitingFirstAttempt.delete(entry);
    if (this.inFlight.has(entry.queueId)) return;
    this.inFlight.add(entry.queueId);
    const epoch = this.ctx.epoch;
    let message = this.messageBytes.get(entry.queueId);
    if (message === undefined) {
      message = readMessage(this.ctx.disk(), entry.queueId);
      this.messageBytes.set(entry.queueId, message);
    }
    const pending = entry.recipients.filter((recipient) => !recipient.done);
    this.ctx.sim.trace.record('queue.attempt', { host: this.ctx.name, queueId: entry.queueId, recipients: pending.length });

    if (entry.hopLimitExceeded) {
      // Loop detection (docs/delivery.md §4): too many Received headers — bounce with 5.4.6, deliver nothing.
      const text = `5.4.6 too many hops (over ${this.ctx.config.limits.hops} Received: headers): mail forwarding loop`;
      this.finishAttempt(entry, message, pending.map((r) => ({ address: r.address, fate: 'failed', status: '5.4.6', diagnostic: text, remoteMta: null })));
      return;
    }

    const jobs = this.jobsFor(entry, message, pending);
    const results: RecipientResult[] = [];
    let outstanding = jobs.length;
    if (outstanding === 0) {
      this.finishAttempt(entry, message, results);
      return;
    }
    const collect = (jobResults: RecipientResult[]) => {
      // Not a timer (a transport may answer at once, or from a session), so not ctx.after: the
      // epoch is checked by hand — an attempt of an older boot must not touch the reloaded queue.
      if (!this.ctx.isCurrent(epoch) || !this.entries.has(entry.queueId)) return;
      for (const result of jobResults) results.push(result);
      outstanding--;
      if (outstanding === 0) this.finishAttempt(entry, message, results);
    };
    for (const { transport, job } of jobs) {
      if (transport === this.transports.smtp) this.viaDestination(job, epoch, collect);
      else transport.deliver(job, collect);
    }
  }

  /** An SMTP job, through its destination's window and dead mark (R14). */
  private viaDestination(job: DeliveryJob, epoch: number, collect: (results: RecipientResult[]) => void): void {
    const destination = this.routes.get(job.domain) ?? this.routes.get('*') ?? job.domain;
    const destinations = this.destinations;
    destinations.submit(destination, {
      start: (cache) =>
        this.transports.smtp.deliver(
          job,
          (results, hop) => {
            if (!this.ctx.isCurrent(epoch)) return;
            destinations.done(destination, hop ?? null);
            collect(results);
          },
          { destination, cache },
        ),
      suspend: (failure) => collect(this.suspended(job, destination, failure)),
    });
  }

  /**
   * The job deferred without a connection, the destination being dead (R14; Postfix qmgr_defer_todo,
   * "delivery temporarily suspended: " and the failure's reason), as an attempt of each recipient.
   */
  private suspended(job: DeliveryJob, destination: string, failure: HopFailure): RecipientResult[] {
    const diagnostic = `delivery temporarily suspended: ${failure.diagnostic ?? 'unknown error'}`;
    const nowMs = this.ctx.sim.nowMs;
    return job.recipients.map((recipient) => {
      this.ctx.log.record({
        kind: 'mail.attempt',
        messageId: job.entry.messageId,
        rcpt: recipient.address,
        atMs: nowMs,
        from: this.ctx.name,
        to: destination,
        address: '',
        result: 'suspended',
        reply: diagnostic,
        conn: '',
        tls: false,
      });
      return { address: recipient.address, fate: 'deferred', status: failure.status, diagnostic, remoteMta: failure.remoteMta };
    });
  }

  /** The attempt's jobs: one per local recipient (the MDA; all in one for a capturing catch-all), one per destination domain (SMTP). */
  private jobsFor(entry: QueueEntry, message: Uint8Array, pending: QueueRecipient[]): Array<{ transport: Transport; job: DeliveryJob }> {
    const jobs: Array<{ transport: Transport; job: DeliveryJob }> = [];
    // The local transport for a local domain (when this host has one), else SMTP.
    const localFor = (domain: string) => (this.transports.local !== null && this.isLocalDomain(domain) ? this.transports.local : null);
    if (pending.length === 1) {
      // The common case (and every retry of a one-recipient message): no grouping map to build.
      const domain = domainOf(pending[0]!.address);
      jobs.push({ transport: localFor(domain) ?? this.transports.smtp, job: { entry, message, recipients: pending, domain } });
      return jobs;
    }
    const smtpGroups = new Map<string, QueueRecipient[]>();
    let localGroup: QueueRecipient[] | null = null;
    for (const recipient of pending) {
      const domain = domainOf(recipient.address);
      const local = localFor(domain);
      if (local !== null && local.takesAllLocalRecipients === true) {
        if (localGroup === null) jobs.push({ transport: local, job: { entry, message, recipients: (localGroup = [recipient]), domain } });
        else localGroup.push(recipient);
      } else if (local !== null) {
        jobs.push({ transport: local, job: { entry, message, recipients: [recipient], domain } });
      } else {
        const group = smtpGroups.get(domain);
        if (group === undefined) smtpGroups.set(domain, [recipient]);
        else group.push(recipient);
      }
    }
    for (const [domain, recipients] of smtpGroups) jobs.push({ transport: this.transports.smtp, job: { entry, message, recipients, domain } });
    return jobs;
  }

  private finishAttempt(entry: QueueEntry, message: Uint8Array, results: readonly RecipientResult[]): void {
    const nowMs = this.ctx.sim.nowMs;
    const failed: QueueRecipient[] = [];
    const delivered: QueueRecipient[] = [];
    const relayed: QueueRecipient[] = [];
    for (const result of results) {
      const recipient = entry.recipients.find((r) => r.address === result.address && !r.done);
      if (recipient === undefined) continue;
      recipient.lastAttemptMs = nowMs;
      // The attempt's word replaces the last one whole: a diagnostic without a remote MTA (a failed
      // connection) must not keep an older attempt's host as its Remote-MTA (D5, RFC 3464 §2.3.5).
      if (result.status !== null) {
        recipient.status = result.status;
        recipient.diagnostic = result.diagnostic;
        recipient.remoteMta = result.remoteMta;
      }
      if (result.fate === 'done') {
        recipient.done = true;
        if (result.success === 'delivered') delivered.push(recipient);
        else if (result.success === 'relayed') relayed.push(recipient);
      } else if (result.fate === 'failed') {
        recipient.done = true;
        failed.push(recipient);
      }
    }

    const pending = entry.recipients.filter((recipient) => !recipient.done);
    if (pending.length > 0) {
      const { record, decision } = recordFailure(this.policy, entry.retry, nowMs);
      entry.retry = record;
      if (decision.kind === 'expired') {
        // Lifetime over: the pending recipients fail with their last status (D5: an expired message may
        // keep its 4.x.x status with Action: failed); 4.4.7 when nothing more precise is known.
        for (const recipient of pending) {
          recipient.done = true;
          recipient.status ??= '4.4.7';
          recipient.diagnostic ??= null;
          failed.push(recipient);
        }
        this.ctx.sim.trace.record('queue.expired', { host: this.ctx.name, queueId: entry.queueId, recipients: pending.length });
      } else {
        entry.eligibleAtMs = decision.atMs;
        this.ctx.sim.trace.record('queue.defer', { host: this.ctx.name, queueId: entry.queueId, untilMs: decision.atMs, recipients: pending.length });
        if (shouldSendDelayWarning({ arrivalMs: entry.arrivalMs, nowMs, warnAfterMs: this.ctx.config.queue.warnAfterMs, alreadyWarned: entry.warned })) {
          entry.warned = true;
          const retryUntilMs = this.policy.retryUntilMs(retryStateAt(entry.retry, nowMs));
          this.report(entry, message, pending, 'delayed', retryUntilMs);
        }
      }
    }
    if (failed.length > 0) this.report(entry, message, failed, 'failed', null);
    // Success notices for recipients whose NOTIFY asks for them (RFC 3461 §4.1; report() decides).
    if (delivered.length > 0) this.report(entry, message, delivered, 'delivered', null);
    if (relayed.length > 0) this.report(entry, message, relayed, 'relayed', null);

    this.inFlight.delete(entry.queueId);
    if (entry.recipients.every((recipient) => recipient.done)) {
      removeEntry(this.ctx.disk(), entry.queueId);
      this.entries.delete(entry.queueId);
      this.messageBytes.delete(entry.queueId);
      this.ctx.sim.trace.record('queue.remove', { host: this.ctx.name, queueId: entry.queueId });
    } else {
      writeEntryState(this.ctx.disk(), entry);
    }
    this.scheduleScanAfter(entry);
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery status notifications (RFC 3464; docs/delivery.md D1–D7)

  private report(entry: QueueEntry, message: Uint8Array, recipients: readonly QueueRecipient[], action: DsnAction, retryUntilMs: number | null): void {
    const reportable: QueueRecipient[] = [];
    for (const recipient of recipients) {
      const decision = decideDsn({ originalSender: entry.from, action, notify: recipient.notify });
      if (decision.kind === 'send-dsn') {
        reportable.push(recipient);
      } else if (action === 'failed') {
        // D2 (a failed DSN) or NOTIFY=NEVER: dropped on purpose, and said so.
        this.ctx.log.record({ kind: 'mail.discard', messageId: entry.messageId, to: recipient.address, reason: decision.reason });
      }
    }
    if (reportable.length === 0) return;
    const dsnMessageId = `<${entry.queueId}.${this.ctx.random('dsn').hex(8)}@${this.ctx.name}>`;
    const dsnRecipients: DsnRecipient[] = reportable.map((recipient) => ({
      finalRecipient: recipient.address,
      originalRecipient: recipient.orcpt,
      action,
      status: recipient.status ?? (action === 'delayed' ? '4.0.0' : '5.0.0'),
      remoteMta: recipient.remoteMta,
      diagnostic: recipient.diagnostic,
      lastAttemptMs: recipient.lastAttemptMs,
      willRetryUntilMs: action === 'delayed' ? retryUntilMs : null,
    }));
    const built = buildDsn({
      reportingMta: this.ctx.name,
      originalSender: entry.from,
      arrivalMs: entry.arrivalMs,
      nowMs: this.ctx.sim.nowMs,
      messageId: dsnMessageId,
      envelopeId: entry.params.dsn.envid,
      // A REQUIRETLS message's content goes back only as headers: the notice travels without that demand.
      ret: entry.params.requireTls ? 'HDRS' : entry.params.dsn.ret,
      original: message,
      recipients: dsnRecipients,
    });
    this.ctx.log.record({ kind: 'mail.dsn', messageId: dsnMessageId, about: entry.messageId, to: entry.from, reportingMta: this.ctx.name, action });
    if (action === 'failed') {
      for (const recipient of reportable) {
        this.ctx.log.record({
          kind: 'mail.bounce',
          messageId: entry.messageId,
          to: recipient.address,
          status: recipient.status ?? '5.0.0',
          reportingMta: this.ctx.name,
          diagnostic: recipient.diagnostic,
          remoteMta: recipient.remoteMta,
          dsnMessageId,
        });
      }
    }
    this.ctx.log.record({ kind: 'mail.accept', host: this.ctx.name, messageId: dsnMessageId, to: [entry.from], port: 0, from: '' });
    this.enqueue({
      messageId: dsnMessageId,
      envelope: { from: '', recipients: [{ address: entry.from, dsn: { notify: null, orcpt: null } }], ...plainMailParams() },
      message: built.bytes,
    });
  }
}
