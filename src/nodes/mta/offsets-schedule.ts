/**
 * A retry schedule given as offsets from arrival (docs/reference.md §5.1 `schedule: offsets`): the
 * attempts after the first happen at arrival + each offset, in order — the shape of a schedule
 * measured in the wild (e.g. one provider's retry times), rather than one derived from a formula.
 * After a failed attempt the next one is at the first offset still ahead; when none is left, or the
 * queue lifetime is reached, the message has expired and is returned (docs/delivery.md R7).
 * The queue starts each attempt at the first scan at or after its time, as with the other schedules.
 */
import type { RetryPolicy, RetryState } from './retry-policy.js';

export interface OffsetsScheduleOptions {
  /** Strictly ascending, each > 0. */
  offsetsMs: readonly number[];
  lifetimeMs: number;
  bounceLifetimeMs: number;
}

export class OffsetsSchedule implements RetryPolicy {
  constructor(private readonly options: OffsetsScheduleOptions) {
    const { offsetsMs } = options;
    if (offsetsMs.length === 0) throw new RangeError('an offsets schedule needs at least one offset');
    offsetsMs.forEach((offset, index) => {
      if (!(offset > 0) || (index > 0 && offset <= offsetsMs[index - 1]!)) throw new RangeError(`offsets must be > 0 and strictly ascending, got ${offsetsMs.join(', ')}`);
    });
  }

  private lifetimeMs(state: RetryState): number {
    return state.nullSender ? this.options.bounceLifetimeMs : this.options.lifetimeMs;
  }

  /** The first offset still ahead of `nowMs`, as a time; null when none is left. */
  private nextOffsetTimeMs(state: RetryState): number | null {
    for (const offset of this.options.offsetsMs) if (state.arrivalMs + offset > state.nowMs) return state.arrivalMs + offset;
    return null;
  }

  nextAttemptMs(state: RetryState): number {
    const next = this.nextOffsetTimeMs(state);
    if (next === null) throw new Error('bug: nextAttemptMs of an expired message');
    return next;
  }

  expired(state: RetryState): boolean {
    return this.nextOffsetTimeMs(state) === null || state.nowMs >= state.arrivalMs + this.lifetimeMs(state);
  }

  retryUntilMs(state: RetryState): number {
    const last = this.options.offsetsMs[this.options.offsetsMs.length - 1]!;
    return state.arrivalMs + Math.min(last, this.lifetimeMs(state));
  }
}
