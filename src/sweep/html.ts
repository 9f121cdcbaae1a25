/**
 * `sweep.html` (docs/research.md): one self-contained page for a sweep's summary.json — a header
 * (name, hash, version, points × seeds = runs), for each varied parameter one plot per metric against
 * its values (proportions with their Wilson bands, delay quantiles with their bootstrap bands, one
 * line per combination of the other parameters), the delay CDF of every point, and a table of points
 * linking each to its representative run's report (`reports/pN.html`).
 *
 * Theory of operation. A pure function of the summary: the same summary gives the same bytes. The
 * figures are computed here (html-figures.ts) and reach the page as JSON in a
 * `<script type="application/json">` block, with `<`, `>` and `&` written as `\u003c`… so no value
 * (a sweep name with `</script>` in it) can end the block; the script (html-client.ts) only draws them
 * with uPlot, inlined with its style sheet (html-uplot.ts). Text in the HTML is escaped
 * (report/html-text.ts), and the page's shell (report/html-page.ts) sets a Content-Security-Policy
 * that allows no network and only the two scripts, by their SHA-256: the page opens from file://
 * with nothing to fetch.
 */
import { htmlPage } from '../report/html-page.js';
import { esc } from '../report/html-text.js';
import { sweepCss, sweepScript } from './html-client.js';
import { type CdfFigure, cdfFigure, defaultFigureLimits, type FigureLimits, type ParameterAxis, parameterAxis } from './html-figures.js';
import { renderPointsTable } from './html-table.js';
import { uplotAssets } from './html-uplot.js';
import type { SweepSummary } from './summary-types.js';

export interface SweepHtmlOptions {
  limits?: Partial<FigureLimits>;
}

/** JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` left as such. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function header(summary: SweepSummary): string {
  const { sweep } = summary;
  const crashed = summary.points.reduce((n, p) => n + p.crashed, 0);
  const within = summary.within.map((w) => esc(w.label)).join(', ');
  return `<header>
<h1 data-testid="sweep-name">${esc(sweep.name)}</h1>
<div class="facts"><span>sweep hash <b class="mono" data-testid="sweep-hash">${esc(sweep.sweepHash)}</b></span><span>mailsim <b>${esc(sweep.version)}</b></span><span data-testid="sweep-size"><b>${sweep.points}</b> points × <b>${sweep.seedsPerPoint}</b> seeds = <b>${sweep.runs}</b> runs</span><span>crashed runs <b${crashed > 0 ? ' class="bad"' : ''}>${crashed}</b></span></div>
<div class="facts"><span>intervals <b>${Math.round(summary.confidence * 100)} %</b>: Wilson for proportions, percentile bootstrap (<b>${summary.bootstrap}</b> resamples) for delay quantiles</span><span>delivered within <b>${within === '' ? '—' : within}</b></span></div>
</header>`;
}

function cutNote(cut: number, what: string, limit: string): string {
  return cut > 0 ? `<p class="cut" data-testid="cut">${cut} more ${what} not drawn (${limit}).</p>` : '';
}

function parameterSection(axis: ParameterAxis, limits: FigureLimits): string {
  const partners = axis.partners.length === 0 ? '' : ` <span class="muted">(moves with ${axis.partners.map((p) => `<code>${esc(p)}</code>`).join(', ')})</span>`;
  const figures = axis.figures.map(
    (f) => `<div class="figure" data-testid="figure" data-parameter="${esc(f.parameter)}" data-metric="${esc(f.metric)}"><h3>${esc(f.title)} <span class="muted">vs ${esc(axis.name)}</span></h3><div class="plot" id="${esc(f.id)}"></div></div>`,
  );
  const cut = cutNote(axis.figures[0]?.seriesCut ?? 0, 'combination(s) of the other parameters', `seriesPerFigureMax = ${limits.seriesPerFigureMax}`);
  return `<section data-testid="parameter" data-parameter="${esc(axis.parameter)}">
<h2>vs ${esc(axis.name)} <code class="muted">${esc(axis.parameter)}</code>${partners}</h2>
<div class="figures">${figures.join('\n')}</div>${cut}
</section>`;
}

function cdfSection(cdf: CdfFigure, limits: FigureLimits): string {
  const plot =
    cdf.xs.length === 0
      ? '<p class="muted" data-testid="no-cdf">No recipient was delivered in any point: there is no delay to draw.</p>'
      : '<div class="figure wide" data-testid="figure" data-metric="delay-cdf"><h3>fraction of all recipients delivered by a delay <span class="muted">(log time axis)</span></h3><div class="plot" id="fig-cdf"></div></div>';
  return `<section data-testid="cdf"><h2>Delay CDF per point</h2>${plot}${cutNote(cdf.seriesCut, 'point(s)', `cdfSeriesMax = ${limits.cdfSeriesMax}`)}</section>`;
}

export function renderSweepHtml(summary: SweepSummary, options: SweepHtmlOptions = {}): string {
  const limits: FigureLimits = { ...defaultFigureLimits, ...options.limits };
  const axes = summary.parameters.map((p) => parameterAxis(summary, p, limits));
  const cdf = cdfFigure(summary, limits);
  const figures = axes.flatMap((axis) => axis.figures.map((f) => ({ ...f, parameterName: axis.name })));
  const uplot = uplotAssets();
  return htmlPage({
    title: `${summary.sweep.name} — mailsim sweep`,
    styles: [uplot.css, sweepCss],
    bodyAttributes: '',
    main: [
      header(summary),
      axes.length === 0 ? '<p class="muted">The sweep varies no parameter: there is nothing to plot against.</p>' : axes.map((a) => parameterSection(a, limits)).join('\n'),
      cdfSection(cdf, limits),
      '<h2>Points</h2>',
      renderPointsTable(summary),
      `<footer>${esc(summary.format)} · drawn with uPlot (MIT licence)</footer>`,
    ].join('\n'),
    data: `<script type="application/json" id="sweep-data">${jsonForScript({ figures, cdf })}</script>`,
    scripts: [uplot.js, sweepScript],
  });
}
