/**
 * The HTML report in a real headless browser (Debian's `chromium`): the page opens from the file
 * system with the network off, its script runs (the toolbar appears, `<body data-js="ready">`), the
 * journeys are in the DOM with their marks, the sessions and expectations are listed, `?scale=log`
 * moves every mark to its log-scale position, a `#session-…` link opens that session, and a
 * `<script>` in a transcript stays text. A screenshot is taken too.
 *
 * Without chromium the test is skipped with a message — except in CI (`CI` set), where a missing
 * browser is a failure: CI installs the `chromium` package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write.js';
import { browserTimeoutMs, expectScreenshot, haveChromium, itHasChromium, openingTag, runBrowserTests, runChromium, warnIfSkipped } from '../chromium.js';
import { hostileRun, runFixture } from './helpers.js';

const screenshotWidthPx = 1400;
const screenshotHeightPx = 2000;

const root = mkdtempSync(join(tmpdir(), 'mailsim-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const chromium = (args: string[]) => runChromium(root, args).then((run) => run.stdout);

const count = (text: string, needle: string) => text.split(needle).length - 1;

warnIfSkipped('browser test');

// Each test waits for the browsers (started at collection), so its own timeout covers their bound.
describe.runIf(runBrowserTests)('the HTML report in headless chromium', { timeout: browserTimeoutMs + 30_000 }, () => {
  itHasChromium();

  const { report, events } = runFixture('primary-mx-down.yaml');
  const written = writeReports(report, { outDir: root, baseName: 'primary-mx-down', traceEvents: events });
  const pageUrl = pathToFileURL(written.html).href;
  const hostile = hostileRun();
  const hostileHtml = writeReports(hostile.report, { outDir: root, baseName: 'hostile', traceEvents: hostile.events }).html;
  const shot = join(root, 'report.png');

  // The browsers start together: the whole file stays a few seconds.
  const runs = haveChromium
    ? Promise.all([
        chromium(['--dump-dom', pageUrl]),
        chromium(['--dump-dom', `${pageUrl}?scale=log#session-c3`]),
        chromium(['--dump-dom', pathToFileURL(hostileHtml).href]),
        chromium([`--screenshot=${shot}`, `--window-size=${screenshotWidthPx},${screenshotHeightPx}`, pageUrl]),
      ])
    : Promise.reject(new Error('no chromium'));
  runs.catch(() => undefined);

  it('renders: the script ran, the expectations, journeys with their marks and the sessions are there', async () => {
    const [dom] = await runs;
    expect(openingTag(dom, '<body')).toContain('data-js="ready"');
    expect(dom).toContain('data-testid="toolbar"');
    expect(dom).toContain('data-testid="scale-log"');
    expect(dom).toContain('data-testid="session-filter"');
    expect(openingTag(dom, '<html')).toContain('data-scale="lin"');
    expect(count(dom, 'data-testid="expectation"')).toBe(report.expectations.length);
    expect(count(dom, 'data-testid="invariant"')).toBe(3);
    for (const message of report.messages) {
      const start = dom.indexOf(`data-testid="journey-${message.id}"`);
      expect(start, message.id).toBeGreaterThan(0);
      const section = dom.slice(start, dom.indexOf('</section>', start));
      const attempts = message.recipients.reduce((n, r) => n + r.attempts.length, 0);
      expect(count(section, 'data-kind="attempt"')).toBe(attempts);
      expect(count(section, 'data-testid="lane"')).toBe(message.recipients.length);
    }
    expect(count(dom, 'data-testid="fault-band"')).toBe(report.faults.length);
    const connections = events.filter((e) => e.kind === 'net.connect').length;
    expect(count(dom, 'data-testid="session"')).toBe(connections);
    expect(dom).toContain(`${connections} of ${connections} sessions`);
    expect(count(dom, 'data-testid="dns-answer"')).toBeGreaterThan(0);
  });

  it('?scale=log moves every mark to its log position; #session-c3 opens that session', async () => {
    const [, dom] = await runs;
    expect(openingTag(dom, '<html')).toContain('data-scale="log"');
    expect(openingTag(dom, '<html')).toContain('scale-log');
    const points = [...dom.matchAll(/<g class="pt" data-t="\d+" data-xlin="([\d.]+)" data-xlog="([\d.]+)" transform="translate\(([\d.]+) 0\)"/g)];
    expect(points.length).toBeGreaterThan(5);
    for (const [, , xlog, x] of points) expect(x).toBe(xlog);
    expect(points.some(([, xlin, xlog]) => xlin !== xlog)).toBe(true);
    expect(openingTag(dom, 'id="session-c3"')).toMatch(/\bopen=""|\bopen[ >]/);
    expect(openingTag(dom, 'id="session-c2"')).not.toMatch(/\bopen\b/);
  });

  it('a <script> in a transcript, subject or DNS answer is shown as text and never runs', async () => {
    const [, , dom] = await runs;
    expect(openingTag(dom, '<body')).toContain('data-js="ready"');
    expect(openingTag(dom, '<body')).not.toContain('data-pwned');
    expect(dom).toContain('S: 220 &lt;script&gt;document.body.setAttribute("data-pwned","yes")&lt;/script&gt;');
    expect(dom).toContain('C: EHLO &lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\x00\\x1b');
    expect(count(dom, '<script')).toBe(1);
    expect(dom).not.toContain('<img');
  });

  it('takes a screenshot of the page', async () => {
    await runs;
    expectScreenshot(shot, screenshotWidthPx, screenshotHeightPx, 20_000);
  });
});
