/**
 * The delivery properties as checks over one generated world's run, each citing docs/delivery.md, in
 * the `(world, run) => string[]` shape the property tests and the planted-bug tests use (harness.ts).
 *
 * The properties that hold for any run are the built-in checks of `mailsim/testing`
 * (src/testing/checks/, which read only the run); this file adapts them, and adds what only a
 * generated world can say, from what its arbitrary knew (WorldInfo): that every failure was temporary,
 * which host is the smarthost, which domain loops, which users exist.
 */
import {
  atLeastOnce as atLeastOnceCheck,
  attemptGroups,
  bounceWellFormed,
  type MailCheck,
  type MailRun,
  mxOrder,
  noBackscatterLoop,
  noLoss as noLossCheck,
  reportInvariants,
  retrySchedule as retryScheduleCheck,
} from 'mailsim/testing';
import { mxSessionsMaxDefault } from '../../src/nodes/mta/mx-selection.js';
import { extractSessions, type ProtocolSession, type SessionSegment } from '../../src/report/sessions.js';
import type { ReportAttempt, ReportMessage } from '../../src/report/types.js';
import type { Scenario } from '../../src/scenario/schema-types.js';
import type { WorldCase } from './arbitraries.js';
import type { Run } from './harness.js';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

function trafficMessages(run: Run): ReportMessage[] {
  return run.report.messages.filter((m) => !m.dsn);
}

/** The harness's run as a MailRun (the world was built from the validated scenario runWorld made). */
export function mailRunOf(world: WorldCase, run: Run): MailRun {
  return { source: world.scenario, scenario: run.world.scenario as Scenario, report: run.report, trace: run.world.sim.trace.events, world: run.world };
}

/** A MailCheck's violations as the property's sentences. */
const linesOf = (check: MailCheck, world: WorldCase, run: Run) => check(mailRunOf(world, run)).map((v) => v.message);

// ---- No loss (§8 invariant; docs/delivery.md R1, D2, E3) --------------------------------------------

/** `noLoss()`, and the report's three §8 invariants. */
export function noLoss(world: WorldCase, run: Run): string[] {
  return [...linesOf(reportInvariants(), world, run), ...linesOf(noLossCheck(), world, run)];
}

// ---- Retry (docs/delivery.md R2, R7, R8, R9) ------------------------------------------------------------

/** `retrySchedule()` (R7, R8), and — these worlds fail only temporarily — no bounce but on expiry, 4.x.x (R2). */
export function retrySchedule(world: WorldCase, run: Run): string[] {
  const out = linesOf(retryScheduleCheck(), world, run);
  for (const message of trafficMessages(run)) {
    for (const r of message.recipients) {
      if (r.bounce !== null && !r.bounce.status.startsWith('4.')) out.push(`${message.id} → ${r.address} bounced with ${r.bounce.status} though every failure was temporary (R2)`);
    }
  }
  return out;
}

/** `retrySchedule()` over a world whose queues use `schedule: exim` (R9). */
export function eximRetrySchedule(world: WorldCase, run: Run): string[] {
  if (world.info.queue.eximRule === null) return ['eximRetrySchedule needs a world with an Exim rule'];
  return linesOf(retryScheduleCheck(), world, run);
}

// ---- Failover (docs/delivery.md M4, M6, R6) -----------------------------------------------------------

/** `mxOrder()`: within one attempt the MX hosts in ascending preference (M4), never the host's own or worse (M6). */
export function failoverOrder(world: WorldCase, run: Run): string[] {
  return linesOf(mxOrder(), world, run);
}

/** The client's and server's lines of one session, in order. */
function sessionLines(session: ProtocolSession, side: 'client' | 'server'): string[] {
  return session.entries.filter((e): e is SessionSegment => e.type === 'segment' && e.side === side).flatMap((e) => e.lines);
}

/**
 * A soft failure before the transaction starts — refused, timed out, a 4xx/5xx greeting, EHLO/HELO
 * refused, STARTTLS failed, the line dropped before MAIL FROM — is a failure of that MX host, so the
 * same attempt goes on to the next MX (R6; Postfix smtp_connect/smtp_helo, smtp_skip_5xx_greeting).
 * A connection counts as pre-transaction when the client never sent MAIL FROM on it. The next MX is
 * owed while one is left (a better preference than the sender's own, M6, with a host behind it) and
 * the attempt has not used its handshake sessions (Postfix smtp_mx_session_limit).
 */
export function preTransactionFailover(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const { sessions } = extractSessions(run.world.sim.trace.events, { sessionsMax: 1_000_000, linesPerSessionMax: 1_000_000 });
  const sessionOf = (client: string, address: string, atMs: number) => sessions.find((s) => s.client === client && s.serverAddress === address && s.openedAtMs === atMs);
  const routed = (host: string) => host === world.info.senderHost && world.info.smarthost !== null;
  for (const group of attemptGroups(run.world.sim.trace.events)) {
    const domain = world.info.domains.find((d) => d.name === group.domain);
    if (domain === undefined || domain.kind !== 'mx' || routed(group.host)) continue;
    const liveHosts = new Set([domain.finalHost, ...domain.backups]);
    const preferenceOf = (host: string) => domain.mx.find((r) => r.host === host)?.preference ?? Number.POSITIVE_INFINITY;
    const own = preferenceOf(group.host);
    const tried = new Set<string>();
    let handshakes = 0;
    group.connections.forEach((connection, index) => {
      tried.add(connection.to);
      const session = sessionOf(group.host, connection.address, connection.atMs);
      if (session === undefined) return;
      const client = sessionLines(session, 'client');
      if (client.some((line) => /^EHLO |^HELO /i.test(line)) && sessionLines(session, 'server').some((line) => /^250[ -]/.test(line))) handshakes++;
      if (client.some((line) => /^MAIL FROM:/i.test(line))) return;
      if (index < group.connections.length - 1 || handshakes >= mxSessionsMaxDefault) return;
      const next = domain.mx.find((r) => liveHosts.has(r.host) && !tried.has(r.host) && r.preference >= preferenceOf(connection.to) && r.preference < own);
      if (next === undefined) return;
      const last = sessionLines(session, 'server').at(-1) ?? session.outcome;
      out.push(`${group.host} gave up on ${group.domain} at ${connection.to} (${last}, before MAIL FROM, t=${connection.atMs}ms) without trying ${next.host} (preference ${next.preference}) in the same attempt (R6)`);
    });
  }
  return out;
}

/** When faults never touch the final hosts (a reachable MX that accepts), known users' mail is delivered, never bounced (R6). */
export function reachableMeansDelivered(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  for (const message of trafficMessages(run)) {
    for (const r of message.recipients) {
      if (!world.info.knownUsers.includes(r.address)) continue;
      if (r.status === 'bounced') out.push(`${message.id} → ${r.address} bounced (${r.bounce?.status}) though its final MX was reachable`);
      else if (r.status !== 'delivered' && r.status !== 'rejected') out.push(`${message.id} → ${r.address} ended ${r.status} though its final MX was reachable`);
    }
  }
  return out;
}

// ---- Bounce (docs/delivery.md R5, M8, D1, D2, D5, D7, §4 hop limit) ------------------------------------

/**
 * `bounceWellFormed()` and `noBackscatterLoop()`, and what the world knows: a 5xx to RCPT (or MAIL,
 * DATA, the dot, R5) or a null MX the routing host sees (M8) does bounce the recipient; the loop
 * domain is never delivered and its loops end with 5.4.6 (§4).
 */
export function bounceOnce(world: WorldCase, run: Run): string[] {
  const out = [...linesOf(bounceWellFormed(), world, run), ...linesOf(noBackscatterLoop(), world, run)];
  const nullDomains = new Set(world.info.domains.filter((d) => d.kind === 'null').map((d) => d.name));
  for (const message of trafficMessages(run)) {
    for (const r of message.recipients) {
      const failed = r.attempts.filter((a: ReportAttempt) => a.result === 'failed');
      // Only mail some server accepted is owed a DSN (a refused submission is just "rejected", §8).
      // A null MX is seen by the host that looks the MX up: the smarthost, when the sender routes to one.
      const nullMxSeen = nullDomains.has(domainOf(r.address)) && (world.info.smarthost === null || r.hops.includes(world.info.smarthost));
      if (r.hops.length > 0 && (failed.length > 0 || nullMxSeen) && r.status !== 'bounced') {
        out.push(`${message.id} → ${r.address} met a permanent failure (${failed[0]?.reply ?? 'null MX'}) but ended ${r.status} (R5/M8)`);
      }
      if (world.info.loopDomain === null || domainOf(r.address) !== world.info.loopDomain) continue;
      const refused = r.attempts.some((a) => a.result === 'failed');
      // An expiry (4.x.x, the loop hosts unreachable) is not the loop's doing.
      if (r.status === 'bounced' && !refused && r.bounce?.status.startsWith('5.') && r.bounce.status !== '5.4.6') out.push(`${message.id} → ${r.address}: a loop bounced with ${r.bounce?.status}, not 5.4.6 (§4)`);
      if (r.status === 'delivered') out.push(`${message.id} → ${r.address}: a loop domain was delivered?`);
    }
  }
  return out;
}

// ---- Eventually (liveness after a heal phase; docs/delivery.md R8) -------------------------------------

/** After every fault healed at `healedAtMs`, nothing is still queued anywhere at the end of the run. */
export function eventuallyDelivered(healedAtMs: number) {
  return (_world: WorldCase, run: Run): string[] => {
    const stuck = run.world.queuedRecipients();
    return stuck.map((q) => `${q.host} still holds ${q.messageId} → ${q.address} at ${run.report.endedAtMs} ms, long after every fault healed at ${healedAtMs} ms`);
  };
}

// ---- At-least-once (docs/delivery.md E3) --------------------------------------------------------------

/** `atLeastOnce()`: a duplicate only after a line lost after the dot or a crash (E3). */
export function atLeastOnce(world: WorldCase, run: Run): string[] {
  return linesOf(atLeastOnceCheck(), world, run);
}

// ---- Determinism (docs/architecture.md rule 4) ---------------------------------------------------------

/** Runs the world `reruns` more times (default 1); every digest must equal the first run's. */
export function sameDigestTwice(world: WorldCase, run: Run, again: (scenario: Record<string, unknown>) => Run, reruns = 1): string[] {
  for (let i = 0; i < reruns; i++) {
    const digest = again(world.scenario).report.traceDigest;
    if (digest !== run.report.traceDigest) return [`the same world and seed gave two trace digests: ${run.report.traceDigest} vs ${digest}`];
  }
  return [];
}
