/**
 * Per-destination delivery state of one host's queue: Postfix qmgr's in-core queue per next hop
 * (qmgr_queue.c), which limits how many deliveries to a destination run at once and marks a
 * destination that keeps failing as dead (docs/delivery.md R14).
 *
 * Theory of operation (Postfix 3.x `qmgr_queue_create`, `qmgr_queue_throttle`,
 * `qmgr_queue_unthrottle`, `qmgr_deliver_update`, `qmgr_defer_todo`; postconf(5)):
 * - A destination's state exists while it has deliveries waiting (`todo`) or running (`busy`), or
 *   while it is dead; otherwise it is dropped (`qmgr_queue_done`), so the next delivery starts afresh.
 *   It starts with a concurrency window of `initial_destination_concurrency` (5), capped by
 *   `default_destination_concurrency_limit` (20); at most `window` deliveries run at once, the rest
 *   wait in `todo` and start, first come first served, as running ones finish. qmgr starts deliveries
 *   from its main loop (qmgr.c `qmgr_loop` → `qmgr_active_drain`; a delivery agent is allocated
 *   asynchronously), after it has read the status reports already in hand: so a waiting delivery starts
 *   in an event of its own (`defer`, zero delay), after every delivery that ended at the same moment
 *   has given its feedback — ten deliveries refused together mark the destination dead before any of
 *   the waiting ones connects.
 * - A delivery that ends with a failure of the destination itself (`HopFailure`: no host could be
 *   reached or would talk — Postfix's smtp(8) `hop_status`, set by smtp_site_fail/smtp_sess_fail when
 *   the recipients are deferred) is negative feedback: `fail_cohorts += 1/window`, and the window
 *   shrinks by one per `1/window` feedback with a hysteresis of 1 (`..._negative_feedback = 1/concurrency`);
 *   once `fail_cohorts` reaches `default_destination_concurrency_failed_cohort_limit` (1) the
 *   destination is dead. Every other end (delivered, bounced, a 4xx to RCPT …) is positive feedback:
 *   `fail_cohorts` is reset and the window grows by one per `1/window` (`..._positive_feedback`),
 *   while it is below the limit and below `busy + initial`.
 * - Dead (window 0, Postfix's THROTTLED): the deliveries waiting are deferred at once without a
 *   connection ("delivery temporarily suspended: " + the failure's reason), and so is every delivery
 *   submitted while it stays dead. It stays dead for `minimal_backoff_time` (Postfix's unthrottle
 *   timer); here the end is checked when the destination is next used, which is the same state the
 *   timer would leave (a fresh window, or `busy` when deliveries still run) without an event of its
 *   own. A delivery that was already running and ends well brings it back early, with `window = busy`.
 * A lone message never makes a destination dead: one failure adds 1/5 of a cohort, and the state is
 * dropped when that delivery ends.
 *
 * Over all destinations at most `processLimit` deliveries run at once (Postfix `default_process_limit`,
 * the smtp service's maxproc: qmgr allocates no delivery agent beyond it; issue 19 §1). A destination
 * whose window has room but finds every process busy waits in `starved`; when deliveries end, the
 * waiting destinations get the free processes one delivery each in turn (round robin, oldest first, as
 * qmgr's scheduler takes one entry per queue) — in an event of their own, as above.
 *
 * On-demand connection caching (R15; `qmgr_entry_select`): when a delivery starts "back to back" — a
 * delivery to the destination ended in this whole second or the one before (`last_done + 1 >=
 * event_time()`) — the destination's deliveries from then on may use a cached connection (`load`) and
 * leave theirs in the cache (`store`); `store` is turned off again when a delivery starts that is
 * neither concurrent with another nor back to back ("running out of steam"). Sticky until the state is
 * dropped. The SMTP transport does the caching.
 */

/** The settings of the mechanism (docs/reference.md §5.1). */
export interface DestinationSettings {
  /** `initial_destination_concurrency`. */
  initialConcurrency: number;
  /** `default_destination_concurrency_limit` (≥ 1). */
  concurrencyLimit: number;
  /** `default_destination_concurrency_failed_cohort_limit`; 0: never dead. */
  failedCohortLimit: number;
  /** How long a destination stays dead: `minimal_backoff_time`. */
  deadMs: number;
  /** Deliveries at once over all destinations: `default_process_limit` (≥ 1). */
  processLimit: number;
}

/** Why the destination failed (the last host's deferral): the suspended deliveries are deferred with it. */
export interface HopFailure {
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
}

/** How a delivery may use the connection cache (Postfix's DEL_REQ_FLAG_CONN_LOAD / CONN_STORE). */
export interface CacheUse {
  load: boolean;
  store: boolean;
}

/** A delivery waiting for its destination: started when the window has room, or suspended when it is dead. */
export interface WaitingDelivery {
  start(cache: CacheUse): void;
  suspend(failure: HopFailure): void;
}

interface Destination {
  /** The concurrency window; 0 while dead. */
  window: number;
  busy: number;
  /** Positive and negative feedback accumulated within their hysteresis cycles (Postfix's success/failure). */
  success: number;
  failure: number;
  failCohorts: number;
  /** Waiting deliveries, oldest first (`todo[todoHead]` is next). */
  todo: WaitingDelivery[];
  todoHead: number;
  /** A drain is scheduled (`defer`). */
  drainPending: boolean;
  /** While dead: the failure the suspended deliveries are deferred with, and until when. */
  dead: HopFailure | null;
  deadUntilMs: number;
  /** When a delivery last ended (qmgr's last_done), and the connection-cache flags (R15). */
  lastDoneMs: number;
  cache: CacheUse;
  /** Waiting in `starved` for a process. */
  starved: boolean;
}

/** Postfix's feedback hysteresis (`default_destination_concurrency_*_feedback` = 1/concurrency, hysteresis 1). */
const hysteresis = 1;

export class Destinations {
  private readonly byName = new Map<string, Destination>();
  /** Deliveries running over all destinations. */
  private busyTotal = 0;
  /** Destinations with room in their window that wait for a process, oldest first. */
  private starved: Array<{ name: string; destination: Destination }> = [];
  private starvedDrainPending = false;

  constructor(
    private readonly settings: DestinationSettings,
    private readonly nowMs: () => number,
    /** Runs a function in an event of its own, at once (the host's boot-bound zero-delay timer). */
    private readonly defer: (fn: () => void) => void,
    /** Told when a destination is marked dead (for the trace). */
    private readonly onDead: (name: string, untilMs: number) => void,
  ) {}

  /** Destinations with state (waiting, running or dead); for tests. */
  get size(): number {
    return this.byName.size;
  }

  /** Starts the delivery now, or when the window has room, or suspends it if the destination is dead. */
  submit(name: string, delivery: WaitingDelivery): void {
    let destination = this.byName.get(name);
    if (destination === undefined) {
      destination = this.fresh();
      this.byName.set(name, destination);
    }
    this.reviveIfDue(destination);
    if (destination.dead !== null) {
      delivery.suspend(destination.dead);
      return;
    }
    destination.todo.push(delivery);
    this.drain(name, destination);
  }

  /** A started delivery ended: `failure` when the destination failed (the hop status), else null. */
  done(name: string, failure: HopFailure | null): void {
    const destination = this.byName.get(name);
    if (destination === undefined) throw new Error(`bug: a delivery ended for ${name}, which has none running`);
    this.reviveIfDue(destination);
    destination.lastDoneMs = this.nowMs();
    if (failure === null) this.positive(destination);
    else if (destination.window > 0) this.negative(name, destination, failure);
    destination.busy--;
    this.busyTotal--;
    this.drainStarvedSoon();
    if (destination.window > destination.busy && destination.todoHead < destination.todo.length) {
      if (destination.drainPending) return;
      destination.drainPending = true;
      this.defer(() => {
        destination.drainPending = false;
        this.reviveIfDue(destination);
        this.drain(name, destination);
      });
      return;
    }
    this.drain(name, destination);
  }

  private fresh(): Destination {
    const window = Math.min(this.settings.initialConcurrency, this.settings.concurrencyLimit);
    return { window, busy: 0, success: 0, failure: 0, failCohorts: 0, todo: [], todoHead: 0, drainPending: false, dead: null, deadUntilMs: 0, lastDoneMs: Number.NEGATIVE_INFINITY, cache: { load: false, store: false }, starved: false };
  }

  /** A process is free and destinations wait for one: drain them in an event of their own. */
  private drainStarvedSoon(): void {
    if (this.starved.length === 0 || this.starvedDrainPending) return;
    this.starvedDrainPending = true;
    this.defer(() => {
      this.starvedDrainPending = false;
      while (this.starved.length > 0 && this.busyTotal < this.settings.processLimit) {
        const { name, destination } = this.starved.shift()!;
        destination.starved = false;
        if (this.byName.get(name) !== destination) continue; // dropped or replaced meanwhile
        this.reviveIfDue(destination);
        this.drain(name, destination, 1); // one each in turn; still starved → back of the line
      }
    });
  }

  /** Starts waiting deliveries while the window has room; drops the state once nothing is left. */
  private drain(name: string, destination: Destination, startsMax = Number.POSITIVE_INFINITY): void {
    let starts = 0;
    // start() may end a delivery at once (and come back here): the loop re-reads the state each time.
    while (destination.window > destination.busy && destination.todoHead < destination.todo.length) {
      if (this.busyTotal >= this.settings.processLimit || starts === startsMax) {
        if (!destination.starved) {
          destination.starved = true;
          this.starved.push({ name, destination });
        }
        break;
      }
      const next = destination.todo[destination.todoHead]!;
      destination.todo[destination.todoHead++] = undefined as never;
      destination.busy++;
      this.busyTotal++;
      starts++;
      next.start(this.cacheUse(destination));
    }
    if (destination.todoHead === destination.todo.length) {
      destination.todo = [];
      destination.todoHead = 0;
    }
    const idle = destination.busy === 0 && destination.todo.length === 0 && !destination.drainPending;
    if (destination.window > 0 && idle && this.byName.get(name) === destination) this.byName.delete(name);
  }

  /** qmgr_entry_select's on-demand caching decision for the delivery starting now (`busy` counts it). */
  private cacheUse(destination: Destination): CacheUse {
    const secondOf = (ms: number) => Math.floor(ms / 1000);
    const backToBack = secondOf(destination.lastDoneMs) + 1 >= secondOf(this.nowMs());
    const { cache } = destination;
    if (!cache.store) {
      if (backToBack) {
        cache.load = true;
        cache.store = true;
      }
    } else if (!(destination.busy > 1 || backToBack)) {
      cache.store = false;
    }
    return { load: cache.load, store: cache.store };
  }

  /** qmgr_queue_unthrottle's timer: a dead destination whose time is up is alive again. */
  private reviveIfDue(destination: Destination): void {
    if (destination.dead !== null && this.nowMs() >= destination.deadUntilMs) this.revive(destination);
  }

  private revive(destination: Destination): void {
    destination.dead = null;
    if (destination.busy === 0) {
      // Postfix drops an idle queue when its unthrottle timer fires: the next delivery finds a fresh one.
      destination.lastDoneMs = Number.NEGATIVE_INFINITY;
      destination.cache = { load: false, store: false };
    }
    // "Back from the almost grave, best concurrency is anyone's guess."
    destination.window = destination.busy > 0 ? destination.busy : Math.min(this.settings.initialConcurrency, this.settings.concurrencyLimit);
    destination.success = 0;
    destination.failure = 0;
    destination.failCohorts = 0;
  }

  /** qmgr_queue_unthrottle: a delivery ended without a failure of the destination. */
  private positive(destination: Destination): void {
    destination.failCohorts = 0;
    if (destination.dead !== null) {
      this.revive(destination);
      return;
    }
    const { concurrencyLimit, initialConcurrency } = this.settings;
    if (destination.window >= concurrencyLimit || destination.window >= destination.busy + initialConcurrency) return;
    const feedback = 1 / destination.window;
    destination.success += feedback;
    while (destination.success + feedback / 2 >= hysteresis) {
      destination.window += hysteresis;
      destination.success -= hysteresis;
      destination.failure = 0;
    }
    destination.window = Math.min(destination.window, concurrencyLimit);
  }

  /** qmgr_queue_throttle: the destination failed; dead after `failedCohortLimit` pseudo-cohorts of failures. */
  private negative(name: string, destination: Destination, failure: HopFailure): void {
    destination.failCohorts += 1 / destination.window;
    const limit = this.settings.failedCohortLimit;
    if (limit > 0 && destination.failCohorts >= limit) {
      destination.window = 0;
      destination.dead = failure;
      destination.deadUntilMs = this.nowMs() + this.settings.deadMs;
      this.onDead(name, destination.deadUntilMs);
      // qmgr_defer_todo: every delivery waiting for it is deferred now, without a connection.
      const waiting = destination.todo.slice(destination.todoHead);
      destination.todo = [];
      destination.todoHead = 0;
      for (const delivery of waiting) delivery.suspend(failure);
      return;
    }
    const feedback = 1 / destination.window;
    destination.failure -= feedback;
    while (destination.failure - feedback / 2 < 0) {
      destination.window -= hysteresis;
      destination.success = 0;
      destination.failure += hysteresis;
    }
    destination.window = Math.max(destination.window, 1);
  }
}
