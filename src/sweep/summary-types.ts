/**
 * The shape of a sweep's `summary.json` (docs/research.md): per grid point, proportions with Wilson
 * intervals, delay quantiles with bootstrap intervals, mean attempts and the delay CDF. The summary is
 * a pure function of `runs.jsonl` and `recipients.jsonl` (src/sweep/summary.ts), which is what makes a
 * merge of shards byte-identical to a one-machine sweep; `sweep.html` (src/sweep/html.ts) draws it.
 */

export const summaryFormat = 'mailsim-sweep-summary/1';

/** A parameter's value as the sweep file gives it (any YAML value). */
export type ParamValue = unknown;

/** A proportion with its Wilson score interval at `confidence`. */
export interface Proportion {
  count: number;
  n: number;
  /** count / n; null when n is 0. */
  p: number | null;
  low: number | null;
  high: number | null;
}

/** A quantile with its percentile-bootstrap interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export interface WithinThreshold {
  /** As written in the sweep file, e.g. "1h". */
  label: string;
  ms: number;
}

export interface PointSummary {
  point: number;
  params: Record<string, ParamValue>;
  runs: number;
  crashed: number;
  passed: number;
  recipients: number;
  delivered: Proportion;
  /** Keyed by WithinThreshold.label. */
  deliveredWithin: Record<string, Proportion>;
  /** Handed over by the sender's MTA (to the destination's MX, or a backup MX) within each threshold; keyed like deliveredWithin. */
  handedOverWithin: Record<string, Proportion>;
  bounced: Proportion;
  duplicated: Proportion;
  lost: Proportion;
  /** Over delivered recipients; null when none was delivered. */
  delayMs: { p50: Estimate; p90: Estimate; p99: Estimate } | null;
  /** Mean SMTP attempts per recipient; null when there are no recipients. */
  attemptsMean: number | null;
  /** [delay ms, fraction of all recipients delivered by then], ascending, at most 200 steps. */
  delayCdf: Array<[number, number]>;
  /** The run whose full report `reports/pN.html` shows (the point's first seed). */
  representative: { run: number; seed: number; report: string };
}

export interface SweepSummary {
  format: typeof summaryFormat;
  sweep: { name: string; sweepHash: string; version: string; points: number; seedsPerPoint: number; runs: number };
  /** The varied JSON Pointers, in grid order. */
  parameters: string[];
  within: WithinThreshold[];
  confidence: number;
  bootstrap: number;
  points: PointSummary[];
}
