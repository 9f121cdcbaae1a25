/**
 * The delivery properties as checks over one run (report + kept trace), each citing docs/delivery.md.
 * A check returns the violations it found, as sentences; none means the property held. They are
 * shared by the property tests and by the planted-bug tests that show each one can fail.
 *
 * The trace gives what the report cannot: each queue entry's attempts (queue.add / queue.attempt /
 * queue.defer / queue.expired), which host crashed when (net.fault down/up), and when each SMTP
 * connection of an attempt started (mail.attempt).
 */
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import { mxSessionsMaxDefault } from '../../src/nodes/mta/mx-selection.js';
import { extractSessions, type ProtocolSession, type SessionSegment } from '../../src/report/sessions.js';
import type { ReportAttempt, ReportMessage, ReportRecipient } from '../../src/report/types.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import type { WorldCase } from './arbitraries.js';
import type { Run } from './harness.js';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

// ---- trace views ----------------------------------------------------------------------------------

export interface QueueAttempt {
  startMs: number;
  /** When it ended with a deferral, expiry or removal; null if a crash cut it short. */
  endMs: number | null;
  outcome: 'deferred' | 'expired' | 'done' | 'crashed' | 'running';
}

export interface QueueEntryView {
  host: string;
  queueId: string;
  messageId: string;
  from: string;
  arrivalMs: number;
  attempts: QueueAttempt[];
}

export function queueEntries(events: readonly TraceEvent[]): QueueEntryView[] {
  const entries = new Map<string, QueueEntryView>();
  const key = (e: TraceEvent) => `${e.host}|${e.queueId}`;
  for (const e of events) {
    if (e.kind === 'queue.add') {
      entries.set(key(e), { host: String(e.host), queueId: String(e.queueId), messageId: String(e.messageId), from: String(e.from), arrivalMs: e.t, attempts: [] });
    } else if (e.kind === 'queue.attempt') {
      entries.get(key(e))?.attempts.push({ startMs: e.t, endMs: null, outcome: 'running' });
    } else if (e.kind === 'queue.defer' || e.kind === 'queue.expired' || e.kind === 'queue.remove') {
      const last = entries.get(key(e))?.attempts.at(-1);
      if (last !== undefined && last.outcome === 'running') {
        last.endMs = e.t;
        last.outcome = e.kind === 'queue.defer' ? 'deferred' : e.kind === 'queue.expired' ? 'expired' : 'done';
      }
    } else if (e.kind === 'queue.reload') {
      for (const entry of entries.values()) {
        const last = entry.attempts.at(-1);
        if (entry.host === e.host && last?.outcome === 'running') last.outcome = 'crashed';
      }
    }
  }
  return [...entries.values()];
}

/** Intervals each host was down (net.fault down … up). */
export function downIntervals(events: readonly TraceEvent[], endMs: number): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  const since = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'net.fault' && e.kind !== 'net.fault-undone') continue;
    const host = String(e.host);
    const goesDown = (e.kind === 'net.fault' && e.action === 'down') || (e.kind === 'net.fault-undone' && e.action === 'up');
    const comesUp = (e.kind === 'net.fault' && e.action === 'up') || (e.kind === 'net.fault-undone' && e.action === 'down');
    if (goesDown && !since.has(host)) since.set(host, e.t);
    if (comesUp && since.has(host)) {
      out.set(host, [...(out.get(host) ?? []), [since.get(host)!, e.t]]);
      since.delete(host);
    }
  }
  for (const [host, t] of since) out.set(host, [...(out.get(host) ?? []), [t, endMs]]);
  return out;
}

function overlaps(intervals: ReadonlyArray<[number, number]> | undefined, fromMs: number, toMs: number): boolean {
  return (intervals ?? []).some(([a, b]) => a <= toMs && b >= fromMs);
}

function trafficMessages(run: Run): ReportMessage[] {
  return run.report.messages.filter((m) => !m.dsn);
}

// ---- No loss (§8 invariant; docs/delivery.md R1, D2, E3) --------------------------------------------

/**
 * Every recipient accepted with a 2xx ends delivered, bounced, still queued, or discarded with a
 * reason — crashes included — and the three §8 invariants hold. Cross-checked against the stores:
 * every landing the log claims is in a mailbox.
 */
export function noLoss(_world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  for (const invariant of run.report.invariants) if (!invariant.passed) out.push(`invariant ${invariant.name}: ${invariant.detail}`);
  const queued = new Set(run.world.queuedRecipients().map((q) => `${q.messageId}\n${q.address.toLowerCase()}`));
  for (const message of run.report.messages) {
    for (const r of message.recipients) {
      if (r.status === 'lost') out.push(`${message.id} → ${r.address} was accepted and then lost (R1)`);
      if (r.status === 'discarded' && (r.reason === null || r.reason === '')) out.push(`${message.id} → ${r.address} discarded without a reason (D2)`);
      if (r.status === 'deferred' && r.hops.length > 0 && !queued.has(`${message.messageId}\n${r.address.toLowerCase()}`)) {
        out.push(`${message.id} → ${r.address} is "deferred" but no queue holds it`);
      }
    }
  }
  // Cross-check the log against the stores, host by host (a host that is down cannot be read).
  for (const host of run.world.hosts.values()) {
    if (host.local === null) continue;
    let stored = 0;
    try {
      for (const user of host.config.users) {
        const store = host.local.storeOf(user);
        for (const folder of store.folderNames()) stored += store.folder(folder)?.messages().length ?? 0;
      }
    } catch {
      continue;
    }
    const landings = run.report.messages.reduce((n, m) => n + m.recipients.reduce((k, r) => k + r.deliveries.filter((d) => d.host === host.name).length, 0), 0);
    if (stored !== landings) out.push(`the log counts ${landings} landing(s) on ${host.name} but its mailboxes hold ${stored}`);
  }
  return out;
}

// ---- Retry (docs/delivery.md R2, R7, R8) --------------------------------------------------------------

/** Postfix's queue clock: whole seconds (R8), as ms. */
const wholeSecondMs = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * Only temporary failures: never bounced before the lifetime (and then with its last 4.x.x status,
 * D5), expired at the first failed attempt whose whole second is ≥ ⌊arrival⌋ + lifetime; retried on
 * the Postfix schedule, on Postfix's whole-second clock (R8): a failure ending at `end` makes the
 * message eligible at e = ⌊end⌋ + clamp(⌊end⌋ − ⌊arrival⌋, min, max), and a scan at S takes it once
 * e ≤ ⌊S⌋ + 1 s — so the next attempt never starts in a second before e − 1 s, and never later than
 * e − 1 s plus one queue scan. Gaps across a crash of the host are skipped (the reload restarts the
 * schedule, as Postfix's does).
 */
export function retrySchedule(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const { minMs, maxMs, scanMs, lifetimeMs } = world.info.queue;
  const events = run.world.sim.trace.events;
  const downs = downIntervals(events, run.world.sim.nowMs);
  const entries = queueEntries(events);
  const eligibleMs = (entry: QueueEntryView, endMs: number) =>
    wholeSecondMs(endMs) + Math.min(maxMs, Math.max(minMs, wholeSecondMs(endMs) - wholeSecondMs(entry.arrivalMs)));
  const pastLifetime = (entry: QueueEntryView, atMs: number) => wholeSecondMs(atMs) - wholeSecondMs(entry.arrivalMs) >= lifetimeMs;
  for (const entry of entries) {
    if (entry.from === '') continue; // DSNs: bounce-lifetime, never bounced (D2)
    const attempts = entry.attempts;
    for (let i = 0; i + 1 < attempts.length; i++) {
      const failed = attempts[i]!;
      const next = attempts[i + 1]!;
      if (failed.outcome !== 'deferred' || failed.endMs === null) continue;
      if (overlaps(downs.get(entry.host), entry.arrivalMs, next.startMs)) continue;
      const dueMs = eligibleMs(entry, failed.endMs);
      if (wholeSecondMs(next.startMs) + 1000 < dueMs) out.push(`${entry.host} ${entry.queueId}: retried at ${next.startMs} ms, more than 1 s before ${dueMs} ms (R8: min backoff)`);
      if (next.startMs > dueMs - 1000 + scanMs) out.push(`${entry.host} ${entry.queueId}: retried at ${next.startMs} ms, later than ${dueMs} − 1 s + one scan ${scanMs} ms (R8)`);
    }
    const last = attempts.at(-1);
    if (last !== undefined && last.outcome === 'deferred' && last.endMs !== null && !overlaps(downs.get(entry.host), last.endMs, run.world.sim.nowMs)) {
      const dueMs = eligibleMs(entry, last.endMs) - 1000 + scanMs;
      if (dueMs < run.report.endedAtMs) out.push(`${entry.host} ${entry.queueId}: no retry after ${last.endMs} ms though it was due by ${dueMs} ms (R8)`);
    }
    for (const attempt of attempts) {
      if (attempt.outcome === 'expired' && !pastLifetime(entry, attempt.endMs!)) out.push(`${entry.host} ${entry.queueId}: expired at ${attempt.endMs} ms, before its lifetime (R7)`);
      if (attempt.outcome === 'deferred' && pastLifetime(entry, attempt.endMs!)) out.push(`${entry.host} ${entry.queueId}: deferred at ${attempt.endMs} ms, after its lifetime ended (R8: expire at the first failed attempt)`);
    }
  }
  for (const message of trafficMessages(run)) {
    for (const r of message.recipients) {
      if (r.bounce === null) continue;
      if (!r.bounce.status.startsWith('4.')) out.push(`${message.id} → ${r.address} bounced with ${r.bounce.status} though every failure was temporary (R2)`);
      const entry = entries.find((e) => e.host === r.bounce!.reportingMta && e.messageId === message.messageId);
      if (entry !== undefined && !pastLifetime(entry, r.bounce.atMs)) {
        out.push(`${message.id} → ${r.address} bounced by ${r.bounce.reportingMta} at ${r.bounce.atMs} ms, before arrival ${entry.arrivalMs} + lifetime ${lifetimeMs} in whole seconds (R7)`);
      }
    }
  }
  return out;
}

// ---- Exim retry (docs/delivery.md R9) -----------------------------------------------------------------

interface EximItem {
  kind: 'F' | 'G';
  cutoffMs: number;
  /** F: the interval; G: the start interval. */
  intervalMs: number;
  multiplier: number;
}

/** Exim's retry_interval_max default: no gap is longer. */
const eximIntervalMaxMs = 86_400_000;

/** The F and G items of a rule such as `F,30m,5m; G,4h,10m,1.5` (the oracle's own reading of R9). */
function eximItems(rule: string): EximItem[] {
  const duration = (text: string) => Number(text.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[text.at(-1) as 'm' | 'h' | 'd'];
  return rule.split(';').map((item) => {
    const [kind, cutoff, interval, multiplier] = item.trim().split(',');
    return { kind: kind as 'F' | 'G', cutoffMs: duration(cutoff!), intervalMs: duration(interval!), multiplier: kind === 'G' ? Number(multiplier) : 1 };
  });
}

/**
 * Under `schedule: exim` (R9) every failure at time t, measured from the entry's FIRST failure f,
 * falls under the first item whose cutoff is ≥ t − f. F: the next try is due t + interval. G: the
 * last gap (the smaller of the one planned after the previous failure and the one that happened)
 * times the multiplier, never below the start interval. Gaps are capped at 24 h. The next attempt
 * comes at the first queue scan at or after the due time (not before, not later than one scan).
 * Past the final cutoff (from the first failure or, as in Exim's retry.c, from the arrival of mail
 * queued since before it) a failure expires instead, and only then. Pairs of attempts around a
 * crash of the host are skipped (a reboot tries every entry at the first scan).
 */
export function eximRetrySchedule(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const { scanMs, eximRule } = world.info.queue;
  if (eximRule === null) return ['eximRetrySchedule needs a world with an Exim rule'];
  const items = eximItems(eximRule);
  const finalCutoffMs = items.at(-1)!.cutoffMs;
  const events = run.world.sim.trace.events;
  const downs = downIntervals(events, run.world.sim.nowMs);
  for (const entry of queueEntries(events)) {
    const where = `${entry.host} ${entry.queueId}`;
    let firstFailureMs: number | null = null;
    let lastFailureMs = 0;
    let plannedMs: number | null = null;
    const attempts = entry.attempts;
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      if (attempt.endMs === null || (attempt.outcome !== 'deferred' && attempt.outcome !== 'expired')) continue;
      const nowMs = attempt.endMs;
      firstFailureMs ??= nowMs;
      const pastCutoff = nowMs - firstFailureMs > finalCutoffMs || nowMs - entry.arrivalMs > finalCutoffMs;
      if (attempt.outcome === 'expired') {
        if (!pastCutoff) out.push(`${where}: expired at ${nowMs} ms, within the final cutoff ${finalCutoffMs} ms of its first failure ${firstFailureMs} ms (R9)`);
        break;
      }
      if (pastCutoff) out.push(`${where}: deferred at ${nowMs} ms, past the final cutoff ${finalCutoffMs} ms (R9: the first failure after it bounces)`);
      const item = items.find((candidate) => nowMs - firstFailureMs! <= candidate.cutoffMs) ?? items.at(-1)!;
      let gapMs = item.intervalMs;
      if (item.kind === 'G') {
        const actualGapMs = nowMs - (i === 0 || plannedMs === null ? nowMs : lastFailureMs);
        const lastGapMs = plannedMs === null ? actualGapMs : Math.min(actualGapMs, plannedMs - lastFailureMs);
        gapMs = lastGapMs < item.intervalMs ? item.intervalMs : Math.floor(lastGapMs * item.multiplier);
      }
      const dueMs = nowMs + Math.min(gapMs, eximIntervalMaxMs);
      lastFailureMs = nowMs;
      plannedMs = dueMs;
      const next = attempts[i + 1];
      if (next === undefined) {
        if (dueMs + scanMs < run.report.endedAtMs && !overlaps(downs.get(entry.host), nowMs, run.world.sim.nowMs)) out.push(`${where}: no retry after ${nowMs} ms though it was due by ${dueMs + scanMs} ms (R9)`);
        continue;
      }
      if (overlaps(downs.get(entry.host), nowMs, next.startMs)) continue;
      if (next.startMs < dueMs) out.push(`${where}: retried at ${next.startMs} ms, before ${dueMs} ms (R9: ${item.kind} item, gap ${gapMs} ms after the failure at ${nowMs} ms)`);
      if (next.startMs > dueMs + scanMs) out.push(`${where}: retried at ${next.startMs} ms, later than ${dueMs} ms + one scan ${scanMs} ms (R9)`);
    }
  }
  return out;
}

// ---- Failover (docs/delivery.md M4, M6, R6) -----------------------------------------------------------

interface AttemptGroup {
  host: string;
  messageId: string;
  domain: string;
  connections: Array<{ atMs: number; to: string; address: string }>;
}

/** The connections of each queue attempt, per destination domain, in the order they were made. */
export function attemptGroups(run: Run): AttemptGroup[] {
  const events = run.world.sim.trace.events;
  const entries = queueEntries(events);
  const byHostMessage = new Map<string, QueueEntryView[]>();
  for (const entry of entries) {
    const key = `${entry.host}|${entry.messageId}`;
    byHostMessage.set(key, [...(byHostMessage.get(key) ?? []), entry]);
  }
  const groups = new Map<string, AttemptGroup>();
  for (const e of events) {
    // A suspended attempt (R14) made no connection: it says nothing of MX order or failover.
    if (e.kind !== 'mail.attempt' || e.result === 'suspended') continue;
    const host = String(e.from);
    const messageId = String(e.messageId);
    const candidates = byHostMessage.get(`${host}|${messageId}`) ?? [];
    if (candidates.length !== 1) continue; // the same message queued twice on one host (a duplicate): ambiguous
    const entry = candidates[0]!;
    const atMs = Number(e.atMs);
    const index = entry.attempts.findIndex((a) => a.startMs <= atMs && (a.endMs === null || a.endMs >= atMs));
    if (index < 0) continue;
    const domain = domainOf(String(e.rcpt));
    const key = `${entry.host}|${entry.queueId}|${index}|${domain}`;
    const group = groups.get(key) ?? { host, messageId, domain, connections: [] };
    groups.set(key, group);
    if (!group.connections.some((c) => c.atMs === atMs && c.address === e.address)) group.connections.push({ atMs, to: String(e.to), address: String(e.address) });
  }
  for (const group of groups.values()) group.connections.sort((a, b) => a.atMs - b.atMs);
  return [...groups.values()];
}

/**
 * Within one attempt the MX hosts are tried in ascending preference (M4); a host listed as an MX of
 * the domain never tries its own preference or a worse one (M6). Routed domains and implicit MX have
 * a single candidate and are skipped.
 */
export function failoverOrder(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const routed = (host: string) => host === world.info.senderHost && world.info.smarthost !== null;
  for (const group of attemptGroups(run)) {
    const domain = world.info.domains.find((d) => d.name === group.domain);
    if (domain === undefined || domain.kind !== 'mx' || routed(group.host)) continue;
    const preferenceOf = (host: string) => domain.mx.find((r) => r.host === host)?.preference;
    const own = preferenceOf(group.host);
    let previous = Number.NEGATIVE_INFINITY;
    for (const connection of group.connections) {
      const preference = preferenceOf(connection.to);
      if (preference === undefined) {
        out.push(`${group.host} connected to ${connection.to}, not an MX of ${group.domain}`);
        continue;
      }
      if (preference < previous) out.push(`${group.host} tried ${group.domain}'s MX out of order: ${group.connections.map((c) => `${c.to}(${preferenceOf(c.to)})`).join(' → ')} (M4)`);
      if (own !== undefined && preference >= own) out.push(`${group.host} (preference ${own}) tried ${connection.to} at preference ${preference} (M6)`);
      previous = Math.max(previous, preference);
    }
  }
  return out;
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
  for (const group of attemptGroups(run)) {
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

const enhancedOf = (reply: string | null) => /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply ?? '')?.[1] ?? null;

/** What the DSNs in the sender's INBOX say per final recipient (several DSNs may name one address). */
function dsnRecipientsFor(run: Run, sender: string): Map<string, Array<{ status: string | null; action: string | null }>> {
  const out = new Map<string, Array<{ status: string | null; action: string | null }>>();
  const [local, domain] = [sender.slice(0, sender.lastIndexOf('@')), domainOf(sender)];
  for (const host of run.world.hosts.values()) {
    if (host.local === null || !host.config.domains.includes(domain)) continue;
    const user = host.config.users.find((u) => u.name === local);
    if (user === undefined) continue;
    const box = host.local.storeOf(user).folder('INBOX');
    for (const m of box?.messages() ?? []) {
      const parsed = parseDsn(box!.read(m.uid));
      for (const r of parsed?.recipients ?? []) {
        const address = (r.finalRecipient ?? '').replace(/^rfc822;\s*/i, '').toLowerCase();
        out.set(address, [...(out.get(address) ?? []), { status: r.status, action: r.action }]);
      }
    }
  }
  return out;
}

/**
 * A 5xx to RCPT (or MAIL/DATA/dot, R5) or a null MX (M8) bounces the recipient once, at the end of
 * the same attempt, with a DSN from <> to the original sender (D1) whose Status matches the reply
 * (D5, D7); a DSN is never bounced (D2); a loop ends with 5.4.6 within the hop limit (§4).
 */
export function bounceOnce(world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const events = run.world.sim.trace.events;
  const entries = queueEntries(events);
  const bounceEvents = new Map<string, TraceEvent[]>();
  for (const e of events) if (e.kind === 'mail.bounce') bounceEvents.set(`${e.messageId}\n${e.to}`, [...(bounceEvents.get(`${e.messageId}\n${e.to}`) ?? []), e]);
  const nullDomains = new Set(world.info.domains.filter((d) => d.kind === 'null').map((d) => d.name));

  for (const message of trafficMessages(run)) {
    const dsnContent = dsnRecipientsFor(run, message.from);
    for (const r of message.recipients) {
      const failed = r.attempts.filter((a: ReportAttempt) => a.result === 'failed');
      // Only mail some server accepted is owed a DSN (a refused submission is just "rejected", §8).
      // A null MX is seen by the host that looks the MX up: the smarthost, when the sender routes to one.
      const nullMxSeen = nullDomains.has(domainOf(r.address)) && (world.info.smarthost === null || r.hops.includes(world.info.smarthost));
      const permanent = r.hops.length > 0 && (failed.length > 0 || nullMxSeen);
      const count = bounceEvents.get(`${message.messageId}\n${r.address}`)?.length ?? 0;
      if (count > 1) out.push(`${message.id} → ${r.address} bounced ${count} times (once is owed)`);
      if (!permanent) continue;
      if (r.status !== 'bounced') {
        out.push(`${message.id} → ${r.address} met a permanent failure (${failed[0]?.reply ?? 'null MX'}) but ended ${r.status} (R5/M8)`);
        continue;
      }
      const bounce = r.bounce!;
      if (failed.length === 0) {
        // The permanent failure is the null MX itself (M8).
        if (bounce.status !== '5.1.10') out.push(`${message.id} → ${r.address}: null MX bounced with ${bounce.status}, not 5.1.10 (M8)`);
        const smarthost = world.info.smarthost;
        const elsewhere = r.attempts.filter((a) => a.to !== smarthost);
        if (elsewhere.length > 0) out.push(`${message.id} → ${r.address}: null MX domain, yet delivery was attempted to ${elsewhere.map((a) => a.to).join(', ')} (M8)`);
      } else {
        const reply = failed[0]!.reply;
        const enhanced = enhancedOf(reply);
        if (reply !== null && bounce.status[0] !== reply[0]) out.push(`${message.id} → ${r.address}: status ${bounce.status} has not the class of "${reply}" (D7)`);
        if (enhanced !== null && bounce.status !== enhanced) out.push(`${message.id} → ${r.address}: bounced with ${bounce.status} but the reply said ${enhanced} (D5)`);
      }
      // Promptly: no retry of that entry between the permanent failure and the bounce.
      const entry = entries.find((e) => e.host === bounce.reportingMta && e.messageId === message.messageId);
      const failedAtMs = failed.find((a) => a.from === bounce.reportingMta)?.atMs ?? entry?.arrivalMs ?? message.submittedAtMs;
      const retriesBetween = entry?.attempts.filter((a) => a.startMs > failedAtMs && a.startMs < bounce.atMs).length ?? 0;
      if (retriesBetween > 0) out.push(`${message.id} → ${r.address}: ${retriesBetween} more attempt(s) before the bounce (it should come at the end of the failing attempt)`);
      const dsn = run.report.messages.find((m) => m.dsn && m.about === message.id);
      if (dsn === undefined) out.push(`${message.id} → ${r.address}: bounced, but no DSN message exists (D1)`);
      else {
        if (dsn.from !== '') out.push(`${dsn.id} (DSN) has reverse-path <${dsn.from}> (D1 wants <>)`);
        if (!dsn.recipients.some((d) => d.address.toLowerCase() === message.from.toLowerCase())) out.push(`${dsn.id} (DSN) is not addressed to the sender ${message.from} (D1)`);
      }
      const content = dsnContent.get(r.address.toLowerCase());
      if (content !== undefined && !content.some((c) => c.status === bounce.status && c.action === 'failed')) {
        out.push(`${message.id} → ${r.address}: no DSN says Action failed with Status ${bounce.status}; they say ${content.map((c) => `${c.action} ${c.status}`).join(', ')} (D5)`);
      }
    }
  }
  for (const message of run.report.messages.filter((m) => m.dsn)) {
    for (const r of message.recipients as ReportRecipient[]) {
      if (r.bounce !== null || (bounceEvents.get(`${message.messageId}\n${r.address}`)?.length ?? 0) > 0) out.push(`${message.id} (a DSN) was bounced (D2, R7)`);
    }
  }
  if (world.info.loopDomain !== null) {
    for (const message of trafficMessages(run)) {
      for (const r of message.recipients) {
        if (domainOf(r.address) !== world.info.loopDomain) continue;
        if (r.hops.length > world.info.hopsMax + 1) out.push(`${message.id} → ${r.address} travelled ${r.hops.length} hops, over the limit ${world.info.hopsMax} (§4)`);
        const refused = r.attempts.some((a) => a.result === 'failed');
        // An expiry (4.x.x, the loop hosts unreachable) is not the loop's doing.
        if (r.status === 'bounced' && !refused && r.bounce?.status.startsWith('5.') && r.bounce.status !== '5.4.6') out.push(`${message.id} → ${r.address}: a loop bounced with ${r.bounce?.status}, not 5.4.6 (§4)`);
        if (r.status === 'delivered') out.push(`${message.id} → ${r.address}: a loop domain was delivered?`);
      }
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

/**
 * A recipient gets a message twice only if a connection broke after `.` was sent (a `dropped`
 * attempt: the line was lost with the outcome unknown) or a host that held the message crashed
 * (its result was not yet written, so the attempt is repeated — also E3).
 */
export function atLeastOnce(_world: WorldCase, run: Run): string[] {
  const out: string[] = [];
  const events = run.world.sim.trace.events;
  const downs = downIntervals(events, run.world.sim.nowMs);
  // The MUA's submission is not an attempt in the report (§9): a line lost after its dot can only
  // come from a `drop … after: dot` on the submission host, the message's first hop.
  const dropsAfterDotOn = new Set(run.world.scenario.faults.flatMap((f) => (f.action.kind === 'drop' && f.action.after === 'dot' ? [f.action.host] : [])));
  for (const message of run.report.messages) {
    for (const r of message.recipients) {
      if (r.deliveries.length < 2) continue;
      const dropped = r.attempts.some((a) => a.result === 'dropped');
      const crashed = r.hops.some((host) => downs.has(host));
      const submissionLost = r.hops[0] !== undefined && dropsAfterDotOn.has(r.hops[0]);
      if (!dropped && !crashed && !submissionLost) {
        out.push(`${message.id} → ${r.address} landed ${r.deliveries.length} times with no connection lost after the dot and no crash (E3)`);
      }
    }
  }
  return out;
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
