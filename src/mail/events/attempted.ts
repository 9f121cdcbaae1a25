/**
 * `mail.attempt`: one SMTP connection an MTA made for a recipient (docs/reference.md §9.1 `attempts[]`;
 * docs/delivery.md §1–§2): when it started, from which host to which host and address, and how it
 * ended for this recipient — `accepted` (2xx), `deferred` (4xx), `failed` (5xx), `timeout`, `refused`
 * or `dropped` — with the reply line, the connection's id and whether the session ran over TLS. A
 * connection for several recipients is an attempt of each. `suspended` is an attempt the queue deferred
 * without a connection because the destination was dead (docs/delivery.md R14): `to` names the
 * destination, `address` and `conn` are empty and `reply` is the queue's reason; it is drawn hollow. Shown as a circle coloured by result on the
 * sending host's row (a link to its session's transcript, by connection id, when the page has it), the
 * attempts table under the lane, and the lane's `attempts` fact.
 */
import { formatDurationMs } from '../../schema/units.js';
import type { AttemptRecord, AttemptResult } from '../records.js';
import { defineMailEvent } from './event.js';
import type { JourneyLane, RecipientView } from './render.js';

export interface Attempted {
  readonly kind: 'mail.attempt';
  readonly messageId: string;
  /** The recipient. */
  readonly rcpt: string;
  /** When the connection started (its `net.connect`). */
  readonly atMs: number;
  /** The sending host. */
  readonly from: string;
  /** The host tried, and its address. */
  readonly to: string;
  readonly address: string;
  readonly result: AttemptResult;
  readonly reply: string | null;
  /** The connection's id (`c12`): its `net.*` trace events carry the same. */
  readonly conn: string;
  /** The TLS handshake completed on it (STARTTLS, RFC 3207); false when the connect failed. */
  readonly tls: boolean;
}

export const attempted = defineMailEvent<Attempted>({
  kind: 'mail.attempt',
  trace: (e) => ({ messageId: e.messageId, rcpt: e.rcpt, atMs: e.atMs, from: e.from, to: e.to, address: e.address, result: e.result, reply: e.reply, conn: e.conn, tls: e.tls }),
  fold(records, e, atMs) {
    const attempt: AttemptRecord = { atMs: e.atMs, from: e.from, to: e.to, address: e.address, result: e.result, reply: e.reply, conn: e.conn, tls: e.tls };
    records.addAttempt(records.recipient(e.messageId, e.rcpt, atMs), attempt);
  },
  render: {
    legend: [
      legendDot('accepted', 'accepted'),
      legendDot('deferred', 'deferred (4xx)'),
      legendDot('failed', 'failed (5xx)'),
      legendDot('timeout', 'timeout'),
      legendDot('refused', 'refused'),
      legendDot('dropped', 'dropped'),
      legendDot('suspended', 'suspended (no connection)'),
    ].join(''),
    journeyMarks: (_message, recipient, lane) => recipient.attempts.slice(0, lane.attemptMarksMax).map((attempt) => attemptMark(attempt, lane)).join(''),
    journeyDetails: attemptDetails,
    fact: { heading: 'Attempts', label: 'attempts', of: (recipient) => summariseAttempts(recipient.attempts) },
  },
});

/** `8 (1 accepted, 7 timeout)` — the attempt count and how the attempts ended, in first-seen order. */
export function summariseAttempts(attempts: readonly AttemptRecord[]): string {
  if (attempts.length === 0) return '0';
  const byResult = new Map<string, number>();
  for (const attempt of attempts) byResult.set(attempt.result, (byResult.get(attempt.result) ?? 0) + 1);
  return `${attempts.length} (${[...byResult].map(([result, count]) => `${count} ${result}`).join(', ')})`;
}

function legendDot(result: AttemptResult, label: string): string {
  return `<span><svg width="14" height="14" viewBox="-7 -7 14 14"><circle class="mark attempt result-${result}" r="5.5"/></svg> ${label}</span>`;
}

/** The circle on the sending host's row, with the hop line to the accepting host's row. */
function attemptMark(attempt: AttemptRecord, lane: JourneyLane): string {
  const y = lane.rowY(attempt.from);
  const hop = attempt.result === 'accepted' && lane.hasRow(attempt.to) ? `<line class="hop" x1="0" x2="0" y1="${y}" y2="${lane.rowY(attempt.to)}"/>` : '';
  const title = `${formatDurationMs(attempt.atMs)}: ${attempt.from} → ${attempt.to} (${attempt.address}${attempt.tls ? ', TLS' : ''}): ${attempt.result}${attempt.reply === null ? '' : ` — ${attempt.reply}`}`;
  const result = lane.esc(attempt.result);
  const circle = `<circle class="mark attempt result-${result}" data-kind="attempt" data-result="${result}" cx="0" cy="${y}" r="5.5"><title>${lane.esc(title)}</title></circle>`;
  const conn = lane.sessionOf(attempt);
  return `<g ${lane.at(attempt.atMs)}>${hop}${conn === null ? circle : `<a href="#session-${lane.esc(conn)}">${circle}</a>`}</g>`;
}

/** The attempts table under the lane (as many rows as marks), and what the limit cut. */
function attemptDetails(recipient: RecipientView, lane: JourneyLane): string {
  const shown = recipient.attempts.slice(0, lane.attemptMarksMax);
  const cut =
    recipient.attempts.length > shown.length
      ? `<p class="cut">Showing the first ${shown.length} of ${recipient.attempts.length} attempts (attemptMarksPerLaneMax = ${lane.attemptMarksMax}).</p>`
      : '';
  if (shown.length === 0) return cut;
  const { esc } = lane;
  const rows = shown.map((a) => {
    const conn = lane.sessionOf(a);
    const session = `${conn === null ? '' : `<a href="#session-${esc(conn)}">${esc(conn)}</a>`}${a.tls ? ' TLS' : ''}`;
    return `<tr><td>${esc(formatDurationMs(a.atMs))}</td><td>${esc(a.from)}</td><td>${esc(a.to)}</td><td>${esc(a.address)}</td><td><span class="result result-${esc(a.result)}">${esc(a.result)}</span></td><td class="mono">${esc(a.reply ?? '—')}</td><td>${session}</td></tr>`;
  });
  return `${cut}<details class="attempts"><summary>${shown.length} attempt(s)</summary><table><thead><tr><th>At</th><th>From</th><th>To</th><th>Address</th><th>Result</th><th>Reply</th><th>Session</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}
