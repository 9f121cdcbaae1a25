/**
 * Views of the kept trace (docs/reference.md §10) that the report does not give: each queue entry's
 * attempts (queue.add / queue.attempt / queue.defer / queue.expired / queue.remove, a crash cutting
 * the running one short at queue.reload), the intervals a host was down (net.fault down … up), and the
 * SMTP connections each queue attempt made per destination domain (mail.attempt), in order.
 */
import type { TraceEvent } from '../../sim/trace.js';
import { domainOf } from './common.js';

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

const endOutcome = { 'queue.defer': 'deferred', 'queue.expired': 'expired', 'queue.remove': 'done' } as const;

/** Every queue entry of the run with its attempts, in order of arrival. */
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
        last.outcome = endOutcome[e.kind];
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

/** Intervals each host was down (net.fault down … up); one still open at the end has no end (Infinity). */
export function downIntervals(events: readonly TraceEvent[]): Map<string, Array<[number, number]>> {
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
  for (const [host, t] of since) out.set(host, [...(out.get(host) ?? []), [t, Number.POSITIVE_INFINITY]]);
  return out;
}

/** True when one of the intervals meets [fromMs, toMs]. */
export function overlaps(intervals: ReadonlyArray<[number, number]> | undefined, fromMs: number, toMs: number): boolean {
  return (intervals ?? []).some(([a, b]) => a <= toMs && b >= fromMs);
}

export interface AttemptGroup {
  host: string;
  messageId: string;
  domain: string;
  connections: Array<{ atMs: number; to: string; address: string }>;
}

/** The connections of each queue attempt, per destination domain, in the order they were made. */
export function attemptGroups(events: readonly TraceEvent[]): AttemptGroup[] {
  const byHostMessage = new Map<string, QueueEntryView[]>();
  for (const entry of queueEntries(events)) {
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
