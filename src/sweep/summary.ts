/**
 * `summary.json` (docs/research.md §5): per grid point, folded from the rows in run order.
 * - proportions over the point's recipients (user messages only): delivered, delivered within each
 *   threshold (delay ≤ threshold), handed over within each threshold (the sender's MTA passed it to the
 *   next hop — the destination's MX or a backup MX — that soon), bounced, duplicated (delivered more than once), lost — each with its
 *   Wilson score interval at the sweep's confidence (stats.ts). Recipients of one run are not
 *   independent (they share the run's faults), so with several recipients per run the interval is
 *   narrower than it should be; docs/research.md says so.
 * - delay quantiles p50/p90/p99 over delivered recipients (type 7), with percentile-bootstrap intervals
 *   from a stream keyed by the sweep's hash and the point, so the summary is a pure function of the rows;
 * - mean attempts per recipient, counts of runs, passes and crashes, the delay CDF for the page.
 */
import { gridPoint } from './grid.js';
import type { Sweep } from './load.js';
import type { RecipientRow, RunRow } from './rows.js';
import { bootstrapQuantiles, seededRandom, stepCdf, wilson } from './stats.js';
import { type PointSummary, type SweepSummary, summaryFormat } from './summary-types.js';

const quantiles = [0.5, 0.9, 0.99] as const;

interface PointTally {
  runs: number;
  crashed: number;
  passed: number;
  firstRun: { run: number; seed: number } | null;
  recipients: number;
  delivered: number;
  within: number[];
  handedOver: number[];
  bounced: number;
  duplicated: number;
  lost: number;
  attempts: number;
  delays: number[];
}

/** Folds rows into per-point tallies; feed runs and recipients, then `summary()`. */
export class SummaryBuilder {
  private readonly tallies: PointTally[];

  constructor(private readonly sweep: Sweep) {
    this.tallies = Array.from({ length: sweep.points }, () => ({
      runs: 0, crashed: 0, passed: 0, firstRun: null, recipients: 0, delivered: 0,
      within: sweep.within.map(() => 0), handedOver: sweep.within.map(() => 0), bounced: 0, duplicated: 0, lost: 0, attempts: 0, delays: [],
    }));
  }

  addRun(row: RunRow): void {
    const t = this.tallies[row.point]!;
    t.runs++;
    if (row.outcome === 'crash') t.crashed++;
    if (row.passed) t.passed++;
    if (t.firstRun === null || row.run < t.firstRun.run) t.firstRun = { run: row.run, seed: row.seed };
  }

  addRecipient(row: RecipientRow): void {
    const t = this.tallies[row.point]!;
    t.recipients++;
    t.attempts += row.attempts;
    if (row.outcome === 'bounced') t.bounced++;
    if (row.outcome === 'lost') t.lost++;
    if (row.duplicates > 0) t.duplicated++;
    if (row.handoverDelayMs !== null) {
      const handover = row.handoverDelayMs;
      this.sweep.within.forEach((threshold, i) => {
        if (handover <= threshold.ms) t.handedOver[i]!++;
      });
    }
    if (row.outcome === 'delivered' && row.delayMs !== null) {
      t.delivered++;
      t.delays.push(row.delayMs);
      this.sweep.within.forEach((threshold, i) => {
        if ((row.delayMs as number) <= threshold.ms) t.within[i]!++;
      });
    }
  }

  summary(version: string): SweepSummary {
    const { sweep } = this;
    return {
      format: summaryFormat,
      sweep: { name: sweep.name, sweepHash: sweep.sweepHash, version, points: sweep.points, seedsPerPoint: sweep.seeds.length, runs: sweep.runs },
      parameters: sweep.parameters,
      within: sweep.within,
      confidence: sweep.confidence,
      bootstrap: sweep.bootstrap,
      points: this.tallies.map((t, point) => this.pointSummary(t, point)),
    };
  }

  private pointSummary(t: PointTally, point: number): PointSummary {
    const { sweep } = this;
    const share = (count: number) => wilson(count, t.recipients, sweep.confidence);
    const delays = Float64Array.from(t.delays).sort();
    const sorted = Array.from(delays);
    const estimates = sorted.length === 0 ? null : bootstrapQuantiles(sorted, quantiles, sweep.bootstrap, sweep.confidence, seededRandom(`${sweep.sweepHash}:point:${point}`));
    const first = t.firstRun ?? { run: point * sweep.seeds.length, seed: sweep.seeds[0] as number };
    return {
      point,
      params: gridPoint(sweep.dimensions, point).params,
      runs: t.runs,
      crashed: t.crashed,
      passed: t.passed,
      recipients: t.recipients,
      delivered: share(t.delivered),
      deliveredWithin: Object.fromEntries(sweep.within.map((w, i) => [w.label, share(t.within[i]!)])),
      handedOverWithin: Object.fromEntries(sweep.within.map((w, i) => [w.label, share(t.handedOver[i]!)])),
      bounced: share(t.bounced),
      duplicated: share(t.duplicated),
      lost: share(t.lost),
      delayMs: estimates === null ? null : { p50: estimates[0]!, p90: estimates[1]!, p99: estimates[2]! },
      attemptsMean: t.recipients === 0 ? null : t.attempts / t.recipients,
      delayCdf: stepCdf(sorted, t.recipients),
      representative: { run: first.run, seed: first.seed, report: representativeReport(point) },
    };
  }
}

/** The base name of a point's representative report files (reports/pN.html, .json, .md). */
export function representativeBaseName(point: number): string {
  return `p${point}`;
}

/** The path (relative to the output directory) of a point's representative report. */
export function representativeReport(point: number): string {
  return `reports/${representativeBaseName(point)}.html`;
}
