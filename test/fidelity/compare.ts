/**
 * Puts Postfix's and mailsim's outcomes of one experiment side by side as Markdown tables: attempt →
 * Postfix → mailsim → difference (mailsim − Postfix), the outcome of each message, and the DSN fields
 * when there was a bounce. An experiment with several messages gets one summary row per message and
 * the full attempt table of its first message. Attempts are paired by their order; a time known only
 * to the second (a Postfix log line) is written with `~`.
 */
import type { Experiment } from './experiments.js';
import type { AttemptRow, DsnFields, MessageOutcome, SideOutcome } from './outcome.js';

export interface Comparison {
  experiment: Experiment;
  postfix: SideOutcome;
  mailsim: SideOutcome;
}

const short = (host: string | null) => (host === null ? '—' : host.split('.')[0]!);
const seconds = (s: number | null, precise = true) => (s === null ? '—' : `${precise ? '' : '~'}${s.toFixed(2)}`);
const delta = (a: number | null, b: number | null) => (a === null || b === null ? '—' : `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(2)}`);
const cell = (row: AttemptRow | undefined) => (row === undefined ? '—' : `${short(row.host)} ${row.result} ${seconds(row.atS, row.precise)}`);

/** Connections only (a suspended deferral is not a connection). */
export const connections = (m: MessageOutcome) => m.rows.filter((r) => r.host !== null).length;
export const suspended = (m: MessageOutcome) => m.rows.filter((r) => r.host === null).length;

function fateCell(m: MessageOutcome | undefined): string {
  if (m === undefined) return '—';
  if (m.fate === 'delivered') return `delivered via ${short(m.via)} at ${seconds(m.fateAtS)}`;
  if (m.fate === 'bounced') return `bounce at sender's MX at ${seconds(m.fateAtS)}`;
  return 'pending';
}

export function attemptTable(p: MessageOutcome | undefined, s: MessageOutcome | undefined): string {
  const lines = ['| attempt | Postfix (host result s) | mailsim (host result s) | Δ s |', '|---|---|---|---|'];
  const count = Math.max(p?.rows.length ?? 0, s?.rows.length ?? 0);
  for (let i = 0; i < count; i++) {
    const a = p?.rows[i];
    const b = s?.rows[i];
    lines.push(`| ${i + 1} | ${cell(a)} | ${cell(b)} | ${delta(a?.atS ?? null, b?.atS ?? null)} |`);
  }
  lines.push(`| outcome | ${fateCell(p)} | ${fateCell(s)} | ${delta(p?.fateAtS ?? null, s?.fateAtS ?? null)} |`);
  return lines.join('\n');
}

export function dsnTable(p: DsnFields | null, s: DsnFields | null): string {
  const lines = ['| DSN field | Postfix | mailsim |', '|---|---|---|'];
  const names: Array<keyof DsnFields> = ['action', 'status', 'diagnosticCode', 'remoteMta', 'reportingMta'];
  const label: Record<keyof DsnFields, string> = { action: 'Action', status: 'Status', diagnosticCode: 'Diagnostic-Code', remoteMta: 'Remote-MTA', reportingMta: 'Reporting-MTA' };
  for (const name of names) lines.push(`| ${label[name]} | ${p?.[name] ?? '(absent)'} | ${s?.[name] ?? '(absent)'} |`);
  return lines.join('\n').replace(/\[[\d.]+\]/g, '[…]');
}

export function summaryTable(c: Comparison): string {
  const lines = [
    '| message | Postfix: connections / suspended / outcome | mailsim: connections / suspended / outcome | Δ outcome s |',
    '|---|---|---|---|',
  ];
  const total = (side: SideOutcome, f: (m: MessageOutcome) => number) => side.messages.reduce((sum, m) => sum + f(m), 0);
  c.postfix.messages.forEach((p, i) => {
    const s = c.mailsim.messages[i];
    const sideCell = (m: MessageOutcome | undefined) => (m === undefined ? '—' : `${connections(m)} / ${suspended(m)} / ${fateCell(m)}`);
    lines.push(`| ${p.message} | ${sideCell(p)} | ${sideCell(s)} | ${delta(p.fateAtS, s?.fateAtS ?? null)} |`);
  });
  lines.push(
    `| all | ${total(c.postfix, connections)} connections, ${total(c.postfix, suspended)} suspended | ${total(c.mailsim, connections)} connections, ${total(c.mailsim, suspended)} suspended | |`,
  );
  return lines.join('\n');
}

export function experimentSection(c: Comparison): string {
  const e = c.experiment;
  const mx = e.mx.map((m) => `${short(m.host)} (preference ${m.preference}, ${describe(m.behaviour)})`).join(', ');
  const parts = [`### ${e.id}: ${e.title}`, '', `MX: ${mx}; ${e.messages} message${e.messages > 1 ? 's' : ''}.`, ''];
  if (e.messages > 1) parts.push(summaryTable(c), '', 'Message 1:', '');
  parts.push(attemptTable(c.postfix.messages[0], c.mailsim.messages[0]));
  const pDsn = c.postfix.messages[0]?.dsn ?? null;
  const sDsn = c.mailsim.messages[0]?.dsn ?? null;
  if (pDsn !== null || sDsn !== null) parts.push('', dsnTable(pDsn, sDsn));
  return parts.join('\n');
}

function describe(b: Experiment['mx'][number]['behaviour']): string {
  switch (b.kind) {
    case 'down':
      return b.untilMs === undefined ? 'refuses for ever' : `refuses for ${b.untilMs / 1000} s`;
    case 'greeting':
    case 'rcpt':
      return `${b.kind === 'rcpt' ? 'RCPT' : 'greeting'} ${b.code} ${b.text}`;
    case 'greylist':
      return `greylists for ${b.delayMs / 1000} s`;
    default:
      return b.kind === 'accept' ? 'accepts' : 'closes at once';
  }
}
