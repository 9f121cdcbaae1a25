/**
 * The real clock behind `mailsim serve`: a `Simulator` whose virtual time follows the wall clock.
 *
 * Theory of operation. Virtual time is `originMs + (monotonic ms since start)`; `originMs` is the wall
 * clock's distance from the simulator's calendar epoch (SIM_EPOCH_MS), so dates the nodes write
 * (Date:, Received:, Maildir names) are today's. `advance()` runs every kernel event that is due — queue
 * scans, retries, delivery steps, machine deadlines — and re-arms one real timer for the next pending
 * event. The bridge calls `pulse(fn)` around every socket event: run what is due, hand the bytes to the
 * node, advance again (so work the node scheduled "now", such as the first queue attempt, runs at once);
 * only that second step re-arms the timer. The timer is lazy, like a machine session's: it is re-armed
 * only when the next event moved earlier than it, and one that fires early (the event it was armed for
 * was cancelled or moved later) runs nothing and re-arms itself — so a session that starts or ends does
 * not cost a clearTimeout and a setTimeout (issue 21). `pulseWith(fn, a, b)` passes its arguments, so a
 * socket event needs no closure of its own.
 * This file may read the wall clock: src/bridge is outside the determinism rule (docs/architecture.md rule 1).
 */
import { SIM_EPOCH_MS } from '../sim/calendar.js';
import type { Simulator } from '../sim/index.js';

/** setTimeout's largest delay (2^31 − 1 ms); a farther event is reached in several hops. */
export const wakeDelayMsMax = 2_147_483_647;

export class RealClock {
  private readonly startedAt = performance.now();
  private readonly originMs: number;
  private wake: NodeJS.Timeout | null = null;
  private wakeAtMs = Number.POSITIVE_INFINITY;
  private running = false;
  private stopped = false;

  constructor(readonly sim: Simulator) {
    this.originMs = Math.max(sim.nowMs, Date.now() - SIM_EPOCH_MS);
    this.advance();
  }

  /** Virtual ms that correspond to the wall clock now. */
  nowMs(): number {
    return this.originMs + Math.floor(performance.now() - this.startedAt);
  }

  /** Runs every due kernel event, then sleeps until the next one. Re-entrant calls do nothing. */
  advance(): void {
    if (this.catchUp()) this.armWake();
  }

  /** Runs every due kernel event; false when it did not run (re-entrant, or stopped). */
  private catchUp(): boolean {
    if (this.running || this.stopped) return false;
    this.running = true;
    try {
      this.sim.runUntil(Math.max(this.sim.nowMs, this.nowMs()));
    } finally {
      this.running = false;
    }
    return true;
  }

  /** Brings the clock up to date, runs `deliver` (a socket event for a node), and runs what it caused. */
  pulse(deliver: () => void): void {
    this.catchUp();
    if (this.stopped) return;
    try {
      deliver();
    } finally {
      this.advance();
    }
  }

  /** `pulse` for a `deliver` that takes two arguments (no closure per socket event). */
  pulseWith<A, B>(deliver: (a: A, b: B) => void, a: A, b: B): void {
    this.catchUp();
    if (this.stopped) return;
    try {
      deliver(a, b);
    } finally {
      this.advance();
    }
  }

  /**
   * Runs `fn` once the I/O callbacks of this event-loop turn have run (setImmediate): output made by
   * many socket events of one turn (the HTTP event stream) can then go out in one write.
   */
  afterTurn(fn: () => void): void {
    setImmediate(fn);
  }

  /** Stops following the wall clock: no more timers, no more events. */
  stop(): void {
    this.stopped = true;
    if (this.wake !== null) clearTimeout(this.wake);
    this.wake = null;
  }

  private armWake(): void {
    const next = this.sim.nextEventTimeMs();
    if (next === null) {
      if (this.wake !== null) clearTimeout(this.wake);
      this.wake = null;
      this.wakeAtMs = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.wake !== null && this.wakeAtMs <= next) return; // fires early, then re-arms (see the top)
    if (this.wake !== null) clearTimeout(this.wake);
    this.wakeAtMs = next;
    const delayMs = Math.min(wakeDelayMsMax, Math.max(0, next - this.nowMs()));
    this.wake = setTimeout(this.onWake, delayMs);
  }

  private readonly onWake = (): void => {
    this.wake = null;
    this.wakeAtMs = Number.POSITIVE_INFINITY;
    this.advance();
  };
}
