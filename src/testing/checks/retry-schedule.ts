/**
 * `retrySchedule()` — each queue's retries follow its own `queue` settings in the scenario:
 *   - `schedule: postfix` (docs/delivery.md R7, R8), on Postfix's whole-second queue clock: a failure
 *     ending at `end` makes the entry eligible at e = ⌊end⌋ + clamp(⌊end⌋ − ⌊arrival⌋, min, max), and a
 *     scan at S takes it once e ≤ ⌊S⌋ + 1 s — so the next attempt never starts in a second before
 *     e − 1 s, nor later than e − 1 s plus one scan; an entry expires at its first failed attempt past
 *     the lifetime and never before, and a recipient bounced on expiry (a 4.x.x status) was not
 *     bounced before arrival + lifetime;
 *   - `schedule: exim` (R9): see exim-retry.ts.
 * Other schedules (offsets, haraka, sendmail, exchange; R10–R13) are not judged. Under Postfix's, DSNs
 * (null sender) are left out (bounce-lifetime, never bounced, D2). Gaps across a crash of the host are skipped
 * (a reload restarts the schedule, as Postfix's does).
 */
import type { QueueConfig } from '../../scenario/schema-types.js';
import type { MailRun } from '../types.js';
import { at, builtInCheck, hostConfigOf, trafficMessages } from './common.js';
import { type EntryContext, eximEntryViolations } from './exim-retry.js';
import { downIntervals, overlaps, type QueueEntryView, queueEntries } from './trace-views.js';

/** Postfix's queue clock: whole seconds (R8), as ms. */
const wholeSecondMs = (ms: number) => Math.floor(ms / 1000) * 1000;

/** Past the entry's lifetime at `atMs`, on the whole-second clock (R8). */
export const pastLifetime = (entry: QueueEntryView, queue: QueueConfig, atMs: number) => wholeSecondMs(atMs) - wholeSecondMs(entry.arrivalMs) >= queue.lifetimeMs;

function postfixEntryViolations(entry: QueueEntryView, { run, queue, downs }: EntryContext): string[] {
  const out: string[] = [];
  const { minMs, maxMs, scanMs } = queue;
  const where = `${entry.host} ${entry.queueId} (${entry.messageId})`;
  const eligibleMs = (endMs: number) => wholeSecondMs(endMs) + Math.min(maxMs, Math.max(minMs, wholeSecondMs(endMs) - wholeSecondMs(entry.arrivalMs)));
  const attempts = entry.attempts;
  for (let i = 0; i + 1 < attempts.length; i++) {
    const failed = attempts[i]!;
    const next = attempts[i + 1]!;
    if (failed.outcome !== 'deferred' || failed.endMs === null || overlaps(downs, entry.arrivalMs, next.startMs)) continue;
    const dueMs = eligibleMs(failed.endMs);
    if (wholeSecondMs(next.startMs) + 1000 < dueMs) out.push(`${where}: retried at ${at(next.startMs)}, more than 1 s before ${at(dueMs)} (R8: min backoff)`);
    if (next.startMs > dueMs - 1000 + scanMs) out.push(`${where}: retried at ${at(next.startMs)}, later than ${at(dueMs)} − 1 s + one scan ${scanMs} ms (R8)`);
  }
  const last = attempts.at(-1);
  if (last !== undefined && last.outcome === 'deferred' && last.endMs !== null && !overlaps(downs, last.endMs, run.report.endedAtMs)) {
    const dueMs = eligibleMs(last.endMs) - 1000 + scanMs;
    if (dueMs < run.report.endedAtMs) out.push(`${where}: no retry after ${at(last.endMs)} though it was due by ${at(dueMs)} (R8)`);
  }
  for (const attempt of attempts) {
    if (attempt.outcome === 'expired' && !pastLifetime(entry, queue, attempt.endMs!)) out.push(`${where}: expired at ${at(attempt.endMs!)}, before its lifetime (R7)`);
    if (attempt.outcome === 'deferred' && pastLifetime(entry, queue, attempt.endMs!)) out.push(`${where}: deferred at ${at(attempt.endMs!)}, after its lifetime ended (R8: expire at the first failed attempt)`);
  }
  return out;
}

/** A recipient returned on expiry (a 4.x.x status) by a Postfix queue before arrival + lifetime (R7). */
function earlyExpiryBounces(run: MailRun, entries: readonly QueueEntryView[]): string[] {
  const out: string[] = [];
  for (const message of trafficMessages(run)) {
    for (const r of message.recipients) {
      const bounce = r.bounce;
      if (bounce === null || !bounce.status.startsWith('4.')) continue;
      const queue = hostConfigOf(run, bounce.reportingMta)?.queue;
      const entry = entries.find((e) => e.host === bounce.reportingMta && e.messageId === message.messageId);
      if (queue?.schedule !== 'postfix' || entry === undefined || pastLifetime(entry, queue, bounce.atMs)) continue;
      out.push(`${message.id} ${message.messageId} → ${r.address} bounced by ${bounce.reportingMta} at ${at(bounce.atMs)}, before arrival ${at(entry.arrivalMs)} + lifetime ${queue.lifetimeMs} ms in whole seconds (R7)`);
    }
  }
  return out;
}

/** Checks that retries follow each host's queue schedule (R7, R8, R9). */
export function retrySchedule() {
  return builtInCheck('retrySchedule', (run) => {
    const entries = queueEntries(run.trace);
    const downs = downIntervals(run.trace);
    const out: string[] = [];
    for (const entry of entries) {
      const queue = hostConfigOf(run, entry.host)?.queue;
      if (queue === undefined) continue;
      const context = { run, queue, downs: downs.get(entry.host) };
      // DSNs (null sender) have the bounce lifetime and are never bounced (D2): not on this schedule.
      if (queue.schedule === 'postfix' && entry.from !== '') out.push(...postfixEntryViolations(entry, context));
      else if (queue.schedule === 'exim') out.push(...eximEntryViolations(entry, context));
    }
    return [...out, ...earlyExpiryBounces(run, entries)];
  });
}
