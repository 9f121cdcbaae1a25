/**
 * A message's journey to one recipient as a few lines of plain text, for failure messages of the vitest
 * matchers (docs/testing.md, "Matchers"): its submission, each attempt (time, the hosts, the result and
 * the reply or the connection error), the deliveries, the bounce and the DSN that reported it, and how it
 * ended — a short table, not a dump of the report.
 *
 * Theory of operation. A pure function of the report (docs/reference.md §9.1): the rows come from the
 * recipient's attempts, deliveries and bounce, the DSN is found by its `about`, and the rows are sorted
 * by time (stable, so a submission comes before an attempt at the same millisecond). Times are virtual
 * time since the start of the run, as the Markdown report prints them. Long journeys keep their first
 * and last attempts; only so many journeys are drawn, the rest are counted.
 */
import { formatDurationMs } from '../schema/units.js';
import type { Report, ReportAttempt, ReportMessage, ReportRecipient } from '../report/types.js';

/** Attempts drawn per journey when there are more: the first ones, then the last ones. */
const attemptsHeadMax = 6;
const attemptsTailMax = 4;
/** Journeys drawn per failure message; the rest are counted. */
export const journeysMax = 5;

/** A (message, recipient) pair: one lane of a message's journey. */
export interface Lane {
  readonly message: ReportMessage;
  readonly recipient: ReportRecipient;
}

type Row = readonly [atMs: number, what: string, detail: string];

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Every lane addressed to `address` (case-insensitive), DSNs included unless `withDsns` is false. */
export function lanesTo(report: Report, address: string, withDsns = true): Lane[] {
  return report.messages
    .filter((message) => withDsns || !message.dsn)
    .flatMap((message) => message.recipients.filter((recipient) => sameAddress(recipient.address, address)).map((recipient) => ({ message, recipient })));
}

/** The journeys of these lanes, at most `journeysMax`, each a heading and its rows, indented by `indent`. */
export function journeys(report: Report, lanes: readonly Lane[], indent = '  '): string {
  const shown = lanes.slice(0, journeysMax).map((lane) => journey(report, lane, indent));
  if (lanes.length > journeysMax) shown.push(`${indent}… and ${lanes.length - journeysMax} more`);
  return shown.join('\n');
}

/** One lane's journey: `m1 <id> "Subject" alice@… → bob@…: delivered`, then a row per fact. */
export function journey(report: Report, lane: Lane, indent = '  '): string {
  const { message, recipient } = lane;
  const subject = message.subject === null ? '' : ` "${message.subject}"`;
  const from = message.from === '' ? '<>' : message.from;
  const kind = message.dsn ? ` (a DSN about ${message.about ?? '?'})` : '';
  const heading = `${indent}${message.id} ${message.messageId}${subject}${kind} ${from} → ${recipient.address}: ${recipient.status}`;
  const rows = rowsOf(report, lane);
  const timeWidth = Math.max(...rows.map(([atMs]) => formatDurationMs(atMs).length));
  const whatWidth = Math.max(...rows.map(([, what]) => what.length));
  const lines = rows.map(([atMs, what, detail]) => `${indent}  ${formatDurationMs(atMs).padEnd(timeWidth)}  ${detail === '' ? what : `${what.padEnd(whatWidth)}  ${detail}`}`.trimEnd());
  return [heading, ...lines].join('\n');
}

function rowsOf(report: Report, { message, recipient }: Lane): Row[] {
  const submittedTo = recipient.hops[0];
  const rows: Row[] = [[message.submittedAtMs, message.dsn ? 'written' : `submitted${submittedTo === undefined ? '' : ` to ${submittedTo}`}`, '']];
  rows.push(...attemptRows(recipient.attempts));
  for (const d of recipient.deliveries) rows.push([d.atMs, `delivered to ${d.user}'s ${d.folder} on ${d.host}`, `${formatDurationMs(d.atMs - message.submittedAtMs)} after submission`]);
  const bounce = recipient.bounce;
  if (bounce !== null) {
    rows.push([bounce.atMs, `bounced ${bounce.status} by ${bounce.reportingMta}`, bounce.diagnostic ?? '']);
    rows.push(...dsnRows(report, message));
  }
  const end = endRow(report, recipient);
  if (end !== null) rows.push(end);
  return rows.map((row, order) => ({ row, order })).sort((a, b) => a.row[0] - b.row[0] || a.order - b.order).map(({ row }) => row);
}

function attemptRows(attempts: readonly ReportAttempt[]): Row[] {
  const row = (a: ReportAttempt): Row => {
    const target = a.result === 'suspended' ? `${a.from} → ${a.to} (no connection)` : `${a.from} → ${a.to} ${a.address}${a.tls ? ' (TLS)' : ''}`;
    return [a.atMs, `attempt ${target}`, `${a.result}${a.reply === null ? '' : `: ${a.reply}`}`];
  };
  if (attempts.length <= attemptsHeadMax + attemptsTailMax + 1) return attempts.map(row);
  const skipped = attempts.length - attemptsHeadMax - attemptsTailMax;
  const tail = attempts.slice(-attemptsTailMax);
  const gapAtMs = tail[0]?.atMs ?? 0;
  return [...attempts.slice(0, attemptsHeadMax).map(row), [gapAtMs, `… ${skipped} more attempts`, ''] as Row, ...tail.map(row)];
}

/** The DSN about `message` and how it fared with the sender. */
function dsnRows(report: Report, message: ReportMessage): Row[] {
  const dsn = report.messages.find((m) => m.dsn && m.about === message.id);
  if (dsn === undefined) return [];
  return dsn.recipients.map((r): Row => {
    const landed = r.deliveries[0];
    return landed === undefined
      ? [r.finalAtMs ?? report.endedAtMs, `DSN ${dsn.id} to ${r.address}: ${r.status}`, r.reason ?? '']
      : [landed.atMs, `DSN ${dsn.id} delivered to ${r.address}`, `on ${landed.host}`];
  });
}

/** How the lane ended when it was neither delivered nor bounced. */
function endRow(report: Report, recipient: ReportRecipient): Row | null {
  switch (recipient.status) {
    case 'delivered':
    case 'bounced':
      return null;
    case 'deferred':
      return [report.endedAtMs, `still queued${recipient.statusCode === null ? '' : ` (${recipient.statusCode})`}`, recipient.diagnostic ?? recipient.reason ?? ''];
    default:
      return [recipient.finalAtMs ?? report.endedAtMs, recipient.status, recipient.reason ?? recipient.diagnostic ?? ''];
  }
}
