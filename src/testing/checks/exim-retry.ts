/**
 * The Exim retry schedule as `retrySchedule()` judges it (docs/delivery.md R9). Every failure at time t,
 * measured from the entry's FIRST failure f, falls under the first item whose cutoff is ≥ t − f.
 * F: the next try is due t + interval. G: the last gap (the smaller of the one planned after the
 * previous failure and the one that happened) times the multiplier, never below the start interval.
 * Gaps are capped at 24 h (Exim's retry_interval_max). The next attempt comes at the first queue scan
 * at or after the due time (not before, not later than one scan). Past the final cutoff (from the
 * first failure or, as in Exim's retry.c, from the arrival of mail queued since before it) a failure
 * expires instead, and only then. Pairs of attempts around a crash of the host are skipped (a reboot
 * tries every entry at the first scan).
 *
 * The rule is read here from its text, by this oracle's own reading of R9 — not by the MTA's parser —
 * so a bug in that parser shows. A rule with H items (randomised) is not judged.
 */
import type { QueueConfig } from '../../scenario/schema-types.js';
import type { MailRun } from '../types.js';
import { at } from './common.js';
import { overlaps, type QueueEntryView } from './trace-views.js';

/** What judging one queue entry needs: the run, its host's queue settings, when that host was down. */
export interface EntryContext {
  run: MailRun;
  queue: QueueConfig;
  downs: ReadonlyArray<[number, number]> | undefined;
}

interface EximItem {
  kind: 'F' | 'G';
  cutoffMs: number;
  /** F: the interval; G: the start interval. */
  intervalMs: number;
  multiplier: number;
}

/** Exim's retry_interval_max default: no gap is longer. */
const eximIntervalMaxMs = 86_400_000;

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The F and G items of a rule such as `F,30m,5m; G,4h,10m,1.5`, or null when it has another kind. */
function eximItems(rule: string): EximItem[] | null {
  const duration = (text: string) => Number(text.trim().slice(0, -1)) * (unitMs[text.trim().at(-1) ?? ''] ?? Number.NaN);
  const items = rule
    .split(';')
    .filter((item) => item.trim() !== '')
    .map((item) => {
      const [kind, cutoff, interval, multiplier] = item.trim().split(',');
      return { kind: kind?.trim() as 'F' | 'G', cutoffMs: duration(cutoff ?? ''), intervalMs: duration(interval ?? ''), multiplier: kind?.trim() === 'G' ? Number(multiplier) : 1 };
    });
  return items.every((i) => (i.kind === 'F' || i.kind === 'G') && Number.isFinite(i.cutoffMs) && Number.isFinite(i.intervalMs)) ? items : null;
}

/** The gap after a failure at `nowMs` under `item` (R9). */
function gapAfter(item: EximItem, nowMs: number, lastFailureMs: number | null, plannedMs: number | null): number {
  if (item.kind !== 'G') return item.intervalMs;
  const actualGapMs = lastFailureMs === null || plannedMs === null ? 0 : nowMs - lastFailureMs;
  const lastGapMs = plannedMs === null || lastFailureMs === null ? actualGapMs : Math.min(actualGapMs, plannedMs - lastFailureMs);
  return lastGapMs < item.intervalMs ? item.intervalMs : Math.floor(lastGapMs * item.multiplier);
}

/** The R9 violations of one queue entry of an Exim-scheduled host. */
export function eximEntryViolations(entry: QueueEntryView, { run, queue, downs }: EntryContext): string[] {
  const items = eximItems(queue.ruleText);
  if (items === null || items.length === 0) return [];
  const out: string[] = [];
  const finalCutoffMs = items.at(-1)!.cutoffMs;
  const where = `${entry.host} ${entry.queueId} (${entry.messageId})`;
  let firstFailureMs: number | null = null;
  let lastFailureMs: number | null = null;
  let plannedMs: number | null = null;
  const attempts = entry.attempts;
  for (let i = 0; i < attempts.length; i++) {
    const attempt = attempts[i]!;
    if (attempt.endMs === null || (attempt.outcome !== 'deferred' && attempt.outcome !== 'expired')) continue;
    const nowMs = attempt.endMs;
    firstFailureMs ??= nowMs;
    const pastCutoff = nowMs - firstFailureMs > finalCutoffMs || nowMs - entry.arrivalMs > finalCutoffMs;
    if (attempt.outcome === 'expired') {
      if (!pastCutoff) out.push(`${where}: expired at ${at(nowMs)}, within the final cutoff ${finalCutoffMs} ms of its first failure at ${at(firstFailureMs)} (R9)`);
      break;
    }
    if (pastCutoff) out.push(`${where}: deferred at ${at(nowMs)}, past the final cutoff ${finalCutoffMs} ms (R9: the first failure after it bounces)`);
    const first = firstFailureMs;
    const item = items.find((candidate) => nowMs - first <= candidate.cutoffMs) ?? items.at(-1)!;
    const gapMs = gapAfter(item, nowMs, i === 0 ? null : lastFailureMs, plannedMs);
    const dueMs = nowMs + Math.min(gapMs, eximIntervalMaxMs);
    lastFailureMs = nowMs;
    plannedMs = dueMs;
    const next = attempts[i + 1];
    if (next === undefined) {
      if (dueMs + queue.scanMs < run.report.endedAtMs && !overlaps(downs, nowMs, run.report.endedAtMs)) out.push(`${where}: no retry after ${at(nowMs)} though it was due by ${at(dueMs + queue.scanMs)} (R9)`);
      continue;
    }
    if (overlaps(downs, nowMs, next.startMs)) continue;
    if (next.startMs < dueMs) out.push(`${where}: retried at ${at(next.startMs)}, before ${at(dueMs)} (R9: ${item.kind} item, gap ${gapMs} ms after the failure at ${at(nowMs)})`);
    if (next.startMs > dueMs + queue.scanMs) out.push(`${where}: retried at ${at(next.startMs)}, later than ${at(dueMs)} + one scan ${queue.scanMs} ms (R9)`);
  }
  return out;
}
