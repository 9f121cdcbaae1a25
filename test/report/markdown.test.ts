import { describe, expect, it } from 'vitest';
import { formatDurationMs } from '../../src/schema/units.js';
import { summariseAttempts } from '../../src/mail/events/index.js';
import { deliveryLatencyMs, mdCode, mdText, renderMarkdown } from '../../src/report/markdown.js';
import { hostileRun, runFixture } from './helpers.js';

describe('formatDurationMs', () => {
  it.each([
    [0, '0s'],
    [381, '0.381s'],
    [1500, '1.5s'],
    [60_000, '1m'],
    [90_500, '1m 30.5s'],
    [9_000_381, '2h 30m 0.381s'],
    [7_200_000, '2h'],
    [90_000_000, '1d 1h'],
    [-1500, '-1.5s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});

describe('Markdown escaping', () => {
  it('keeps a table cell one cell and markup as text', () => {
    expect(mdText('a|b <script>')).toBe('a\\|b \\<script\\>');
    expect(mdText('line1\r\nline2')).toBe('line1 line2');
    expect(mdCode('x`y')).toBe('``x`y``');
    expect(mdCode('`a`')).toBe('`` `a` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
  });

  it('a hostile report keeps every table row at its column count', () => {
    const md = renderMarkdown(hostileRun().report);
    // Inside a code span markup is literal text (CommonMark §6.1); everywhere else it must be escaped.
    const outsideCode = md.replace(/(`+)[^`][\s\S]*?\1/g, '');
    expect(md).toContain('`delivered: a@b.test<script>');
    expect(outsideCode).not.toMatch(/(?<!\\)<(script|img|b|i)\b/);
    const recipientRow = md.split('\n').find((line) => line.startsWith('| m1'));
    expect(recipientRow).toBeDefined();
    // 7 columns: 8 unescaped pipes.
    expect(recipientRow!.match(/(?<!\\)\|/g)?.length).toBe(8);
  });
});

describe('renderMarkdown on a real run (primary MX down, backup MX holds the mail)', () => {
  const { report } = runFixture('primary-mx-down.yaml');
  const md = renderMarkdown(report);

  it('has the title, verdict, seed, end time and digest', () => {
    expect(md.split('\n')[0]).toBe(`# ${report.passed ? '✓' : '✗'} primary MX down for two hours; the backup MX holds the mail — ${report.passed ? 'PASSED' : 'FAILED'}`);
    expect(md).toContain('- Seed: 7');
    expect(md).toContain(`- Simulated time: ${formatDurationMs(report.endedAtMs)} (${report.endedAtMs} ms)`);
    expect(md).toContain(report.traceDigest);
  });

  it('lists every expectation with ✓/✗ and its detail', () => {
    for (const e of report.expectations) {
      const row = md.split('\n').find((line) => line.includes(Object.values(e.expect).map(String)[0]!) && line.startsWith(`| ${e.passed ? '✓' : '✗'} |`));
      expect(row, JSON.stringify(e.expect)).toBeDefined();
    }
    expect(md).toContain('| ✓ | `delivered: bob@example.org, via: mx2.example.org, within: 3h` |');
    expect(md).toContain('| ✓ | no-loss | — |');
  });

  it('has a recipient row with status, latency, attempts, hops and bounce', () => {
    const message = report.messages[0]!;
    const recipient = message.recipients[0]!;
    const latency = deliveryLatencyMs(message, recipient);
    expect(recipient.status).toBe('delivered');
    expect(latency).toBe(recipient.deliveries[0]!.atMs - message.submittedAtMs);
    const row = md.split('\n').find((line) => line.startsWith('| m1'))!;
    expect(row).toContain('alice@sender.net → bob@example.org');
    expect(row).toContain(`| delivered | ${formatDurationMs(latency!)} |`);
    expect(row).toContain(`| ${summariseAttempts(recipient.attempts)} |`);
    expect(row).toContain('smtp.sender.net → mx2.example.org → mx1.example.org');
    expect(row.endsWith('| — |')).toBe(true);
  });

  it('lists the fault and the fetch', () => {
    expect(md).toContain('| 0 | 0s | 2h | mx1.example.org is down |');
    expect(md).toMatch(/\| 4h \| bob@example\.org \| pop3 \| /);
  });

  it('is a pure function of the report', () => {
    expect(renderMarkdown(report)).toBe(md);
  });
});

describe('summariseAttempts', () => {
  it('counts results in first-seen order', () => {
    const a = (result: 'timeout' | 'accepted') => ({ atMs: 0, from: 'a', to: 'b', address: '1', result, reply: null, conn: 'c1', tls: false });
    expect(summariseAttempts([a('timeout'), a('accepted'), a('timeout')])).toBe('3 (2 timeout, 1 accepted)');
    expect(summariseAttempts([])).toBe('0');
  });
});
