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
 * Every connection is an attempt in the mail log, for every recipient in it (docs/reference.md §9).
 */
import type { MxResult } from '../../dns/resolver.js';
import { requireTlsRefusal } from '../../protocols/smtp/client.js';
import type { SmtpClientOptions, SmtpRecipientResult } from '../../protocols/smtp/client-types.js';
import type { SmtpReply } from '../../protocols/smtp/types.js';
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
import { replyLine, statusForReply } from '../mta/outcome.js';
import { runSmtpSession, type SmtpSessionOutcome } from '../smtp-client-session.js';
import type { DeliveryJob, RecipientResult, Transport } from './mail-queue.js';

export const smtpPort = 25;

export class SmtpTransport implements Transport {
  // Made once from the host's (immutable) configuration, not on every attempt: a week of retries
  // of a queue of deferred mail runs `deliver` hundreds of thousands of times.
  private readonly routes: Routes;
  private readonly localNames: readonly string[];
  private readonly shuffle: Shuffle;
  private readonly clientOptions: SmtpClientOptions;

  constructor(private readonly ctx: HostContext) {
    this.routes = Object.fromEntries(ctx.config.routes.map((route) => [route.domain, route.host]));
    this.localNames = [ctx.name];
    this.shuffle = <T>(items: T[]) => ctx.random('mx').shuffle(items);
    const timeouts = ctx.config.timeouts;
    this.clientOptions = {
      heloName: ctx.name,
      tls: 'opportunistic',
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
  }

  deliver(job: DeliveryJob, done: (results: RecipientResult[]) => void): void {
    const ctx = this.ctx;
    const epoch = ctx.epoch;
    const alive = () => ctx.isCurrent(epoch);
    const { routes, localNames, shuffle } = this;

    const withAnswer = (answer: MxAnswer) => {
      const selection = selectMxCandidates({ domain: job.domain, answer, localNames, shuffle, routes });
      if (selection.kind !== 'candidates') {
        done(decide(job, selection));
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
            done(decide(job, plan));
            return;
          }
          this.walk(job, new AttemptCursor(plan.targets, ctx.config.limits.mxSessions), alive, done);
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
  private walk(job: DeliveryJob, cursor: AttemptCursor, alive: () => boolean, done: (results: RecipientResult[]) => void): void {
    const ctx = this.ctx;
    let lastStatus = '4.4.1';
    let lastDiagnostic: string | null = null;
    let lastRemote: string | null = null;
    /** Every host tried so far turned a REQUIRETLS message away (RFC 8689): then it is returned, not retried. */
    let onlyRequireTlsRefusals = true;

    const tryNext = () => {
      const target = cursor.current();
      if (target === null) {
        const fate = onlyRequireTlsRefusals && lastStatus === requireTlsStatus ? 'failed' : 'deferred';
        done(job.recipients.map((r) => ({ address: r.address, fate, status: lastStatus, diagnostic: lastDiagnostic, remoteMta: lastRemote })));
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
          transactions: [
            {
              id: job.entry.queueId,
              envelope: {
                from: job.entry.from,
                recipients: job.recipients.map((r) => ({ address: r.address, dsn: { notify: r.notify, orcpt: r.orcpt } })),
                declaredSize: null,
                ...job.entry.params,
              },
              message: job.message,
            },
          ],
          isAlive: alive,
        },
        (outcome) => {
          if (!alive()) return;
          const verdict = this.judge(job, target, outcome, startedAtMs);
          lastStatus = verdict.status;
          lastDiagnostic = verdict.diagnostic;
          onlyRequireTlsRefusals &&= verdict.status === requireTlsStatus;
          lastRemote = target.exchange;
          if (verdict.results !== null) {
            done(verdict.results);
            return;
          }
          cursor.advance(verdict.cursorOutcome);
          tryNext();
        },
      );
    };
    tryNext();
  }

  /**
   * Logs one connection as an attempt for each recipient, and decides whether it settled the attempt
   * (results) or the next address should be tried (R6).
   */
  private judge(
    job: DeliveryJob,
    target: AddressTarget,
    outcome: SmtpSessionOutcome,
    startedAtMs: number,
  ): {
    results: RecipientResult[] | null;
    cursorOutcome: 'refused' | 'timeout' | 'dropped' | 'greeting-4xx' | 'greeting-5xx' | 'session';
    status: string;
    diagnostic: string | null;
  } {
    const log = (result: AttemptResult, reply: SmtpReply | null, address: string) =>
      this.ctx.log.record({
        kind: 'mail.attempt',
        messageId: job.entry.messageId,
        rcpt: address,
        atMs: startedAtMs,
        from: this.ctx.name,
        to: target.exchange,
        address: target.address,
        result,
        reply: reply === null ? null : replyLine(reply),
        conn: outcome.conn,
        tls: outcome.kind === 'session' && outcome.tls,
      });
    const logAll = (result: AttemptResult, reply: SmtpReply | null) => {
      for (const recipient of job.recipients) log(result, reply, recipient.address);
    };

    if (outcome.kind === 'connect-failed') {
      logAll(outcome.failure, null);
      const verb = outcome.failure === 'timeout' ? 'Connection timed out' : 'Connection refused';
      return {
        results: null,
        cursorOutcome: outcome.failure,
        status: '4.4.1',
        diagnostic: `connect to ${target.exchange}[${target.address}]:${smtpPort}: ${verb}`,
      };
    }

    const transaction = outcome.transactions[0];
    if (transaction !== undefined && transaction.recipients.length > 0 && transaction.recipients.every((r) => r.detail === requireTlsRefusal)) {
      // RFC 8689 §4.2.1: this host cannot take a REQUIRETLS message (no TLS, or REQUIRETLS not offered);
      // the next MX may. Where none can, the walk returns it with 5.7.30.
      logAll('failed', null);
      return { results: null, cursorOutcome: 'session', status: requireTlsStatus, diagnostic: `${target.exchange}[${target.address}] does not offer REQUIRETLS over TLS` };
    }
    const settled = transaction?.recipients.some((r) => inTransaction(r) && (r.reply !== null || r.outcome === 'unknown'));
    if (transaction === undefined || settled !== true) {
      // Nothing was decided by a reply in a transaction: greeting, EHLO or STARTTLS refused, or the line
      // went dead before MAIL FROM. The client settles the recipients with the session's closing reply,
      // but that reply speaks of the host, not of them: a soft error of this host, and the next MX is
      // tried in this attempt (R6; Postfix smtp_connect/smtp_helo, smtp_skip_5xx_greeting).
      const reply = outcome.closeReply;
      const result: AttemptResult = outcome.closeReason === 'timeout' ? 'timeout' : reply !== null ? (reply.code >= 500 ? 'failed' : 'deferred') : 'dropped';
      logAll(result, reply);
      const cursorOutcome = !outcome.handshakeDone && reply !== null ? (reply.code >= 500 ? 'greeting-5xx' : 'greeting-4xx') : outcome.handshakeDone ? 'session' : result === 'timeout' ? 'timeout' : 'dropped';
      return {
        results: null,
        cursorOutcome,
        status: reply !== null ? softStatus(reply) : outcome.closeReason === 'timeout' ? '4.4.2' : '4.4.2',
        diagnostic: reply !== null ? replyLine(reply) : `lost connection with ${target.exchange}[${target.address}] (${outcome.closeDetail ?? outcome.closeReason})`,
      };
    }

    const results: RecipientResult[] = [];
    for (const recipient of transaction.recipients) {
      const { fate, status, result } = recipientFate(recipient);
      log(result, recipient.reply, recipient.address);
      results.push({
        address: recipient.address,
        fate,
        success: fate !== 'done' ? null : outcome.dsnOffered ? 'passed-on' : 'relayed',
        status,
        diagnostic: recipient.reply !== null ? replyLine(recipient.reply) : `lost connection with ${target.exchange}[${target.address}] (${recipient.detail ?? recipient.stage})`,
        remoteMta: target.exchange,
      });
    }
    return { results, cursorOutcome: 'session', status: results[0]?.status ?? '4.4.2', diagnostic: results[0]?.diagnostic ?? null };
  }
}

/**
 * True when a recipient's result came from its transaction (MAIL FROM onwards). Results settled at the
 * greeting, EHLO/HELO, STARTTLS or AUTH stage carry the session's failure, not a verdict on the recipient.
 */
function inTransaction(recipient: SmtpRecipientResult): boolean {
  return !preTransactionStages.has(recipient.stage);
}

/** The enhanced status RFC 8689 registers for a message returned because no hop could honour REQUIRETLS. */
const requireTlsStatus = '5.7.30';

const preTransactionStages: ReadonlySet<SmtpRecipientResult['stage']> = new Set(['greeting', 'helo', 'starttls', 'auth', 'idle']);

function recipientFate(recipient: SmtpRecipientResult): { fate: RecipientResult['fate']; status: string; result: AttemptResult } {
  switch (recipient.outcome) {
    case 'accepted':
      return { fate: 'done', status: recipient.reply ? statusForReply(recipient.reply) : '2.0.0', result: 'accepted' };
    case 'failed':
      return { fate: 'failed', status: recipient.reply ? statusForReply(recipient.reply) : '5.0.0', result: 'failed' };
    case 'unknown':
      return { fate: 'deferred', status: '4.4.2', result: 'dropped' };
    case 'deferred':
      if (recipient.reply !== null) return { fate: 'deferred', status: statusForReply(recipient.reply), result: 'deferred' };
      return { fate: 'deferred', status: '4.4.2', result: recipient.detail === 'timeout' ? 'timeout' : 'dropped' };
  }
}

/** A greeting or EHLO refusal only defers here: the next MX or the next attempt may do better. */
function softStatus(reply: SmtpReply): string {
  const status = statusForReply(reply);
  return status.startsWith('5') ? `4${status.slice(1)}` : status;
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

function decide(job: DeliveryJob, decision: RoutingDecision): RecipientResult[] {
  const fate = decision.kind === 'bounce' ? 'failed' : 'deferred';
  return job.recipients.map((r) => ({ address: r.address, fate, status: decision.status, diagnostic: decision.text, remoteMta: null }));
}
