/**
 * The simulator: the one virtual clock of a run, its event queue, its random streams and its trace
 * (docs/architecture.md rules 1–4).
 *
 * Theory of operation. Time is an integer number of virtual milliseconds from the start of the run
 * (t = 0). Code schedules callbacks with `at(timeMs, cb, arg)` / `after(delayMs, cb, arg)`; passing the
 * argument instead of capturing it in a closure lets hot paths schedule without allocating. The run
 * loop pops events in (time, sequence) order, sets `nowMs` to the event's time and calls it; an event
 * may schedule more events at the current time or later, never earlier (that is a caller error and
 * throws). Events at the same time run in the order they were scheduled.
 *
 * `runUntil(limitMs)` runs every event with time ≤ limitMs and leaves the clock at limitMs; the
 * reason is 'idle' when nothing is pending any more, 'until' when something is (after limitMs), and
 * 'events-max' when the per-call bound `eventsMax` was hit (the clock then stays at the last event).
 * `runUntilIdle()` runs until nothing is pending; the clock stays at the last event's time.
 * `lastEventTimeMs` is the time of the last event run, so a scenario that goes idle before its
 * `until` can report when it really ended. `events` is the number run by that call.
 * A callback that throws aborts the run (the exception propagates); the queue stays consistent.
 */
import { type EventCallback, EventQueue, type EventRunner, type TimerId } from './event-queue.js';
import { RandomStreams } from './random.js';
import { Trace } from './trace.js';

export type { TimerId } from './event-queue.js';

export interface SimulatorOptions {
  /** Root seed of every random stream (docs/reference.md `seed`). */
  seed: number | string;
  /** Bound on events per run call (`runUntil` / `runUntilIdle`), so a livelock ends. */
  eventsMax?: number;
  /** Keep trace events in memory (for `--trace` and the HTML report); the digest works either way. */
  keepTrace?: boolean;
}

export type RunReason = 'idle' | 'until' | 'events-max';

export interface RunResult {
  reason: RunReason;
  /** Events run by this call. */
  events: number;
}

/** Default bound on events per run call: far above any scenario, low enough to stop a livelock. */
export const eventsPerRunMaxDefault = 500_000_000;

export class Simulator implements EventRunner {
  readonly rng: RandomStreams;
  readonly trace: Trace;
  readonly eventsMax: number;
  /** The current virtual time, integer ms. */
  nowMs = 0;
  /** Events run since the simulator was created. */
  eventsRun = 0;
  /** Time of the last event run (0 before any). */
  lastEventTimeMs = 0;

  private readonly queue = new EventQueue();
  private running = false;

  constructor(options: SimulatorOptions) {
    this.rng = new RandomStreams(options.seed);
    this.trace = new Trace(this, options.keepTrace ?? false);
    this.eventsMax = options.eventsMax ?? eventsPerRunMaxDefault;
    if (!Number.isSafeInteger(this.eventsMax) || this.eventsMax < 1) throw new RangeError('eventsMax must be a positive integer');
  }

  /** Events scheduled and neither fired nor cancelled. */
  get pendingCount(): number {
    return this.queue.size;
  }

  /** Time of the next pending event, or null when idle. */
  nextEventTimeMs(): number | null {
    const timeMs = this.queue.peekTimeMs();
    return timeMs === Number.POSITIVE_INFINITY ? null : timeMs;
  }

  /**
   * Sets aside `count` places in the order of events (sequence numbers) for `atReserved`: a run of
   * events known now can be scheduled one at a time later and still run exactly as if all had been
   * scheduled now. Returns the first; the others follow it.
   */
  reserveSeqs(count: number): number {
    return this.queue.reserveSeqs(count);
  }

  /** `at(timeMs, callback, arg)` in the place `seq` (from `reserveSeqs`, each used once) set aside. */
  atReserved<A = undefined>(timeMs: number, seq: number, callback: EventCallback<A>, arg?: A): TimerId {
    this.checkEventTime(timeMs);
    return this.queue.pushReserved(timeMs, seq, callback, arg as A);
  }

  /** Schedules `callback(arg)` at absolute virtual time `timeMs` (integer, ≥ now). */
  at<A = undefined>(timeMs: number, callback: EventCallback<A>, arg?: A): TimerId {
    this.checkEventTime(timeMs);
    return this.queue.push(timeMs, callback, arg as A);
  }

  /** Refuses an event time that is not a whole number of ms, or is in the past (`at`, `atReserved`). */
  private checkEventTime(timeMs: number): void {
    if (!Number.isSafeInteger(timeMs)) throw new RangeError(`event time must be an integer number of ms, got ${timeMs}`);
    if (timeMs < this.nowMs) throw new RangeError(`cannot schedule in the past: ${timeMs} < now ${this.nowMs}`);
  }

  /** Schedules `callback(arg)` `delayMs` (integer, ≥ 0) from now. */
  after<A = undefined>(delayMs: number, callback: EventCallback<A>, arg?: A): TimerId {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) throw new RangeError(`delay must be a non-negative integer number of ms, got ${delayMs}`);
    return this.queue.push(this.nowMs + delayMs, callback, arg as A);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled (harmless). */
  cancel(id: TimerId): boolean {
    return this.queue.cancel(id);
  }

  runUntil(limitMs: number): RunResult {
    if (!Number.isSafeInteger(limitMs) || limitMs < this.nowMs) throw new RangeError(`runUntil(${limitMs}): need an integer ≥ now (${this.nowMs})`);
    return this.run(limitMs);
  }

  runUntilIdle(): RunResult {
    return this.run(Number.POSITIVE_INFINITY);
  }

  /** @internal EventRunner: called by the queue for each event, in order. */
  fire(timeMs: number, callback: EventCallback<unknown>, arg: unknown): void {
    this.nowMs = timeMs;
    this.lastEventTimeMs = timeMs;
    this.eventsRun++;
    callback(arg);
  }

  private run(limitMs: number): RunResult {
    if (this.running) throw new Error('the simulator is already running (runUntil called from an event)');
    this.running = true;
    const queue = this.queue;
    const eventsMax = this.eventsMax;
    let events = 0;
    try {
      // Hot loop: one queue call per event; the reason is worked out only when the loop ends.
      while (events < eventsMax && queue.popDueInto(limitMs, this)) events++;
      const nextMs = queue.peekTimeMs();
      if (nextMs !== Number.POSITIVE_INFINITY && nextMs <= limitMs) return { reason: 'events-max', events };
      // nextMs is Infinity when nothing is pending; runUntilIdle (limit Infinity) leaves the clock alone.
      if (limitMs !== Number.POSITIVE_INFINITY) {
        this.nowMs = limitMs;
        queue.advanceTo(limitMs);
      }
      return { reason: nextMs === Number.POSITIVE_INFINITY ? 'idle' : 'until', events };
    } finally {
      this.running = false;
    }
  }
}
