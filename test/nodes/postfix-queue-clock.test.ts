/**
 * Postfix's whole-second queue clock (docs/delivery.md R8, issue 22 point 4), in a world: two of the
 * fidelity suite's experiments (test/fidelity/experiments.ts, docs/fidelity.md) replayed as mailsim
 * scenarios at the submission times of a measured run, against the attempt times the real Postfix
 * 3.7.11 made in that run (the fidelity suite's run of 4 December 2026, 07:58 UTC: compressed timers
 * min 4 s, max 32 s, scan 2 s, lifetime 240 s).
 *
 * With the queue clock in whole seconds and the scan's 1 s look-ahead, every retry lands in the same
 * scan as Postfix's (eligible ⌊now⌋ + clamp(⌊now⌋ − ⌊arrival⌋), taken by the first scan at S with
 * eligible ≤ ⌊S⌋ + 1 s): the same attempt count and every attempt within 2.5 s — issue 22's bound. The
 * old rule (now + clamp(now − arrival), taken at or after that) came one scan later at every step, and
 * the lead doubled with the backoff: greylisting delivered at 81.9 s, not 63.6 s, and the MX outage
 * ended with 13 connections, not 15.
 */
import { describe, expect, it } from 'vitest';
import { experiments } from '../fidelity/experiments.js';
import { runMailsim } from '../fidelity/mailsim-side.js';

/** issue 22's bound on |mailsim − Postfix| per attempt. */
const toleranceS = 2.5;

interface Measured {
  /**
   * When the message was injected, in ms after the start of the wall-clock second in which `postfix
   * start` returned (mailsim's t = 0, test/fidelity/collect.ts `originMs`: Postfix's whole seconds).
   */
  submittedMs: number;
  /** When the experiment's fakes started their clocks (a refusal "for 100 s" ends 100 s after this). */
  zeroMs: number;
  /** Postfix's attempts: host, result, seconds after submission. */
  attempts: Array<[string, string, number]>;
}

const refusedPair = (atS: number): Array<[string, string, number]> => [
  ['mx1', 'refused', atS],
  ['mx2', 'refused', atS],
];

/** From the run's raw.json (reports/fidelity/), read by test/fidelity/collect.ts's `analyse`. */
const measured: Record<string, Measured> = {
  'greylist-60s': {
    submittedMs: 902.9,
    zeroMs: 849.1,
    attempts: [
      ['mx1', 'deferred', 0.05],
      ['mx1', 'deferred', 3.47],
      ['mx1', 'deferred', 7.46],
      ['mx1', 'deferred', 15.49],
      ['mx1', 'deferred', 31.52],
      ['mx1', 'accepted', 63.57],
    ],
  },
  'down-100s': {
    submittedMs: 889.6,
    zeroMs: 848.8,
    attempts: [...[0.02, 3.48, 7.47, 15.51, 31.53, 63.58, 95.63].flatMap(refusedPair), ['mx1', 'accepted', 127.66]],
  },
};

describe("Postfix's whole-second queue clock reproduces the real Postfix's retry times (R8, issue 22 point 4)", () => {
  it.each(Object.keys(measured))('%s: the same attempts as Postfix, each within 2.5 s', (id) => {
    const experiment = experiments.find((e) => e.id === id)!;
    const run = measured[id]!;
    const { messages } = runMailsim(experiment, [run.submittedMs], run.zeroMs).outcome;
    const rows = messages[0]!.rows;
    expect(rows.map((row) => `${row.host?.split('.')[0]} ${row.result}`)).toEqual(run.attempts.map(([host, result]) => `${host} ${result}`));
    rows.forEach((row, i) => {
      expect(Math.abs(row.atS - run.attempts[i]![2]), `attempt ${i + 1}: mailsim ${row.atS} s, Postfix ${run.attempts[i]![2]} s`).toBeLessThanOrEqual(toleranceS);
    });
    expect(messages[0]!.fate).toBe('delivered');
  });
});
