/**
 * The per-destination state of the queue (src/nodes/queue/destinations.ts; docs/delivery.md R14):
 * Postfix qmgr's concurrency window and dead-destination mark, with postconf(5)'s defaults —
 * initial_destination_concurrency 5, default_destination_concurrency_limit 20,
 * default_destination_concurrency_failed_cohort_limit 1, feedback 1/concurrency.
 */
import { describe, expect, it } from 'vitest';
import { type DestinationSettings, Destinations, type HopFailure } from '../../../src/nodes/queue/destinations.js';

const refused: HopFailure = { status: '4.4.1', diagnostic: 'connect to mx1.example.org[10.0.0.1]:25: Connection refused', remoteMta: null };

/** A Destinations on a hand-driven clock, whose zero-delay events run when `settle()` is called. */
function harness(settings: Partial<DestinationSettings> = {}) {
  let nowMs = 0;
  const deferred: Array<() => void> = [];
  const dead: Array<{ name: string; untilMs: number }> = [];
  const destinations = new Destinations(
    { initialConcurrency: 5, concurrencyLimit: 20, failedCohortLimit: 1, deadMs: 300_000, processLimit: 100, ...settings },
    () => nowMs,
    (fn) => deferred.push(fn),
    (name, untilMs) => dead.push({ name, untilMs }),
  );
  const started: number[] = [];
  const suspended: Array<{ id: number; failure: HopFailure }> = [];
  const submit = (id: number, name = 'example.org') =>
    destinations.submit(name, { start: () => started.push(id), suspend: (failure) => suspended.push({ id, failure }) });
  const settle = () => {
    while (deferred.length > 0) deferred.shift()!();
  };
  return { destinations, started, suspended, dead, submit, settle, setNow: (ms: number) => (nowMs = ms) };
}

describe('Destinations: concurrency window and dead-destination mark (R14)', () => {
  it('ten deliveries at once: five start; five refusals mark it dead and the five waiting are suspended without starting', () => {
    const h = harness();
    for (let id = 1; id <= 10; id++) h.submit(id);
    expect(h.started).toEqual([1, 2, 3, 4, 5]);
    // The five report back at the same moment; no waiting delivery starts before all of them are read.
    for (let i = 0; i < 5; i++) h.destinations.done('example.org', refused);
    h.settle();
    expect(h.started).toEqual([1, 2, 3, 4, 5]);
    expect(h.suspended.map((s) => s.id)).toEqual([6, 7, 8, 9, 10]);
    expect(h.suspended[0]!.failure).toEqual(refused);
    expect(h.dead).toEqual([{ name: 'example.org', untilMs: 300_000 }]);
    // Dead for minimal_backoff_time: a delivery submitted meanwhile is suspended at once.
    h.setNow(299_999);
    h.submit(11);
    expect(h.suspended.map((s) => s.id)).toContain(11);
    // Then alive again, with a fresh window of five.
    h.setNow(300_000);
    for (let id = 12; id <= 18; id++) h.submit(id);
    expect(h.started).toEqual([1, 2, 3, 4, 5, 12, 13, 14, 15, 16]);
  });

  it('the window shrinks with each failure as Postfix computes it (5 → 4 → 4 → 4 → 3 → dead), and waiting deliveries start as room opens', () => {
    const h = harness();
    for (let id = 1; id <= 10; id++) h.submit(id);
    h.destinations.done('example.org', refused); // cohorts 0.2, window 4, busy 4: no room
    h.settle();
    expect(h.started).toHaveLength(5);
    h.destinations.done('example.org', refused); // cohorts 0.45, window 4, busy 3: one starts
    h.settle();
    expect(h.started).toEqual([1, 2, 3, 4, 5, 6]);
    h.destinations.done('example.org', refused); // 0.7
    h.settle();
    expect(h.started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    h.destinations.done('example.org', refused); // 0.95, window 3, busy 3: no room
    h.settle();
    expect(h.started).toHaveLength(7);
    expect(h.dead).toHaveLength(0);
    h.destinations.done('example.org', refused); // 0.95 + 1/3 ≥ 1: dead
    expect(h.dead).toHaveLength(1);
    expect(h.suspended.map((s) => s.id)).toEqual([8, 9, 10]);
  });

  it('a lone delivery never marks its destination dead: the state is dropped when it ends', () => {
    const h = harness();
    for (let round = 0; round < 20; round++) {
      h.submit(round);
      h.destinations.done('example.org', refused);
      h.settle();
    }
    expect(h.started).toHaveLength(20);
    expect(h.suspended).toEqual([]);
    expect(h.dead).toEqual([]);
    expect(h.destinations.size).toBe(0);
  });

  it('a delivery that ends well resets the failed cohorts', () => {
    const h = harness();
    for (let id = 1; id <= 10; id++) h.submit(id);
    for (let i = 0; i < 4; i++) h.destinations.done('example.org', refused); // 0.95 cohorts: one more would mark it dead
    h.destinations.done('example.org', null);
    h.settle();
    h.destinations.done('example.org', refused);
    expect(h.dead).toEqual([]);
    expect(h.suspended).toEqual([]);
  });

  it('deliveries that end well widen the window by one per window of them, up to the limit', () => {
    const h = harness({ concurrencyLimit: 8 });
    for (let id = 1; id <= 100; id++) h.submit(id);
    let ended = 0;
    let widest = 0;
    while (ended < 60) {
      h.destinations.done('example.org', null);
      ended++;
      h.settle();
      widest = Math.max(widest, h.started.length - ended);
    }
    expect(widest).toBe(8);
  });

  it('failed-cohorts 0: never dead', () => {
    const h = harness({ failedCohortLimit: 0 });
    for (let id = 1; id <= 10; id++) h.submit(id);
    for (let i = 0; i < 10; i++) {
      h.destinations.done('example.org', refused);
      h.settle();
    }
    expect(h.started).toHaveLength(10);
    expect(h.suspended).toEqual([]);
  });

  it('a delivery already running that ends well brings a dead destination back at once', () => {
    const h = harness();
    for (let id = 1; id <= 7; id++) h.submit(id);
    h.destinations.done('example.org', refused);
    h.destinations.done('example.org', refused);
    h.settle(); // room for one: 6 starts
    expect(h.started).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 3; i++) h.destinations.done('example.org', refused);
    expect(h.dead).toHaveLength(1);
    h.submit(8);
    expect(h.suspended.map((s) => s.id)).toEqual([7, 8]);
    h.destinations.done('example.org', null); // 6, still running when it was marked, was delivered
    h.submit(9);
    expect(h.started).toContain(9);
  });

  it('destinations are apart: one dead does not hold another', () => {
    const h = harness();
    for (let id = 1; id <= 10; id++) h.submit(id, 'dead.example');
    for (let i = 0; i < 5; i++) h.destinations.done('dead.example', refused);
    h.submit(100, 'alive.example');
    expect(h.started).toContain(100);
  });
});

describe('Destinations: at most processLimit deliveries over all destinations (default_process_limit; issue 19 §1)', () => {
  it('ten destinations of five deliveries each under a limit of 12: 12 start, and the freed processes go one each to the destinations waiting longest', () => {
    const h = harness({ processLimit: 12 });
    let id = 0;
    for (let d = 0; d < 10; d++) for (let i = 0; i < 5; i++) h.submit(++id, `d${d}.example`);
    expect(h.started).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    h.destinations.done('d0.example', null);
    h.settle();
    // d2 waited first for a process (its 13th delivery could not start), so it gets the freed one.
    expect(h.started.slice(12)).toEqual([13]);
    for (let i = 0; i < 4; i++) h.destinations.done('d0.example', null);
    h.settle();
    expect(h.started).toHaveLength(17);
    // One each, round robin: d3, d4, d5, d6 (d2 went to the back of the line after its turn).
    expect(h.started.slice(13)).toEqual([16, 21, 26, 31]);
  });

  it('the default (100) does not bind below it: 60 destinations of 2 all start at once', () => {
    const h = harness();
    let id = 0;
    for (let d = 0; d < 60; d++) for (let i = 0; i < 2; i++) h.submit(++id, `d${d}.example`);
    expect(h.started).toHaveLength(100);
  });
});

describe('Destinations: on-demand connection caching flags (R15; qmgr_entry_select)', () => {
  const uses = () => {
    let nowMs = 0;
    const deferred: Array<() => void> = [];
    const destinations = new Destinations({ initialConcurrency: 5, concurrencyLimit: 20, failedCohortLimit: 1, deadMs: 300_000, processLimit: 100 }, () => nowMs, (fn) => deferred.push(fn), () => {});
    const flags: string[] = [];
    const submit = () => destinations.submit('example.org', { start: (cache) => flags.push(`${cache.load ? 'L' : '-'}${cache.store ? 'S' : '-'}`), suspend: () => {} });
    const settle = () => {
      while (deferred.length > 0) deferred.shift()!();
    };
    return { destinations, flags, submit, settle, setNow: (ms: number) => (nowMs = ms) };
  };

  it('a burst within the initial window caches nothing; a delivery started back to back (a delivery ended this second or the last) loads and stores', () => {
    const h = uses();
    for (let i = 0; i < 7; i++) h.submit();
    expect(h.flags).toEqual(['--', '--', '--', '--', '--']);
    h.setNow(1500);
    h.destinations.done('example.org', null);
    h.destinations.done('example.org', null);
    h.settle();
    expect(h.flags.slice(5)).toEqual(['LS', 'LS']);
  });

  it('a lone message at a time caches nothing: the state is forgotten between them', () => {
    const h = uses();
    for (let i = 0; i < 5; i++) {
      h.setNow(i * 300);
      h.submit();
      h.destinations.done('example.org', null);
      h.settle();
    }
    expect(h.flags).toEqual(['--', '--', '--', '--', '--']);
  });
});
