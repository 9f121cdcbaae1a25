/**
 * SMTP client machine: tables of (scripted server bytes) → (client bytes, events), each fed whole and
 * one byte at a time with the same result (docs/architecture.md, Tests). Outcome rules are docs/delivery.md
 * R2, R4, R5 and E3 (RFC 1047); the deadlines are §3.
 */
import { describe, expect, it } from 'vitest';
import type { SmtpClientOptions } from '../../../src/protocols/smtp/client.js';
import { run, type Step, tx } from './client-harness.js';

const HELO = 'client.a.example';
const PLAIN: SmtpClientOptions = { heloName: HELO, tls: 'none' };
const EHLO_BASIC = '250-mx.b.example hello\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n';
const EHLO_PIPE = '250-mx.b.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n';
const CONTENT = 'Subject: hi\r\n\r\nhello\r\n.\r\n';
const MAIL = 'MAIL FROM:<alice@a.example> SIZE=22\r\n';
const MAIL_NO_SIZE = 'MAIL FROM:<alice@a.example>\r\n';
const rcpt = (address: string) => `RCPT TO:<${address}>\r\n`;
const BOB = 'bob@b.example';
const CAROL = 'carol@b.example';
const DAVE = 'dave@b.example';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface Case {
  name: string;
  options?: SmtpClientOptions;
  steps: Step[];
  output: string;
  events: string[];
  /** nextTimeoutMs() after the last step. */
  deadline?: number | null;
}

const one = (id = 't1', recipients = [BOB]): Step => ({ enqueue: tx(id, recipients) });
const finish: Step = { finish: true };
const s = (server: string): Step => ({ server });

/** A plain session up to the MAIL reply, without PIPELINING. */
const basicOpen: Step[] = [one(), finish, s('220 mx.b.example ESMTP\r\n'), s(EHLO_BASIC)];
const basicOpenOut = `EHLO ${HELO}\r\n${MAIL}`;

const cases: Case[] = [
  {
    name: 'happy path without PIPELINING',
    steps: [...basicOpen, s('250 2.1.0 ok\r\n'), s('250 2.1.5 ok\r\n'), s('354 go ahead\r\n'), s('250 2.0.0 queued as X\r\n'), s('221 2.0.0 bye\r\n')],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
    deadline: null,
  },
  {
    name: 'happy path with PIPELINING: MAIL, RCPTs and DATA in one group (RFC 2920)',
    steps: [one('t1', [BOB, CAROL]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n'), s('250 queued\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}${rcpt(CAROL)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done ${CAROL}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'a body line over 998 octets is folded with CRLF SPACE by default (Postfix smtp_line_length_limit)',
    steps: [
      { enqueue: tx('t1', [BOB], `Subject: long\r\n\r\n${'y'.repeat(2000)}\r\n`) },
      finish,
      s('220 mx\r\n'),
      s(EHLO_PIPE),
      s('250 ok\r\n250 ok\r\n354 go\r\n'),
      s('250 queued\r\n'),
      s('221 bye\r\n'),
    ],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\nSubject: long\r\n\r\n${'y'.repeat(998)}\r\n ${'y'.repeat(997)}\r\n ${'y'.repeat(5)}\r\n.\r\nQUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'lineOctetsMax 0: a long line goes whole',
    options: { heloName: HELO, tls: 'none', lineOctetsMax: 0 },
    steps: [{ enqueue: tx('t1', [BOB], `${'y'.repeat(2000)}\r\n`) }, finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n354 go\r\n'), s('250 queued\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${'y'.repeat(2000)}\r\n.\r\nQUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`],
  },
  {
    name: 'HELO fallback after 502 to EHLO (RFC 5321 §3.2)',
    steps: [one(), finish, s('220 mx\r\n'), s('502 5.5.1 EHLO not implemented\r\n'), s('250 mx\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nHELO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'HELO fallback after 500',
    steps: [one(), finish, s('220 mx\r\n'), s('500 what\r\n'), s('550 no HELO either\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nHELO ${HELO}\r\nQUIT\r\n`,
    events: [`done t1 ${BOB}=failed/550/helo`, 'closed helo-rejected/helo'],
  },
  {
    name: 'STARTTLS then EHLO again then AUTH PLAIN (RFC 3207 §4.2, RFC 4954)',
    options: { heloName: HELO, tls: 'required', auth: { user: 'alice', password: 'secret' } },
    steps: [
      one(),
      finish,
      s('220 mx\r\n'),
      s('250-mx\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n'),
      s('220 2.0.0 ready for TLS\r\n'),
      { tls: true },
      s('250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN\r\n'),
      s('235 2.7.0 ok\r\n'),
      s('250 ok\r\n250 ok\r\n354 go\r\n'),
      s('250 ok\r\n'),
      s('221 bye\r\n'),
    ],
    output: `EHLO ${HELO}\r\nSTARTTLS\r\nEHLO ${HELO}\r\nAUTH PLAIN ${b64('\0alice\0secret')}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['starttls', 'authenticated PLAIN', 'ready secure=true auth=true', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'AUTH LOGIN over implicit TLS (RFC 8314)',
    options: { heloName: HELO, tls: 'required', implicitTls: true, auth: { user: 'alice', password: 'secret', mechanism: 'LOGIN' } },
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n250 AUTH PLAIN LOGIN\r\n'), s('334 VXNlcm5hbWU6\r\n'), s('334 UGFzc3dvcmQ6\r\n'), s('235 ok\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nAUTH LOGIN\r\n${b64('alice')}\r\n${b64('secret')}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['authenticated LOGIN', 'ready secure=true auth=true', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: '535 to AUTH fails the mail and QUITs',
    options: { heloName: HELO, tls: 'none', auth: { user: 'alice', password: 'wrong' } },
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n250 AUTH PLAIN\r\n'), s('535 5.7.8 bad credentials\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nAUTH PLAIN ${b64('\0alice\0wrong')}\r\nQUIT\r\n`,
    events: [`done t1 ${BOB}=failed/535/auth`, 'closed auth-failed/auth'],
  },
  {
    name: '454 to AUTH defers',
    options: { heloName: HELO, tls: 'none', auth: { user: 'alice', password: 'pw' } },
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n250 AUTH PLAIN\r\n'), s('454 4.7.0 try later\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nAUTH PLAIN ${b64('\0alice\0pw')}\r\nQUIT\r\n`,
    events: [`done t1 ${BOB}=deferred/454/auth`, 'closed auth-failed/auth'],
  },
  {
    name: 'AUTH asked but not offered: defer without sending mail',
    options: { heloName: HELO, tls: 'none', auth: { user: 'alice', password: 'pw' } },
    steps: [one(), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nQUIT\r\n`,
    events: [`done t1 ${BOB}=deferred/-/auth`, 'closed auth-unavailable/auth'],
  },
  {
    name: "tls 'required' and no STARTTLS offered: nothing sent but QUIT",
    options: { heloName: HELO, tls: 'required' },
    steps: [one(), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nQUIT\r\n`,
    events: [`done t1 ${BOB}=deferred/-/starttls`, 'closed tls-unavailable/starttls'],
  },
  {
    name: "tls 'opportunistic': STARTTLS refused, carry on in plain text",
    options: { heloName: HELO, tls: 'opportunistic' },
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n250 STARTTLS\r\n'), s('454 4.7.0 TLS not available\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\nSTARTTLS\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'bytes injected after the STARTTLS 220 are a protocol error (RFC 3207 §5)',
    options: { heloName: HELO, tls: 'required' },
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n250 STARTTLS\r\n'), s('220 go\r\n250 injected\r\n')],
    output: `EHLO ${HELO}\r\nSTARTTLS\r\n`,
    events: ['starttls', `done t1 ${BOB}=deferred/-/starttls`, 'closed protocol-error/starttls'],
  },
  // ---- 4xx / 5xx at every stage (R2, R5) ----
  ...(
    [
      ['MAIL 451', ['451 4.3.0 later\r\n'], '', `${BOB}=deferred/451/mail`],
      ['MAIL 550', ['550 5.7.1 no\r\n'], '', `${BOB}=failed/550/mail`],
      ['RCPT 450', ['250 ok\r\n', '450 4.2.0 greylisted\r\n'], rcpt(BOB), `${BOB}=deferred/450/rcpt`],
      ['RCPT 550', ['250 ok\r\n', '550 5.1.1 no such user\r\n'], rcpt(BOB), `${BOB}=failed/550/rcpt`],
      ['DATA 451', ['250 ok\r\n', '250 ok\r\n', '451 4.3.0 later\r\n'], `${rcpt(BOB)}DATA\r\n`, `${BOB}=deferred/451/data-init`],
      ['DATA 554', ['250 ok\r\n', '250 ok\r\n', '554 5.5.1 no\r\n'], `${rcpt(BOB)}DATA\r\n`, `${BOB}=failed/554/data-init`],
      ['dot 451', ['250 ok\r\n', '250 ok\r\n', '354 go\r\n', '451 4.3.0 later\r\n'], `${rcpt(BOB)}DATA\r\n${CONTENT}`, `${BOB}=deferred/451/data-done`],
      ['dot 554', ['250 ok\r\n', '250 ok\r\n', '354 go\r\n', '554 5.7.1 spam\r\n'], `${rcpt(BOB)}DATA\r\n${CONTENT}`, `${BOB}=failed/554/data-done`],
    ] as const
  ).map(
    ([what, replies, sent, outcome]): Case => ({
      name: `${what} without PIPELINING`,
      steps: [...basicOpen, ...replies.map(s), s('221 bye\r\n')],
      output: `${basicOpenOut}${sent}QUIT\r\n`,
      events: ['ready secure=false auth=false', `done t1 ${outcome}`, 'closed quit/quit'],
    }),
  ),
  ...(
    [
      ['MAIL 550', '550 5.7.1 no\r\n503 5.5.1 no\r\n503 5.5.1 no\r\n', '', `${BOB}=failed/550/mail`],
      ['MAIL 452', '452 4.3.1 full\r\n503 no\r\n503 no\r\n', '', `${BOB}=deferred/452/mail`],
      ['RCPT 550, DATA 554', '250 ok\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n', '', `${BOB}=failed/550/rcpt`],
      ['RCPT 550, DATA 354: a lone dot (RFC 2920 §3.1)', '250 ok\r\n550 5.1.1 no\r\n354 go\r\n', '.\r\n', `${BOB}=failed/550/rcpt`],
      ['DATA 451', '250 ok\r\n250 ok\r\n451 4.3.0 later\r\n', '', `${BOB}=deferred/451/data-init`],
    ] as const
  ).map(
    ([what, replies, after, outcome]): Case => ({
      name: `${what} with PIPELINING`,
      steps: [one(), finish, s('220 mx\r\n'), s(EHLO_PIPE), s(replies), ...(after === '' ? [] : [s('554 no valid recipients\r\n')]), s('221 bye\r\n')],
      output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${after}QUIT\r\n`,
      events: ['ready secure=false auth=false', `done t1 ${outcome}`, 'closed quit/quit'],
    }),
  ),
  // ---- R4: 452 too many recipients → the rest in another transaction ----
  {
    name: '452 to an RCPT without PIPELINING: the rest go in a second transaction (R4)',
    steps: [one('t1', [BOB, CAROL, DAVE]), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('250 ok\r\n'), s('250 ok\r\n'), s('452 4.5.3 too many\r\n'), s('354 go\r\n'), s('250 one\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 two\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL}${rcpt(BOB)}${rcpt(CAROL)}DATA\r\n${CONTENT}${MAIL}${rcpt(CAROL)}${rcpt(DAVE)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done ${CAROL}=accepted/250/data-done ${DAVE}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: '452 with PIPELINING: the 452 ones go in a second transaction (R4)',
    steps: [one('t1', [BOB, CAROL, DAVE]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n452 4.5.3 too many\r\n452 4.5.3 too many\r\n354 go\r\n'), s('250 one\r\n'), s('250 ok\r\n250 ok\r\n550 5.1.1 no dave\r\n354 go\r\n'), s('250 two\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}${rcpt(CAROL)}${rcpt(DAVE)}DATA\r\n${CONTENT}${MAIL_NO_SIZE}${rcpt(CAROL)}${rcpt(DAVE)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done ${CAROL}=accepted/250/data-done ${DAVE}=failed/550/rcpt`, 'closed quit/quit'],
  },
  {
    name: '452 to the only RCPT: no progress possible, deferred',
    steps: [...basicOpen, s('250 ok\r\n'), s('452 4.5.3 too many\r\n'), s('221 bye\r\n')],
    output: `${basicOpenOut}${rcpt(BOB)}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/452/rcpt`, 'closed quit/quit'],
  },
  {
    name: 'recipientsPerTransactionMax splits the recipients (Postfix sends 50)',
    options: { ...PLAIN, recipientsPerTransactionMax: 2 },
    steps: [one('t1', [BOB, CAROL, DAVE]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n'), s('250 one\r\n'), s('250 ok\r\n250 ok\r\n354 go\r\n'), s('250 two\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}${rcpt(CAROL)}DATA\r\n${CONTENT}${MAIL_NO_SIZE}${rcpt(DAVE)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done ${CAROL}=accepted/250/data-done ${DAVE}=accepted/250/data-done`, 'closed quit/quit'],
  },
  // ---- several transactions per connection ----
  {
    name: 'two messages on one connection with PIPELINING, no RSET needed',
    steps: [one('t1', [BOB]), one('t2', [CAROL]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n354 go\r\n'), s('250 a\r\n'), s('250 ok\r\n250 ok\r\n354 go\r\n'), s('250 b\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}${MAIL_NO_SIZE}${rcpt(CAROL)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, `done t2 ${CAROL}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'every RCPT rejected: no DATA, RSET before the next message',
    steps: [one('t1', [BOB]), one('t2', [CAROL]), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('250 ok\r\n'), s('550 5.1.1 no\r\n'), s('250 reset\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL}${rcpt(BOB)}RSET\r\n${MAIL}${rcpt(CAROL)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=failed/550/rcpt`, `done t2 ${CAROL}=accepted/250/data-done`, 'closed quit/quit'],
  },
  {
    name: 'RSET refused: the remaining messages are deferred',
    steps: [one('t1', [BOB]), one('t2', [CAROL]), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('250 ok\r\n'), s('550 5.1.1 no\r\n'), s('500 what\r\n'), s('221 bye\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL}${rcpt(BOB)}RSET\r\nQUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=failed/550/rcpt`, `done t2 ${CAROL}=deferred/500/rset`, 'closed rset-failed/rset'],
  },
  // ---- greeting ----
  {
    name: 'greeting 421: deferred, nothing sent (RFC 5321 §3.8)',
    steps: [one(), finish, s('421 4.3.2 busy\r\n')],
    output: '',
    events: [`done t1 ${BOB}=deferred/421/greeting`, 'closed server-closing/greeting'],
  },
  {
    name: 'greeting 554: failed, QUIT (RFC 5321 §3.1)',
    steps: [one(), finish, s('554 5.7.1 go away\r\n'), s('221 bye\r\n')],
    output: 'QUIT\r\n',
    events: [`done t1 ${BOB}=failed/554/greeting`, 'closed greeting-rejected/greeting'],
  },
  {
    name: '421 in the middle of a pipelined group: deferred, no QUIT',
    steps: [one('t1', [BOB, CAROL]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n421 4.3.2 shutting down\r\n')],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}${rcpt(CAROL)}DATA\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/421/rcpt ${CAROL}=deferred/421/rcpt`, 'closed server-closing/rcpt'],
  },
  // ---- timeouts (docs/delivery.md §3) ----
  {
    name: 'greeting timeout at 300 s (a spurious call before does nothing)',
    steps: [one(), finish, { timeoutAt: 299_999 }, { timeoutAt: 300_000 }],
    output: '',
    events: [`done t1 ${BOB}=deferred/-/greeting`, 'closed timeout/greeting'],
    deadline: null,
  },
  {
    name: 'EHLO timeout',
    steps: [one(), finish, { now: 10 }, s('220 mx\r\n'), { timeoutAt: 300_009 }, { timeoutAt: 300_010 }],
    output: `EHLO ${HELO}\r\n`,
    events: [`done t1 ${BOB}=deferred/-/helo`, 'closed timeout/helo'],
  },
  {
    name: 'MAIL timeout',
    steps: [...basicOpen, { timeoutAt: 300_000 }],
    output: basicOpenOut,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/-/mail`, 'closed timeout/mail'],
  },
  {
    name: 'RCPT timeout',
    steps: [...basicOpen, { now: 5 }, s('250 ok\r\n'), { timeoutAt: 300_005 }],
    output: `${basicOpenOut}${rcpt(BOB)}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/-/rcpt`, 'closed timeout/rcpt'],
  },
  {
    name: 'DATA initiation timeout at 120 s',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), { timeoutAt: 119_999 }, { timeoutAt: 120_000 }],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/-/data-init`, 'closed timeout/data-init'],
  },
  {
    name: 'timeout after the final dot at 600 s: unknown (RFC 1047, E3)',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), { timeoutAt: 599_999 }, { timeoutAt: 600_000 }],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=unknown/-/data-done`, 'closed timeout/data-done'],
  },
  {
    name: 'RSET timeout at 20 s',
    steps: [one('t1', [BOB]), one('t2', [CAROL]), finish, s('220 mx\r\n'), s(EHLO_BASIC), s('250 ok\r\n'), s('550 no\r\n'), { timeoutAt: 20_000 }],
    output: `EHLO ${HELO}\r\n${MAIL}${rcpt(BOB)}RSET\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=failed/550/rcpt`, `done t2 ${CAROL}=deferred/-/rset`, 'closed timeout/rset'],
  },
  {
    name: 'QUIT timeout closes; the mail was already accepted',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), { timeoutAt: 300_000 }],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed timeout/quit'],
  },
  // ---- connection lost ----
  {
    name: 'connection lost before the dot: deferred',
    steps: [...basicOpen, s('250 ok\r\n'), { eof: true }],
    output: `${basicOpenOut}${rcpt(BOB)}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/-/rcpt`, 'closed connection-lost/rcpt'],
  },
  {
    name: 'connection lost after the dot: unknown (RFC 1047, E3)',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), { eof: true }],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=unknown/-/data-done`, 'closed connection-lost/data-done'],
  },
  {
    name: 'connection lost after the dot of the first message: the second is deferred, not unknown',
    steps: [one('t1', [BOB]), one('t2', [CAROL]), finish, s('220 mx\r\n'), s(EHLO_PIPE), s('250 ok\r\n250 ok\r\n354 go\r\n'), { eof: true }],
    output: `EHLO ${HELO}\r\n${MAIL_NO_SIZE}${rcpt(BOB)}DATA\r\n${CONTENT}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=unknown/-/data-done`, `done t2 ${CAROL}=deferred/-/data-done`, 'closed connection-lost/data-done'],
  },
  {
    name: 'server closes after QUIT without 221: a normal end',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), { eof: true }],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}QUIT\r\n`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=accepted/250/data-done`, 'closed quit/quit'],
  },
  // ---- malformed replies: protocol error, the mail defers (Postfix) ----
  {
    name: 'greeting that is not a reply line',
    steps: [one(), finish, s('hello there\r\n')],
    output: '',
    events: [`done t1 ${BOB}=deferred/-/greeting`, 'closed protocol-error/greeting'],
  },
  {
    name: 'codes change within one reply',
    steps: [one(), finish, s('220 mx\r\n'), s('250-mx\r\n251 odd\r\n')],
    output: `EHLO ${HELO}\r\n`,
    events: [`done t1 ${BOB}=deferred/-/helo`, 'closed protocol-error/helo'],
  },
  {
    name: 'reply line over 512 octets (RFC 5321 §4.5.3.1.5)',
    steps: [one(), finish, s('220 mx\r\n'), s(`250-${'x'.repeat(600)}\r\n250 ok\r\n`)],
    output: `EHLO ${HELO}\r\n`,
    events: [`done t1 ${BOB}=deferred/-/helo`, 'closed protocol-error/helo'],
  },
  {
    name: 'reply with more lines than replyLinesMax',
    steps: [one(), finish, s('220 mx\r\n'), s('250-x\r\n'.repeat(150))],
    output: `EHLO ${HELO}\r\n`,
    events: [`done t1 ${BOB}=deferred/-/helo`, 'closed protocol-error/helo'],
  },
  {
    name: 'a 3xx reply to MAIL',
    steps: [...basicOpen, s('354 what\r\n')],
    output: basicOpenOut,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=deferred/-/mail`, 'closed protocol-error/mail'],
  },
  {
    name: 'garbage as the reply to the dot: unknown',
    steps: [...basicOpen, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('25O ok\r\n')],
    output: `${basicOpenOut}${rcpt(BOB)}DATA\r\n${CONTENT}`,
    events: ['ready secure=false auth=false', `done t1 ${BOB}=unknown/-/data-done`, 'closed protocol-error/data-done'],
  },
  {
    name: 'an unsolicited reply while idle',
    steps: [s('220 mx\r\n'), s(EHLO_BASIC), s('250 surprise\r\n')],
    output: `EHLO ${HELO}\r\n`,
    events: ['ready secure=false auth=false', 'closed protocol-error/idle'],
  },
];

describe('SmtpClient scripted sessions', () => {
  for (const c of cases) {
    it(c.name, () => {
      const whole = run(c.options ?? PLAIN, c.steps);
      const byByte = run(c.options ?? PLAIN, c.steps, true);
      expect(whole.output).toBe(c.output);
      expect(whole.events).toEqual(c.events);
      expect(byByte.output).toBe(whole.output);
      expect(byByte.rawEvents).toEqual(whole.rawEvents);
      if (c.deadline !== undefined) expect(whole.client.nextTimeoutMs()).toBe(c.deadline);
    });
  }
});
