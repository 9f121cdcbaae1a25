/**
 * The HTML report's sessions (docs/reference.md §9): for every SMTP, POP3 or IMAP connection, a sequence
 * diagram (client and server lifelines, one arrow per command or reply line, the time beside the
 * first line each side wrote) and the full transcript underneath.
 *
 * Theory of operation. Sessions come from sessions.ts. Each becomes a `<details>` element with id
 * `session-<conn>` (journey marks link there). The diagram draws at most `arrowsPerSegmentMax`
 * arrows for one write (a message body is one write of many lines) and `arrowsPerSessionMax` in all,
 * and says what it left out; the transcript shows every kept line. All text is peer-controlled and
 * goes through `esc(visible(…))`.
 */
import { formatDurationMs } from '../schema/units.js';
import { esc, formatBytes, num, truncate, visible } from './html-text.js';
import type { ProtocolSession, SessionEntry } from './sessions.js';

export interface SessionRenderLimits {
  /** Arrows drawn for one write (`net.send`) before a "… N more lines" arrow. */
  arrowsPerSegmentMax: number;
  /** Rows (arrows and notes) in one diagram. */
  arrowsPerSessionMax: number;
  /** Characters of a line shown on its arrow (the transcript has the whole line). */
  arrowLabelCharsMax: number;
  /** Sessions whose details start open, so the first conversations are visible at once. */
  sessionsOpenMax: number;
}

const diagramWidth = 1200;
const timeColumnX = 96;
const clientX = 250;
const serverX = 1040;
const actorHalfWidth = 130;
const headHeight = 36;
const diagramRowHeight = 20;

const protocolLabel: Record<string, string> = { smtp: 'SMTP', pop3: 'POP3', imap: 'IMAP', tcp: 'TCP' };

type Row = { kind: 'arrow'; atMs: number | null; side: 'client' | 'server'; text: string; more: boolean } | { kind: 'note'; atMs: number; text: string };

function diagramRows(session: ProtocolSession, limits: SessionRenderLimits): { rows: Row[]; rowsOmitted: number } {
  const rows: Row[] = [];
  for (const entry of session.entries) pushEntryRows(rows, entry, limits);
  if (rows.length <= limits.arrowsPerSessionMax) return { rows, rowsOmitted: 0 };
  return { rows: rows.slice(0, limits.arrowsPerSessionMax), rowsOmitted: rows.length - limits.arrowsPerSessionMax };
}

function pushEntryRows(rows: Row[], entry: SessionEntry, limits: SessionRenderLimits): void {
  if (entry.type === 'note') {
    rows.push({ kind: 'note', atMs: entry.atMs, text: entry.text });
    return;
  }
  const total = entry.lines.length + entry.linesOmitted;
  const drawn = total > limits.arrowsPerSegmentMax ? entry.lines.slice(0, Math.max(1, limits.arrowsPerSegmentMax - 1)) : entry.lines;
  drawn.forEach((line, i) => {
    rows.push({ kind: 'arrow', atMs: i === 0 ? entry.atMs : null, side: entry.side, text: line, more: false });
  });
  if (total > drawn.length) {
    rows.push({ kind: 'arrow', atMs: drawn.length === 0 ? entry.atMs : null, side: entry.side, text: `… ${total - drawn.length} more line(s) of this ${formatBytes(entry.bytes)} write`, more: true });
  }
}

function sequenceDiagram(session: ProtocolSession, limits: SessionRenderLimits): string {
  const { rows, rowsOmitted } = diagramRows(session, limits);
  const height = headHeight + (rows.length + (rowsOmitted > 0 ? 1 : 0)) * diagramRowHeight + 12;
  const parts: string[] = [];
  const serverName = `${session.server}:${session.port}`;
  parts.push(`<rect class="actor" x="${clientX - actorHalfWidth}" y="4" width="${2 * actorHalfWidth}" height="24" rx="4"/><text class="actor-label" x="${clientX}" y="21">${esc(truncate(`client ${session.client}`, 36))}</text>`);
  parts.push(`<rect class="actor" x="${serverX - actorHalfWidth}" y="4" width="${2 * actorHalfWidth}" height="24" rx="4"/><text class="actor-label" x="${serverX}" y="21">${esc(truncate(`server ${serverName}`, 36))}</text>`);
  parts.push(`<line class="lifeline" x1="${clientX}" x2="${clientX}" y1="28" y2="${height}"/><line class="lifeline" x1="${serverX}" x2="${serverX}" y1="28" y2="${height}"/>`);
  rows.forEach((row, i) => {
    const y = headHeight + i * diagramRowHeight + diagramRowHeight / 2;
    if (row.atMs !== null) {
      parts.push(`<text class="seq-time" x="${timeColumnX}" y="${y + 4}">+${esc(formatDurationMs(row.atMs - session.openedAtMs))}<title>${esc(formatDurationMs(row.atMs))} since the start of the run</title></text>`);
    }
    if (row.kind === 'note') {
      parts.push(`<rect class="note" x="${clientX + 30}" y="${y - 8}" width="${serverX - clientX - 60}" height="16" rx="3"/><text class="note-label" x="${(clientX + serverX) / 2}" y="${y + 4}">${esc(visible(truncate(row.text, limits.arrowLabelCharsMax)))}</text>`);
      return;
    }
    const fromX = row.side === 'client' ? clientX : serverX;
    const toX = row.side === 'client' ? serverX : clientX;
    const dir = Math.sign(toX - fromX);
    const lineY = y + 5;
    const label = esc(visible(truncate(row.text, limits.arrowLabelCharsMax)));
    const labelX = row.side === 'client' ? clientX + 10 : serverX - 10;
    const anchor = row.side === 'client' ? 'start' : 'end';
    parts.push(
      `<g class="arrow from-${row.side}${row.more ? ' more' : ''}" data-testid="arrow"><line x1="${fromX}" x2="${toX - dir * 8}" y1="${lineY}" y2="${lineY}"/><path d="M${toX},${lineY}L${num(toX - dir * 9)},${lineY - 4}L${num(toX - dir * 9)},${lineY + 4}Z"/><text x="${labelX}" y="${y + 1}" text-anchor="${anchor}">${label}</text></g>`,
    );
  });
  if (rowsOmitted > 0) {
    const y = headHeight + rows.length * diagramRowHeight + diagramRowHeight / 2;
    parts.push(`<text class="note-label cut" x="${(clientX + serverX) / 2}" y="${y + 4}">${rowsOmitted} more row(s) not drawn (arrowsPerSessionMax = ${limits.arrowsPerSessionMax}); the transcript below has them</text>`);
  }
  return `<svg class="sequence" data-testid="sequence" viewBox="0 0 ${diagramWidth} ${height}" role="img" aria-label="${esc(`sequence diagram of ${session.conn}`)}">${parts.join('')}</svg>`;
}

function transcript(session: ProtocolSession): string {
  const lines: string[] = [];
  for (const entry of session.entries) {
    const at = `[+${formatDurationMs(entry.atMs - session.openedAtMs)}]`;
    if (entry.type === 'note') {
      lines.push(`<span class="t-note">${esc(at)} -- ${esc(visible(entry.text))}</span>`);
      continue;
    }
    const prefix = entry.side === 'client' ? 'C:' : 'S:';
    entry.lines.forEach((line, i) => {
      lines.push(`<span class="t-${entry.side}">${i === 0 ? esc(at) : ' '.repeat(at.length)} ${prefix} ${esc(visible(line))}</span>`);
    });
    if (entry.linesOmitted > 0) lines.push(`<span class="t-note cut">${' '.repeat(at.length)} ${prefix} … ${entry.linesOmitted} line(s) not kept</span>`);
  }
  if (lines.length === 0) lines.push('<span class="t-note">(no bytes were exchanged)</span>');
  return `<details class="transcript"><summary>Transcript (${session.lineCount} line(s), client ${esc(formatBytes(session.clientBytes))}, server ${esc(formatBytes(session.serverBytes))})</summary><pre data-testid="transcript">${lines.join('\n')}</pre></details>`;
}

export function renderSession(session: ProtocolSession, limits: SessionRenderLimits, open: boolean): string {
  const label = protocolLabel[session.protocol] ?? session.protocol.toUpperCase();
  const serverShown = session.server === session.serverAddress ? session.server : `${session.server} (${session.serverAddress})`;
  const facts = [session.outcome, session.tls ? 'TLS' : null, `${session.lineCount} line(s)`].filter((f) => f !== null).join(' · ');
  const cut = session.linesOmitted > 0 ? `<p class="cut">${session.linesOmitted} transcript line(s) not kept (linesPerSessionMax).</p>` : '';
  return `<details class="session" id="session-${esc(session.conn)}" data-testid="session" data-conn="${esc(session.conn)}" data-protocol="${esc(session.protocol)}" data-outcome="${esc(session.outcome)}"${open ? ' open' : ''}>
<summary><span class="proto proto-${esc(session.protocol)}">${esc(label)}</span> <span class="when">${esc(formatDurationMs(session.openedAtMs))}</span> <strong>${esc(session.client)}</strong> → <strong>${esc(serverShown)}</strong>:${session.port} <span class="muted">${esc(session.conn)} · ${esc(facts)}</span> <span class="outcome outcome-${esc(session.outcome)}">${esc(session.outcome)}</span></summary>
${sequenceDiagram(session, limits)}
${cut}${transcript(session)}
</details>`;
}
