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
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsOf, parameterAxis } from '../../src/sweep/html-figures.js';
import { renderSweepHtml } from '../../src/sweep/html.js';
import { sweepFixture } from './fixture.js';

const chromiumPath = process.env.MAILSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
/** How long one chromium may run before it is killed (as in test/report/browser.test.ts: a busy machine is slow). */
const browserTimeoutMs = 120_000;
const screenshotWidthPx = 1400;
const screenshotHeightPx = 3000;

const baseFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // The page's console messages go to stderr as `…:CONSOLE…] "message", source: …`.
  '--enable-logging=stderr',
  '--v=0',
];

const root = mkdtempSync(join(tmpdir(), 'mailsim-sweep-browser-'));
afterAll(() => {
  if (!process.env.MAILSIM_KEEP_SCREENSHOT) rmSync(root, { recursive: true, force: true });
  else console.warn(`sweep.html screenshot kept in ${root}`);
});

let profiles = 0;
/** Runs chromium once with a fresh profile; resolves with its stdout and stderr. */
function chromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const profile = join(root, `profile-${++profiles}`);
  return new Promise((resolve, reject) => {
    execFile(chromiumPath, [...baseFlags, `--user-data-dir=${profile}`, ...args], { timeout: browserTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const consoleLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes(':CONSOLE'));

function openingTag(dom: string, attribute: string): string {
  const at = dom.indexOf(attribute);
  expect(at, attribute).toBeGreaterThan(0);
  return dom.slice(dom.lastIndexOf('<', at), dom.indexOf('>', at) + 1);
}

if (!haveChromium && !inCi) {
  console.warn(`sweep browser test skipped: no chromium at ${chromiumPath} (apt-get install chromium, or set MAILSIM_CHROMIUM); in CI it fails instead`);
}

describe.runIf(haveChromium || inCi)('sweep.html in headless chromium', { timeout: browserTimeoutMs + 30_000 }, () => {
  it('chromium is installed (CI installs the Debian package `chromium`)', () => {
    expect(haveChromium, `no chromium at ${chromiumPath}`).toBe(true);
  });

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
    expect(lines).toBe(8 * 2 + 8 * 3);
    expect(count(dom, '<tr class="u-series" style="display: none;">')).toBe(2 * lines);
    expect(dom).toContain('schedule=exim');
    expect(consoleLines(stderr)).toEqual([]);
  });

  it('a </script> in the name or a parameter value is shown as text and never runs', async () => {
    const [, { stdout: dom, stderr }] = await runs;
    expect(openingTag(dom, '<body')).toContain('data-js="ready"');
    expect(openingTag(dom, '<body')).not.toContain('data-pwned');
    expect(dom).toContain('evil &lt;/script&gt;&lt;script&gt;document.body.setAttribute("data-pwned","yes")&lt;/script&gt;');
    expect(count(dom, '<canvas')).toBe(2 * 8 + 1);
    expect(consoleLines(stderr)).toEqual([]);
  });

  it('takes a screenshot of the page', async () => {
    await runs;
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(screenshotWidthPx);
    expect(png.readUInt32BE(20)).toBe(screenshotHeightPx);
    expect(png.length).toBeGreaterThan(50_000);
  });
});
