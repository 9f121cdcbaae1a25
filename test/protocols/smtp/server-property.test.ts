/**
 * Properties of the SMTP server under arbitrary input (docs/architecture.md "Tests"): from any reachable
 * state, any sequence of lines or raw bytes, in any chunking, never throws, ends in a known state, and
 * every reply line is well formed: a 2xx–5xx code, and once EHLO advertised ENHANCEDSTATUSCODES an
 * enhanced code of the same class on every 2xx/4xx/5xx reply except the EHLO/HELO answer (RFC 2034,
 * docs/delivery.md D7). Each property was checked against planted bugs (see the report).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PENDING, SmtpServer, SmtpServerState } from '../../../src/protocols/smtp/server.js';
import { b64, EHLO, latin1, MAIL, RCPT } from './server-harness.js';

const KNOWN_STATES = new Set<string>(Object.values(SmtpServerState));

const PREFIXES: string[][] = [[], [EHLO], ['HELO c\r\n'], [EHLO, MAIL], [EHLO, MAIL, RCPT], [EHLO, MAIL, RCPT, 'DATA\r\n'], [EHLO, MAIL, RCPT, 'BDAT 4\r\nab'], [EHLO, 'AUTH LOGIN\r\n']];

const verb = fc.constantFrom('EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS', 'AUTH', 'ehlo', 'Mail', 'XYZ', '');
const argument = fc.oneof(
  fc.constantFrom('FROM:<a@b.c>', 'TO:<d@e.f>', 'FROM:<>', 'TO:<x@y.z> NOTIFY=NEVER', 'FROM:<a@b.c> SIZE=99999999999', 'PLAIN', 'LOGIN', `PLAIN ${b64('\0alice\0secret')}`, '3 LAST', '0', 'client', '*', 'FROM:<a@b.c> SMTPUTF8 BODY=8BITMIME', 'TO:<p@q.r> ORCPT=rfc822;p@q.r'),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => String.fromCharCode(...bytes)),
);
const line = fc.oneof(
  fc.tuple(verb, argument).map(([v, a]) => `${v} ${a}\r\n`),
  fc.constantFrom('.\r\n', '\r\n', 'DATA\r\n', '\n.\n', 'QUIT\r\n', `${'x'.repeat(600)}\r\n`, '\r\n.\r\n', `${b64('alice')}\r\n`),
  fc.uint8Array({ maxLength: 50 }).map((bytes) => String.fromCharCode(...bytes)),
);

/** Checks the reply stream; throws on the first malformed line. */
function checkReplies(output: string): void {
  let enhancedActive = false;
  const lines = output.split('\r\n');
  expect(lines.at(-1)).toBe(''); // every reply ends in CRLF
  let reply: string[] = [];
  for (const l of lines.slice(0, -1)) {
    expect(l).toMatch(/^[2-5]\d\d([ -].*)?$/);
    expect(l).not.toMatch(/[\r\n]/);
    reply.push(l);
    if (l[3] === '-') continue;
    const code = Number(l.slice(0, 3));
    for (const r of reply) expect(r.slice(0, 3)).toBe(l.slice(0, 3)); // one code per reply
    const isHeloAnswer = code === 250 && / greets /.test(reply[0]!);
    const hasEnhanced = reply.map((r) => /^\d{3}[ -]([245])\.\d{1,3}\.\d{1,3}( |$)/.exec(r));
    for (const m of hasEnhanced) if (m) expect(Number(m[1])).toBe(Math.floor(code / 100));
    if (isHeloAnswer) enhancedActive = reply.some((r) => r.endsWith('ENHANCEDSTATUSCODES'));
    else if (enhancedActive && Math.floor(code / 100) !== 3) for (const m of hasEnhanced) expect(m).not.toBeNull();
    else if (Math.floor(code / 100) === 3) for (const m of hasEnhanced) expect(m).toBeNull();
    reply = [];
  }
  expect(reply).toEqual([]); // no unterminated multi-line reply
}

function feed(server: SmtpServer, bytes: Uint8Array, cuts: number[]): void {
  let start = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    if (cut < start) continue;
    server.receive(bytes.subarray(start, cut), 0);
    start = cut;
  }
}

function session(prefix: string[], input: string, cuts: number[], pendingHooks: boolean) {
  const server = new SmtpServer({
    hostname: 'mx.example.org',
    clientAddress: '192.0.2.1',
    limits: { badCommandsMax: 1000, errorDelayMs: 0 },
    hooks: pendingHooks
      ? { onRcpt: () => PENDING, onAuth: () => ({ kind: 'accept' }) }
      : { onAuth: (_s, c) => (c.password === 'secret' ? { kind: 'accept' } : { kind: 'reject', reply: { code: 535, enhanced: '5.7.8', lines: ['no'] } }) },
  });
  server.start(0);
  for (const p of prefix) server.receive(latin1(p), 0);
  feed(server, latin1(input), cuts);
  server.receiveEof(0);
  // The owner answers every decision it owes; each answer may let a buffered command ask the next one.
  for (let answered = 0; server.awaitingDecision !== null && answered < 1000; answered++) server.resolve({ kind: 'accept' }, 0);
  const output = server.takeOutput().map((c) => new TextDecoder('latin1').decode(c)).join('');
  return { server, output };
}

describe('SMTP server properties', () => {
  it('arbitrary lines in any state: no exception, a known state, well-formed replies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.array(line, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (prefix, lines, cuts, pendingHooks) => {
        const { server, output } = session(prefix, lines.join(''), cuts, pendingHooks);
        expect(KNOWN_STATES.has(server.state)).toBe(true);
        expect(server.closed).toBe(true); // EOF always closes
        checkReplies(output);
      }),
      { numRuns: 600 },
    );
  });

  it('arbitrary bytes in any state: no exception, well-formed replies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), (prefix, bytes, cuts) => {
        const { server, output } = session(prefix, String.fromCharCode(...bytes), cuts, false);
        expect(KNOWN_STATES.has(server.state)).toBe(true);
        checkReplies(output);
      }),
      { numRuns: 400 },
    );
  });

  it('chunking never matters: any split of the same input gives the same output and events', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (prefix, lines, cuts) => {
        const whole = session(prefix, lines.join(''), [], false);
        const split = session(prefix, lines.join(''), cuts, false);
        expect(split.output).toBe(whole.output);
        expect(split.server.takeEvents()).toEqual(whole.server.takeEvents());
      }),
      { numRuns: 500 },
    );
  });

  it('after QUIT or another close, more input produces nothing', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        const server = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '192.0.2.1' });
        server.start(0);
        server.receive(latin1(`${EHLO}QUIT\r\n`), 0);
        server.takeOutput();
        server.receive(latin1(lines.join('')), 0);
        expect(server.takeOutput()).toEqual([]);
        expect(server.closed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
