/**
 * The table of points in `sweep.html`: one row per grid point with its parameter values, runs and
 * crashes, delivered share with its Wilson interval, delay quantiles (their bootstrap intervals in a
 * tooltip), mean attempts, and a link to the representative run's full report with its seed.
 *
 * Theory of operation. Plain HTML, readable without the script. Every value is escaped; the report
 * link is relative (`reports/pN.html`, beside `sweep.html`) and is only made a link when it is a
 * relative path — a value with a scheme or a leading `/` is shown as text.
 */
import { esc } from '../report/html-text.js';
import { formatDelay, formatProportion, formatValue, shortNames } from './html-format.js';
import type { PointSummary, SweepSummary } from './summary-types.js';

/** A relative path to a file beside the page: no scheme, not absolute, no `..` segment. */
export function isRelativeLink(path: string): boolean {
  return path !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.startsWith('/') && !path.startsWith('\\') && !path.split(/[\\/]/).includes('..');
}

function reportCell(point: PointSummary): string {
  const { report, seed, run } = point.representative;
  const link = isRelativeLink(report) ? `<a href="${esc(report)}" data-testid="report-link">report</a>` : `<span class="mono">${esc(report)}</span>`;
  return `<td>${link} <span class="muted">seed ${seed} (run ${run})</span></td>`;
}

function delayCells(point: PointSummary): string {
  return (['p50', 'p90', 'p99'] as const)
    .map((q) => {
      const { text, title } = formatDelay(point.delayMs?.[q]);
      return `<td class="num" title="${esc(title)}">${esc(text)}</td>`;
    })
    .join('');
}

function row(point: PointSummary, parameters: readonly string[]): string {
  const params = parameters.map((p) => `<td>${esc(formatValue(point.params[p]))}</td>`).join('');
  const crashed = point.crashed > 0 ? `<td class="num bad">${point.crashed}</td>` : '<td class="num">0</td>';
  const attempts = point.attemptsMean === null ? '—' : point.attemptsMean.toFixed(2);
  return `<tr data-testid="point-row" data-point="${point.point}" id="point-${point.point}"><td class="num">p${point.point}</td>${params}<td class="num">${point.runs}</td>${crashed}<td class="num">${esc(formatProportion(point.delivered))}</td>${delayCells(point)}<td class="num">${attempts}</td>${reportCell(point)}</tr>`;
}

export function renderPointsTable(summary: SweepSummary): string {
  if (summary.points.length === 0) return '<p class="muted">The sweep has no points.</p>';
  const names = shortNames(summary.parameters);
  const paramHeads = summary.parameters.map((p) => `<th title="${esc(p)}">${esc(names.get(p) ?? p)}</th>`).join('');
  const head = `<tr><th>point</th>${paramHeads}<th>runs</th><th>crashed</th><th>delivered [${Math.round(summary.confidence * 100)} % interval]</th><th>delay p50</th><th>delay p90</th><th>delay p99</th><th>mean attempts</th><th>representative run</th></tr>`;
  return `<table class="points" data-testid="points-table"><thead>${head}</thead><tbody>${summary.points.map((p) => row(p, summary.parameters)).join('')}</tbody></table>`;
}
