/**
 * The table `mailsim sweep` prints when a whole sweep is finished (docs/research.md §3): one line per
 * grid point — its parameters (short names, as on the page), delivered, each "delivered within" and
 * "handed over within" share, and the delay p50 and p90 of the delivered recipients. Plain text, columns padded, so it reads in a
 * terminal and pastes into a note. Past `rowsMax` points it says how many more `summary.json` holds.
 */
import { formatDelay, formatPercent, formatValue, shortNames } from './html-format.js';
import type { SweepSummary } from './summary-types.js';

export const tableRowsMax = 60;

export function summaryTable(summary: SweepSummary, rowsMax = tableRowsMax): string {
  const names = shortNames(summary.parameters);
  const header = ['point', ...summary.parameters.map((p) => names.get(p) ?? p), 'delivered', ...summary.within.map((w) => `within ${w.label}`), ...summary.within.map((w) => `handed over ${w.label}`), 'delay p50', 'delay p90'];
  const rows = summary.points.slice(0, rowsMax).map((point) => [
    `p${point.point}`,
    ...summary.parameters.map((p) => formatValue(point.params[p])),
    formatPercent(point.delivered.p),
    ...summary.within.map((w) => formatPercent(point.deliveredWithin[w.label]?.p ?? null)),
    ...summary.within.map((w) => formatPercent(point.handedOverWithin[w.label]?.p ?? null)),
    formatDelay(point.delayMs?.p50).text,
    formatDelay(point.delayMs?.p90).text,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const more = summary.points.length - rows.length;
  return [line(header), ...rows.map(line), ...(more > 0 ? [`… ${more} more point${more === 1 ? '' : 's'} in summary.json`] : [])].join('\n');
}
