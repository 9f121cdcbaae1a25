/**
 * The state × command table of the SMTP server (RFC 5321 §4.1.4, §4.3.2): every command in every
 * command-reading state, each row replayed whole and one byte at a time (server-harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { type SmtpServerOptions, SmtpServerState } from '../../../src/protocols/smtp/server.js';
import { b64, codes, EHLO, finalReplyLines, MAIL, options, RCPT, replayBoth, type Step } from './server-harness.js';

const goodPlain = `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`;
const authHooks: SmtpServerOptions['hooks'] = {
  onAuth: (_s, c) => (c.user === 'alice' && c.password === 'secret' ? { kind: 'accept' } : { kind: 'reject', reply: { code: 535, enhanced: '5.7.8', lines: ['no'] } }),
};

interface StateSetup {
  steps: Step[];
  state: SmtpServerState;
  options?: Partial<SmtpServerOptions>;
}

const STATES: Record<string, StateSetup> = {
  'greeting-refused': {
    steps: [],
    state: SmtpServerState.GreetingRefused,
    options: { hooks: { onConnect: () => ({ kind: 'reject', reply: { code: 554, enhanced: null, lines: ['go away'] } }) } },
  },
  'awaiting-helo': { steps: [], state: SmtpServerState.AwaitingHelo },
  ready: { steps: [EHLO], state: SmtpServerState.Ready },
  'mail-given': { steps: [EHLO, MAIL], state: SmtpServerState.MailGiven },
  'has-recipients': { steps: [EHLO, MAIL, RCPT], state: SmtpServerState.HasRecipients },
  chunking: { steps: [EHLO, MAIL, RCPT, 'BDAT 3\r\nabc'], state: SmtpServerState.Chunking },
};

// Commands and the reply code each state gives (RFC 5321 §4.3.2; RFC 3030 §3; RFC 3207; RFC 4954).
const TABLE: Array<[string, Record<string, number>]> = [
  ['EHLO other.example\r\n', { 'greeting-refused': 503, 'awaiting-helo': 250, ready: 250, 'mail-given': 250, 'has-recipients': 250, chunking: 250 }],
  ['HELO other.example\r\n', { 'greeting-refused': 503, 'awaiting-helo': 250, ready: 250, 'mail-given': 250, 'has-recipients': 250, chunking: 250 }],
  ['MAIL FROM:<carol@example.net>\r\n', { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 250, 'mail-given': 503, 'has-recipients': 503, chunking: 503 }],
  ['RCPT TO:<dave@example.org>\r\n', { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 503, 'mail-given': 250, 'has-recipients': 250, chunking: 503 }],
  ['DATA\r\n', { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 503, 'mail-given': 503, 'has-recipients': 354, chunking: 503 }],
  ['BDAT 2 LAST\r\nhi', { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 503, 'mail-given': 503, 'has-recipients': 250, chunking: 250 }],
  ['RSET\r\n', { 'greeting-refused': 503, 'awaiting-helo': 250, ready: 250, 'mail-given': 250, 'has-recipients': 250, chunking: 250 }],
  ['NOOP\r\n', { 'greeting-refused': 503, 'awaiting-helo': 250, ready: 250, 'mail-given': 250, 'has-recipients': 250, chunking: 250 }],
  ['VRFY bob\r\n', { 'greeting-refused': 503, 'awaiting-helo': 252, ready: 252, 'mail-given': 252, 'has-recipients': 252, chunking: 252 }],
  ['EXPN staff\r\n', { 'greeting-refused': 503, 'awaiting-helo': 502, ready: 502, 'mail-given': 502, 'has-recipients': 502, chunking: 502 }],
  ['HELP\r\n', { 'greeting-refused': 503, 'awaiting-helo': 214, ready: 214, 'mail-given': 214, 'has-recipients': 214, chunking: 214 }],
  ['STARTTLS\r\n', { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 220, 'mail-given': 503, 'has-recipients': 503, chunking: 503 }],
  [goodPlain, { 'greeting-refused': 503, 'awaiting-helo': 503, ready: 235, 'mail-given': 503, 'has-recipients': 503, chunking: 503 }],
  ['XYZZY\r\n', { 'greeting-refused': 503, 'awaiting-helo': 500, ready: 500, 'mail-given': 500, 'has-recipients': 500, chunking: 500 }],
  ['\r\n', { 'greeting-refused': 503, 'awaiting-helo': 500, ready: 500, 'mail-given': 500, 'has-recipients': 500, chunking: 500 }],
  ['QUIT\r\n', { 'greeting-refused': 221, 'awaiting-helo': 221, ready: 221, 'mail-given': 221, 'has-recipients': 221, chunking: 221 }],
];

describe('SMTP server: every command in every state (RFC 5321 §4.3.2)', () => {
  for (const [stateName, setup] of Object.entries(STATES)) {
    for (const [command, expected] of TABLE) {
      const code = expected[stateName]!;
      it(`${stateName} × ${JSON.stringify(command.split('\r\n')[0])} → ${code}`, () => {
        const opts = options({ hooks: authHooks, ...setup.options });
        const before = replayBoth(opts, setup.steps);
        expect(before.server.state).toBe(setup.state);
        const after = replayBoth(opts, [...setup.steps, command]);
        const newCodes = codes(after.output).slice(codes(before.output).length);
        expect(newCodes[0]).toBe(code);
        // Once EHLO advertised ENHANCEDSTATUSCODES, a 2xx/4xx/5xx reply (not the EHLO/HELO answer) has
        // an enhanced code of the same class (RFC 2034, docs/delivery.md D7).
        const line = finalReplyLines(after.output)[codes(before.output).length]!;
        const enhancedExpected =
          stateName !== 'greeting-refused' && stateName !== 'awaiting-helo' && !command.startsWith('EHLO') && !command.startsWith('HELO') && Math.floor(code / 100) !== 3;
        if (enhancedExpected) expect(line).toMatch(new RegExp(`^${code} ${Math.floor(code / 100)}\\.\\d+\\.\\d+ `));
        if (stateName === 'awaiting-helo') expect(line).not.toMatch(/^\d{3} \d\.\d+\.\d+ /);
      });
    }
  }
});

describe('SMTP server: state transitions', () => {
  const cases: Array<[string, Step[], SmtpServerState]> = [
    ['MAIL → mail-given', [EHLO, MAIL], SmtpServerState.MailGiven],
    ['RCPT → has-recipients', [EHLO, MAIL, RCPT], SmtpServerState.HasRecipients],
    ['DATA → reading-data', [EHLO, MAIL, RCPT, 'DATA\r\n'], SmtpServerState.ReadingData],
    ['final dot → ready', [EHLO, MAIL, RCPT, 'DATA\r\nhi\r\n.\r\n'], SmtpServerState.Ready],
    ['RSET → ready', [EHLO, MAIL, RCPT, 'RSET\r\n'], SmtpServerState.Ready],
    ['RSET before EHLO stays awaiting-helo', ['RSET\r\n'], SmtpServerState.AwaitingHelo],
    ['EHLO resets a transaction', [EHLO, MAIL, RCPT, EHLO], SmtpServerState.Ready],
    ['BDAT chunk → chunking', [EHLO, MAIL, RCPT, 'BDAT 1\r\nx'], SmtpServerState.Chunking],
    ['BDAT partial chunk → reading-chunk', [EHLO, MAIL, RCPT, 'BDAT 5\r\nxy'], SmtpServerState.ReadingChunk],
    ['BDAT LAST → ready', [EHLO, MAIL, RCPT, 'BDAT 1 LAST\r\nx'], SmtpServerState.Ready],
    ['STARTTLS → tls-handshake', [EHLO, 'STARTTLS\r\n'], SmtpServerState.TlsHandshake],
    ['TLS established → awaiting-helo', [EHLO, 'STARTTLS\r\n', { tls: true }], SmtpServerState.AwaitingHelo],
    ['AUTH LOGIN → auth-exchange', [EHLO, 'AUTH LOGIN\r\n'], SmtpServerState.AuthExchange],
    ['QUIT → closed', ['QUIT\r\n'], SmtpServerState.Closed],
    ['EOF → closed', [EHLO, MAIL, { eof: true }], SmtpServerState.Closed],
  ];
  for (const [name, steps, state] of cases) {
    it(name, () => {
      expect(replayBoth(options(), steps).server.state).toBe(state);
    });
  }
});

describe('SMTP server: greeting and EHLO', () => {
  it('greets with 220 and no enhanced code; EHLO lists the implemented extensions', () => {
    const run = replayBoth(options(), [EHLO]);
    expect(run.output).toBe(
      [
        '220 mx.example.org ESMTP mailsim',
        '250-mx.example.org greets client.example.net',
        '250-PIPELINING',
        '250-SIZE 10240000',
        '250-8BITMIME',
        '250-SMTPUTF8',
        '250-ENHANCEDSTATUSCODES',
        '250-DSN',
        '250-STARTTLS',
        '250-AUTH PLAIN LOGIN',
        '250 CHUNKING',
        '',
      ].join('\r\n'),
    );
    expect(run.events).toEqual([{ type: 'helo', name: 'client.example.net', extended: true }]);
  });

  it('advertises only what is enabled; without ENHANCEDSTATUSCODES no reply carries a code', () => {
    const opts = options({ extensions: { pipelining: false, size: false, enhancedStatusCodes: false, dsn: false, startTls: false, auth: [], chunking: false, smtpUtf8: false, eightBitMime: false } });
    const run = replayBoth(opts, [EHLO, 'MAIL FROM:<a@b.c> SIZE=10\r\n', 'STARTTLS\r\n', 'AUTH PLAIN\r\n', 'BDAT 1\r\n', 'NOOP\r\n']);
    expect(run.output).toBe(
      '220 mx.example.org ESMTP mailsim\r\n250 mx.example.org greets client.example.net\r\n555 Unsupported parameter SIZE\r\n502 STARTTLS not supported\r\n502 AUTH not supported\r\n502 BDAT not supported\r\n250 OK\r\n',
    );
  });

  it('HELO gives a one-line 250, no extensions, and ESMTP parameters are then refused with 555', () => {
    const run = replayBoth(options(), ['HELO client\r\n', 'MAIL FROM:<a@b.c> BODY=8BITMIME\r\n', 'AUTH PLAIN\r\n']);
    expect(finalReplyLines(run.output)).toEqual(['220 mx.example.org ESMTP mailsim', '250 mx.example.org greets client', '555 Unsupported parameter BODY', '503 Send EHLO first']);
  });

  it('EHLO without a name is 501', () => {
    expect(codes(replayBoth(options(), ['EHLO\r\n', 'HELO \r\n']).output)).toEqual([220, 501, 501]);
  });

  it('a 554 greeting serves only QUIT (RFC 5321 §3.1); a 421 greeting closes', () => {
    const refuse = (code: number) => options({ hooks: { onConnect: () => ({ kind: 'reject', reply: { code, enhanced: null, lines: ['no service'] } }) } });
    const r554 = replayBoth(refuse(554), [EHLO, 'QUIT\r\n']);
    expect(r554.output).toBe('554 no service\r\n503 Only QUIT is accepted now (RFC 5321 section 3.1)\r\n221 mx.example.org closing connection\r\n');
    const r421 = replayBoth(refuse(421), [EHLO]);
    expect(r421.output).toBe('421 no service\r\n');
    expect(r421.server.closed).toBe(true);
    expect(r421.events).toEqual([{ type: 'closed', reason: 'greeting-refused' }]);
  });
});
