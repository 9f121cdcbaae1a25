/**
 * Protocol sessions derived from the event trace, for the HTML report's sequence diagrams and
 * transcripts (docs/reference.md §9): one session per virtual TCP connection (`conn` id), whatever the
 * protocol.
 *
 * Theory of operation. Every `net.*` event that carries a `conn` belongs to that connection:
 * `net.connect` opens it (client host, server address, port), `net.accept` names the server host,
 * `net.send` carries the bytes one side wrote (`side`, `text` in latin1), and the rest (TLS start,
 * FIN, reset, refusal, SYN drop, connect timeout, close) become notes in the diagram. The protocol
 * comes from the server port alone (RFC 5321 §4.5.4 port 25, RFC 6409 587, RFC 8314 465 for SMTP;
 * RFC 1939 110 / RFC 8314 995 for POP3; RFC 9051 143 / RFC 8314 993 for IMAP), so new protocols or
 * nodes need no change here. Events of connections past `sessionsMax` are skipped, and a session
 * keeps at most `linesPerSessionMax` transcript lines: a report of a huge run stays a size a
 * browser opens. What was cut is counted, so the page can say so.
 */
import type { TraceEvent } from '../sim/trace.js';

export type SessionProtocol = 'smtp' | 'pop3' | 'imap' | 'tcp';

export interface SessionLimits {
  /** Connections kept, in the order they were opened. */
  sessionsMax: number;
  /** Transcript lines kept per connection (both directions together). */
  linesPerSessionMax: number;
}

export const defaultSessionLimits: SessionLimits = { sessionsMax: 400, linesPerSessionMax: 600 };

/** What one side wrote in one `net.send`, split into lines (CRLF or LF removed). */
export interface SessionSegment {
  type: 'segment';
  atMs: number;
  side: 'client' | 'server';
  bytes: number;
  lines: string[];
  /** Lines of this segment dropped by `linesPerSessionMax`. */
  linesOmitted: number;
}

/** A connection-level event worth showing between the lines (TLS, FIN, reset, refusal…). */
export interface SessionNote {
  type: 'note';
  atMs: number;
  kind: string;
  text: string;
}

export type SessionEntry = SessionSegment | SessionNote;

export type SessionOutcome = 'closed' | 'refused' | 'timeout' | 'reset' | 'dropped' | 'open';

export interface ProtocolSession {
  conn: string;
  protocol: SessionProtocol;
  port: number;
  client: string;
  /** The server's host name when known (accepted, refused, or an address a host owns), else its address. */
  server: string;
  serverAddress: string;
  openedAtMs: number;
  /** When the last side closed, or the connection failed; null if it was still open at the end. */
  closedAtMs: number | null;
  outcome: SessionOutcome;
  tls: boolean;
  entries: SessionEntry[];
  lineCount: number;
  linesOmitted: number;
  clientBytes: number;
  serverBytes: number;
}

export interface SessionExtraction {
  sessions: ProtocolSession[];
  /** Connections not kept because of `sessionsMax`. */
  sessionsOmitted: number;
}

/** Protocol by well-known server port (the ports of the seed's roles). */
export function protocolOfPort(port: number): SessionProtocol {
  switch (port) {
    case 25:
    case 465:
    case 587:
      return 'smtp';
    case 110:
    case 995:
      return 'pop3';
    case 143:
    case 993:
      return 'imap';
    default:
      return 'tcp';
  }
}

/** Events that only restate what the session already shows (open, accept, close per side). */
const silentKinds = new Set(['net.connect', 'net.accept', 'net.connected', 'net.tls', 'net.close', 'net.send']);

const str = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));

export function extractSessions(events: readonly TraceEvent[], limits: SessionLimits = defaultSessionLimits): SessionExtraction {
  const hostOfAddress = new Map<string, string>();
  const byConn = new Map<string, ProtocolSession | null>();
  const sessions: ProtocolSession[] = [];
  let sessionsOmitted = 0;
  for (const event of events) {
    if (event.kind === 'net.host') {
      hostOfAddress.set(str(event.address), str(event.host));
      continue;
    }
    if (!event.kind.startsWith('net.') || typeof event.conn !== 'string') continue;
    const conn = event.conn;
    if (event.kind === 'net.connect' && !byConn.has(conn)) {
      if (sessions.length >= limits.sessionsMax) {
        byConn.set(conn, null);
        sessionsOmitted++;
        continue;
      }
      const port = typeof event.port === 'number' ? event.port : 0;
      const address = str(event.to);
      const session: ProtocolSession = {
        conn,
        protocol: protocolOfPort(port),
        port,
        client: str(event.from),
        server: hostOfAddress.get(address) ?? address,
        serverAddress: address,
        openedAtMs: event.t,
        closedAtMs: null,
        outcome: 'open',
        tls: false,
        entries: [],
        lineCount: 0,
        linesOmitted: 0,
        clientBytes: 0,
        serverBytes: 0,
      };
      byConn.set(conn, session);
      sessions.push(session);
      continue;
    }
    const session = byConn.get(conn);
    if (session === undefined || session === null) continue;
    applyEvent(session, event, limits);
  }
  return { sessions, sessionsOmitted };
}

function applyEvent(session: ProtocolSession, event: TraceEvent, limits: SessionLimits): void {
  switch (event.kind) {
    case 'net.accept':
      session.server = str(event.host) || session.server;
      return;
    case 'net.send':
      addSegment(session, event, limits);
      return;
    case 'net.close':
      session.closedAtMs = event.t;
      if (session.outcome === 'open') session.outcome = 'closed';
      return;
    case 'net.tls-start':
      // Both sides record the start; one note is enough.
      if (!session.tls) addNote(session, event, 'TLS handshake');
      session.tls = true;
      return;
    case 'net.end':
      addNote(session, event, `${str(event.from) || 'a side'} closes its side (FIN)`);
      return;
    case 'net.reset':
      session.outcome = 'reset';
      session.closedAtMs = event.t;
      addNote(session, event, `connection reset${event.host ? ` (${str(event.host)})` : ''}`);
      return;
    case 'net.refuse':
      session.server = str(event.host) || session.server;
      addNote(session, event, `${str(event.host) || 'the server'} refuses port ${session.port} (RST)`);
      return;
    case 'net.refused':
      session.outcome = 'refused';
      session.closedAtMs = event.t;
      addNote(session, event, 'connection refused');
      return;
    case 'net.drop':
      if (session.outcome === 'open') session.outcome = 'dropped';
      addNote(session, event, `${str(event.segment) || 'a'} segment dropped (no route or host down)`);
      return;
    case 'net.connect-timeout':
      session.outcome = 'timeout';
      session.closedAtMs = event.t;
      addNote(session, event, `connect timed out after ${event.t - session.openedAtMs} ms`);
      return;
    default:
      if (silentKinds.has(event.kind)) return;
      addNote(session, event, describeOther(event));
  }
}

/** An event kind this file does not know yet: its name and fields, so nothing is hidden. */
function describeOther(event: TraceEvent): string {
  const fields = Object.entries(event)
    .filter(([key]) => key !== 't' && key !== 'kind' && key !== 'conn')
    .map(([key, value]) => `${key}=${str(value)}`);
  return `${event.kind.replace(/^net\./, '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
}

function addNote(session: ProtocolSession, event: TraceEvent, text: string): void {
  session.entries.push({ type: 'note', atMs: event.t, kind: event.kind, text });
}

function addSegment(session: ProtocolSession, event: TraceEvent, limits: SessionLimits): void {
  const side = event.side === 'server' ? 'server' : 'client';
  const text = str(event.text);
  const bytes = typeof event.bytes === 'number' ? event.bytes : text.length;
  if (side === 'server') session.serverBytes += bytes;
  else session.clientBytes += bytes;
  const all = splitLines(text);
  const room = Math.max(0, limits.linesPerSessionMax - session.lineCount);
  const kept = all.slice(0, room);
  session.lineCount += kept.length;
  session.linesOmitted += all.length - kept.length;
  session.entries.push({ type: 'segment', atMs: event.t, side, bytes, lines: kept, linesOmitted: all.length - kept.length });
}

/** Lines without their CRLF (or bare LF); a last line without a line end is kept as it is. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
