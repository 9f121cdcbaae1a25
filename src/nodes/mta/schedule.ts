/**
 * Retry schedules of the outbound queue (docs/delivery.md R7–R9, docs/reference.md §5.1). Pure: every time is an
 * argument, in virtual milliseconds.
 *
 * A `RetryPolicy` answers two questions after a failed delivery attempt made at `nowMs`:
 *   expired(state)       — give up now and bounce (or discard a null-sender message, D2)?
 *   nextAttemptMs(state) — otherwise, the earliest time the message may be tried again.
 * The queue then tries a deferred message at the first queue scan at or after that time
 * (`nextScanAtOrAfterMs`), as Postfix's queue manager does with its deferred-queue scans.
 *
 * Postfix (R8, the default), on Postfix's whole-second clock: eligible = ⌊now⌋ + clamp(⌊now⌋ −
 * ⌊arrival⌋, minimal_backoff_time 300 s, maximal_backoff_time 4000 s) — the deferred queue file's
 * mtime —, and a scan at S takes the message once eligible ≤ ⌊S⌋ + 1 s (the 1 s look-ahead), so
 * nextAttemptMs is the start of the second before `eligible`; the queue is scanned every
 * queue_run_delay 300 s; the message expires at the first failed attempt with ⌊now⌋ − ⌊arrival⌋ ≥
 * maximal_queue_lifetime (5 d), or the bounce_queue_lifetime for null-sender mail. With arrival and
 * scans at t = 0 this gives eligible times 0, 300, 600, 1200, 2400, 4800 s, then every 4000 s, 113 in
 * all, and the bounce at 432,800 s. The Postfix source of each step is at `PostfixSchedule`.
 *
 * Exim (R9): a rule list such as `F,2h,15m; G,16h,1h,1.5; F,4d,6h`, times measured from the FIRST
 * failure. The rule in force is the first whose cutoff is ≥ the time failing so far; F gives a fixed
 * interval; G a geometric one: the last gap (the smaller of the planned and the actual gap) times the
 * multiplier, but never less than its start interval; H a gap drawn between the last gap and G's
 * (the draw is the caller's seeded function). No rule left (failing longer than the final
 * cutoff) → the address times out: "the first failure after the final cutoff bounces". As in Exim's
 * retry.c, a message that has been queued since before the first failure also times out once it is
 * older than the final cutoff, and every gap is capped by retry_interval_max (24 h).
 *
 * The presets of other MTAs' defaults (R11–R13) are a file each: haraka-schedule.ts,
 * sendmail-schedule.ts, exchange-schedule.ts; offsets-schedule.ts has the measured schedule (R10).
 */

import { ExchangeSchedule } from './exchange-schedule.js';
import { HarakaSchedule } from './haraka-schedule.js';
import { OffsetsSchedule, type OffsetsScheduleOptions } from './offsets-schedule.js';
import type { RetryPolicy, RetryState } from './retry-policy.js';
import { parseRetryRule } from './retry-rule.js';
import { SendmailSchedule } from './sendmail-schedule.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export type { RetryPolicy, RetryState } from './retry-policy.js';

// ---------------------------------------------------------------------------------------------------
// Postfix

export interface PostfixScheduleOptions {
  /** minimal_backoff_time (postconf -d: 300s) */
  minBackoffMs: number;
  /** maximal_backoff_time (postconf -d: 4000s) */
  maxBackoffMs: number;
  /** maximal_queue_lifetime (postconf -d: 5d) */
  lifetimeMs: number;
  /** bounce_queue_lifetime (postconf -d: 5d), for null-sender mail */
  bounceLifetimeMs: number;
}

export const postfixDefaults: Readonly<PostfixScheduleOptions> = {
  minBackoffMs: 300 * SECOND_MS,
  maxBackoffMs: 4000 * SECOND_MS,
  lifetimeMs: 5 * DAY_MS,
  bounceLifetimeMs: 5 * DAY_MS,
};

/** queue_run_delay (postconf -d: 300s): how often the deferred queue is scanned. */
export const postfixScanMsDefault = 300 * SECOND_MS;

/** Postfix's clock counts whole seconds (event_time(), time(), a queue file's mtime): ⌊ms⌋ to the second. */
function wholeSecondMs(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/**
 * qmgr_active_feed() takes a deferred file whose mtime is at most this far ahead of time() (the
 * `st.st_mtime > time((time_t *) 0) + 1` test).
 */
export const postfixScanLookAheadMs = SECOND_MS;

/**
 * R8 as Postfix 3.7 computes it (src/qmgr/qmgr_active.c, github.com/vdukhovni/postfix), every time in
 * whole seconds:
 *   - the message's age base is `create_time`, the arrival's whole second (qmgr_message.c: without a
 *     `c` record, `create_time = arrival_time.tv_sec`);
 *   - after a failed attempt, qmgr_active_done_3_generic() takes `delay = event_time() − create_time`
 *     clamped to [minimal_backoff_time, maximal_backoff_time], and qmgr_active_defer() sets the
 *     deferred file's mtime to `event_time() + delay` — `eligibleMs` here; event_time() is the event
 *     loop's cached time(), the failure's whole second (util/events.c);
 *   - a deferred-queue scan calls qmgr_active_feed(), which skips a file only while
 *     `st.st_mtime > time() + 1`: a scan at S takes it once mtime ≤ ⌊S⌋ + 1 s, so from the start of
 *     the second before its mtime on — `nextAttemptMs` (never at or before the failure itself);
 *   - qmgr_active_done_25_generic() returns the message at the first failed attempt with
 *     `event_time() >= create_time + maximal_queue_lifetime` (bounce_queue_lifetime for a null sender).
 * With compressed timers this puts every retry up to one scan before `now + clamp(now − arrival)`;
 * at the default timers it moves about 1 % of five-day schedules by an attempt (issue 22 point 4).
 */
export class PostfixSchedule implements RetryPolicy {
  readonly options: Readonly<PostfixScheduleOptions>;

  constructor(options: Partial<PostfixScheduleOptions> = {}) {
    const merged = { ...postfixDefaults, ...options };
    if (!(merged.minBackoffMs > 0 && merged.maxBackoffMs >= merged.minBackoffMs)) {
      throw new RangeError(`postfix schedule needs 0 < min (${merged.minBackoffMs}) ≤ max (${merged.maxBackoffMs})`);
    }
    if (!(merged.lifetimeMs >= 0 && merged.bounceLifetimeMs >= 0)) throw new RangeError('lifetimes must be ≥ 0');
    this.options = merged;
  }

  private lifetimeMs(state: RetryState): number {
    return state.nullSender ? this.options.bounceLifetimeMs : this.options.lifetimeMs;
  }

  /** The deferred file's mtime: ⌊now⌋ + clamp(⌊now⌋ − ⌊arrival⌋, min, max) (qmgr_active_defer). */
  eligibleMs(state: RetryState): number {
    const nowS = wholeSecondMs(state.nowMs);
    const ageMs = nowS - wholeSecondMs(state.arrivalMs);
    return nowS + Math.min(this.options.maxBackoffMs, Math.max(this.options.minBackoffMs, ageMs));
  }

  /** The first instant a scan takes the message: mtime ≤ ⌊S⌋ + 1 s (qmgr_active_feed), after the failure. */
  nextAttemptMs(state: RetryState): number {
    const takenFromMs = Math.ceil((this.eligibleMs(state) - postfixScanLookAheadMs) / SECOND_MS) * SECOND_MS;
    return Math.max(takenFromMs, state.nowMs + 1);
  }

  expired(state: RetryState): boolean {
    return wholeSecondMs(state.nowMs) - wholeSecondMs(state.arrivalMs) >= this.lifetimeMs(state);
  }

  retryUntilMs(state: RetryState): number {
    return state.arrivalMs + this.lifetimeMs(state);
  }
}

/**
 * The first queue scan at or after `eligibleMs`, for scans at `scanPhaseMs + k · scanMs`. A deferred
 * message is picked up by the scan, not at its exact eligible time (R8: each attempt shifts by up to
 * one scan interval).
 */
export function nextScanAtOrAfterMs(eligibleMs: number, scanMs: number, scanPhaseMs = 0): number {
  if (!(scanMs > 0)) throw new RangeError(`scanMs must be > 0, got ${scanMs}`);
  const periods = Math.ceil((eligibleMs - scanPhaseMs) / scanMs);
  return scanPhaseMs + periods * scanMs;
}

// ---------------------------------------------------------------------------------------------------
// Exim

/**
 * One item of an Exim retry rule. Times are measured from the first failure. H is Exim's "happy
 * medium": like G, but each gap is drawn between the last gap and the geometric one.
 */
export type EximRetryItem =
  | { kind: 'F'; cutoffMs: number; intervalMs: number }
  | { kind: 'G' | 'H'; cutoffMs: number; startMs: number; multiplier: number };

/**
 * The flat shape the scenario loader produces (src/scenario/schema-retry.ts): `intervalMs` is the F
 * interval or the G/H start interval; `multiplier` is 1 for F. Accepted wherever items are.
 */
export interface FlatRetryItem {
  kind: 'F' | 'G' | 'H';
  cutoffMs: number;
  intervalMs: number;
  multiplier: number;
}

/** Converts flat items to EximRetryItem; EximRetryItems pass through unchanged. */
export function toEximItems(items: ReadonlyArray<EximRetryItem | FlatRetryItem>): EximRetryItem[] {
  return items.map((item): EximRetryItem => {
    if (item.kind === 'F') return { kind: 'F', cutoffMs: item.cutoffMs, intervalMs: item.intervalMs };
    if ('startMs' in item) return { kind: item.kind, cutoffMs: item.cutoffMs, startMs: item.startMs, multiplier: item.multiplier };
    return { kind: item.kind, cutoffMs: item.cutoffMs, startMs: item.intervalMs, multiplier: item.multiplier };
  });
}

/**
 * Draws an integer gap in [lowMs, highMs] for H items; the caller passes one backed by the kernel's
 * seeded stream. The default takes the midpoint, a deterministic stand-in for Exim's random draw.
 */
export type GapDraw = (lowMs: number, highMs: number) => number;
const midpointDraw: GapDraw = (lowMs, highMs) => Math.floor((lowMs + highMs) / 2);

/** Exim's default configure: `F,2h,15m; G,16h,1h,1.5; F,4d,6h` (R9). */
export const eximDefaultRuleText = 'F,2h,15m; G,16h,1h,1.5; F,4d,6h';

/** Exim's retry_interval_max default (24h): no gap is ever longer. */
export const eximIntervalMaxMsDefault = DAY_MS;

/** A bound on rule items, so a hostile configuration cannot make the rule search unbounded. */
export const eximRuleItemsMax = 64;

export class RetryRuleError extends Error {
  override readonly name = 'RetryRuleError';
}

/**
 * Parses the rule text into items. The scenario loader's parser does the work (one grammar, one set of
 * messages, every problem at once); this throws them as one RetryRuleError.
 */
export function parseEximRetryRule(text: string): EximRetryItem[] {
  const parsed = parseRetryRule(text);
  if (!parsed.ok) throw new RetryRuleError(parsed.messages.join('; '));
  const items = toEximItems(parsed.items);
  validateEximRule(items);
  return items;
}

/** Checks a (possibly pre-parsed) rule: positive intervals, cutoffs strictly ascending. */
export function validateEximRule(items: readonly EximRetryItem[]): void {
  if (items.length === 0) throw new RetryRuleError('retry rule has no items');
  if (items.length > eximRuleItemsMax) throw new RetryRuleError(`retry rule has more than ${eximRuleItemsMax} items`);
  let previousCutoffMs = 0;
  items.forEach((item, index) => {
    const where = `retry rule item ${index + 1}`;
    const interval = item.kind === 'F' ? item.intervalMs : item.startMs;
    if (!(Number.isFinite(interval) && interval > 0)) throw new RetryRuleError(`${where}: interval must be > 0`);
    if (item.kind !== 'F' && !(Number.isFinite(item.multiplier) && item.multiplier >= 1)) {
      throw new RetryRuleError(`${where}: multiplier must be ≥ 1`);
    }
    if (!(Number.isFinite(item.cutoffMs) && item.cutoffMs > previousCutoffMs)) {
      throw new RetryRuleError(`${where}: cutoff must be greater than the previous item's (${previousCutoffMs} ms)`);
    }
    previousCutoffMs = item.cutoffMs;
  });
}

export class EximSchedule implements RetryPolicy {
  readonly items: readonly EximRetryItem[];
  readonly intervalMaxMs: number;
  private readonly draw: GapDraw;

  /** Takes the rule text or pre-parsed items of either shape (validated either way). */
  constructor(
    rule: string | ReadonlyArray<EximRetryItem | FlatRetryItem> = eximDefaultRuleText,
    intervalMaxMs = eximIntervalMaxMsDefault,
    draw: GapDraw = midpointDraw,
  ) {
    const items = typeof rule === 'string' ? parseEximRetryRule(rule) : toEximItems(rule);
    validateEximRule(items);
    this.items = items;
    this.intervalMaxMs = intervalMaxMs;
    this.draw = draw;
  }

  private get finalCutoffMs(): number {
    return this.items[this.items.length - 1]!.cutoffMs;
  }

  /** The item in force: the first whose cutoff is ≥ the time failing so far (Exim's retry.c). */
  private itemInForce(state: RetryState): EximRetryItem | null {
    const failingMs = state.nowMs - state.firstFailureMs;
    return this.items.find((item) => failingMs <= item.cutoffMs) ?? null;
  }

  expired(state: RetryState): boolean {
    if (this.itemInForce(state) === null) return true;
    // Queued since before the first failure and older than the final cutoff: time out too.
    return state.arrivalMs <= state.firstFailureMs && state.nowMs - state.arrivalMs > this.finalCutoffMs;
  }

  nextAttemptMs(state: RetryState): number {
    const item = this.itemInForce(state) ?? this.items[this.items.length - 1]!;
    let gapMs: number;
    if (item.kind === 'F') {
      gapMs = item.intervalMs;
    } else {
      const actualGapMs = state.nowMs - state.lastFailureMs;
      const plannedGapMs =
        state.plannedNextAttemptMs === undefined ? actualGapMs : state.plannedNextAttemptMs - state.lastFailureMs;
      const lastGapMs = Math.min(actualGapMs, plannedGapMs);
      if (lastGapMs < item.startMs) gapMs = item.startMs;
      else {
        const geometricMs = Math.floor(lastGapMs * item.multiplier);
        // H: somewhere between the last gap and the geometric one, clamped in case a draw misbehaves.
        gapMs = item.kind === 'G' ? geometricMs : Math.min(geometricMs, Math.max(lastGapMs, Math.floor(this.draw(lastGapMs, geometricMs))));
      }
    }
    return state.nowMs + Math.min(gapMs, this.intervalMaxMs);
  }

  retryUntilMs(state: RetryState): number {
    return Math.min(state.firstFailureMs, state.arrivalMs) + this.finalCutoffMs;
  }
}

// ---------------------------------------------------------------------------------------------------
// Bookkeeping the queue keeps per message, and the decision after each failure

/** Serialisable retry bookkeeping; it lives in the queue file so it survives a crash. */
export interface RetryRecord {
  arrivalMs: number;
  nullSender: boolean;
  firstFailureMs: number | null;
  lastFailureMs: number | null;
  /** The eligible time computed after the last failure. */
  nextAttemptMs: number | null;
  failures: number;
}

export function newRetryRecord(arrivalMs: number, nullSender: boolean): RetryRecord {
  return { arrivalMs, nullSender, firstFailureMs: null, lastFailureMs: null, nextAttemptMs: null, failures: 0 };
}

export type RetryDecision = { kind: 'retry'; atMs: number } | { kind: 'expired' };

/** The RetryState for a failure at nowMs, given the record as it was before this failure. */
export function retryStateAt(record: RetryRecord, nowMs: number): RetryState {
  const state: RetryState = {
    arrivalMs: record.arrivalMs,
    firstFailureMs: record.firstFailureMs ?? nowMs,
    lastFailureMs: record.lastFailureMs ?? nowMs,
    nowMs,
    failures: record.failures + 1,
    nullSender: record.nullSender,
  };
  if (record.nextAttemptMs !== null) state.plannedNextAttemptMs = record.nextAttemptMs;
  return state;
}

/** Records a failed attempt at nowMs and decides: retry at a time, or expired (bounce / discard). */
export function recordFailure(
  policy: RetryPolicy,
  record: RetryRecord,
  nowMs: number,
): { record: RetryRecord; decision: RetryDecision } {
  const state = retryStateAt(record, nowMs);
  const expired = policy.expired(state);
  const nextAttemptMs = expired ? null : policy.nextAttemptMs(state);
  // Every field written out (not `...record`): this runs after every failed attempt, and the spread
  // with overrides was a slow path. Same keys in the same order, so the queue file is unchanged.
  const updated: RetryRecord = {
    arrivalMs: record.arrivalMs,
    nullSender: record.nullSender,
    firstFailureMs: state.firstFailureMs,
    lastFailureMs: nowMs,
    nextAttemptMs,
    failures: record.failures + 1,
  };
  return { record: updated, decision: nextAttemptMs === null ? { kind: 'expired' } : { kind: 'retry', atMs: nextAttemptMs } };
}

/**
 * warn-after (docs/reference.md §5.1, Postfix delay_warning_time): one `Action: delayed` DSN once the
 * message has waited that long. `warnAfterMs` null means off (the Postfix default, R8).
 */
export function shouldSendDelayWarning(input: {
  arrivalMs: number;
  nowMs: number;
  warnAfterMs: number | null;
  alreadyWarned: boolean;
}): boolean {
  if (input.warnAfterMs === null || input.alreadyWarned) return false;
  return input.nowMs - input.arrivalMs >= input.warnAfterMs;
}

/** Builds the policy a host's `queue` settings name. */
export function retryPolicyFor(
  queue:
    | ({ schedule: 'postfix' } & Partial<PostfixScheduleOptions>)
    | { schedule: 'exim'; rule?: string | ReadonlyArray<EximRetryItem | FlatRetryItem>; intervalMaxMs?: number; draw?: GapDraw }
    | ({ schedule: 'offsets' } & OffsetsScheduleOptions)
    | { schedule: 'haraka' | 'sendmail' | 'exchange' },
): RetryPolicy {
  if (queue.schedule === 'exim') return new EximSchedule(queue.rule ?? eximDefaultRuleText, queue.intervalMaxMs, queue.draw);
  if (queue.schedule === 'offsets') return new OffsetsSchedule(queue);
  if (queue.schedule === 'haraka') return new HarakaSchedule();
  if (queue.schedule === 'sendmail') return new SendmailSchedule();
  if (queue.schedule === 'exchange') return new ExchangeSchedule();
  const { schedule: _schedule, ...options } = queue;
  return new PostfixSchedule(options);
}
