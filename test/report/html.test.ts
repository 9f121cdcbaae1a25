import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reportScript } from '../../src/report/html-assets.js';
import { faultSpans, TimeScale } from '../../src/report/html-journey.js';
import { esc, num, visible } from '../../src/report/html-text.js';
import { defaultHtmlLimits, renderHtml } from '../../src/report/html.js';
import { formatDurationMs } from '../../src/schema/units.js';
import type { ReportFault } from '../../src/report/types.js';
import { hostileRun, hostileScript, runFixture } from './helpers.js';

/** The part of the page from one testid'd element's opening tag up to the next journey/section. */
function journeySection(html: string, id: string): string {
  const start = html.indexOf(`data-testid="journey-${id}"`);
  expect(start, `journey-${id}`).toBeGreaterThan(0);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

const count = (text: string, needle: string | RegExp) => (typeof needle === 'string' ? text.split(needle).length - 1 : (text.match(needle) ?? []).length);

describe('renderHtml on a real run (primary MX down)', () => {
  const { report, events } = runFixture('primary-mx-down.yaml');
  const html = renderHtml(report, events);

  it('is one self-contained document: no network, only its own script', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(|@import|<link\b|<img\b|<iframe\b/i);
    expect(count(html, '<script>')).toBe(1);
    const hash = createHash('sha256').update(reportScript, 'utf8').digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
  });

  it('shows the verdict and every expectation and invariant with ✓/✗ and detail', () => {
    expect(html).toContain(report.passed ? '✓ PASSED' : '✗ FAILED');
    expect(count(html, 'data-testid="expectation"')).toBe(report.expectations.length);
    expect(count(html, 'data-testid="invariant"')).toBe(3);
    for (const e of report.expectations) expect(html).toContain(esc(e.detail));
    expect(html).toContain('<code>delivered: bob@example.org, via: mx2.example.org, within: 3h</code>');
  });

  it('draws the journey of m1: one lane, every attempt as a mark coloured by result, the delivery, the hops', () => {
    const recipient = report.messages[0]!.recipients[0]!;
    const section = journeySection(html, 'm1');
    expect(count(section, 'data-testid="lane"')).toBe(1);
    expect(count(section, 'data-kind="attempt"')).toBe(recipient.attempts.length);
    for (const result of new Set(recipient.attempts.map((a) => a.result))) {
      expect(count(section, `data-result="${result}"`)).toBe(recipient.attempts.filter((a) => a.result === result).length);
    }
    expect(count(section, 'data-kind="deliver"')).toBe(1);
    expect(count(section, 'data-kind="submit"')).toBe(1);
    for (const host of recipient.hops) expect(section).toContain(`>${host}<title>`);
    // Accepted attempts link to their session's transcript.
    expect(section).toMatch(/<a href="#session-c\d+"><circle class="mark attempt result-accepted"/);
  });

  it('draws the fault as a band from 0s to 2h on the shared axis', () => {
    const scale = new TimeScale(report.endedAtMs);
    expect(count(html, 'data-testid="fault-band"')).toBe(1);
    expect(html).toContain(`data-x0lin="${num(scale.lin(0))}" data-x1lin="${num(scale.lin(7_200_000))}"`);
    expect(html).toContain('#0 mx1.example.org is down: from 0s until 2h');
  });

  it('lists a session per connection with a sequence diagram and the transcript', () => {
    const connects = events.filter((e) => e.kind === 'net.connect').length;
    expect(count(html, 'data-testid="session"')).toBe(connects);
    expect(count(html, 'data-testid="sequence"')).toBe(connects);
    expect(html).toContain('id="session-c1"');
    expect(html).toMatch(/<span class="t-client">\[\+[0-9.ms ]+\] C: STARTTLS<\/span>/);
    expect(html).toMatch(/<text x="\d+" y="\d+" text-anchor="start">EHLO mua\.invalid<\/text>/);
    expect(html).toContain('TLS handshake');
  });

  it('lists the DNS answers used', () => {
    expect(html).toContain('<td class="mono">example.org</td><td>MX</td>');
    expect(html).toContain('10:mx1.example.org 20:mx2.example.org');
    expect(count(html, 'data-testid="dns-answer"')).toBeGreaterThan(3);
  });

  it('is deterministic', () => {
    expect(renderHtml(report, events)).toBe(html);
  });

  it('without a trace says the transcripts were not recorded', () => {
    const bare = renderHtml(report, null);
    expect(bare).toContain('Protocol transcripts were not recorded');
    expect(bare).toContain('DNS answers were not recorded');
    expect(count(bare, 'data-testid="session"')).toBe(0);
    expect(count(journeySection(bare, 'm1'), 'data-kind="attempt"')).toBe(report.messages[0]!.recipients[0]!.attempts.length);
    expect(bare).not.toContain('href="#session-');
  });

  it('says what its limits cut', () => {
    const cut = renderHtml(report, events, { limits: { journeysMax: 0, sessionsMax: 2, arrowsPerSessionMax: 3, attemptMarksPerLaneMax: 1 } });
    expect(cut).toContain('data-testid="cut-journeys"');
    expect(cut).toContain('1 more message(s) not drawn (journeysMax = 0)');
    expect(count(cut, 'data-testid="session"')).toBe(2);
    expect(cut).toContain(`${events.filter((e) => e.kind === 'net.connect').length - 2} more connection(s) not shown (sessionsMax = 2)`);
    expect(cut).toMatch(/\d+ more row\(s\) not drawn \(arrowsPerSessionMax = 3\)/);
    expect(defaultHtmlLimits.sessionsMax).toBeGreaterThan(0);
  });
});

describe('XSS: peer-controlled bytes are text', () => {
  const { report, events } = hostileRun();
  const html = renderHtml(report, events);

  it('no hostile markup survives anywhere in the page', () => {
    expect(count(html, '<script')).toBe(1); // the page's own
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).not.toContain('<i>x</i>');
    expect(html).not.toContain('</svg><script>');
    expect(html).not.toMatch(/onerror="/);
  });

  it('the transcript shows the script as text, with control bytes visible', () => {
    expect(html).toContain(`S: 220 ${esc(hostileScript)}`);
    expect(html).toContain(esc(visible('C: EHLO </svg><script>alert(1)</script>\x00\x1b')));
    expect(html).toContain('\\x00\\x1b');
    expect(html).toContain(esc(`10:${hostileScript}`));
  });
});

describe('fault bands', () => {
  const fault = (index: number, atMs: number, untilMs: number | null, action: string, description: string): ReportFault => ({ index, atMs, untilMs, action, description });

  it('a fault with until null extends to the end; a down ends at the same host boots; up is an instant', () => {
    const spans = faultSpans(
      [fault(0, 1000, null, 'latency', 'latency a ↔ b 2s'), fault(1, 2000, null, 'down', 'b.test is down'), fault(2, 5000, null, 'up', 'b.test boots'), fault(3, 6000, 7000, 'refuse', 'c refuses port 25')],
      10_000,
    );
    expect(spans.map((s) => [s.fromMs, s.toMs, s.instant])).toEqual([
      [1000, 10_000, false],
      [2000, 5000, false],
      [5000, 5000, true],
      [6000, 7000, false],
    ]);
  });

  it('the time scale maps 0 and the end to the plot edges on both scales', () => {
    const scale = new TimeScale(3_600_000);
    expect(scale.lin(0)).toBe(scale.log(0));
    expect(scale.lin(3_600_000)).toBeCloseTo(scale.log(3_600_000), 6);
    expect(scale.log(60_000)).toBeGreaterThan(scale.lin(60_000));
    expect(formatDurationMs(3_600_000)).toBe('1h');
  });
});
