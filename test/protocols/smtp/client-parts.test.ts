/**
 * The client's parts: the reply parser (RFC 5321 §4.2, RFC 2034), the DATA encoder (E1, E2, E4,
 * RFC 5321 §4.1.1.4), EHLO capability parsing and MAIL/RCPT parameters, local decisions, deadlines,
 * API misuse, and a robustness property: arbitrary server bytes never throw, and every enqueued
 * message gets exactly one transaction-done.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCapabilities, SMTP_CLIENT_TIMEOUTS_DEFAULT, SmtpClient, type SmtpClientTimeouts } from '../../../src/protocols/smtp/client.js';
import { toXtext } from '../../../src/protocols/smtp/client-commands.js';
import { canonicalMessageSize, encodeDataContent, messageHas8BitBytes, prepareDataContent } from '../../../src/protocols/smtp/dot-stuffing.js';
import { SmtpReplyParser } from '../../../src/protocols/smtp/reply-parser.js';
import { envelope, run, tx } from './client-harness.js';

const enc = (text: string) => new TextEncoder().encode(text);
const latin1 = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);
const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('SmtpReplyParser', () => {
  const parse = (text: string) => new SmtpReplyParser().push(enc(text));

  it('joins continuation lines and takes the enhanced code off every line (RFC 2034)', () => {
    expect(parse('550-5.1.1 The account\r\n550-5.1.1 does not exist\r\n550 5.1.1 see https://x\r\n')).toEqual([
      { kind: 'reply', reply: { code: 550, enhanced: '5.1.1', lines: ['The account', 'does not exist', 'see https://x'] } },
    ]);
  });

  it('tolerates a bare code, a bare LF, and an enhanced code of the wrong class stays text (D7)', () => {
    expect(parse('250\n354 go\r\n550 2.1.0 odd\r\n')).toEqual([
      { kind: 'reply', reply: { code: 250, enhanced: null, lines: [''] } },
      { kind: 'reply', reply: { code: 354, enhanced: null, lines: ['go'] } },
      { kind: 'reply', reply: { code: 550, enhanced: null, lines: ['2.1.0 odd'] } },
    ]);
  });

  it('gives the same replies for any chunking', () => {
    const text = enc('220-a\r\n220 b\r\n250 2.0.0 ok\r\n421 4.4.2 bye\r\n');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length }), { maxLength: 10 }), (cuts) => {
        const parser = new SmtpReplyParser();
        const sorted = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const got = sorted.slice(1).flatMap((end, i) => parser.push(text.subarray(sorted[i]!, end)));
        expect(got).toEqual(new SmtpReplyParser().push(text));
      }),
    );
  });

  it.each([
    ['bad code', '2x0 hi\r\n', 'bad-code'],
    ['1yz code', '150 hi\r\n', 'bad-code'],
    ['mixed codes', '250-a\r\n251 b\r\n', 'mixed-codes'],
    ['line of 513 octets', `250 ${'x'.repeat(507)}\r\n`, 'line-too-long'],
    ['unterminated line reaching 512', `250 ${'x'.repeat(508)}`, 'line-too-long'],
    ['too many lines', '250-x\r\n'.repeat(101), 'too-many-lines'],
  ])('%s is a protocol error, then the parser stays silent', (_name, text, error) => {
    const parser = new SmtpReplyParser();
    const results = parser.push(enc(text));
    expect(results.at(-1)).toMatchObject({ kind: 'error', error });
    expect(parser.push(enc('250 ok\r\n'))).toEqual([]);
  });

  it('accepts a line of exactly 512 octets including CRLF', () => {
    expect(parse(`250 ${'x'.repeat(506)}\r\n`)[0]).toMatchObject({ kind: 'reply' });
  });
});

describe('encodeDataContent (E1, E2, E4)', () => {
  it.each([
    ['', '.\r\n'],
    ['a', 'a\r\n.\r\n'],
    ['a\r\n', 'a\r\n.\r\n'],
    ['.\r\n', '..\r\n.\r\n'],
    ['a\r\n.b\r\n..\r\n', 'a\r\n..b\r\n...\r\n.\r\n'],
    ['a\n.\nb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['a\r.\rb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['x\r\n\x00.\r\n', 'x\r\n\x00.\r\n.\r\n'],
    ['x\r\n.\r\r\n', 'x\r\n..\r\n\r\n.\r\n'],
  ])('%j → %j', (input, output) => {
    expect(latin1(encodeDataContent(bytesOf(input)))).toBe(output);
  });

  /** The reader's view (RFC 5321 §4.5.2): split at CRLF up to the lone ".", drop one leading dot. */
  function unstuff(wire: Uint8Array): string {
    const text = latin1(wire);
    expect(text.endsWith('\r\n.\r\n') || text === '.\r\n').toBe(true);
    const body = text === '.\r\n' ? '' : text.slice(0, -3);
    const lines = body.split('\r\n');
    lines.pop();
    expect(lines.includes('.')).toBe(false);
    return lines.map((l) => `${l.startsWith('.') ? l.slice(1) : l}\r\n`).join('');
  }

  it('round-trips any bytes to their CRLF-canonical form, no CR or LF alone, no early end (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0x2e, 0x0d, 0x0a), (raw, salt) => {
        const message = raw.map((b, i) => (i % 7 === 0 ? salt : b));
        const wire = encodeDataContent(message);
        const canonical = latin1(message).replace(/\r\n|\r|\n/g, '\r\n');
        const expected = canonical === '' || canonical.endsWith('\r\n') ? canonical : `${canonical}\r\n`;
        expect(unstuff(wire)).toBe(expected);
        expect(/\r(?!\n)|(?<!\r)\n/.test(latin1(wire))).toBe(false);
        expect(canonicalMessageSize(message)).toBe(expected.length);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['abcdefghij\r\n', 'abcd\r\n efg\r\n hij\r\n.\r\n'],
    ['abcd\r\n.bcde', 'abcd\r\n..bcd\r\n e\r\n.\r\n'],
    ['abc\nabcdef', 'abc\r\nabcd\r\n ef\r\n.\r\n'],
  ])('folds lines over 4 octets with CRLF SPACE (Postfix smtp_line_length_limit): %j → %j', (input, output) => {
    expect(latin1(encodeDataContent(bytesOf(input), 4))).toBe(output);
    expect(latin1(prepareDataContent(bytesOf(input), 4).content)).toBe(output);
  });

  it('folds every line to at most lineOctetsMax octets, and unfolding gives the message back (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 2, max: 40 }), (raw, lineOctetsMax) => {
        const message = raw.map((b, i) => (i % 5 === 0 ? 0x0a : b === 0x20 ? 0x21 : b)); // no spaces: the fold's own is the only one
        const wire = encodeDataContent(message, lineOctetsMax);
        expect(prepareDataContent(message, lineOctetsMax).content).toEqual(wire);
        const lines = unstuff(wire).split('\r\n').slice(0, -1);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(lineOctetsMax);
        expect(unstuff(wire).replaceAll('\r\n ', '')).toBe(unstuff(encodeDataContent(message)));
      }),
      { numRuns: 300 },
    );
  });

  /** Messages that are mostly canonical already (the as-is path), some not, some 8-bit. */
  const messageLines = fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('.', '..x', 'a\rb', 'a\nb', 'é', '\x80', '')), { maxLength: 12 });
  const lineMessage = fc
    .tuple(messageLines, fc.constantFrom('', '\r\n'))
    .map(([lines, last]) => new TextEncoder().encode(lines.join('\r\n') + (lines.length > 0 ? last : '')));

  it('prepareDataContent gives the content and the size of its two separate functions (property)', () => {
    fc.assert(
      fc.property(fc.oneof(lineMessage, fc.uint8Array({ maxLength: 200 })), (message) => {
        const prepared = prepareDataContent(message);
        expect(prepared.content).toEqual(encodeDataContent(message));
        expect(prepared.canonicalSize).toBe(canonicalMessageSize(message));
        // A plain Uint8Array, as callers had before the pooled allocation.
        expect(Object.getPrototypeOf(prepared.content)).toBe(Uint8Array.prototype);
        expect(messageHas8BitBytes(message)).toBe(message.some((byte) => byte >= 0x80));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps each encoded content intact however many are made after it', () => {
    const messages = Array.from({ length: 50 }, (_, index) => bytesOf(`Subject: ${index}\r\n\r\n${'x'.repeat(index * 37)}\r\n`));
    const encoded = messages.map((message) => encodeDataContent(message));
    messages.forEach((message, index) => {
      expect(latin1(encoded[index]!)).toBe(`${latin1(message)}.\r\n`);
    });
  });
});

describe('capabilities and parameters', () => {
  it('parses EHLO keywords, SIZE, AUTH (also the old AUTH= form)', () => {
    const caps = parseCapabilities({
      code: 250,
      enhanced: null,
      lines: ['mx hello', 'PIPELINING', 'size 1000', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN', 'STARTTLS', 'AUTH PLAIN login', 'AUTH=CRAM-MD5', 'CHUNKING', 'X-FOO bar'],
    });
    expect(caps).toMatchObject({ extended: true, pipelining: true, size: true, sizeMaxBytes: 1000, eightBitMime: true, smtpUtf8: true, enhancedStatusCodes: true, dsn: true, startTls: true, chunking: true });
    expect(caps.authMechanisms).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(parseCapabilities({ code: 250, enhanced: null, lines: ['mx', 'SIZE'] }).sizeMaxBytes).toBeNull();
  });

  it('xtext leaves relayed values alone and encodes what xtext forbids (RFC 3461 §4)', () => {
    expect(toXtext('a+2Bb@x')).toBe('a+2Bb@x');
    expect(toXtext('a b=c')).toBe('a+20b+3Dc');
  });

  const EHLO_ALL = '250-mx\r\n250-SIZE 100000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 DSN\r\n';

  it('MAIL and RCPT carry SIZE, BODY=8BITMIME, SMTPUTF8 and DSN parameters when offered', () => {
    const t = tx('t1', ['bob@b.example'], 'caf\xe9\r\n');
    t.message = Uint8Array.of(0x63, 0xc3, 0xa9, 0x0d, 0x0a);
    t.envelope = envelope('ålice@a.example', ['bob@b.example'], { dsn: { ret: 'HDRS', envid: 'id 1' } });
    t.envelope.recipients[0]!.dsn = { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob@b.example' };
    const r = run({ heloName: 'c', tls: 'none' }, [{ enqueue: t }, { server: '220 mx\r\n' }, { server: EHLO_ALL }, { server: '250 ok\r\n' }]);
    expect(Buffer.from(r.output, 'latin1').toString('utf8')).toBe(
      'EHLO c\r\nMAIL FROM:<ålice@a.example> SIZE=5 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+201\r\nRCPT TO:<bob@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@b.example\r\n',
    );
  });

  it.each([
    ['too large for SIZE (RFC 1870)', tx('t1', ['bob@b.example'], 'x'.repeat(200)), '250-mx\r\n250 SIZE 100\r\n', 'message-too-large'],
    ['SMTPUTF8 needed, not offered (RFC 6531)', tx('t1', ['bøb@b.example']), '250 mx\r\n', 'smtputf8-not-offered'],
    ['sender that would inject a command', tx('t1', ['bob@b.example'], 'x', 'a@b>\r\nRSET'), '250 mx\r\n', 'invalid sender address'],
  ])('%s: failed locally, nothing sent', (_name, transaction, ehlo, detail) => {
    const r = run({ heloName: 'c', tls: 'none' }, [{ enqueue: transaction }, { finish: true }, { server: '220 mx\r\n' }, { server: ehlo }]);
    expect(r.output).toBe('EHLO c\r\nQUIT\r\n');
    const done = r.rawEvents.find((e) => e.type === 'transaction-done');
    expect(done).toMatchObject({ recipients: [{ outcome: 'failed', stage: 'local', detail, reply: null }] });
  });

  it('a recipient that would inject a command is failed locally; the others go', () => {
    const r = run({ heloName: 'c', tls: 'none' }, [{ enqueue: tx('t1', ['x@y>\r\nRSET', 'bob@b.example']) }, { server: '220 mx\r\n' }, { server: '250 mx\r\n' }, { server: '250 ok\r\n' }]);
    expect(r.output).toBe('EHLO c\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@b.example>\r\n');
  });
});

describe('owner API, pipelining and deadlines', () => {
  it('with PIPELINING the group MAIL..DATA is one write', () => {
    const client = new SmtpClient({ heloName: 'c', tls: 'none' });
    client.start(0);
    client.receive(enc('220 mx\r\n250-mx\r\n250 PIPELINING\r\n'), 0);
    client.takeOutput();
    client.enqueue(tx('t1', ['b@b.example', 'c@b.example']), 5);
    expect(client.takeOutput().map(latin1)).toEqual(['MAIL FROM:<alice@a.example>\r\nRCPT TO:<b@b.example>\r\nRCPT TO:<c@b.example>\r\nDATA\r\n']);
    // The MAIL deadline runs from the enqueue time; each reply renews it for the next stage.
    expect(client.nextTimeoutMs()).toBe(5 + 300_000);
    client.receive(enc('250 ok\r\n250 ok\r\n250 ok\r\n'), 10);
    expect(client.nextTimeoutMs()).toBe(10 + 120_000);
    client.receive(enc('354 go\r\n'), 20);
    expect(client.takeOutput().map(latin1)).toEqual(['Subject: hi\r\n\r\nhello\r\n.\r\n']);
    expect(client.nextTimeoutMs()).toBe(20 + 600_000);
    client.onTimeout(20 + 599_999);
    expect(client.closed).toBe(false);
    client.receive(enc('250 ok\r\n'), 30);
    expect(client.nextTimeoutMs()).toBeNull();
    expect(client.takeEvents().map((e) => e.type)).toEqual(['ready', 'transaction-done']);
    client.finish(40);
    expect(client.takeOutput().map(latin1)).toEqual(['QUIT\r\n']);
    expect(client.nextTimeoutMs()).toBe(40 + 300_000);
  });

  it('custom timeouts are honoured', () => {
    const r = run({ heloName: 'c', tls: 'none', timeouts: { greetingTimeoutMs: 1000 } }, [], false, 50);
    expect(r.client.nextTimeoutMs()).toBe(1050);
  });

  it('each timeout override replaces its default and only it (the field-by-field merge)', () => {
    const timeoutsOf = (client: SmtpClient) => (client as unknown as { timeouts: SmtpClientTimeouts }).timeouts;
    for (const key of Object.keys(SMTP_CLIENT_TIMEOUTS_DEFAULT) as Array<keyof SmtpClientTimeouts>) {
      const client = new SmtpClient({ heloName: 'c', tls: 'none', timeouts: { [key]: 1234 } });
      expect(timeoutsOf(client)).toEqual({ ...SMTP_CLIENT_TIMEOUTS_DEFAULT, [key]: 1234 });
    }
    expect(timeoutsOf(new SmtpClient({ heloName: 'c', tls: 'none' }))).toEqual(SMTP_CLIENT_TIMEOUTS_DEFAULT);
  });

  it('misuse throws: bad heloName, enqueue after finish, tlsEstablished out of turn, double start', () => {
    expect(() => new SmtpClient({ heloName: 'a b', tls: 'none' })).toThrow();
    const client = new SmtpClient({ heloName: 'c', tls: 'none' });
    client.start(0);
    expect(() => client.start(0)).toThrow();
    expect(() => client.tlsEstablished(0)).toThrow();
    client.finish();
    expect(() => client.enqueue(tx('t1', ['b@b.example']))).toThrow();
  });

  it('arbitrary server bytes never throw; each message gets exactly one transaction-done (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('220 mx', '250 ok', '250-mx', '250 PIPELINING', '250-STARTTLS', '250 AUTH PLAIN LOGIN', '354 go', '334 x', '235 ok', '421 bye', '452 full', '451 later', '550 no', '221 bye', '', 'garbage', '2', '25'),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(line.map((l) => ({ server: `${l}\r\n` }) as const), fc.constant({ eof: true } as const), fc.integer({ min: 0, max: 700_000 }).map((t) => ({ timeoutAt: t }) as const), fc.constant({ tls: true } as const)), { maxLength: 25 }),
        fc.constantFrom('none', 'opportunistic', 'required') as fc.Arbitrary<'none' | 'opportunistic' | 'required'>,
        fc.boolean(),
        (steps, tls, withAuth) => {
          const client = new SmtpClient({ heloName: 'c', tls, auth: withAuth ? { user: 'u', password: 'p' } : null, recipientsPerTransactionMax: 2 });
          client.enqueue(tx('t1', ['a@b.example', 'b@b.example', 'c@b.example']));
          client.enqueue(tx('t2', ['d@b.example']));
          client.finish();
          client.start(0);
          let now = 0;
          for (const step of steps) {
            if ('server' in step) client.receive(enc(step.server), now);
            else if ('eof' in step) client.receiveEof(now);
            else if ('timeoutAt' in step) client.onTimeout((now = Math.max(now, step.timeoutAt)));
            else if (client.currentState === 'tls-handshake') client.tlsEstablished(now);
          }
          client.receiveEof(now);
          const events = client.takeEvents();
          expect(client.closed).toBe(true);
          expect(events.filter((e) => e.type === 'transaction-done').map((e) => e.id)).toEqual(['t1', 't2']);
          expect(events.filter((e) => e.type === 'closed')).toHaveLength(1);
          expect(events.at(-1)?.type).toBe('closed');
          for (const e of events) if (e.type === 'transaction-done') expect(e.recipients.every((r) => r !== undefined && r !== null)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
