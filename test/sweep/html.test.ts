import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sweepScript } from '../../src/sweep/html-client.js';
import { cdfFigure, parameterAxis, partnersOf } from '../../src/sweep/html-figures.js';
import { shortNames } from '../../src/sweep/html-format.js';
import { isRelativeLink } from '../../src/sweep/html-table.js';
import { uplotAssets } from '../../src/sweep/html-uplot.js';
import { jsonForScript, renderSweepHtml } from '../../src/sweep/html.js';
import { sweepFixture } from './fixture.js';

const count = (text: string, needle: string | RegExp) => (typeof needle === 'string' ? text.split(needle).length - 1 : (text.match(needle) ?? []).length);
const until = '/faults/0/until';
const schedule = '/hosts/smtp.sender.net/queue/schedule';

/** The page's JSON data block, parsed. */
function pageData(html: string): { figures: Array<{ id: string; parameter: string; metric: string; categories: string[] | null; series: Array<{ label: string }> }> } {
  const match = /<script type="application\/json" id="sweep-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

describe('renderSweepHtml on a 3 × 2 sweep (one point delivered nothing)', () => {
  const summary = sweepFixture();
  const html = renderSweepHtml(summary);

  it('is one self-contained document: uPlot inlined, no network, only its two scripts by hash', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(|@import|<link\b|<img\b|<iframe\b/i);
    expect(count(html, '<script>')).toBe(2);
    expect(count(html, '<script type="application/json"')).toBe(1);
    const { js, css } = uplotAssets();
    expect(html).toContain(js);
    expect(html).toContain(css);
    for (const script of [js, sweepScript]) expect(html).toContain(`'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`);
    expect(html).toContain("default-src 'none'");
  });

  it('says what was swept: name, hash, version, points × seeds = runs', () => {
    expect(html).toContain('<h1 data-testid="sweep-name">backup-mx-value</h1>');
    expect(html).toContain('c0ffee1234567890');
    expect(html).toContain('<b>6</b> points × <b>20</b> seeds = <b>120</b> runs');
    expect(html).toContain('crashed runs <b class="bad">1</b>');
  });

  it('has one plot container per (parameter, metric), each in the data with its own id', () => {
    const metrics = ['delivered', 'within-1h', 'within-1d', 'handover-1h', 'handover-1d', 'bounced', 'duplicated', 'lost', 'delay-p50', 'delay-p90'];
    const containers = [...html.matchAll(/data-testid="figure" data-parameter="([^"]+)" data-metric="([^"]+)"><h3>[\s\S]*?<div class="plot" id="([^"]+)">/g)];
    expect(containers.map(([, p, m]) => `${p} ${m}`)).toEqual([until, schedule].flatMap((p) => metrics.map((m) => `${p} ${m}`)));
    const ids = containers.map(([, , , id]) => id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pageData(html).figures.map((f) => f.id)).toEqual(ids);
    expect(count(html, 'id="fig-cdf"')).toBe(1);
  });

  it('lists every point in the table, the one without deliveries with — for its delays', () => {
    expect(count(html, 'data-testid="point-row"')).toBe(6);
    const row = (n: number) => html.slice(html.indexOf(`data-point="${n}"`), html.indexOf('</tr>', html.indexOf(`data-point="${n}"`)));
    expect(row(0)).toContain('<td>10m</td><td>postfix</td><td class="num">20</td>');
    expect(row(0)).toContain('97.5 % [92.5–100.0]');
    expect(row(0)).toContain('title="interval 4m – 6m 15s">5m</td>');
    expect(count(row(4), '>—</td>')).toBe(3);
    expect(row(4)).toContain('0.0 % [0.0–5.0]');
    expect(row(1)).toContain('<td class="num bad">1</td>');
  });

  it('links each point to its representative report, relatively, with the seed', () => {
    const links = [...html.matchAll(/<a href="([^"]+)" data-testid="report-link">report<\/a> <span class="muted">seed (\d+) \(run (\d+)\)<\/span>/g)];
    expect(links.map(([, href, seed, run]) => [href, seed, run])).toEqual(summary.points.map((p) => [`reports/p${p.point}.html`, '1', String(p.point * 20)]));
  });

  it('is a pure function of the summary', () => {
    expect(renderSweepHtml(sweepFixture())).toBe(html);
  });
});

describe('escaping', () => {
  const hostile = '</script><script>document.body.setAttribute("data-pwned","yes")</script>';
  const summary = sweepFixture({ name: `evil ${hostile}`, parameters: { '/a"b': [`x${hostile}`, 'y & <z>'], '/n': [1, 2] } });
  summary.points[0]!.representative.report = 'javascript:alert(1)';
  const html = renderSweepHtml(summary);

  it('a </script> in the name or a parameter value cannot end the data block or add a script', () => {
    expect(count(html, '<script')).toBe(3);
    expect(count(html, '</script>')).toBe(3);
    expect(html).toContain('<h1 data-testid="sweep-name">evil &lt;/script&gt;&lt;script&gt;document.body.setAttribute(&quot;data-pwned&quot;,&quot;yes&quot;)&lt;/script&gt;</h1>');
    expect(html).toContain('<td>y &amp; &lt;z&gt;</td>');
    expect(html).toContain('data-parameter="/a&quot;b"');
    const data = pageData(html);
    expect(data.figures.find((f) => f.parameter === '/a"b')!.categories).toEqual([`x${hostile}`, 'y & <z>']);
    expect(data.figures.find((f) => f.parameter === '/n')!.series.map((s) => s.label)).toEqual([`a"b=x${hostile}`, 'a"b=y & <z>']);
  });

  it('a report path with a scheme, absolute or going up is shown, not linked', () => {
    expect(count(html, 'data-testid="report-link"')).toBe(summary.points.length - 1);
    expect(html).toContain('<span class="mono">javascript:alert(1)</span>');
    expect(['reports/p0.html', 'p 1.html'].map(isRelativeLink)).toEqual([true, true]);
    expect(['javascript:x', 'HTTPS://x', '/etc/passwd', '\\\\host\\x', 'reports/../../x', ''].map(isRelativeLink)).toEqual([false, false, false, false, false, false]);
  });

  it('jsonForScript leaves no <, >, & or line separators, and parses back to the value', () => {
    const value = { s: '</script><!-- & \u2028\u2029 >' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('the figures', () => {
  it('categories on x in grid order, one series per value of the other parameter, null where nothing was delivered', () => {
    const axis = parameterAxis(sweepFixture(), until);
    expect(axis.name).toBe('until');
    expect(axis.partners).toEqual([]);
    const delivered = axis.figures.find((f) => f.metric === 'delivered')!;
    expect(delivered.categories).toEqual(['10m', '30m', '1h']);
    expect(delivered.xs).toEqual([0, 1, 2]);
    expect(delivered.series.map((s) => s.label)).toEqual(['schedule=postfix', 'schedule=exim']);
    // postfix is points 0, 2, 4; point 4 delivered nothing (0 of 40).
    expect(delivered.series[0]!.value).toEqual([39 / 40, 37 / 40, 0]);
    expect(delivered.series[0]!.low).toEqual([39 / 40 - 0.05, 37 / 40 - 0.05, 0]);
    const p50 = axis.figures.find((f) => f.metric === 'delay-p50')!;
    expect(p50.kind).toBe('duration');
    expect(p50.series[0]!.value).toEqual([300_000, 900_000, null]);
    expect(p50.series[1]!.high).toEqual([600_000 * 1.25, 1_200_000 * 1.25, 1_800_000 * 1.25]);
  });

  it('a numeric parameter is a numeric x axis, ascending even when the grid is not', () => {
    const summary = sweepFixture({ parameters: { '/hosts/a/queue/retries': [5, 1, 3], '/x': ['a'] } });
    const figure = parameterAxis(summary, '/hosts/a/queue/retries').figures[0]!;
    expect(figure.categories).toBeNull();
    expect(figure.xs).toEqual([1, 3, 5]);
    expect(figure.series).toHaveLength(1);
    expect(figure.series[0]!.value).toEqual([summary.points[1]!.delivered.p, summary.points[2]!.delivered.p, summary.points[0]!.delivered.p]);
  });

  it('zipped parameters move together: they do not split the series, and are named as partners', () => {
    const summary = sweepFixture({ parameters: { '/faults/0/at': ['0s', '1m', '2m'], '/q': ['postfix', 'exim'] } });
    // Make /faults/0/until a zip partner of /faults/0/at (until = at + 10m).
    const partner: Record<string, string> = { '0s': '10m', '1m': '11m', '2m': '12m' };
    for (const p of summary.points) p.params['/faults/0/until'] = partner[p.params['/faults/0/at'] as string];
    summary.parameters = ['/faults/0/at', '/faults/0/until', '/q'];
    expect(partnersOf(summary, '/faults/0/at')).toEqual(['/faults/0/until']);
    expect(partnersOf(summary, '/q')).toEqual([]);
    expect(parameterAxis(summary, '/faults/0/at').figures[0]!.series.map((s) => s.label)).toEqual(['q=postfix', 'q=exim']);
    expect(parameterAxis(summary, '/q').figures[0]!.series.map((s) => s.label)).toEqual(['at=0s, until=10m', 'at=1m, until=11m', 'at=2m, until=12m']);
    expect(renderSweepHtml(summary)).toContain('(moves with <code>/faults/0/until</code>)');
  });

  it('the delay CDFs share one ascending grid of positive delays; each is read as a step function', () => {
    const cdf = cdfFigure(sweepFixture());
    expect(cdf.xs[0]).toBe(150_000);
    expect(cdf.xs.every((x, i) => i === 0 || x > cdf.xs[i - 1]!)).toBe(true);
    expect(cdf.series.map((s) => s.label)).toEqual(summary6Labels);
    const p0 = cdf.series[0]!;
    const at = (x: number) => p0.y[cdf.xs.indexOf(x)];
    expect([at(150_000), at(300_000), at(600_000), at(1_200_000), at(2_700_000), at(cdf.xs.at(-1)!)]).toEqual([0.195, 0.4875, 0.4875, 0.8775, 0.975, 0.975]);
    expect(cdf.series[4]!.y.every((y) => y === 0)).toBe(true);
  });

  it('the named limits cut series and say so on the page', () => {
    const summary = sweepFixture();
    expect(parameterAxis(summary, until, { seriesPerFigureMax: 1, cdfSeriesMax: 40 }).figures[0]!.seriesCut).toBe(1);
    expect(cdfFigure(summary, { seriesPerFigureMax: 12, cdfSeriesMax: 4 }).series).toHaveLength(4);
    const html = renderSweepHtml(summary, { limits: { seriesPerFigureMax: 1, cdfSeriesMax: 4 } });
    expect(html).toContain('1 more combination(s) of the other parameters not drawn (seriesPerFigureMax = 1).');
    expect(html).toContain('2 more point(s) not drawn (cdfSeriesMax = 4).');
  });

  it('a sweep where nothing was delivered has no CDF plot but says why', () => {
    const html = renderSweepHtml(sweepFixture({ noDeliveries: [0, 1, 2, 3, 4, 5] }));
    expect(html).toContain('data-testid="no-cdf"');
    expect(html).not.toContain('id="fig-cdf"');
  });

  it('short names: the shortest unique tail of the pointer, unescaped', () => {
    const names = shortNames(['/faults/0/until', '/faults/1/until', '/hosts/a~1b/queue/schedule', '/x~0y']);
    expect([...names.values()]).toEqual(['0/until', '1/until', 'schedule', 'x~y']);
  });
});

const summary6Labels = [
  'p0: until=10m, schedule=postfix',
  'p1: until=10m, schedule=exim',
  'p2: until=30m, schedule=postfix',
  'p3: until=30m, schedule=exim',
  'p4: until=1h, schedule=postfix',
  'p5: until=1h, schedule=exim',
];
