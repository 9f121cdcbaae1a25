/**
 * A host's SMTP listeners: the MTA's port 25 and the MSA's submission ports 587 (STARTTLS, then
 * AUTH) and 465 (implicit TLS, RFC 8314). Each connection runs one SMTP server machine; this file is
 * its owner's policy (docs/reference.md §5, docs/delivery.md §5, §8, §11).
 *
 * Port 25 (MTA inbound): a recipient is accepted only for `domains` (unknown user → 550 5.1.1 unless a
 * `catch-all` takes it, or every domain when the catch-all takes `any-domain`; mailbox
 * over quota → 452 4.2.2) and `relay-for` (backup MX: queued onward); anything else is 554 5.7.1 — no
 * open relay (T3). Greylisting answers 450 4.2.0 to a new (client /24, sender, recipient) triplet.
 * Submission (587/465): AUTH required before MAIL (530 5.7.0, RFC 6409), then any recipient; the MSA
 * adds Message-ID and Date when missing (RFC 6409 §8).
 * Every accepting server prepends exactly one Received: (T1) and commits the message to the queue
 * before it answers 250 to the final dot (R1). The scenario's `reply` and `drop` faults act at the
 * stage they name; a scripted reply to the dot is sent without committing (that is how a server that
 * "answers 250 before committing" is modelled), a drop after the dot happens after the commit (the
 * RFC 1047 window, E3), and a `corrupt` fault damages the message before it is committed.
 */
import {
  PENDING,
  type SmtpDecision,
  type SmtpHookResult,
  type SmtpServerEvent,
  type SmtpServerHooks,
  type SmtpServerOptions,
  type SmtpSessionView,
} from '../../protocols/smtp/server-api.js';
import { SmtpServer } from '../../protocols/smtp/server.js';
import type { Envelope, SmtpReply } from '../../protocols/smtp/types.js';
import type { SmtpStage } from '../../protocols/smtp/stages.js';
import { rfc5322DateOf, SIM_EPOCH_MS } from '../../sim/calendar.js';
import type { RandomStream } from '../../sim/index.js';
import { isFinalDestination } from '../config.js';
import type { HostContext } from '../host-context.js';
import { MachineSession, type MachineSessionOwner } from '../machine-session.js';
import { addMissingMessageIdAndDate, commitHeaderFacts } from '../mail/headers.js';
import { prependReceived, receivedProtocol } from '../mail/received.js';
import type { LocalTransport } from '../mda/local-transport.js';
import { Greylist } from '../mta/greylist.js';
import type { MailQueue } from '../queue/mail-queue.js';
import type { StreamEndpoint } from '../stream-endpoint.js';
import type { SmtpFaultBook } from './fault-book.js';
import type { SmtpSessionTap, SmtpSessionTaps } from './session-tap.js';
import { domainOf } from '../../mail/address.js';

export type SmtpPortKind = 'mta' | 'submission' | 'submissions';

export const smtpPorts: Record<SmtpPortKind, number> = { mta: 25, submission: 587, submissions: 465 };

/** An open session: its server machine and driver (a decision given later, `delay`) and its transcript tap (serve). */
interface LiveSession {
  server: SmtpServer;
  session: MachineSession<SmtpServerEvent>;
  tap: SmtpSessionTap | null;
}

export class SmtpService {
  private readonly greylist: Greylist | null;
  /** Per port, with and without TLS (a `tls-off` fault). */
  private readonly portSetups = new Map<string, Omit<SmtpServerOptions, 'clientAddress'>>();
  /** Each open session by its identity (SmtpSessionView.connection). */
  private readonly live = new WeakMap<object, LiveSession>();
  /** Who hears every session (serve's transcripts, session-tap.ts); null in the simulator. */
  taps: SmtpSessionTaps | null = null;
  /** Server options by port, TLS and client address (`clientOptions`). */
  private readonly clientOptionsMemo = new Map<object, Map<string, SmtpServerOptions>>();
  /** The liveness check of the sessions of the current boot (`aliveIn`). */
  private alive: { epoch: number; isAlive: () => boolean } | null = null;
  /** The host's `message-id` stream, looked up once (`ctx.random` returns the one cached stream per name). */
  private messageIds: RandomStream | null = null;

  constructor(
    private readonly ctx: HostContext,
    private readonly queue: MailQueue,
    private readonly local: LocalTransport | null,
    private readonly faults: SmtpFaultBook,
  ) {
    // postgrey keeps its triplets in a database file: they survive a restart, so the table lives
    // as long as the host object, not the boot.
    this.greylist = ctx.config.greylistMs === null ? null : new Greylist({ delayMs: ctx.config.greylistMs });
  }

  /** Opens the listeners this host's roles call for (called at every boot). */
  listen(): void {
    const roles = this.ctx.config.roles;
    if (roles.includes('mta')) this.ctx.netHost.listen(smtpPorts.mta, (conn) => this.accept(conn, 'mta'));
    if (roles.includes('msa')) {
      this.ctx.netHost.listen(smtpPorts.submission, (conn) => this.accept(conn, 'submission'));
      if (this.ctx.config.tls) this.ctx.netHost.listen(smtpPorts.submissions, (conn) => this.accept(conn, 'submissions'));
    }
  }

  /**
   * What every server on one port shares — its options but the client's address, and its policy
   * hooks — made once per port rather than per connection (a bulk run accepts one per message).
   */
  private portSetup(kind: SmtpPortKind, tls: boolean): Omit<SmtpServerOptions, 'clientAddress'> {
    const key = tls ? kind : `${kind}:no-tls`;
    let setup = this.portSetups.get(key);
    if (setup === undefined) {
      const config = this.ctx.config;
      const submission = kind !== 'mta';
      setup = {
        hostname: this.ctx.name,
        implicitTls: kind === 'submissions',
        extensions: { startTls: tls && kind !== 'submissions', auth: submission ? ['PLAIN', 'LOGIN'] : [], requireTls: config.requireTls },
        authRequiresTls: submission && config.tls,
        requireAuth: submission,
        limits: {
          messageBytesMax: config.limits.messageSizeBytes,
          recipientsMax: config.limits.recipients,
          idleTimeoutMs: config.timeouts.serverIdleMs,
          minDataRateBytesPerS: config.limits.minDataRateBytesPerS,
          softErrorsMax: config.limits.smtpSoftErrors,
          badCommandsMax: config.limits.smtpHardErrors,
          errorDelayMs: config.limits.smtpErrorDelayMs,
        },
        hooks: this.hooks(kind),
      };
      this.portSetups.set(key, setup);
    }
    return setup;
  }

  private accept(conn: StreamEndpoint, kind: SmtpPortKind): void {
    const ctx = this.ctx;
    const epoch = ctx.epoch;
    // A `tls-off` fault (docs/reference.md §6): no STARTTLS offered, and the implicit-TLS port cannot talk at all.
    const tlsOff = this.faults.switches.tlsOff;
    if (tlsOff && kind === 'submissions') {
      conn.reset();
      return;
    }
    const tls = ctx.config.tls && !tlsOff;
    const tap = this.taps?.open(smtpPorts[kind], conn.remoteAddress) ?? null;
    const server = new SmtpServer(tap === null ? this.clientOptions(kind, tls, conn.remoteAddress) : { ...this.portSetup(kind, tls), clientAddress: conn.remoteAddress, transcript: true });
    const owner: MachineSessionOwner<SmtpServerEvent> =
      tap === null
        ? untappedOwner
        : {
            onEvent: (event, s) => {
              tap.event(event);
              untappedOwner.onEvent(event, s);
            },
          };
    const session = new MachineSession<SmtpServerEvent>(ctx.sim, conn, server, owner, this.aliveIn(epoch));
    this.live.set(server.connection, { server, session, tap });
    if (kind === 'submissions') conn.startTls(() => ctx.isCurrent(epoch) && session.start(server));
    else session.start(server);
  }

  /**
   * A server's options for a client at `clientAddress`: its port's setup with the address, made once
   * per (port, TLS, address) and shared, as the server only reads them (a bulk run has one client per
   * port). At `clientOptionsMax` addresses the memo starts over.
   */
  private clientOptions(kind: SmtpPortKind, tls: boolean, clientAddress: string): SmtpServerOptions {
    const setup = this.portSetup(kind, tls);
    let byAddress = this.clientOptionsMemo.get(setup);
    if (byAddress === undefined) {
      byAddress = new Map();
      this.clientOptionsMemo.set(setup, byAddress);
    }
    let options = byAddress.get(clientAddress);
    if (options === undefined) {
      if (byAddress.size >= clientOptionsMax) byAddress.clear();
      options = { ...setup, clientAddress };
      byAddress.set(clientAddress, options);
    }
    return options;
  }

  /** `() => ctx.isCurrent(epoch)`, one per boot rather than one per connection. */
  private aliveIn(epoch: number): () => boolean {
    if (this.alive === null || this.alive.epoch !== epoch) {
      const ctx = this.ctx;
      this.alive = { epoch, isAlive: () => ctx.isCurrent(epoch) };
    }
    return this.alive.isAlive;
  }

  private hooks(kind: SmtpPortKind): SmtpServerHooks {
    const port = smtpPorts[kind];
    const withFaults = (session: SmtpSessionView, stage: SmtpStage, decide: () => SmtpHookResult): SmtpHookResult => {
      const scripted = this.faults.replyAt(stage, session.connection);
      if (scripted !== null) return this.held(session, stage, scriptedDecision(scripted));
      const decision = decide();
      if (decision === PENDING) return decision;
      if (decision.kind !== 'drop' && this.faults.dropAfter(stage)) return { kind: 'drop' };
      return decision.kind === 'drop' ? decision : this.held(session, stage, decision);
    };
    const accept: SmtpDecision = { kind: 'accept' };
    return {
      onConnect: (session) => withFaults(session, 'connect', () => accept),
      onHelo: (session) => withFaults(session, 'ehlo', () => accept),
      onAuth: (_session, credentials) => {
        const ok = this.checkPassword(credentials.user, credentials.password);
        return ok ? accept : { kind: 'reject', reply: { code: 535, enhanced: '5.7.8', lines: ['Authentication credentials invalid'] } };
      },
      onMail: (session) => withFaults(session, 'mail', () => this.rateLimited(session) ?? accept),
      onRcpt: (session, recipient) => withFaults(session, 'rcpt', () => (kind === 'mta' ? this.inboundRecipient(session, recipient.address) : accept)),
      onData: (session) => withFaults(session, 'data', () => accept),
      onMessage: (session, envelope, message) => {
        const scripted = this.faults.replyAt('dot', session.connection);
        if (scripted !== null) return this.held(session, 'dot', scriptedDecision(scripted));
        this.commit(session, envelope, this.arriving(message), kind, port);
        if (this.faults.dropAfter('dot')) return { kind: 'drop' };
        return this.held(session, 'dot', accept);
      },
    };
  }

  /** The message as it arrived: damaged in flight when a `corrupt` fault fires (docs/reference.md §6), traced. */
  private arriving(message: Uint8Array): Uint8Array {
    const damage = this.faults.corruptAtDot(message);
    if (damage === null) return message;
    this.ctx.sim.trace.record('smtp.corrupt', { host: this.ctx.name, mode: damage.mode, offset: damage.offset, bytes: message.length });
    return damage.message;
  }

  /**
   * The decision, given `byMs` later when a `delay` fault holds this stage's reply (docs/reference.md §6):
   * the machine waits (PENDING) and a timer of this boot resolves it, so a client whose timeout is
   * shorter gives up first (RFC 5321 §4.5.3.2).
   */
  private held(session: SmtpSessionView, stage: SmtpStage, decision: SmtpDecision): SmtpHookResult {
    const byMs = this.faults.delayAt(stage);
    const live = byMs > 0 ? this.live.get(session.connection) : undefined;
    if (live === undefined) return decision;
    this.ctx.sim.trace.record('smtp.delay', { host: this.ctx.name, stage, ms: byMs });
    this.ctx.after(byMs, () => {
      if (live.server.closed || live.server.awaitingDecision === null) return;
      live.server.resolve(decision, this.ctx.sim.nowMs);
      live.session.pump();
    });
    return PENDING;
  }

  /** A `rate-limit` fault's refusal of this MAIL FROM (421, and the channel closes), or null. */
  private rateLimited(session: SmtpSessionView): SmtpDecision | null {
    const reply = this.faults.switches.mailOverLimit(session.connection, session.clientAddress, this.ctx.sim.nowMs);
    if (reply === null) return null;
    this.faults.announceReply('mail', reply);
    this.ctx.sim.trace.record('smtp.rate-limit', { host: this.ctx.name, client: session.clientAddress, code: reply.code });
    return { kind: 'reject', reply };
  }

  /** Port 25's recipient policy: local domains, backup-MX domains, and nothing else (T3). */
  private inboundRecipient(session: SmtpSessionView, address: string): SmtpDecision {
    const domain = domainOf(address);
    const config = this.ctx.config;
    const isLocal = isFinalDestination(config, domain);
    if (!isLocal && !config.relayFor.includes(domain)) {
      return { kind: 'reject', reply: { code: 554, enhanced: '5.7.1', lines: [`<${address}>: Relay access denied`] } };
    }
    if (isLocal && this.local !== null) {
      const user = this.local.userFor(address);
      if (user === null) return { kind: 'reject', reply: { code: 550, enhanced: '5.1.1', lines: [`<${address}>: Recipient address rejected: User unknown in local recipient table`] } };
      if (this.local.overQuota(user, 0)) return { kind: 'reject', reply: { code: 452, enhanced: '4.2.2', lines: [`<${address}>: Mailbox full`] } };
    }
    const greylist = this.faults.switches.greylist ?? this.greylist;
    if (greylist !== null) {
      const verdict = greylist.check({
        clientAddress: session.clientAddress,
        sender: session.transaction?.from ?? '',
        recipient: address,
        nowMs: this.ctx.sim.nowMs,
      });
      if (verdict.verdict === 'greylisted') return { kind: 'reject', reply: verdict.reply };
    }
    return { kind: 'accept' };
  }

  private checkPassword(user: string, password: string): boolean {
    const lower = user.toLowerCase();
    const account = this.ctx.config.users.find(
      (candidate) => candidate.name.toLowerCase() === lower || candidate.addresses.some((a) => a.toLowerCase() === lower),
    );
    return account !== undefined && account.password !== null && account.password === password;
  }

  /** Adds the trace headers and commits the message to the queue (R1) — before the 250 goes out. */
  private commit(session: SmtpSessionView, envelope: Envelope, message: Uint8Array, kind: SmtpPortKind, port: number): void {
    const ctx = this.ctx;
    let bytes = message;
    // One scan of the header block answers every question of this commit (the hop count included).
    const facts = commitHeaderFacts(bytes);
    let messageId = facts.messageId?.trim() ?? null;
    if (kind !== 'mta' || messageId === null) {
      const supplied = `<${(this.messageIds ??= ctx.random('message-id')).hex(16)}@${ctx.name}>`;
      const fixed = addMissingMessageIdAndDate(bytes, { messageId: supplied, date: rfc5322DateOf(SIM_EPOCH_MS + ctx.sim.nowMs) }, facts);
      bytes = fixed.bytes;
      messageId ??= supplied;
    }
    const recipients = envelope.recipients.map((r) => r.address);
    const queueId = this.queue.reserveQueueId();
    this.live.get(session.connection)?.tap?.committed(queueId);
    const clientAddress = session.clientAddress;
    bytes = prependReceived(bytes, {
      heloName: session.heloName ?? clientAddress,
      clientName: ctx.netHost.network.hostByAddress(clientAddress)?.name ?? null,
      clientAddress,
      byHost: ctx.name,
      protocol: receivedProtocol({ esmtp: session.extended, tls: session.tls, authenticated: session.authenticatedUser !== null }),
      id: queueId,
      recipients,
      atMs: ctx.sim.nowMs,
    });
    if (kind === 'mta') {
      for (const address of recipients) {
        const domain = domainOf(address);
        if (!isFinalDestination(ctx.config, domain) && !ctx.config.relayFor.includes(domain)) ctx.log.record({ kind: 'mail.open-relay', host: ctx.name, recipient: address });
      }
    }
    ctx.log.record({ kind: 'mail.accept', host: ctx.name, messageId, to: recipients, port, from: envelope.from });
    this.queue.enqueue({
      queueId,
      messageId,
      envelope,
      message: bytes,
      checkHops: true,
      hops: facts.hopsWithReceived,
    });
  }
}

/** At this many client addresses the server-options memo starts over (serve may see many clients). */
const clientOptionsMax = 256;

/** What every SMTP server session's owner does with its events: STARTTLS's handshake, a `drop` fault's reset. */
const untappedOwner: MachineSessionOwner<SmtpServerEvent> = {
  onEvent: (event, s) => {
    if (event.type === 'starttls') s.beginTls();
    else if (event.type === 'drop') s.abort();
  },
};

/** A scripted reply as the decision it is: below 400 an accept with that reply, else a refusal. */
function scriptedDecision(reply: SmtpReply): SmtpDecision {
  return reply.code < 400 ? { kind: 'accept', reply } : { kind: 'reject', reply };
}
