/**
 * The SMTP transport: one delivery attempt of one message to one destination domain (Postfix's
 * smtp(8) for one job).
 *
 * Theory of operation (docs/delivery.md §1–§2):
 * 1. Route: a `routes` entry (transport map / smarthost) names the next hop; otherwise look up MX (M1;
 *    a CNAME restarts at its target inside the resolver). NXDOMAIN bounces (M2, 5.4.4), a temporary
 *    DNS failure defers (4.4.3), no MX means the implicit MX (M3), a null MX bounces at once (M8,
 *    5.1.10), our own preference and worse are dropped (M6; nothing left → 5.4.6).
 * 2. Resolve each candidate's addresses (M7) and cap them (M5: mx-addresses, mx-sessions).
 * 3. Walk the addresses: a refused or timed-out connect, a 4xx/5xx greeting or a connection lost
 *    before the transaction moves to the next address in the same attempt (R6); the first session that
 *    runs the transaction decides: 2xx accepted (R1), 5xx to RCPT fails that recipient, 5xx to
 *    MAIL/DATA/dot fails all, 4xx defers (R2, R5); a connection lost after the final dot is "unknown"
 *    and deferred — the server may have the message, so a retry can duplicate it (RFC 1047, E3).
 *    What each connection decided, as a DeliveryStatus (src/mail/status.ts), is smtp-verdict.ts's.
 * Every connection is an attempt in the mail log, for every recipient in it (docs/reference.md §9).
 * When the recipients are deferred because the destination itself failed — every address failed
 * before a transaction (R6), or the MX lookup failed temporarily — the job's end says so with a
 * `HopFailure` (Postfix smtp(8)'s hop status, smtp_site_fail/smtp_sess_fail), which the queue counts
 * towards marking the destination dead (R14). A settled transaction, a bounce or a refusal for good is
 * no failure of the destination.
 * Connection cache on demand (R15): when the queue lets a delivery `load`, a session cached for its
 * destination (connection-cache.ts) is tried first, before any lookup — RSET probe, then the
 * transaction; a failed probe is as if none was cached. When it lets it `store`, a session that
 * settled its transaction is left open in the cache instead of saying QUIT.
 */
import type { MxResult } from '../../dns/resolver.js';
import type { TimerId } from '../../sim/index.js';
import { asDeferral, type DeliveryStatus, fromLocal } from '../../mail/status.js';
import type { SmtpClientOptions } from '../../protocols/smtp/client-types.js';
import type { HostContext } from '../host-context.js';
import type { AttemptResult } from '../../mail/records.js';
import {
  type AddressAnswer,
  type AddressTarget,
  AttemptCursor,
  type MxAnswer,
  planAddresses,
  type RoutingDecision,
  type Routes,
  type Shuffle,
  selectMxCandidates,
} from '../mta/mx-selection.js';
import { type ParkedSession, runSmtpSession, type SmtpSessionOutcome } from '../smtp-client-session.js';
import type { SmtpClientTransaction } from '../../protocols/smtp/client-types.js';
import { ConnectionCache } from './connection-cache.js';
import type { HopFailure } from './destinations.js';
import type { DeliveryJob, DeliveryUse, RecipientResult, Transport } from './mail-queue.js';
import { judgeConnection, type RecipientVerdict } from './smtp-verdict.js';

export const smtpPort = 25;

export class SmtpTransport implements Transport {
  // Made once from the host's (immutable) configuration, not on every attempt: a week of retries
  // of a queue of deferred mail runs `deliver` hundreds of thousands of times.
  private readonly routes: Routes;
  private readonly localNames: readonly string[];
  private readonly shuffle: Shuffle;
  private readonly clientOptions: SmtpClientOptions;
  /** Sessions kept open for the next delivery to the same destination (R15); null when turned off. */
  private readonly cache: ConnectionCache | null;

  constructor(private readonly ctx: HostContext) {
    this.routes = Object.fromEntries(ctx.config.routes.map((route) => [route.domain, route.host]));
    this.localNames = [ctx.name];
    this.shuffle = <T>(items: T[]) => ctx.random('mx').shuffle(items);
    const timeouts = ctx.config.timeouts;
    this.clientOptions = {
      heloName: ctx.name,
      tls: 'opportunistic',
      lineOctetsMax: ctx.config.limits.lineOctetsMax,
      timeouts: {
        greetingTimeoutMs: timeouts.greetingMs,
        heloTimeoutMs: timeouts.heloMs,
        mailTimeoutMs: timeouts.mailMs,
        rcptTimeoutMs: timeouts.rcptMs,
        dataInitTimeoutMs: timeouts.dataInitMs,
        dataBlockTimeoutMs: timeouts.dataBlockMs,
        dataDoneTimeoutMs: timeouts.dataDoneMs,
      },
    };
    const queue = ctx.config.queue;
    const clock = { nowMs: () => ctx.sim.nowMs, after: (delayMs: number, fn: () => void) => ctx.after(delayMs, fn), cancel: (timer: TimerId) => ctx.sim.cancel(timer) };
    this.cache = queue.connectionCache ? new ConnectionCache(clock, queue.connectionCacheTimeMs) : null;
  }

  deliver(job: DeliveryJob, done: (results: RecipientResult[], hop: HopFailure | null) => void, use?: DeliveryUse): void {
    const epoch = this.ctx.epoch;
    const alive = () => this.ctx.isCurrent(epoch);
    const storeAs = this.cache !== null && use?.cache.store === true ? use.destination : null;
    const cached = this.cache !== null && use?.cache.load === true ? this.cache.take(use.destination) : null;
    if (cached === null) {
      this.route(job, storeAs, alive, done);
      return;
    }
    this.reuse(job, cached, storeAs, alive, done, () => this.route(job, storeAs, alive, done));
  }

  /** Routes the job (MX or `routes`, M1–M8) and walks the addresses (R6). */
  private route(job: DeliveryJob, storeAs: string | null, alive: () => boolean, done: (results: RecipientResult[], hop: HopFailure | null) => void): void {
    const ctx = this.ctx;
    const { routes, localNames, shuffle } = this;

    const withAnswer = (answer: MxAnswer) => {
      const selection = selectMxCandidates({ domain: job.domain, answer, localNames, shuffle, routes });
      if (selection.kind !== 'candidates') {
        decide(job, selection, done);
        return;
      }
      this.resolveCandidates(
        selection.candidates.map((c) => c.exchange),
        (answers) => {
          if (!alive()) return;
          const plan = planAddresses({
            domain: job.domain,
            candidates: selection.candidates,
            resolve: (exchange) => answers.get(exchange) ?? { kind: 'temporary-failure' },
            localAddresses: [ctx.netHost.address],
            mxAddressesMax: ctx.config.limits.mxAddresses,
          });
          if (plan.kind !== 'plan') {
            decide(job, plan, done);
            return;
          }
          this.walk(job, new AttemptCursor(plan.targets, ctx.config.limits.mxSessions), storeAs, alive, done);
        },
      );
    };

    if (Object.hasOwn(routes, job.domain) || Object.hasOwn(routes, '*')) {
      withAnswer({ kind: 'no-records' }); // the route wins; the answer is not consulted
      return;
    }
    ctx.resolver.resolveMx(job.domain, (result) => {
      if (alive()) withAnswer(mxAnswerOf(result));
    });
  }

  /** Looks up every candidate's addresses (in order), then calls back with them all. */
  private resolveCandidates(exchanges: readonly string[], callback: (answers: Map<string, AddressAnswer>) => void): void {
    const answers = new Map<string, AddressAnswer>();
    const next = (index: number) => {
      const exchange = exchanges[index];
      if (exchange === undefined) {
        callback(answers);
        return;
      }
      if (answers.has(exchange)) {
        next(index + 1);
        return;
      }
      this.ctx.resolver.resolveAddresses(exchange, (result) => {
        if (result.rcode === 'NOERROR' && result.addresses.length > 0) answers.set(exchange, { kind: 'addresses', addresses: result.addresses });
        else if (result.rcode === 'NXDOMAIN') answers.set(exchange, { kind: 'nxdomain' });
        else if (result.rcode === 'NOERROR') answers.set(exchange, { kind: 'no-records' });
        else answers.set(exchange, { kind: 'temporary-failure', detail: result.rcode });
        next(index + 1);
      });
    };
    next(0);
  }

  /** Tries the addresses in order until one session runs the transaction or the cursor is exhausted. */
  private walk(job: DeliveryJob, cursor: AttemptCursor, storeAs: string | null, alive: () => boolean, done: (results: RecipientResult[], hop: HopFailure | null) => void): void {
    const ctx = this.ctx;
    // The last host's status, for the recipients when every address failed before a transaction (R6).
    let last: DeliveryStatus | null = null;
    /** Every host tried so far refused the message for good (REQUIRETLS, RFC 8689): then it is returned, not retried. */
    let everyHostRefused = true;

    const tryNext = () => {
      const target = cursor.current();
      if (target === null) {
        if (last === null) throw new Error('bug: a delivery attempt with no address to try');
        const status = everyHostRefused ? last : asDeferral(last);
        // Deferred because no host would take it: a failure of the destination (R14); a refusal for good is not.
        done(
          job.recipients.map((r) => recipientResult(r.address, status)),
          everyHostRefused ? null : hopFailureOf(status),
        );
        return;
      }
      const startedAtMs = ctx.sim.nowMs;
      runSmtpSession(
        {
          sim: ctx.sim,
          from: ctx.netHost,
          address: target.address,
          port: smtpPort,
          connectTimeoutMs: ctx.config.timeouts.connectMs,
          client: this.clientOptions,
          transactions: [transactionOf(job)],
          isAlive: alive,
          keepOpen: storeAs !== null,
        },
        (outcome) => {
          if (!alive()) return;
          const verdict = judgeConnection(outcome, target, smtpPort);
          const connection: Connection = { conn: outcome.conn, tls: outcome.kind === 'session' && outcome.tls };
          if (verdict.kind === 'settled') {
            done(this.logSettled(job, target, startedAtMs, connection, verdict.recipients, verdict.dsnOffered), null);
            this.park(outcome, storeAs, target);
            return;
          }
          this.park(outcome, null, target);
          for (const recipient of job.recipients) this.logAttempt(job, target, startedAtMs, connection, recipient.address, verdict.attempt, verdict.status);
          last = verdict.status;
          everyHostRefused &&= verdict.status.outcome === 'failed';
          cursor.advance(verdict.cursorOutcome);
          tryNext();
        },
      );
    };
    tryNext();
  }

  /**
   * Runs the job on a cached session (R15): RSET probe, then the transaction. When the probe fails or
   * the session is lost before the transaction (the server closed it meanwhile), nothing is logged and
   * `fallback` delivers the job as if no session had been cached.
   */
  private reuse(
    job: DeliveryJob,
    cached: { session: ParkedSession; target: AddressTarget },
    storeAs: string | null,
    alive: () => boolean,
    done: (results: RecipientResult[], hop: HopFailure | null) => void,
    fallback: () => void,
  ): void {
    const startedAtMs = this.ctx.sim.nowMs;
    cached.session.reuse(transactionOf(job), storeAs !== null, (outcome) => {
      if (!alive()) return;
      const verdict = probeFailed(outcome) ? null : judgeConnection(outcome, cached.target, smtpPort);
      if (verdict === null || verdict.kind !== 'settled') {
        this.park(outcome, null, cached.target);
        fallback();
        return;
      }
      const connection: Connection = { conn: outcome.conn, tls: outcome.kind === 'session' && outcome.tls };
      done(this.logSettled(job, cached.target, startedAtMs, connection, verdict.recipients, verdict.dsnOffered), null);
      this.park(outcome, storeAs, cached.target);
    });
  }

  /** A session left open: into the cache under `storeAs`, or closed (QUIT) when it is not to be kept. */
  private park(outcome: SmtpSessionOutcome, storeAs: string | null, target: AddressTarget): void {
    if (outcome.kind !== 'session' || outcome.parked == null) return;
    if (storeAs !== null && this.cache !== null) this.cache.put(storeAs, outcome.parked, target);
    else outcome.parked.close();
  }

  /** Logs the connection as an attempt for each recipient the transaction settled, and gives their results. */
  private logSettled(job: DeliveryJob, target: AddressTarget, startedAtMs: number, connection: Connection, recipients: readonly RecipientVerdict[], dsnOffered: boolean): RecipientResult[] {
    const results: RecipientResult[] = [];
    for (const { address, attempt, status } of recipients) {
      this.logAttempt(job, target, startedAtMs, connection, address, attempt, status);
      results.push(recipientResult(address, status, status.outcome !== 'accepted' ? null : dsnOffered ? 'passed-on' : 'relayed'));
    }
    return results;
  }

  /** One connection, as an attempt of one recipient in the mail log (docs/reference.md §9). */
  private logAttempt(job: DeliveryJob, target: AddressTarget, startedAtMs: number, connection: Connection, address: string, result: AttemptResult, status: DeliveryStatus): void {
    this.ctx.log.record({
      kind: 'mail.attempt',
      messageId: job.entry.messageId,
      rcpt: address,
      atMs: startedAtMs,
      from: this.ctx.name,
      to: target.exchange,
      address: target.address,
      result,
      // A reply's status carries the reply as one line in its diagnostic (src/mail/status.ts).
      reply: status.reply === null ? null : status.diagnostic,
      conn: connection.conn,
      tls: connection.tls,
    });
  }
}

/** The job as the SMTP client's transaction (its envelope and MAIL FROM parameters carried whole). */
function transactionOf(job: DeliveryJob): SmtpClientTransaction {
  return {
    id: job.entry.queueId,
    envelope: {
      from: job.entry.from,
      recipients: job.recipients.map((r) => ({ address: r.address, dsn: { notify: r.notify, orcpt: r.orcpt } })),
      declaredSize: null,
      ...job.entry.params,
    },
    message: job.message,
  };
}

/** A reused session's RSET probe failed, or the session ended before MAIL FROM: no transaction ran. */
function probeFailed(outcome: SmtpSessionOutcome): boolean {
  if (outcome.kind !== 'session') return true;
  const recipients = outcome.transactions[0]?.recipients ?? [];
  return recipients.length === 0 || recipients.every((r) => r.stage === 'rset' || r.stage === 'idle');
}

/** The connection an attempt ran on: its id (the `net.*` trace's `conn`) and whether it was TLS. */
interface Connection {
  conn: string;
  tls: boolean;
}

/** The queue's result for a recipient (`success` only when the transaction settled it). */
function recipientResult(address: string, status: DeliveryStatus, success?: RecipientResult['success']): RecipientResult {
  const result: RecipientResult = {
    address,
    fate: status.outcome === 'accepted' ? 'done' : status.outcome,
    status: status.code,
    diagnostic: status.diagnostic,
    remoteMta: status.remoteMta,
  };
  if (success !== undefined) result.success = success;
  return result;
}

function mxAnswerOf(result: MxResult): MxAnswer {
  switch (result.rcode) {
    case 'NXDOMAIN':
      return { kind: 'nxdomain' };
    case 'SERVFAIL':
    case 'TIMEOUT':
      return { kind: 'temporary-failure', detail: result.rcode };
    case 'NOERROR':
      // The resolver's records as they are (selectMxCandidates only reads preference and exchange).
      return result.mx.length > 0 ? { kind: 'records', records: result.mx } : { kind: 'no-records' };
  }
}

/**
 * A routing decision (M2, M6–M8) settles every recipient without a connection; a temporary DNS failure
 * is a failure of the destination (Postfix: smtp_connect's left-over recipients go to smtp_sess_fail).
 */
function decide(job: DeliveryJob, decision: RoutingDecision, done: (results: RecipientResult[], hop: HopFailure | null) => void): void {
  const status = fromLocal(decision.kind === 'bounce' ? 'failed' : 'deferred', decision.status, decision.text);
  done(
    job.recipients.map((r) => recipientResult(r.address, status)),
    status.outcome === 'deferred' ? hopFailureOf(status) : null,
  );
}

function hopFailureOf(status: DeliveryStatus): HopFailure {
  return { status: status.code, diagnostic: status.diagnostic, remoteMta: status.remoteMta };
}
