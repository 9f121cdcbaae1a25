import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractSessions, protocolOfPort, type SessionSegment, splitLines } from '../../src/report/sessions.js';
import type { TraceEvent } from '../../src/sim/trace.js';
import { runFixture } from './helpers.js';

const segments = (entries: readonly { type: string }[]) => entries.filter((e): e is SessionSegment => e.type === 'segment');

describe('protocolOfPort', () => {
  it.each([
    [25, 'smtp'],
    [587, 'smtp'],
    [465, 'smtp'],
    [110, 'pop3'],
    [995, 'pop3'],
    [143, 'imap'],
    [993, 'imap'],
    [8080, 'tcp'],
  ])('port %d is %s', (port, protocol) => {
    expect(protocolOfPort(port)).toBe(protocol);
  });
});

describe('splitLines', () => {
  it('removes CRLF or LF and keeps a last partial line', () => {
    expect(splitLines('A\r\nB\nC')).toEqual(['A', 'B', 'C']);
    expect(splitLines('A\r\n')).toEqual(['A']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\r\n')).toEqual(['']);
  });
});

describe('extractSessions on a real run', () => {
  const { events } = runFixture('primary-mx-down.yaml');
  const { sessions, sessionsOmitted } = extractSessions(events);

  it('makes one session per connection, in order', () => {
    const conns = events.filter((e) => e.kind === 'net.connect').map((e) => e.conn);
    expect(sessions.map((s) => s.conn)).toEqual(conns);
    expect(sessionsOmitted).toBe(0);
  });

  it('the submission: MUA → smtp.sender.net:587, greeting first, STARTTLS, QUIT, closed', () => {
    const submission = sessions[0]!;
    expect(submission).toMatchObject({ protocol: 'smtp', port: 587, client: 'mua.mailsim.invalid', server: 'smtp.sender.net', outcome: 'closed', tls: true });
    const lines = segments(submission.entries).flatMap((s) => s.lines.map((l) => `${s.side}: ${l}`));
    expect(lines[0]).toMatch(/^server: 220 smtp\.sender\.net/);
    expect(lines).toContain('client: STARTTLS');
    expect(lines).toContain('client: QUIT');
    expect(submission.entries.some((e) => e.type === 'note' && e.text === 'TLS handshake')).toBe(true);
  });

  it('attempts to the downed MX are sessions that timed out, named by the address owner', () => {
    const mx1DownUntilMs = 2 * 3600_000;
    const toMx1 = sessions.filter((s) => s.serverAddress === '10.0.0.10' && s.port === 25);
    const whileDown = toMx1.filter((s) => s.openedAtMs < mx1DownUntilMs);
    expect(whileDown.length).toBeGreaterThan(1);
    for (const s of whileDown) expect(s).toMatchObject({ server: 'mx1.example.org', outcome: 'timeout', lineCount: 0 });
    const afterwards = toMx1.filter((s) => s.openedAtMs >= mx1DownUntilMs);
    expect(afterwards.map((s) => s.outcome)).toContain('closed');
  });

  it('every line any side sent appears in exactly one session', () => {
    const sent = events.filter((e) => e.kind === 'net.send').reduce((n, e) => n + splitLines(String(e.text)).length, 0);
    expect(sessions.reduce((n, s) => n + s.lineCount + s.linesOmitted, 0)).toBe(sent);
  });
});

/** A tiny trace: connections on the given ports, each with some sends. */
function syntheticTrace(connections: Array<{ port: number; sends: string[] }>): TraceEvent[] {
  const events: TraceEvent[] = [];
  let t = 0;
  connections.forEach((c, i) => {
    const conn = `c${i + 1}`;
    events.push({ t: t++, kind: 'net.connect', conn, from: 'client.test', to: `10.0.0.${i + 1}`, port: c.port, latencyMs: 1, flakyDrop: false });
    events.push({ t: t++, kind: 'net.accept', conn, host: `server${i + 1}.test`, port: c.port });
    c.sends.forEach((text, j) => {
      events.push({ t: t++, kind: 'net.send', conn, from: j % 2 === 0 ? `server${i + 1}.test` : 'client.test', side: j % 2 === 0 ? 'server' : 'client', bytes: text.length, text });
    });
  });
  // Interleave a foreign event kind to show unknown kinds become notes rather than vanish.
  if (connections.length > 0) events.push({ t: t++, kind: 'net.mystery', conn: 'c1', detail: 'x' });
  return events;
}

describe('extractSessions on synthetic traces', () => {
  it('names POP3 and IMAP sessions by port (generic, not SMTP-only)', () => {
    const { sessions } = extractSessions(
      syntheticTrace([
        { port: 110, sends: ['+OK POP3 ready\r\n', 'USER bob\r\n'] },
        { port: 993, sends: ['* OK IMAP4rev2 ready\r\n', 'a1 LOGIN bob x\r\n'] },
      ]),
    );
    expect(sessions.map((s) => [s.protocol, s.server])).toEqual([
      ['pop3', 'server1.test'],
      ['imap', 'server2.test'],
    ]);
    expect(sessions[0]!.entries.some((e) => e.type === 'note' && e.text.startsWith('mystery'))).toBe(true);
  });

  it('sessionsMax and linesPerSessionMax cut and count', () => {
    const trace = syntheticTrace([
      { port: 25, sends: ['220 a\r\n', 'EHLO x\r\nMAIL FROM:<>\r\n', '250 ok\r\n'] },
      { port: 25, sends: ['220 b\r\n'] },
    ]);
    const { sessions, sessionsOmitted } = extractSessions(trace, { sessionsMax: 1, linesPerSessionMax: 2 });
    expect(sessions).toHaveLength(1);
    expect(sessionsOmitted).toBe(1);
    expect(sessions[0]!.lineCount).toBe(2);
    expect(sessions[0]!.linesOmitted).toBe(2);
    expect(segments(sessions[0]!.entries).map((s) => s.lines)).toEqual([['220 a'], ['EHLO x'], []]);
  });

  it('property: kept + omitted lines = lines sent; no session over its line budget; at most sessionsMax sessions', () => {
    const line = fc.string({ unit: fc.constantFrom('A', 'b', ' ', ':', '<', '\r', '\n', '.'), maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ port: fc.constantFrom(25, 110, 143, 587, 993, 9999), sends: fc.array(line, { maxLength: 6 }) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 8 }),
        (connections, sessionsMax, linesPerSessionMax) => {
          const trace = syntheticTrace(connections);
          const { sessions, sessionsOmitted } = extractSessions(trace, { sessionsMax, linesPerSessionMax });
          expect(sessions.length).toBe(Math.min(sessionsMax, connections.length));
          expect(sessionsOmitted).toBe(connections.length - sessions.length);
          sessions.forEach((s, i) => {
            const sentLines = connections[i]!.sends.reduce((n, text) => n + splitLines(text).length, 0);
            expect(s.lineCount + s.linesOmitted).toBe(sentLines);
            expect(s.lineCount).toBeLessThanOrEqual(linesPerSessionMax);
            expect(segments(s.entries).reduce((n, seg) => n + seg.lines.length, 0)).toBe(s.lineCount);
            expect(s.protocol).toBe(protocolOfPort(connections[i]!.port));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
