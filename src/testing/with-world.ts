/**
 * `withWorld(scenario)`: a simulated world a test drives step by step (docs/testing.md, "Step by step:
 * withWorld") — advance the virtual clock, send, fetch, inject a fault, look at queues and mailboxes,
 * take the report so far.
 *
 * Theory of operation. The handle is built on the world's own machinery, not a second simulation: the
 * scenario is validated and a `World` built and started as `mailsim run` does (its own faults and
 * traffic scheduled), and the clock moves only by the simulator's `runUntil`. A send, a fetch or a
 * fault is written as an item of the scenario file (docs/reference.md §6, §7) with its `at` — absolute
 * virtual time, as in the file, now by default —, appended to the handle's copy of the scenario,
 * validated with it (so a bad item gets the loader's located message) and handed to the world's own
 * `scheduleTraffic` / `scheduleFault`. So the same calls give the same run (the same traceDigest), and
 * the scenario the handle keeps (`mailRun().source`) is a file that replays it. An item due now runs
 * before the call returns (with whatever else is due now), so what it did shows at once.
 */
import { World } from '../nodes/world.js';
import type { Report } from '../report/types.js';
import { reportOf } from '../runner/run.js';
import { validateScenarioObject } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema-types.js';
import { type Duration, durationMs } from './duration.js';
import { scenarioObjectOf } from './run.js';
import type { MailRun, ScenarioObject } from './types.js';
import { filedFor, type MailboxMessage, type QueueListing, queueOf } from './world-inspect.js';

export type { MailboxMessage, QueueListing } from './world-inspect.js';

export interface WithWorldOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
}

/** A `send` item of the scenario's traffic (docs/reference.md §7), with an optional `at` (default: now). */
export interface WorldSend {
  from: string;
  to: string | readonly string[];
  subject?: string;
  body?: string;
  at?: Duration;
  size?: string | number;
  headers?: Record<string, string>;
  via?: string;
  port?: 25 | 465 | 587;
  count?: number;
  every?: Duration;
  notify?: string | readonly string[];
  requiretls?: boolean;
}

/** A `fetch` item of the scenario's traffic (docs/reference.md §7), with an optional `at` (default: now). */
export interface WorldFetch {
  user: string;
  protocol: 'pop3' | 'imap';
  at?: Duration;
  keep?: boolean;
  tls?: boolean;
  folder?: string;
  host?: string;
}

/**
 * A fault in the scenario's syntax (docs/reference.md §6): one action key (`down: HOST`, `refuse: HOST`,
 * `partition: …`, …) with its companion keys, `until` (absolute time, as in the file) and `chance`;
 * `at` defaults to now.
 */
export type WorldFault = { at?: Duration; until?: Duration; chance?: number } & Record<string, unknown>;

/** A world driven step by step. Times are virtual ms from the start of the run. */
export interface WorldHandle {
  /** The virtual time now. */
  readonly now: number;
  /** Runs everything due in the next `duration`; the clock ends there. */
  advance(duration: Duration): WorldHandle;
  /** Runs everything due up to the absolute time `time` (not in the past); the clock ends there. */
  advanceTo(time: Duration): WorldHandle;
  /**
   * Runs until nothing is pending — every message delivered, bounced or expired — and leaves the clock
   * at the last event. As a bound for a world that never settles, it stops at the scenario's `until`
   * past the current time.
   */
  runUntilIdle(): WorldHandle;
  /** Submits a message through the scenario's MSA, as a `send` traffic item does. */
  send(message: WorldSend): WorldHandle;
  /** Fetches a user's mail over POP3 or IMAP, as a `fetch` traffic item does; the result is in `report().fetches`. */
  fetch(fetch: WorldFetch): WorldHandle;
  /** Injects a fault, starting now unless it gives `at`. */
  inject(fault: WorldFault): WorldHandle;
  /** What `host` has queued now, with each entry's pending recipients and next attempt time. */
  queue(host: string): QueueListing[];
  /** The messages filed for `address` so far, on every host with a mailbox for it. */
  mailbox(address: string): MailboxMessage[];
  /** The report so far (docs/reference.md §9.1), ended now; the scenario's `expect` is evaluated on it. */
  report(): Report;
  /** The run so far as a `MailRun`, for the checks and matchers; its `source` replays it as a scenario file. */
  mailRun(): MailRun;
}

/** Builds and starts the world of a scenario (a plain object or a scenario file) for a test to drive. */
export function withWorld(input: ScenarioObject | string, options: WithWorldOptions = {}): WorldHandle {
  const source = typeof input === 'string' ? scenarioObjectOf(input) : structuredClone(input);
  return new SteppedWorld(source, typeof input === 'string' ? input : '<withWorld>', options);
}

class SteppedWorld implements WorldHandle {
  private readonly world: World;
  private source: ScenarioObject;
  private scenario: Scenario;

  constructor(
    source: ScenarioObject,
    private readonly sourceName: string,
    options: WithWorldOptions,
  ) {
    this.source = source;
    this.scenario = validateScenarioObject(source, sourceName);
    this.world = new World(this.scenario, { keepTrace: true, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    this.world.start();
  }

  get now(): number {
    return this.world.sim.nowMs;
  }

  advance(duration: Duration): WorldHandle {
    return this.runTo(this.now + durationMs(duration, 'advance(duration)'));
  }

  advanceTo(time: Duration): WorldHandle {
    const timeMs = durationMs(time, 'advanceTo(time)');
    if (timeMs < this.now) throw new RangeError(`advanceTo(${JSON.stringify(time)}): that is before now (${this.now} ms); the clock only moves forward`);
    return this.runTo(timeMs);
  }

  runUntilIdle(): WorldHandle {
    const sim = this.world.sim;
    const horizonMs = this.now + this.scenario.untilMs;
    // One runUntil per event time, so the clock stops at the last event rather than at the horizon.
    for (let next = sim.nextEventTimeMs(); next !== null && next <= horizonMs; next = sim.nextEventTimeMs()) sim.runUntil(next);
    return this;
  }

  send(message: WorldSend): WorldHandle {
    const { at, ...send } = message;
    const item = this.append('traffic', { at: this.startOf(at, 'send'), send });
    const normalised = this.scenario.traffic[item];
    if (normalised !== undefined) this.world.scheduleTraffic(normalised);
    return this.runDueNow();
  }

  fetch(fetch: WorldFetch): WorldHandle {
    const { at, ...rest } = fetch;
    const item = this.append('traffic', { at: this.startOf(at, 'fetch'), fetch: rest });
    const normalised = this.scenario.traffic[item];
    if (normalised !== undefined) this.world.scheduleTraffic(normalised);
    return this.runDueNow();
  }

  inject(fault: WorldFault): WorldHandle {
    const item = this.append('faults', { ...fault, at: this.startOf(fault.at, 'inject') });
    const normalised = this.scenario.faults[item];
    if (normalised !== undefined) this.world.scheduleFault(normalised);
    return this.runDueNow();
  }

  queue(host: string): QueueListing[] {
    return queueOf(this.world, host);
  }

  mailbox(address: string): MailboxMessage[] {
    return filedFor(this.world, address);
  }

  report(): Report {
    return reportOf(this.world, this.scenario, this.now);
  }

  mailRun(): MailRun {
    return { source: structuredClone(this.source), scenario: this.scenario, report: this.report(), trace: this.world.sim.trace.events, world: this.world };
  }

  private runTo(timeMs: number): WorldHandle {
    this.world.sim.runUntil(timeMs);
    return this;
  }

  private runDueNow(): WorldHandle {
    return this.runTo(this.now);
  }

  /** An item's start: `at` as given (not in the past), or now. */
  private startOf(at: Duration | undefined, call: string): number {
    if (at === undefined) return this.now;
    const atMs = durationMs(at, `${call}({ at })`);
    if (atMs < this.now) throw new RangeError(`${call}({ at: ${JSON.stringify(at)} }): that is before now (${this.now} ms)`);
    return atMs;
  }

  /**
   * Appends an item to the scenario's `traffic` or `faults` and validates the whole (the loader's
   * located message if the item is wrong; nothing changes then). Returns the item's index.
   */
  private append(list: 'traffic' | 'faults', item: Record<string, unknown>): number {
    const existing = this.source[list];
    const items = Array.isArray(existing) ? existing : [];
    const source = { ...this.source, [list]: [...items, item] };
    this.scenario = validateScenarioObject(source, this.sourceName);
    this.source = source;
    return items.length;
  }
}
