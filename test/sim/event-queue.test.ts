/**
 * The event queue on its own, against a reference model (a plain list sorted by (time, seq)), with a
 * small wheel so both halves — the one-ms bucket wheel and the far heap — and the hand-over between
 * them are exercised: pushes near and far, pushes from inside fired events, cancellations (live, fired,
 * already cancelled, stale ids), pops up to a limit and `advanceTo`.
 * Planted bugs caught (each made this test fail, then was removed): wheel first on equal times instead
 * of the far heap; prepending to a bucket instead of appending; no wrap-around in the bitmap scan;
 * a wheel one bucket too wide for its window (push rule `<= mask + 1`); advanceTo past a pending event.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type EventRunner } from '../../src/sim/event-queue.js';

interface ModelEntry {
  timeMs: number;
  seq: number;
  /** Index into `ids`: what the callback reports when it fires. */
  index: number;
}

type Op =
  | { kind: 'push'; delayMs: number; childDelayMs: number | undefined }
  | { kind: 'cancel'; pick: number }
  | { kind: 'pop'; limitDeltaMs: number }
  | { kind: 'advance'; deltaMs: number };

/** Delays around the small wheel's span (32 ms): inside it, at its edge and well beyond. */
const delayMs = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 400 }), fc.constantFrom(30, 31, 32, 33, 63, 64, 65));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('push' as const), delayMs, childDelayMs: fc.option(delayMs, { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pop' as const), limitDeltaMs: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), deltaMs: fc.integer({ min: 0, max: 200 }) }) },
);

/** Runs `ops` on a real queue and on the model side by side, checking every answer. */
function checkAgainstModel(ops: Op[], wheelBucketsLog2: number, drainAtEnd: boolean, startMs = 0): void {
  const queue = new EventQueue(wheelBucketsLog2);
  queue.advanceTo(startMs);
  let nowMs = startMs;
  let seq = 0;
  let pending: ModelEntry[] = [];
  const ids: number[] = [];
  const childDelays: Array<number | undefined> = [];
  const fired: number[] = [];

  const schedule = (timeMs: number, childDelayMs: number | undefined): void => {
    const index = ids.length;
    childDelays.push(childDelayMs);
    ids.push(queue.push(timeMs, (i: number) => fired.push(i), index));
    pending.push({ timeMs, seq: seq++, index });
  };
  const runner: EventRunner = {
    fire(timeMs, callback, arg) {
      nowMs = timeMs;
      callback(arg);
      const child = childDelays[arg as number];
      if (child !== undefined) schedule(timeMs + child, undefined); // like an event scheduling from itself
    },
  };
  const earliest = (): ModelEntry | undefined =>
    pending.reduce<ModelEntry | undefined>((best, e) => (best === undefined || e.timeMs < best.timeMs || (e.timeMs === best.timeMs && e.seq < best.seq) ? e : best), undefined);
  const popDue = (limitMs: number): void => {
    const next = earliest();
    const due = next !== undefined && next.timeMs <= limitMs;
    fired.length = 0;
    expect(queue.popDueInto(limitMs, runner)).toBe(due);
    if (due) {
      expect(fired).toEqual([next.index]);
      expect(nowMs).toBe(next.timeMs);
      pending = pending.filter((e) => e !== next);
    } else {
      expect(fired).toEqual([]);
    }
  };

  for (const op of ops) {
    if (op.kind === 'push') {
      schedule(nowMs + op.delayMs, op.childDelayMs);
    } else if (op.kind === 'cancel') {
      if (ids.length === 0) continue;
      const index = op.pick % ids.length;
      const live = pending.some((e) => e.index === index);
      expect(queue.cancel(ids[index]!)).toBe(live);
      pending = pending.filter((e) => e.index !== index);
    } else if (op.kind === 'pop') {
      popDue(nowMs + op.limitDeltaMs);
    } else {
      // What Simulator.runUntil does when nothing is due before its limit; when something is, the
      // queue must ignore the call (its window cannot move past a pending event).
      const limitMs = nowMs + op.deltaMs;
      queue.advanceTo(limitMs);
      if ((earliest()?.timeMs ?? Number.POSITIVE_INFINITY) >= limitMs) nowMs = limitMs;
    }
    expect(queue.size).toBe(pending.length);
    expect(queue.peekTimeMs()).toBe(earliest()?.timeMs ?? Number.POSITIVE_INFINITY);
  }
  if (drainAtEnd) {
    while (pending.length > 0) popDue(Number.POSITIVE_INFINITY);
    expect(queue.popDueInto(Number.POSITIVE_INFINITY, runner)).toBe(false);
    expect(queue.size).toBe(0);
  }
}

describe('EventQueue', () => {
  it('property: matches a sorted-list model with a 32-bucket wheel (wheel, far heap and the hand-over)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => checkAgainstModel(ops, 5, true)),
      { numRuns: 400 },
    );
  });

  it('property: matches the model with a 128-bucket wheel (the bitmap scan wraps across words)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => checkAgainstModel(ops, 7, true)),
      { numRuns: 400 },
    );
  });

  it('property: matches the model with times beyond 2^32 ms (bucket = time mod wheel size, not int32)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => checkAgainstModel(ops, 7, true, 2 ** 32 - 150)),
      { numRuns: 200 },
    );
  });

  it('property: matches the model with the default wheel too', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => checkAgainstModel(ops, 12, true)),
      { numRuns: 100 },
    );
  });

  it('puts equal times in push order across the far heap and the wheel', () => {
    const queue = new EventQueue(5);
    const order: string[] = [];
    const log = (name: string) => order.push(name);
    queue.push(100, log, 'far-a'); // beyond the 32 ms wheel: far heap
    queue.push(10, log, 'near');
    queue.push(100, log, 'far-b');
    const runner: EventRunner = { fire: (_t, cb, arg) => cb(arg) };
    expect(queue.popDueInto(1000, runner)).toBe(true); // near, at 10: cursor 10, 100 still beyond the wheel
    queue.advanceTo(80); // now 100 is inside the wheel
    queue.push(100, log, 'wheel-c');
    queue.push(99, log, 'wheel-d');
    while (queue.popDueInto(1000, runner));
    expect(order).toEqual(['near', 'wheel-d', 'far-a', 'far-b', 'wheel-c']);
  });

  it('cancels nothing for ids it never issued (negative, fractional, NaN, too large)', () => {
    const queue = new EventQueue();
    const runner: EventRunner = { fire: (_t, cb, arg) => cb(arg) };
    const fired: number[] = [];
    // Fire slots 0–3 once (generation 1), then reuse them at one time, so their links are 3→2→1→0.
    for (let i = 0; i < 4; i++) queue.push(10 + i, () => undefined, undefined);
    while (queue.popDueInto(100, runner));
    for (let i = 0; i < 4; i++) queue.push(200, (n: number) => fired.push(n), i);
    const generation1 = 2 ** 24;
    for (const id of [-1, 1.5, generation1 + 1.5, generation1 + 2.5, Number.NaN, 4, 2 ** 40]) expect(queue.cancel(id)).toBe(false);
    expect(queue.size).toBe(4);
    while (queue.popDueInto(1000, runner));
    expect(fired).toEqual([0, 1, 2, 3]);
  });

  it('rejects a push before the last event, and wheel sizes out of range', () => {
    const queue = new EventQueue();
    queue.push(50, () => undefined, undefined);
    queue.popDueInto(100, { fire: () => undefined });
    expect(() => queue.push(49, () => undefined, undefined)).toThrow(RangeError);
    expect(() => new EventQueue(4)).toThrow(RangeError);
    expect(() => new EventQueue(25)).toThrow(RangeError);
  });
});
