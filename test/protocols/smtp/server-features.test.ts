/**
 * SMTP server features, each scenario replayed whole and one byte at a time: DATA and dot-unstuffing
 * (docs/delivery.md E1/E2), limits, SIZE (RFC 1870), DSN (RFC 3461), AUTH (RFC 4954/4616), STARTTLS
 * (RFC 3207), submission (RFC 6409), BDAT (RFC 3030), pending and drop decisions, idle timeout.
 */
import { describe, expect, it } from 'vitest';
import { PENDING, SmtpServer, type SmtpServerHooks, type SmtpServerOptions } from '../../../src/protocols/smtp/server.js';
import type { SmtpReply } from '../../../src/protocols/smtp/types.js';
import { b64, codes, EHLO, finalReplyLines, latin1, MAIL, messages, options, RCPT, replay, replayBoth, text } from './server-harness.js';

const reply = (code: number, enhanced: string | null, line: string): SmtpReply => ({ code, enhanced, lines: [line] });
const lastLine = (output: string) => finalReplyLines(output).at(-1);

describe('DATA', () => {
  it('unstuffs dots, ends only on CRLF.CRLF, hands over envelope and bytes (E1, E2)', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'DATA\r\n', 'Subject: x\r\n\r\n..leading dot\r\n.\r\n', 'QUIT\r\n']);
    expect(codes(run.output)).toEqual([220, 250, 250, 250, 354, 250, 221]);
    const [message] = messages(run.events);
    expect(text(message!.message)).toBe('Subject: x\r\n\r\n.leading dot\r\n');
    expect(message!.envelope).toEqual({
      from: 'alice@example.net',
      recipients: [{ address: 'bob@example.org', dsn: { notify: null, orcpt: null } }],
      body: null,
      smtpUtf8: false,
      declaredSize: null,
      dsn: { ret: null, envid: null },
      requireTls: false,
    });
  });

  it('an empty message is ".\\r\\n" right after 354', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'DATA\r\n.\r\n']);
    expect(text(messages(run.events)[0]!.message)).toBe('');
  });

  it('PIPELINING: a whole transaction in one segment gets its replies in order', () => {
    const run = replayBoth(options(), [{ chunked: `${EHLO}${MAIL}${RCPT}RCPT TO:<carol@example.org>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n` }]);
    expect(codes(run.output)).toEqual([220, 250, 250, 250, 250, 354, 250, 221]);
    expect(messages(run.events)[0]!.envelope.recipients.map((r) => r.address)).toEqual(['bob@example.org', 'carol@example.org']);
  });

  it('the onMessage hook sees envelope and bytes; its reply is sent (R1)', () => {
    const seen: string[] = [];
    const hooks: SmtpServerHooks = {
      onMessage: (session, envelope, message) => {
        seen.push(`${session.heloName}|${envelope.from}|${text(message)}`);
        return { kind: 'accept', reply: reply(250, '2.0.0', 'queued as ABC') };
      },
    };
    const run = replayBoth(options({ hooks }), [EHLO, MAIL, RCPT, 'DATA\r\nhi\r\n.\r\n']);
    expect(seen.slice(0, 1)).toEqual(['client.example.net|alice@example.net|hi\r\n']);
    expect(lastLine(run.output)).toBe('250 2.0.0 queued as ABC');
  });

  it('a message rejected after the dot gives no message event, the session goes on', () => {
    const hooks: SmtpServerHooks = { onMessage: () => ({ kind: 'reject', reply: reply(554, '5.7.1', 'spam') }) };
    const run = replayBoth(options({ hooks }), [EHLO, MAIL, RCPT, 'DATA\r\nhi\r\n.\r\n', MAIL]);
    expect(codes(run.output).slice(-2)).toEqual([554, 250]);
    expect(messages(run.events)).toEqual([]);
  });

  it('EOF in the middle of DATA delivers nothing (E3: only a processed dot counts)', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'DATA\r\nalmost\r\n', { eof: true }]);
    expect(messages(run.events)).toEqual([]);
    expect(run.events.at(-1)).toEqual({ type: 'closed', reason: 'eof' });
  });

  it('a text line over 1000 octets is accepted whole, as Postfix does (RFC 5321 §4.5.3.1: avoid such limits)', () => {
    const long = `${'a'.repeat(5000)}\r\n`;
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, `DATA\r\nSubject: long\r\n\r\n${long}.\r\n`, 'NOOP\r\n']);
    expect(finalReplyLines(run.output).slice(-2)).toEqual(['250 2.0.0 OK: message accepted', '250 2.0.0 OK']);
    const stored = messages(run.events);
    expect(stored).toHaveLength(1);
    expect(new TextDecoder().decode(stored[0]!.message)).toBe(`Subject: long\r\n\r\n${long}`);
  });

  it('too many recipients → 452 4.5.3 (RFC 5321 §4.5.3.1.10, docs/delivery.md R4)', () => {
    const run = replayBoth(options({ limits: { recipientsMax: 2 } }), [EHLO, MAIL, RCPT, RCPT, RCPT]);
    expect(finalReplyLines(run.output).at(-1)).toBe('452 4.5.3 Too many recipients');
  });

  it('all recipients refused → DATA gets 554 (RFC 2920 §3.1); no RCPT at all → 503', () => {
    const hooks: SmtpServerHooks = { onRcpt: () => ({ kind: 'reject', reply: reply(550, '5.1.1', 'no such user') }) };
    const run = replayBoth(options({ hooks }), [EHLO, MAIL, RCPT, 'DATA\r\n', 'RSET\r\n', MAIL, 'DATA\r\n']);
    expect(finalReplyLines(run.output).slice(3)).toEqual(['550 5.1.1 no such user', '554 5.5.1 No valid recipients', '250 2.0.0 OK', '250 2.1.0 Sender <alice@example.net> OK', '503 5.5.1 Need RCPT command']);
  });
});

describe('paths and parameters', () => {
  const mailReply = (command: string, opts: Partial<SmtpServerOptions> = {}) => lastLine(replayBoth(options(opts), [EHLO, command]).output);
  const rcptReply = (command: string) => lastLine(replayBoth(options(), [EHLO, MAIL, command]).output);

  it('accepts the null reverse-path, source routes, quoted local parts, address literals', () => {
    expect(mailReply('MAIL FROM:<>\r\n')).toBe('250 2.1.0 Sender <> OK');
    expect(mailReply('MAIL FROM:<@relay.example:alice@example.net>\r\n')).toBe('250 2.1.0 Sender <alice@example.net> OK');
    expect(mailReply('MAIL FROM: <"john doe"@example.net>\r\n')).toBe('250 2.1.0 Sender <"john doe"@example.net> OK');
    expect(rcptReply('RCPT TO:<bob@[192.0.2.7]>\r\n')).toBe('250 2.1.5 Recipient <bob@[192.0.2.7]> OK');
    expect(rcptReply('RCPT TO:<Postmaster>\r\n')).toBe('250 2.1.5 Recipient <Postmaster> OK');
  });

  it('refuses malformed and over-long paths (501 / 553, RFC 5321 §4.5.3.1)', () => {
    expect(mailReply('MAIL FROM:alice@example.net\r\n')).toMatch(/^501 5\.1\.7 /);
    expect(mailReply('MAIL TO:<a@b.c>\r\n')).toMatch(/^501 5\.5\.4 /);
    expect(rcptReply('RCPT TO:<>\r\n')).toMatch(/^501 5\.1\.3 /);
    expect(rcptReply('RCPT TO:<bob@bad..domain>\r\n')).toMatch(/^501 5\.1\.3 /);
    expect(rcptReply(`RCPT TO:<${'a'.repeat(65)}@example.org>\r\n`)).toMatch(/^553 5\.1\.3 Local part too long/);
    const longDomain = `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(10)}.org`;
    expect(lastLine(replayBoth(options({ limits: { pathBytesMax: 1000 } }), [EHLO, MAIL, `RCPT TO:<a@${longDomain}>\r\n`]).output)).toMatch(/^553 5\.1\.3 Domain too long/);
    expect(mailReply(`MAIL FROM:<${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(7)}.org>\r\n`)).toMatch(/^553 5\.1\.7 Path too long/);
  });

  it('SMTPUTF8: non-ASCII addresses only with the parameter (RFC 6531)', () => {
    const utf8 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
    expect(mailReply(utf8('MAIL FROM:<jörg@example.net>\r\n'))).toMatch(/^553 5\.6\.7 /);
    const run = replayBoth(options(), [EHLO, utf8('MAIL FROM:<jörg@example.net> SMTPUTF8\r\n'), utf8('RCPT TO:<åsa@exämple.org>\r\n'), 'DATA\r\nx\r\n.\r\n']);
    const envelope = messages(run.events)[0]!.envelope;
    expect(envelope.from).toBe('jörg@example.net');
    expect(envelope.smtpUtf8).toBe(true);
    expect(envelope.recipients[0]!.address).toBe('åsa@exämple.org');
  });

  it('SIZE: declared over the limit → 552 5.3.4 at MAIL; actual over the limit → 552 after the dot (RFC 1870)', () => {
    const opts = options({ limits: { messageBytesMax: 10 } });
    expect(lastLine(replayBoth(opts, [EHLO, 'MAIL FROM:<a@b.c> SIZE=11\r\n']).output)).toBe('552 5.3.4 Message size exceeds fixed maximum message size');
    expect(lastLine(replayBoth(opts, [EHLO, 'MAIL FROM:<a@b.c> SIZE=10\r\n']).output)).toMatch(/^250 /);
    expect(lastLine(replayBoth(opts, [EHLO, 'MAIL FROM:<a@b.c> SIZE=abc\r\n']).output)).toMatch(/^501 5\.5\.4 /);
    const big = replayBoth(opts, [EHLO, MAIL, RCPT, 'DATA\r\n0123456789abcdef\r\n.\r\n', 'NOOP\r\n']);
    expect(finalReplyLines(big.output).slice(-2)).toEqual(['552 5.3.4 Message size exceeds fixed maximum message size', '250 2.0.0 OK']);
    expect(messages(big.events)).toEqual([]);
    const fits = replayBoth(opts, [EHLO, MAIL, RCPT, 'DATA\r\n01234567\r\n.\r\n']);
    expect(messages(fits.events)).toHaveLength(1);
  });

  it('DSN: NOTIFY, ORCPT, RET, ENVID parsed, validated and carried in the envelope (RFC 3461)', () => {
    const run = replayBoth(options(), [
      EHLO,
      'MAIL FROM:<a@b.c> RET=HDRS ENVID=QQ314159 BODY=8BITMIME\r\n',
      'RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+40example.org\r\n',
      'RCPT TO:<carol@example.org> NOTIFY=NEVER\r\n',
      'DATA\r\nx\r\n.\r\n',
    ]);
    const envelope = messages(run.events)[0]!.envelope;
    expect(envelope.dsn).toEqual({ ret: 'HDRS', envid: 'QQ314159' });
    expect(envelope.body).toBe('8BITMIME');
    expect(envelope.recipients).toEqual([
      { address: 'bob@example.org', dsn: { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob+40example.org' } },
      { address: 'carol@example.org', dsn: { notify: ['NEVER'], orcpt: null } },
    ]);
    for (const bad of ['NOTIFY=NEVER,SUCCESS', 'NOTIFY=SOMETIMES', 'NOTIFY=DELAY,DELAY', 'ORCPT=bob@example.org', 'ORCPT=rfc822;bob=x', 'NOTIFY=SUCCESS NOTIFY=FAILURE']) {
      expect(lastLine(replayBoth(options(), [EHLO, MAIL, `RCPT TO:<bob@example.org> ${bad}\r\n`]).output)).toMatch(/^501 5\.5\.4 /);
    }
    for (const bad of ['RET=ALL', 'ENVID=has+zz', `ENVID=${'x'.repeat(101)}`, 'BODY=BINARYMIME']) {
      expect(lastLine(replayBoth(options(), [EHLO, `MAIL FROM:<a@b.c> ${bad}\r\n`]).output)).toMatch(/^501 5\.5\.4 /);
    }
    expect(lastLine(replayBoth(options(), [EHLO, 'MAIL FROM:<a@b.c> FOO=1\r\n']).output)).toBe('555 5.5.4 Unsupported parameter FOO');
    expect(lastLine(replayBoth(options({ extensions: { dsn: false } }), [EHLO, 'MAIL FROM:<a@b.c> RET=FULL\r\n']).output)).toBe('555 5.5.4 Unsupported parameter RET');
  });
});

describe('limits on the command channel', () => {
  it('a command line over 512 octets → 500 5.5.6, then the session goes on (RFC 5321 §4.5.3.1.4)', () => {
    const long = `NOOP ${'x'.repeat(507)}\r\n`; // 513 octets
    const exact = `NOOP ${'x'.repeat(505)}\r\n`; // 512 octets
    const run = replayBoth(options(), [EHLO, long, exact, `${'y'.repeat(5000)}\r\n`, 'NOOP\r\n']);
    expect(finalReplyLines(run.output).slice(-4)).toEqual(['500 5.5.6 Line too long', '250 2.0.0 OK', '500 5.5.6 Line too long', '250 2.0.0 OK']);
  });

  it('after badCommandsMax errors: 421 4.7.0 and closed', () => {
    const run = replayBoth(options({ limits: { badCommandsMax: 3 } }), [EHLO, 'FOO\r\n', 'BAR\r\nRCPT TO:<a@b.c>\r\nNOOP\r\n']);
    expect(finalReplyLines(run.output).slice(-4)).toEqual(['500 5.5.2 Command unrecognized', '500 5.5.2 Command unrecognized', '503 5.5.1 Need MAIL command', '421 4.7.0 mx.example.org Too many errors, closing connection']);
    expect(run.server.closed).toBe(true);
    expect(run.events.at(-1)).toEqual({ type: 'closed', reason: 'too-many-errors' });
  });

  it('idle timeout: a deadline now+idle after each reply; spurious calls do nothing; past it 421 4.4.2', () => {
    const run = replayBoth(options({ limits: { idleTimeoutMs: 5000 } }), [EHLO]);
    expect(run.server.nextTimeoutMs()).toBe(6000);
    run.server.onTimeout(5999);
    expect(run.server.takeOutput()).toEqual([]);
    const timed = replayBoth(options({ limits: { idleTimeoutMs: 5000 } }), [EHLO, { atMs: 3000 }, 'NOOP\r\n', { atMs: 7999 }, { atMs: 8000 }]);
    expect(finalReplyLines(timed.output).slice(-2)).toEqual(['250 2.0.0 OK', '421 4.4.2 mx.example.org Error: timeout exceeded']);
    expect(timed.server.closed).toBe(true);
    expect(timed.server.nextTimeoutMs()).toBeNull();
  });
});

describe('AUTH (RFC 4954, 4616)', () => {
  const onAuth: SmtpServerHooks['onAuth'] = (_s, c) =>
    c.user === 'alice' && c.password === 'secret' ? { kind: 'accept' } : { kind: 'reject', reply: reply(535, '5.7.8', 'Authentication credentials invalid') };
  const opts = (extra: Partial<SmtpServerOptions> = {}) => options({ hooks: { onAuth }, ...extra });

  it('PLAIN with an initial response → 235 2.7.0 and an event', () => {
    const run = replayBoth(opts(), [EHLO, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`, 'AUTH PLAIN\r\n']);
    expect(finalReplyLines(run.output).slice(-2)).toEqual(['235 2.7.0 Authentication successful', '503 5.5.1 Already authenticated']);
    expect(run.events).toContainEqual({ type: 'authenticated', user: 'alice', mechanism: 'PLAIN' });
  });

  it('PLAIN after an empty 334; authzid passed to the hook', () => {
    let authzid = '';
    const run = replayBoth(options({ hooks: { onAuth: (_s, c) => {
      authzid = c.authzid;
      return { kind: 'accept' };
    } } }), [EHLO, 'AUTH PLAIN\r\n', `${b64('admin\0alice\0secret')}\r\n`]);
    expect(finalReplyLines(run.output).slice(-2)).toEqual(['334', '235 2.7.0 Authentication successful']);
    expect(authzid).toBe('admin');
  });

  it('brute force (Postfix error limits): 10 failed AUTHs answered at once, then each reply 1 s later, 421 4.7.0 at the 20th', () => {
    const wrong = `AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`;
    const right = `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`;
    const denied = '535 5.7.8 Authentication credentials invalid';
    // All pipelined at t = 1000: the first ten replies at once, then the machine holds the 11th.
    const run = replayBoth(opts(), [EHLO, { chunked: wrong.repeat(25) + right }]);
    expect(finalReplyLines(run.output).filter((line) => line === denied)).toHaveLength(10);
    expect(run.server.closed).toBe(false);
    expect(run.server.nextTimeoutMs()).toBe(2000);
    // Each later reply waits one errorDelayMs; a spurious early call releases nothing.
    const paced = replayBoth(opts(), [EHLO, { chunked: wrong.repeat(25) + right }, { atMs: 1999 }]);
    expect(finalReplyLines(paced.output).filter((line) => line === denied)).toHaveLength(10);
    const steps = Array.from({ length: 10 }, (_, i) => ({ atMs: 2000 + i * 1000 }));
    const done = replayBoth(opts(), [EHLO, { chunked: wrong.repeat(25) + right }, ...steps]);
    const lines = finalReplyLines(done.output);
    expect(lines.filter((line) => line === denied)).toHaveLength(20);
    expect(lines.at(-1)).toBe('421 4.7.0 mx.example.org Too many errors, closing connection');
    expect(lines).not.toContain('235 2.7.0 Authentication successful');
    expect(done.server.closed).toBe(true);
    expect(done.events.at(-1)).toEqual({ type: 'closed', reason: 'too-many-errors' });
  });

  it('a delayed 220 to STARTTLS: the starttls event is held with it, so the owner starts TLS only after the 220 is out', () => {
    const server = new SmtpServer(options({ limits: { softErrorsMax: 1, errorDelayMs: 500 } }));
    server.start(0);
    server.receive(latin1(`${EHLO}FOO\r\nSTARTTLS\r\n`), 0);
    const out = () => server.takeOutput().map(text).join('');
    const before = out();
    expect(before).toMatch(/500 5\.5\.2 Command unrecognized\r\n$/);
    expect(server.takeEvents()).not.toContainEqual({ type: 'starttls' });
    expect(server.nextTimeoutMs()).toBe(500);
    server.onTimeout(500);
    expect(out()).toBe('220 2.0.0 Ready to start TLS\r\n');
    expect(server.takeEvents()).toEqual([{ type: 'starttls' }]);
  });

  it('the error limits and the delay are settable; a refused AUTH without a hook counts too', () => {
    const wrong = `AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`;
    const limits = { softErrorsMax: 2, badCommandsMax: 4, errorDelayMs: 300 };
    const run = replayBoth(options({ limits }), [EHLO, { chunked: `${wrong}FOO\r\n${wrong}NOOP\r\n${wrong}` }, { atMs: 1300 }, { atMs: 1600 }]);
    expect(finalReplyLines(run.output).slice(-4)).toEqual([
      '535 5.7.8 Authentication credentials invalid',
      '500 5.5.2 Command unrecognized',
      '535 5.7.8 Authentication credentials invalid', // held until 1300
      '250 2.0.0 OK', // held until 1600: past the soft limit every reply waits
    ]);
    expect(run.server.nextTimeoutMs()).toBe(1900);
    expect(run.server.closed).toBe(false);
  });

  it('LOGIN: two 334 prompts; wrong password → 535 5.7.8', () => {
    const good = replayBoth(opts(), [EHLO, 'AUTH LOGIN\r\n', `${b64('alice')}\r\n`, `${b64('secret')}\r\n`]);
    expect(finalReplyLines(good.output).slice(-3)).toEqual(['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 Authentication successful']);
    const bad = replayBoth(opts(), [EHLO, `AUTH LOGIN ${b64('alice')}\r\n`, `${b64('wrong')}\r\n`]);
    expect(finalReplyLines(bad.output).slice(-2)).toEqual(['334 UGFzc3dvcmQ6', '535 5.7.8 Authentication credentials invalid']);
  });

  it('"*" cancels with 501 5.7.0; bad base64 → 501 5.5.2; unknown mechanism → 504 5.5.4', () => {
    expect(lastLine(replayBoth(opts(), [EHLO, 'AUTH LOGIN\r\n', '*\r\n']).output)).toBe('501 5.7.0 Authentication cancelled');
    expect(lastLine(replayBoth(opts(), [EHLO, 'AUTH PLAIN !!!\r\n']).output)).toBe('501 5.5.2 Cannot decode base64 response');
    expect(lastLine(replayBoth(opts(), [EHLO, 'AUTH LOGIN\r\n', 'abc\r\n']).output)).toBe('501 5.5.2 Cannot decode base64 response');
    expect(lastLine(replayBoth(opts(), [EHLO, 'AUTH CRAM-MD5\r\n']).output)).toBe('504 5.5.4 Unrecognized authentication type');
  });

  it('no onAuth hook: every AUTH fails with 535', () => {
    expect(lastLine(replayBoth(options(), [EHLO, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`]).output)).toBe('535 5.7.8 Authentication credentials invalid');
  });

  it('authRequiresTls: not advertised and 538 5.7.11 before TLS; offered after TLS', () => {
    const run = replayBoth(opts({ authRequiresTls: true }), [EHLO, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`, 'STARTTLS\r\n', { tls: true }, EHLO, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`]);
    const lines = run.output.split('\r\n');
    const firstEhlo = lines.slice(0, lines.indexOf('250 CHUNKING') + 1);
    expect(firstEhlo).not.toContain('250-AUTH PLAIN LOGIN');
    expect(lines).toContain('538 5.7.11 Encryption required for requested authentication mechanism');
    expect(lines.filter((l) => l === '250-AUTH PLAIN LOGIN')).toHaveLength(1);
    expect(lastLine(run.output)).toBe('235 2.7.0 Authentication successful');
  });

  it('submission mode: MAIL before AUTH → 530 5.7.0; after AUTH → 250 (RFC 6409, docs/delivery.md §8)', () => {
    const run = replayBoth(opts({ requireAuth: true }), [EHLO, MAIL, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`, MAIL]);
    expect(finalReplyLines(run.output).slice(-3)).toEqual(['530 5.7.0 Authentication required', '235 2.7.0 Authentication successful', '250 2.1.0 Sender <alice@example.net> OK']);
  });

  it('the SASL response is not echoed in the transcript', () => {
    const run = replayBoth(opts({ transcript: true }), [EHLO, `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`, 'AUTH LOGIN\r\n']);
    const commands = run.events.filter((e) => e.type === 'command');
    expect(JSON.stringify(commands)).not.toContain(b64('\0alice\0secret'));
  });
});

describe('STARTTLS (RFC 3207)', () => {
  it('220, then pipelined commands are discarded (command injection), the session restarts, STARTTLS not offered again', () => {
    const run = replayBoth(options(), [EHLO, MAIL, 'RSET\r\n', { chunked: 'STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n' }, 'garbage before handshake', { tls: true }, MAIL, EHLO, 'STARTTLS\r\n']);
    const lines = finalReplyLines(run.output);
    expect(lines.slice(4)).toEqual(['220 2.0.0 Ready to start TLS', '503 Send EHLO/HELO first', '250 CHUNKING', '503 5.5.1 TLS already active']);
    expect(run.output.split('\r\n').filter((l) => l === '250-STARTTLS')).toHaveLength(1);
    // The 30 pipelined bytes and the 24 sent before the handshake: reported once, whatever the chunking.
    expect(run.events.filter((e) => e.type === 'protocol-error')).toEqual([
      { type: 'protocol-error', detail: 'discarded 54 bytes sent after STARTTLS, before the TLS handshake completed' },
    ]);
    expect(run.events).toContainEqual({ type: 'starttls' });
  });

  it('tlsEstablished outside the handshake is an API misuse', () => {
    const run = replay(options(), [EHLO], false);
    expect(() => run.server.tlsEstablished(0)).toThrow();
  });
});

describe('BDAT (RFC 3030)', () => {
  it('chunks are taken verbatim, 250 per chunk, the message after LAST', () => {
    const run = replayBoth(options(), [EHLO, MAIL, RCPT, 'BDAT 7\r\n.\r\nab\r\n', 'BDAT 0\r\n', { chunked: 'BDAT 3 LAST\r\nxyzNOOP\r\n' }]);
    expect(finalReplyLines(run.output).slice(-4)).toEqual(['250 2.0.0 7 octets received', '250 2.0.0 7 octets received', '250 2.0.0 OK: message accepted', '250 2.0.0 OK']);
    expect(text(messages(run.events)[0]!.message)).toBe('.\r\nab\r\nxyz');
  });

  it('a refused BDAT still consumes its chunk; DATA after BDAT is 503; BDAT 0 LAST ends', () => {
    const run = replayBoth(options(), [EHLO, 'BDAT 4\r\nQUIT', MAIL, RCPT, 'BDAT 1\r\nA', 'DATA\r\n', 'BDAT 0 LAST\r\n']);
    expect(finalReplyLines(run.output).slice(-6)).toEqual(['503 5.5.1 Need MAIL command', '250 2.1.0 Sender <alice@example.net> OK', '250 2.1.5 Recipient <bob@example.org> OK', '250 2.0.0 1 octets received', '503 5.5.1 DATA not allowed in a BDAT transaction (RFC 3030 section 3)', '250 2.0.0 OK: message accepted']);
    expect(run.server.closed).toBe(false);
    expect(text(messages(run.events)[0]!.message)).toBe('A');
  });

  it('a chunk past the size limit → 552 5.3.4 and the transaction is over', () => {
    const run = replayBoth(options({ limits: { messageBytesMax: 4 } }), [EHLO, MAIL, RCPT, 'BDAT 3\r\nabc', 'BDAT 3 LAST\r\ndef', 'BDAT 1 LAST\r\nx']);
    expect(finalReplyLines(run.output).slice(-3)).toEqual(['250 2.0.0 3 octets received', '552 5.3.4 Message size exceeds fixed maximum message size', '503 5.5.1 Need MAIL command']);
    expect(messages(run.events)).toEqual([]);
  });
});

describe('policy decisions', () => {
  it('PENDING: input is buffered until resolve, replies stay in order', () => {
    const hooks: SmtpServerHooks = { onRcpt: (_s, r) => (r.address.startsWith('slow') ? PENDING : { kind: 'accept' }) };
    const run = replayBoth(options({ hooks }), [EHLO, MAIL, 'RCPT TO:<slow@example.org>\r\nRCPT TO:<fast@example.org>\r\nNOOP\r\n', { resolve: { kind: 'reject', reply: reply(450, '4.2.0', 'greylisted') } }]);
    expect(finalReplyLines(run.output).slice(-3)).toEqual(['450 4.2.0 greylisted', '250 2.1.5 Recipient <fast@example.org> OK', '250 2.0.0 OK']);
  });

  it('PENDING at the dot, EOF meanwhile: resolving accepts the message, then the machine closes', () => {
    const run = replayBoth(options({ hooks: { onMessage: () => PENDING } }), [EHLO, MAIL, RCPT, 'DATA\r\nhi\r\n.\r\n', { eof: true }, { resolve: { kind: 'accept' } }]);
    expect(messages(run.events)).toHaveLength(1);
    expect(run.events.at(-1)).toEqual({ type: 'closed', reason: 'eof' });
  });

  it('no deadline while a decision is owed; resolve without one throws', () => {
    const run = replay(options({ hooks: { onMail: () => PENDING } }), [EHLO, MAIL], false);
    expect(run.server.nextTimeoutMs()).toBeNull();
    run.server.resolve({ kind: 'accept' }, 2000);
    expect(run.server.nextTimeoutMs()).toBe(2000 + 300_000);
    expect(() => run.server.resolve({ kind: 'accept' }, 2000)).toThrow();
  });

  it('pending connect: the greeting waits; a scripted reply at each stage overrides the default', () => {
    const run = replayBoth(options({ hooks: { onConnect: () => PENDING, onMail: () => ({ kind: 'accept', reply: reply(451, '4.3.0', 'try later') }) } }), [EHLO, { resolve: { kind: 'accept' } }, MAIL]);
    expect(finalReplyLines(run.output)).toEqual(['220 mx.example.org ESMTP mailsim', '250 CHUNKING', '451 4.3.0 try later']);
  });

  it('drop after the dot: the message counts as accepted, no reply is sent, the machine closes (E3)', () => {
    const run = replayBoth(options({ hooks: { onMessage: () => ({ kind: 'drop' }) } }), [EHLO, MAIL, RCPT, 'DATA\r\nhi\r\n.\r\nQUIT\r\n']);
    expect(codes(run.output)).toEqual([220, 250, 250, 250, 354]);
    expect(run.events.slice(-3).map((e) => e.type)).toEqual(['message', 'drop', 'closed']);
  });

  it('drop at RCPT and at connect: nothing more is sent', () => {
    const rcpt = replayBoth(options({ hooks: { onRcpt: () => ({ kind: 'drop' }) } }), [EHLO, MAIL, `${RCPT}NOOP\r\n`]);
    expect(codes(rcpt.output)).toEqual([220, 250, 250]);
    expect(rcpt.events.at(-2)).toEqual({ type: 'drop', stage: 'rcpt' });
    const connect = replayBoth(options({ hooks: { onConnect: () => ({ kind: 'drop' }) } }), [EHLO]);
    expect(connect.output).toBe('');
    expect(connect.server.closed).toBe(true);
  });

  it('a decision with a reply of the wrong class is an API misuse', () => {
    expect(() => replay(options({ hooks: { onMail: () => ({ kind: 'reject', reply: reply(250, null, 'ok?') }) } }), [EHLO, MAIL], false)).toThrow(TypeError);
    expect(() => replay(options({ hooks: { onData: () => ({ kind: 'accept', reply: reply(250, null, 'go') }) } }), [EHLO, MAIL, RCPT, 'DATA\r\n'], false)).toThrow(TypeError);
    expect(() => replay(options({ hooks: { onRcpt: () => ({ kind: 'reject', reply: reply(550, '4.1.1', 'x') }) } }), [EHLO, MAIL, RCPT], false)).toThrow(TypeError);
  });

  it('a bare reply from the owner gets class.0.0 when enhanced codes are on', () => {
    const run = replayBoth(options({ hooks: { onRcpt: () => ({ kind: 'reject', reply: reply(550, null, 'nope') }) } }), [EHLO, MAIL, RCPT]);
    expect(lastLine(run.output)).toBe('550 5.0.0 nope');
  });

  it('a reply whose owner wrote its code (enhancedAsWritten, a scripted fault) carries it where the session sends none: greeting, HELO, no ENHANCEDSTATUSCODES (issue 22 point 3)', () => {
    const written = (code: number, enhanced: string, line: string): SmtpReply => ({ ...reply(code, enhanced, line), enhancedAsWritten: true });
    const greeting = replayBoth(options({ hooks: { onConnect: () => ({ kind: 'reject', reply: written(421, '4.3.2', 'busy') }) } }), []);
    expect(finalReplyLines(greeting.output)).toEqual(['421 4.3.2 busy']);
    const afterHelo = replayBoth(options({ hooks: { onMail: () => ({ kind: 'reject', reply: written(451, '4.7.9', 'later') }) } }), ['HELO client.example\r\n', MAIL]);
    expect(lastLine(afterHelo.output)).toBe('451 4.7.9 later');
    const noExtension = replayBoth(options({ extensions: { enhancedStatusCodes: false }, hooks: { onRcpt: () => ({ kind: 'reject', reply: written(550, '5.1.1', 'who?') }) } }), [EHLO, MAIL, RCPT]);
    expect(lastLine(noExtension.output)).toBe('550 5.1.1 who?');
    // Without the mark the session's rule stands: no code before EHLO (RFC 2034 §3).
    const plain = replayBoth(options({ hooks: { onConnect: () => ({ kind: 'reject', reply: reply(421, '4.3.2', 'busy') }) } }), []);
    expect(finalReplyLines(plain.output)).toEqual(['421 busy']);
  });

  it('pipelined input beyond pendingInputBytesMax while waiting → 421 and closed', () => {
    const run = replay(options({ hooks: { onMail: () => PENDING }, limits: { pendingInputBytesMax: 100 } }), [EHLO, MAIL, 'NOOP\r\n'.repeat(30)], false);
    expect(lastLine(run.output)).toMatch(/^421 4\.7\.0 /);
    expect(run.events.at(-1)).toEqual({ type: 'closed', reason: 'input-overflow' });
    run.server.resolve({ kind: 'accept' }, 0); // ignored once closed
  });
});
