/**
 * The figures of `sweep.html` as data: for each varied parameter and each metric, the x values (the
 * parameter's values) and one series per combination of the other parameters, each with its estimate
 * and interval at every x; and the delay CDFs of every point on one shared x grid. The page's script
 * (html-client.ts) only hands these arrays to uPlot, so what is drawn is decided here, testably.
 *
 * Theory of operation. Values are grouped by their JSON (html-format.ts `valueKey`) in the order the
 * points first show them, which is grid order. A parameter whose values are all finite numbers gets
 * a numeric x axis (ascending, as uPlot needs); any other (`postfix`, `10m`) is a category at x = 0,
 * 1, … in grid order. Parameters of one `zip` group move together: they are told apart as the
 * parameters whose value pairs with the plotted one's are one-to-one, and they do not split the
 * series (they are named in the section's heading instead). The CDFs are right-continuous steps, so
 * each point's curve is read at every x of the shared grid as its last step at or before x.
 */
import { formatValue, shortNames, valueKey } from './html-format.js';
import type { Estimate, PointSummary, Proportion, SweepSummary } from './summary-types.js';

export interface FigureLimits {
  /** Series (combinations of the other parameters) drawn in one figure; the rest are named as cut. */
  seriesPerFigureMax: number;
  /** Points whose delay CDF is drawn. */
  cdfSeriesMax: number;
}

export const defaultFigureLimits: FigureLimits = { seriesPerFigureMax: 12, cdfSeriesMax: 40 };

export type MetricKind = 'proportion' | 'duration';

interface Metric {
  id: string;
  title: string;
  kind: MetricKind;
  read: (point: PointSummary) => Estimate | null;
}

export interface FigureSeries {
  label: string;
  value: Array<number | null>;
  low: Array<number | null>;
  high: Array<number | null>;
}

export interface Figure {
  /** The element id of its container. */
  id: string;
  parameter: string;
  metric: string;
  title: string;
  kind: MetricKind;
  /** Category labels for x = 0, 1, …; null when x is numeric. */
  categories: string[] | null;
  xs: number[];
  series: FigureSeries[];
  seriesCut: number;
}

export interface CdfFigure {
  xs: number[];
  series: Array<{ label: string; point: number; y: number[] }>;
  seriesCut: number;
}

export interface ParameterAxis {
  parameter: string;
  name: string;
  /** Parameters of the same zip group (they move with this one). */
  partners: string[];
  figures: Figure[];
}

const fromProportion = (p: Proportion): Estimate | null => (p.p === null ? null : { value: p.p, low: p.low ?? p.p, high: p.high ?? p.p });

/** The metrics drawn against every parameter, in page order. */
export function metricsOf(summary: SweepSummary): Metric[] {
  const proportion = (id: string, title: string, read: (p: PointSummary) => Proportion | undefined): Metric => ({
    id,
    title,
    kind: 'proportion',
    read: (point) => {
      const value = read(point);
      return value === undefined ? null : fromProportion(value);
    },
  });
  return [
    proportion('delivered', 'delivered', (p) => p.delivered),
    ...summary.within.map((w) => proportion(`within-${w.label}`, `delivered within ${w.label}`, (p) => p.deliveredWithin[w.label])),
    ...summary.within.map((w) => proportion(`handover-${w.label}`, `handed over within ${w.label}`, (p) => p.handedOverWithin[w.label])),
    proportion('bounced', 'bounced', (p) => p.bounced),
    proportion('duplicated', 'duplicated', (p) => p.duplicated),
    proportion('lost', 'lost', (p) => p.lost),
    { id: 'delay-p50', title: 'delay p50 (delivered)', kind: 'duration', read: (p) => p.delayMs?.p50 ?? null },
    { id: 'delay-p90', title: 'delay p90 (delivered)', kind: 'duration', read: (p) => p.delayMs?.p90 ?? null },
  ];
}

/** Distinct values of a parameter in the order the points first show them. */
function distinctKeys(points: readonly PointSummary[], parameter: string): Map<string, unknown> {
  const seen = new Map<string, unknown>();
  for (const point of points) {
    const key = valueKey(point.params[parameter]);
    if (!seen.has(key)) seen.set(key, point.params[parameter]);
  }
  return seen;
}

/** The parameters that move one-to-one with `parameter` (its zip group, but for itself). */
export function partnersOf(summary: SweepSummary, parameter: string): string[] {
  const own = distinctKeys(summary.points, parameter).size;
  return summary.parameters.filter((other) => {
    if (other === parameter) return false;
    const pairs = new Set(summary.points.map((p) => `${valueKey(p.params[parameter])}\u0000${valueKey(p.params[other])}`));
    return pairs.size === own && distinctKeys(summary.points, other).size === own;
  });
}

/** x positions of a parameter's values: numeric ascending, or categories in grid order. */
function xAxisOf(summary: SweepSummary, parameter: string): { categories: string[] | null; xs: number[]; xOf: Map<string, number> } {
  const values = distinctKeys(summary.points, parameter);
  const numeric = [...values.values()].every((v) => typeof v === 'number' && Number.isFinite(v));
  if (numeric) {
    const xs = [...values.values()].map(Number).sort((a, b) => a - b);
    return { categories: null, xs, xOf: new Map([...values].map(([key, v]) => [key, Number(v)])) };
  }
  const keys = [...values.keys()];
  return { categories: [...values.values()].map(formatValue), xs: keys.map((_, i) => i), xOf: new Map(keys.map((key, i) => [key, i])) };
}

/** The points of each series: grouped by the values of `others`, in grid order. */
function groupBy(points: readonly PointSummary[], others: readonly string[]): Map<string, PointSummary[]> {
  const groups = new Map<string, PointSummary[]>();
  for (const point of points) {
    const key = others.map((o) => valueKey(point.params[o])).join('\u0000');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [point]);
    else group.push(point);
  }
  return groups;
}

function seriesLabel(point: PointSummary, others: readonly string[], names: ReadonlyMap<string, string>): string {
  if (others.length === 0) return 'all points';
  return others.map((o) => `${names.get(o) ?? o}=${formatValue(point.params[o])}`).join(', ');
}

/** One parameter's figures, one per metric. */
export function parameterAxis(summary: SweepSummary, parameter: string, limits: FigureLimits = defaultFigureLimits): ParameterAxis {
  const names = shortNames(summary.parameters);
  const partners = partnersOf(summary, parameter);
  const others = summary.parameters.filter((p) => p !== parameter && !partners.includes(p));
  const axis = xAxisOf(summary, parameter);
  const groups = [...groupBy(summary.points, others).values()];
  const shown = groups.slice(0, limits.seriesPerFigureMax);
  const figures = metricsOf(summary).map((metric): Figure => {
    const series = shown.map((group): FigureSeries => {
      const at = new Map(group.map((point) => [axis.xOf.get(valueKey(point.params[parameter])), metric.read(point)]));
      const estimates = axis.xs.map((x) => at.get(x) ?? null);
      return {
        label: seriesLabel(group[0]!, others, names),
        value: estimates.map((e) => e?.value ?? null),
        low: estimates.map((e) => e?.low ?? null),
        high: estimates.map((e) => e?.high ?? null),
      };
    });
    const id = `fig-${summary.parameters.indexOf(parameter)}-${metric.id}`;
    return { id, parameter, metric: metric.id, title: metric.title, kind: metric.kind, categories: axis.categories, xs: axis.xs, series, seriesCut: groups.length - shown.length };
  });
  return { parameter, name: names.get(parameter) ?? parameter, partners, figures };
}

/** A step function read at each x of an ascending grid: the y of its last step at or before x, 0 before the first. */
function stepsOn(steps: ReadonlyArray<readonly [number, number]>, grid: readonly number[]): number[] {
  let next = 0;
  let y = 0;
  return grid.map((x) => {
    while (next < steps.length && steps[next]![0] <= x) y = steps[next++]![1];
    return y;
  });
}

/**
 * The delay CDFs on one grid: every positive delay any drawn point steps at (a log axis has no 0;
 * the value at the first positive x already counts deliveries at 0 ms).
 */
export function cdfFigure(summary: SweepSummary, limits: FigureLimits = defaultFigureLimits): CdfFigure {
  const names = shortNames(summary.parameters);
  const shown = summary.points.slice(0, limits.cdfSeriesMax);
  const grid = [...new Set(shown.flatMap((p) => p.delayCdf.map(([x]) => x)).filter((x) => x > 0))].sort((a, b) => a - b);
  const series = shown.map((point) => ({
    label: `p${point.point}${summary.parameters.length === 0 ? '' : `: ${seriesLabel(point, summary.parameters, names)}`}`,
    point: point.point,
    y: stepsOn(point.delayCdf, grid),
  }));
  return { xs: grid, series, seriesCut: summary.points.length - shown.length };
}
