/**
 * The Markdown report (`reports/NAME.md`, docs/reference.md §9): a readable summary of one run for a mail
 * administrator — pass/fail, the expectations and invariants with their detail, one table row per
 * recipient (status, delivery latency, attempts, bounce), the faults, the fetches and the warnings.
 *
 * Theory of operation. A pure function of the report object: no trace, no clock, no file system.
 * Every string that came from a peer or a scenario file (reply lines, addresses, subjects,
 * Message-IDs) goes through `mdText` or `mdCode`, so a `|` cannot break a table and a `<script>`
 * stays text in viewers that allow inline HTML. Times are simulated milliseconds since the start of
 * the run, printed by `formatDurationMs` (`2h 30m 0.381s`). The recipients table's columns after the
 * latency are the mail events' facts (src/mail/events/), in the registry's order.
 */
import { recipientFacts as facts } from '../mail/events/index.js';
import { formatDurationMs } from '../schema/units.js';
import type { Report, ReportMessage, ReportRecipient } from './types.js';

/** An expectation as the user wrote it: `delivered: bob@example.org, via: mx2.example.org`. */
export function formatExpect(expect: Record<string, unknown>): string {
  return Object.entries(expect)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/** Time from submission to the first landing in a mailbox; null when the recipient never landed. */
export function deliveryLatencyMs(message: ReportMessage, recipient: ReportRecipient): number | null {
  const first = recipient.deliveries[0];
  return first === undefined ? null : first.atMs - message.submittedAtMs;
}

/** Plain text in Markdown: one line, with every character Markdown or a table would interpret escaped. */
export function mdText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|#!~&]/g, (c) => `\\${c}`);
}

/** An inline code span that survives any content: the fence is longer than any backtick run inside. */
export function mdCode(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || oneLine === '' ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

const tick = (passed: boolean) => (passed ? '✓' : '✗');

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# ${tick(report.passed)} ${mdText(report.scenario.name)} — ${report.passed ? 'PASSED' : 'FAILED'}`, '');
  if (report.scenario.description !== null && report.scenario.description.trim() !== '') {
    out.push(mdText(report.scenario.description.trim()), '');
  }
  out.push(
    `- Scenario file: ${mdCode(report.scenario.file)}`,
    `- Seed: ${report.scenario.seed}`,
    `- Simulated time: ${formatDurationMs(report.endedAtMs)} (${report.endedAtMs} ms)`,
    `- Events: ${report.stats.events} · wall time ${report.stats.wallMs} ms`,
    `- Trace digest: ${mdCode(report.traceDigest)}`,
    '',
  );

  out.push('## Expectations', '');
  if (report.expectations.length === 0) out.push('No expectations in the scenario.', '');
  else {
    out.push('| | Expectation | Detail |', '|---|---|---|');
    for (const e of report.expectations) out.push(`| ${tick(e.passed)} | ${mdCode(formatExpect(e.expect))} | ${mdText(e.detail) || '—'} |`);
    out.push('');
  }

  out.push('## Invariants', '', '| | Invariant | Detail |', '|---|---|---|');
  for (const i of report.invariants) out.push(`| ${tick(i.passed)} | ${i.name} | ${mdText(i.detail) || '—'} |`);
  out.push('');

  out.push('## Recipients', '');
  const rows = report.messages.flatMap((m) => m.recipients.map((r) => recipientRow(m, r)));
  if (rows.length === 0) out.push('No messages were sent.', '');
  else {
    out.push(`| Message | From → To | Status | Latency | ${facts.map((f) => f.heading).join(' | ')} |`, `|---|---|---|---|${facts.map(() => '---|').join('')}`);
    out.push(...rows, '');
  }

  out.push('## Faults', '');
  if (report.faults.length === 0) out.push('No faults were injected.', '');
  else {
    out.push('| # | From | Until | Fault |', '|---|---|---|---|');
    for (const f of report.faults) {
      out.push(`| ${f.index} | ${formatDurationMs(f.atMs)} | ${f.untilMs === null ? '—' : formatDurationMs(f.untilMs)} | ${mdText(f.description)} |`);
    }
    out.push('');
  }

  out.push('## Fetches', '');
  if (report.fetches.length === 0) out.push('No fetches in the scenario.', '');
  else {
    out.push('| At | User | Protocol | Result | Messages |', '|---|---|---|---|---|');
    for (const f of report.fetches) {
      const subjects = f.messages.map((m) => (m.subject === null ? '(no subject)' : m.subject)).join('; ');
      const result = f.ok ? '✓ ok' : `✗ ${mdText(f.error ?? 'failed')}`;
      out.push(`| ${formatDurationMs(f.atMs)} | ${mdText(f.user)} | ${f.protocol} | ${result} | ${f.messages.length}${subjects === '' ? '' : `: ${mdText(subjects)}`} |`);
    }
    out.push('');
  }

  if (report.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of report.warnings) out.push(`- ${mdText(w)}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function recipientRow(message: ReportMessage, recipient: ReportRecipient): string {
  const latency = deliveryLatencyMs(message, recipient);
  const label = `${message.id}${message.dsn ? ' (DSN)' : ''} ${mdCode(message.messageId)}${message.subject === null ? '' : ` “${mdText(message.subject)}”`}`;
  const status = `${mdText(recipient.status)}${recipient.reason === null ? '' : ` (${mdText(recipient.reason)})`}`;
  const cells = facts.map((fact) => fact.of(recipient, mdText) ?? '—');
  return `| ${label} | ${mdText(message.from === '' ? '<>' : message.from)} → ${mdText(recipient.address)} | ${status} | ${latency === null ? '—' : formatDurationMs(latency)} | ${cells.join(' | ')} |`;
}
