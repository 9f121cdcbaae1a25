/**
 * examples/greylisting (issue 17 point 8): the sweep's delay-to-delivery table equals the times derived
 * by hand from each retry schedule's definition (docs/delivery.md R8, R9, R11, R10) and postgrey's
 * rule (§11: a retry at least DELAY after the triplet's first attempt is accepted).
 *
 * The derivation, in seconds from the submission at t = 0. The message arrives in the sender's queue,
 * and is first tried, α = 0.15 s later (the submission's round trips at 10 ms latency); an attempt
 * fails δ = 0.16 s after the queue starts it (the MX lookup, the connection, the greeting, EHLO, MAIL,
 * and the greylisting 450 to RCPT); the queue takes a due message at the first scan at or after its
 * due time (Postfix every 300 s, the others every 1 s).
 * - Postfix, on its whole-second clock: eligible = ⌊failure⌋ + clamp(⌊failure⌋ − ⌊arrival⌋, 300, 4000),
 *   and a scan at S takes the message once eligible ≤ ⌊S⌋ + 1 (R8's 1 s look-ahead). Each failure comes
 *   δ after a scan, in the scan's second, so the eligible time is a scan time and that scan takes it:
 *   α, 300, 600, 1200, 2400, 4800, 9000, 13200 … (every 4200 s once the backoff is at its 4000 s
 *   maximum: eligible 4000 s after a scan, taken by the scan 4200 s after it).
 * - Exim: F,2h,15m; G,16h,1h,1.5; F,4d,6h from the first failure: every 900 s while less than 2 h has
 *   passed, then 1 h, 1.5 h, 2.25 h … while less than 16 h, then every 6 h.
 * - Haraka: after the N-th failure, 2^(N+5) s: 64, 128, 256 …
 * - Gmail, as Pagani et al. (DSN 2016) measured it at a 6 h threshold: at 6:02, 29:02, 56:36, 98:44,
 *   162:03, 229:44, 309:05 and 434:46 (min:s) after the first, delivered at the 9th attempt.
 * The delivery is the first attempt at least DELAY after the first one; its delay adds the accepted
 * dialogue's round trips (0.15 s), so the check allows 1 s.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/sweep/load.js';
import { runSweep } from '../../src/sweep/sweep.js';
import type { SweepSummary } from '../../src/sweep/summary-types.js';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'mailsim-greylisting-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const arrival = 0.15;
const delta = 0.16;
const horizon = 5 * 86_400;
const atScan = (t: number, scan: number) => Math.ceil(t / scan) * scan;
const gmailOffsets = [[6, 2], [29, 2], [56, 36], [98, 44], [162, 3], [229, 44], [309, 5], [434, 46]].map(([m, s]) => m! * 60 + s!);

/** Attempt start times (s) of a message that keeps failing, by the schedule's definition. */
function attemptTimes(schedule: string): number[] {
  const times = [arrival];
  const firstFailure = arrival + delta;
  let geometric = 3600;
  for (let n = 1; times.length < 200; n++) {
    const failure = times.at(-1)! + delta;
    let next: number;
    if (schedule === 'postfix') {
      const eligible = Math.floor(failure) + Math.min(Math.max(Math.floor(failure) - Math.floor(arrival), 300), 4000);
      next = atScan(eligible - 1, 300);
    }
    else if (schedule === 'exim') {
      const since = failure - firstFailure;
      const gap = since < 2 * 3600 ? 900 : since < 16 * 3600 ? geometric : 6 * 3600;
      if (since >= 2 * 3600 && since < 16 * 3600) geometric *= 1.5;
      next = atScan(failure + gap, 1);
    } else if (schedule === 'haraka') next = atScan(failure + 2 ** (n + 5), 1);
    else {
      const offset = gmailOffsets.map((o) => arrival + o).find((o) => o > failure);
      if (offset === undefined) break;
      next = atScan(offset, 1);
    }
    if (next > horizon) break;
    times.push(next);
  }
  return times;
}

/** The delay to delivery (s) behind a greylisting DELAY, by hand; null when the schedule gives up first. */
function handDelay(schedule: string, greylistS: number): number | null {
  const times = attemptTimes(schedule);
  return times.find((t) => t - times[0]! >= greylistS) ?? null;
}

describe('examples/greylisting', () => {
  it('the sweep gives, for every threshold and schedule, the delay derived by hand', async () => {
    const sweep = loadSweep(join(root, 'examples', 'greylisting', 'sweep.yaml'));
    await runSweep(sweep, { out, workers: 1, resume: false, shard: { index: 0, count: 1 } });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SweepSummary;
    const seconds: Record<string, number> = { '5m': 300, '30m': 1800, '1h': 3600, '6h': 21_600 };
    const table = summary.points.map((p) => {
      const schedule = p.params['/hosts/smtp.sender.net/queue/schedule'] as string;
      const greylist = p.params['/hosts/mx.example.org/greylist'] as string;
      return { greylist, schedule, simulated: p.delayMs === null ? null : p.delayMs.p50.value / 1000, byHand: handDelay(schedule, seconds[greylist]!) };
    });
    expect(table).toHaveLength(16);
    for (const row of table) {
      expect(row.byHand, `${row.greylist} ${row.schedule}`).not.toBeNull();
      expect(Math.abs(row.simulated! - row.byHand!), `${row.greylist} ${row.schedule}: simulated ${row.simulated} s, by hand ${row.byHand} s`).toBeLessThan(1);
    }
    // The published case: Gmail at a 6 h threshold delivers at the 9th attempt, 434:46 after the first.
    const gmail6h = attemptTimes('offsets');
    expect(gmail6h.indexOf(handDelay('offsets', 21_600)!)).toBe(8);
    expect(table.find((r) => r.greylist === '6h' && r.schedule === 'offsets')!.simulated).toBeCloseTo(434 * 60 + 47, 0);
    return table;
  }, 120_000);

  it('the derivation itself follows the definitions (a wrong one would not match)', () => {
    expect(attemptTimes('postfix').slice(0, 9)).toEqual([arrival, 300, 600, 1200, 2400, 4800, 9000, 13_200, 17_400]);
    expect(attemptTimes('haraka').slice(0, 4)).toEqual([arrival, 65, 194, 451]);
    expect(attemptTimes('exim').slice(0, 3)).toEqual([arrival, 901, 1802]);
    expect(attemptTimes('offsets')).toEqual([arrival, ...gmailOffsets.map((o) => o + 1)]);
  });
});
