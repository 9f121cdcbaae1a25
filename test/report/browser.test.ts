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
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write.js';
import { hostileRun, runFixture } from './helpers.js';

const chromiumPath = process.env.MAILSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
/**
 * How long one chromium may run before it is killed. The four start together with the rest of the
 * suite; on a busy 2-CPU machine they took 14-18 s, so a 30 s bound was within 2x of failing for load
 * alone. A hung browser is still caught, just later.
 */
const browserTimeoutMs = 120_000;
const screenshotWidthPx = 1400;
const screenshotHeightPx = 2000;

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
];

const root = mkdtempSync(join(tmpdir(), 'mailsim-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let profiles = 0;
/** Runs chromium once with a fresh profile; resolves with its stdout. */
function chromium(args: string[]): Promise<string> {
  const profile = join(root, `profile-${++profiles}`);
  return new Promise((resolve, reject) => {
    execFile(chromiumPath, [...baseFlags, `--user-data-dir=${profile}`, ...args], { timeout: browserTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The opening tag of the first element with this attribute text. */
function openingTag(dom: string, attribute: string): string {
  const at = dom.indexOf(attribute);
  expect(at, attribute).toBeGreaterThan(0);
  return dom.slice(dom.lastIndexOf('<', at), dom.indexOf('>', at) + 1);
}

if (!haveChromium && !inCi) {
  console.warn(`browser test skipped: no chromium at ${chromiumPath} (apt-get install chromium, or set MAILSIM_CHROMIUM); in CI it fails instead`);
}

// Each test waits for the browsers (started at collection), so its own timeout covers their bound.
describe.runIf(haveChromium || inCi)('the HTML report in headless chromium', { timeout: browserTimeoutMs + 30_000 }, () => {
  it('chromium is installed (CI installs the Debian package `chromium`)', () => {
    expect(haveChromium, `no chromium at ${chromiumPath}`).toBe(true);
  });

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
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(screenshotWidthPx);
    expect(png.readUInt32BE(20)).toBe(screenshotHeightPx);
    expect(png.length).toBeGreaterThan(20_000);
  });
});
