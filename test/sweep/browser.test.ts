/**
 * `sweep.html` in a real headless browser (Debian's `chromium`), as test/report/browser.test.ts does
 * for the run report: the page opens from the file system with the network off, its script runs
 * (`<body data-js="ready">`), uPlot drew one canvas per figure (one per parameter and metric, and the
 * delay CDF), the browser logged nothing to the console (no script error, no CSP refusal), and a
 * `</script>` in the sweep's name or a parameter value stays text. A screenshot is written to the
 * temp dir (kept while MAILSIM_KEEP_SCREENSHOT is set, to look at).
 *
 * Without chromium the test is skipped with a message — except in CI (`CI` set), where a missing
 * browser is a failure: CI installs the `chromium` package.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsOf, parameterAxis } from '../../src/sweep/html-figures.js';
import { renderSweepHtml } from '../../src/sweep/html.js';
import { browserTimeoutMs, expectScreenshot, haveChromium, itHasChromium, openingTag, runBrowserTests, runChromium, warnIfSkipped } from '../chromium.js';
import { sweepFixture } from './fixture.js';

const screenshotWidthPx = 1400;
const screenshotHeightPx = 3000;
/** The page's console messages go to stderr as `…:CONSOLE…] "message", source: …`. */
const consoleFlags = ['--enable-logging=stderr', '--v=0'];

const root = mkdtempSync(join(tmpdir(), 'mailsim-sweep-browser-'));
afterAll(() => {
  if (!process.env.MAILSIM_KEEP_SCREENSHOT) rmSync(root, { recursive: true, force: true });
  else console.warn(`sweep.html screenshot kept in ${root}`);
});

const chromium = (args: string[]) => runChromium(root, [...consoleFlags, ...args]);

const count = (text: string, needle: string) => text.split(needle).length - 1;
const consoleLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes(':CONSOLE'));

warnIfSkipped('sweep browser test');

describe.runIf(runBrowserTests)('sweep.html in headless chromium', { timeout: browserTimeoutMs + 30_000 }, () => {
  itHasChromium();

  const summary = sweepFixture();
  const page = join(root, 'sweep.html');
  writeFileSync(page, renderSweepHtml(summary));
  const pwn = '</script><script>document.body.setAttribute("data-pwned","yes")</script>';
  const hostilePage = join(root, 'hostile.html');
  writeFileSync(hostilePage, renderSweepHtml(sweepFixture({ name: `evil ${pwn}`, parameters: { '/a': [`x${pwn}`, 'y'], '/b': [1, 2, 3] } })));
  const shot = join(root, 'sweep.png');

  const runs = haveChromium
    ? Promise.all([
        chromium(['--dump-dom', pathToFileURL(page).href]),
        chromium(['--dump-dom', pathToFileURL(hostilePage).href]),
        chromium([`--screenshot=${shot}`, `--window-size=${screenshotWidthPx},${screenshotHeightPx}`, pathToFileURL(page).href]),
      ])
    : Promise.reject(new Error('no chromium'));
  runs.catch(() => undefined);

  it('renders: the script ran, uPlot drew one canvas per figure, the table is there, nothing on the console', async () => {
    const [{ stdout: dom, stderr }] = await runs;
    expect(openingTag(dom, '<body')).toContain('data-js="ready"');
    const figures = summary.parameters.length * metricsOf(summary).length + 1;
    expect(count(dom, 'data-testid="figure"')).toBe(figures);
    expect(count(dom, '<canvas')).toBe(figures);
    expect(count(dom, 'class="uplot')).toBe(figures);
    expect(count(dom, 'data-testid="point-row"')).toBe(summary.points.length);
    // The legend names each series once: the two edges of each band are hidden.
    const lines = summary.parameters.flatMap((p) => parameterAxis(summary, p).figures).reduce((n, f) => n + f.series.length, 0);
    expect(lines).toBe(10 * 2 + 10 * 3);
    expect(count(dom, '<tr class="u-series" style="display: none;">')).toBe(2 * lines);
    expect(dom).toContain('schedule=exim');
    expect(consoleLines(stderr)).toEqual([]);
  });

  it('a </script> in the name or a parameter value is shown as text and never runs', async () => {
    const [, { stdout: dom, stderr }] = await runs;
    expect(openingTag(dom, '<body')).toContain('data-js="ready"');
    expect(openingTag(dom, '<body')).not.toContain('data-pwned');
    expect(dom).toContain('evil &lt;/script&gt;&lt;script&gt;document.body.setAttribute("data-pwned","yes")&lt;/script&gt;');
    expect(count(dom, '<canvas')).toBe(2 * 10 + 1);
    expect(consoleLines(stderr)).toEqual([]);
  });

  it('takes a screenshot of the page', async () => {
    await runs;
    expectScreenshot(shot, screenshotWidthPx, screenshotHeightPx, 50_000);
  });
});
