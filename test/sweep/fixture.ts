/**
 * Hand-made sweep summaries for the sweep.html tests: a cartesian grid of the given parameters (last
 * varying fastest, as the sweep numbers points), with plausible numbers that change along the grid so
 * each line and band is distinct. `noDeliveries` picks points where no recipient was delivered
 * (delayMs null, an empty CDF).
 */
import { type PointSummary, type Proportion, type SweepSummary, summaryFormat } from '../../src/sweep/summary-types.js';

const minute = 60_000;

/** count of n with a rough interval around it (the tests do not check the statistics). */
function proportion(count: number, n: number): Proportion {
  if (n === 0) return { count, n, p: null, low: null, high: null };
  const p = count / n;
  return { count, n, p, low: Math.max(0, p - 0.05), high: Math.min(1, p + 0.05) };
}

function cartesian(values: ReadonlyArray<readonly unknown[]>): unknown[][] {
  return values.reduce<unknown[][]>((rows, dimension) => rows.flatMap((row) => dimension.map((v) => [...row, v])), [[]]);
}

function point(index: number, params: Record<string, unknown>, seeds: number, delivered: boolean): PointSummary {
  const recipients = seeds * 2;
  const count = delivered ? recipients - (index % 3) - 1 : 0;
  const p50 = (index + 1) * 5 * minute;
  const estimate = (value: number) => ({ value, low: value * 0.8, high: value * 1.25 });
  return {
    point: index,
    params,
    runs: seeds,
    crashed: index === 1 ? 1 : 0,
    passed: seeds - 1,
    recipients,
    delivered: proportion(count, recipients),
    deliveredWithin: { '1h': proportion(Math.floor(count * 0.6), recipients), '1d': proportion(count, recipients) },
    handedOverWithin: { '1h': proportion(Math.floor(count * 0.8), recipients), '1d': proportion(count, recipients) },
    bounced: proportion(recipients - count, recipients),
    duplicated: proportion(index % 2, recipients),
    lost: proportion(0, recipients),
    delayMs: delivered ? { p50: estimate(p50), p90: estimate(p50 * 4), p99: estimate(p50 * 9) } : null,
    attemptsMean: 1 + index / 4,
    delayCdf: delivered
      ? [
          [0, 0],
          [p50 / 2, (count / recipients) * 0.2],
          [p50, (count / recipients) * 0.5],
          [p50 * 4, (count / recipients) * 0.9],
          [p50 * 9, count / recipients],
        ]
      : [],
    representative: { run: index * seeds, seed: 1, report: `reports/p${index}.html` },
  };
}

export interface FixtureOptions {
  name?: string;
  parameters?: Record<string, readonly unknown[]>;
  seeds?: number;
  noDeliveries?: readonly number[];
}

/** 3 × 2 points by default: `/faults/0/until` (durations) × the sender's queue schedule; p4 delivers nothing. */
export function sweepFixture(options: FixtureOptions = {}): SweepSummary {
  const parameters = options.parameters ?? { '/faults/0/until': ['10m', '30m', '1h'], '/hosts/smtp.sender.net/queue/schedule': ['postfix', 'exim'] };
  const seeds = options.seeds ?? 20;
  const pointers = Object.keys(parameters);
  const rows = cartesian(Object.values(parameters));
  const points = rows.map((row, i) => point(i, Object.fromEntries(pointers.map((p, j) => [p, row[j]])), seeds, !(options.noDeliveries ?? [4]).includes(i)));
  return {
    format: summaryFormat,
    sweep: { name: options.name ?? 'backup-mx-value', sweepHash: 'c0ffee1234567890', version: '0.1.0', points: points.length, seedsPerPoint: seeds, runs: points.length * seeds },
    parameters: pointers,
    within: [
      { label: '1h', ms: 3_600_000 },
      { label: '1d', ms: 86_400_000 },
    ],
    confidence: 0.95,
    bootstrap: 1000,
    points,
  };
}
