/**
 * Reserved sequence numbers (EventQueue.reserveSeqs / pushReserved, used for a traffic item's repeats):
 * a series scheduled one event at a time — each pushed, with its reserved number, when the previous one
 * fires — runs exactly as the same series pushed whole at the reservation. Two queues get the same random
 * operations (plain pushes near and far, events that schedule a child, cancels, pops up to a limit,
 * advanceTo, series of repeats); one pushes each series whole, the other lazily; what fires, and when,
 * must be the same. A small wheel makes series cross the wheel/far-heap boundary and tie with wheel
 * entries pushed before and after the reservation.
 * Planted bugs caught (each made this test fail, then was removed): the tie between the wheel's first
 * entry and the heap's top decided by time alone (the heap first); pushReserved into the wheel by time;
 * a reservation that does not advance the queue's own numbering.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type EventRunner } from '../../src/sim/event-queue.js';

type Op =
  | { kind: 'push'; delayMs: number; childDelayMs: number | undefined }
  | { kind: 'series'; delayMs: number; count: number; everyMs: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'pop'; limitDeltaMs: number }
  | { kind: 'advance'; deltaMs: number };

const delayMs = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 200 }), fc.constantFrom(0, 31, 32, 33, 64));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('push' as const), delayMs, childDelayMs: fc.option(delayMs, { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('series' as const), delayMs, count: fc.integer({ min: 1, max: 12 }), everyMs: fc.constantFrom(0, 1, 3, 10, 33) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pop' as const), limitDeltaMs: fc.integer({ min: 0, max: 150 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), deltaMs: fc.integer({ min: 0, max: 100 }) }) },
);

interface Fired {
  label: string;
  atMs: number;
}

/** Runs `ops` on a fresh queue; series whole (`lazy` false) or one at a time; returns what fired, in order. */
function run(ops: readonly Op[], lazy: boolean, wheelBucketsLog2: number): Fired[] {
  const queue = new EventQueue(wheelBucketsLog2);
  const fired: Fired[] = [];
  const plainIds: number[] = [];
  let nowMs = 0;
  const runner: EventRunner = {
    fire(timeMs, callback, arg) {
      nowMs = timeMs;
      callback(arg);
    },
  };
  const pushPlain = (label: string, timeMs: number, childDelayMs: number | undefined): void => {
    const fire = () => {
      fired.push({ label, atMs: nowMs });
      if (childDelayMs !== undefined) pushPlain(`${label}/child`, nowMs + childDelayMs, undefined);
    };
    plainIds.push(queue.push(timeMs, fire, undefined));
  };
  const series = (label: string, startMs: number, count: number, everyMs: number): void => {
    const fireRepeat = (i: number) => {
      fired.push({ label: `${label}#${i}`, atMs: nowMs });
      pushPlain(`${label}#${i}/child`, nowMs + 1, undefined); // each repeat causes later work, as a send does
    };
    if (!lazy) {
      for (let i = 0; i < count; i++) queue.push(startMs + i * everyMs, fireRepeat, i);
      return;
    }
    const first = queue.reserveSeqs(count);
    const fireAndScheduleNext = (i: number) => {
      if (i + 1 < count) queue.pushReserved(startMs + (i + 1) * everyMs, first + i + 1, fireAndScheduleNext, i + 1);
      fireRepeat(i);
    };
    queue.pushReserved(startMs, first, fireAndScheduleNext, 0);
  };
  ops.forEach((op, n) => {
    if (op.kind === 'push') pushPlain(`p${n}`, nowMs + op.delayMs, op.childDelayMs);
    else if (op.kind === 'series') series(`s${n}`, nowMs + op.delayMs, op.count, op.everyMs);
    else if (op.kind === 'cancel') {
      if (plainIds.length > 0) queue.cancel(plainIds[op.pick % plainIds.length]!);
    } else if (op.kind === 'pop') {
      while (queue.popDueInto(nowMs + op.limitDeltaMs, runner));
    } else {
      const limitMs = nowMs + op.deltaMs;
      queue.advanceTo(limitMs);
      if (queue.peekTimeMs() >= limitMs) nowMs = limitMs;
    }
  });
  while (queue.popDueInto(Number.POSITIVE_INFINITY, runner));
  expect(queue.size).toBe(0);
  return fired;
}

describe('EventQueue reserved sequence numbers', () => {
  it('property: a series pushed one repeat at a time fires exactly as the series pushed whole (32-bucket wheel)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        expect(run(ops, true, 5)).toEqual(run(ops, false, 5));
      }),
      { numRuns: 400 },
    );
  });

  it('property: the same with the default wheel', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        expect(run(ops, true, 12)).toEqual(run(ops, false, 12));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a sequence number that was never reserved', () => {
    const queue = new EventQueue(5);
    expect(() => queue.pushReserved(0, 0, () => {}, undefined)).toThrow(/not reserved/);
    const first = queue.reserveSeqs(2);
    expect(() => queue.pushReserved(0, first + 2, () => {}, undefined)).toThrow(/not reserved/);
    expect(() => queue.reserveSeqs(-1)).toThrow(RangeError);
  });
});
