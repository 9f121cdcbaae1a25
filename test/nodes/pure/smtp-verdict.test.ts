/**
 * What one connection of a delivery attempt decides (src/nodes/queue/smtp-verdict.ts, the code the SMTP
 * transport runs): the SMTP client machine is driven through a scripted server (the client tables'
 * harness), its events folded into the session outcome as runSmtpSession does, and the verdict read —
 * per recipient (docs/delivery.md R5, E3) or for the host (R6), with the RFC 3463 status of each.
 */
import { describe, expect, it } from 'vitest';
import type { SmtpSessionOutcome } from '../../../src/nodes/smtp-client-session.js';
import { type ConnectionVerdict, judgeConnection } from '../../../src/nodes/queue/smtp-verdict.js';
import type { SmtpClientEvent } from '../../../src/protocols/smtp/client-types.js';
import { run, type Step, tx } from '../../protocols/smtp/client-harness.js';

const target = { exchange: 'mx1.example.org', preference: 10, address: '10.0.0.10' };
const BOB = 'bob@b.example';
const CAROL = 'carol@b.example';
const EHLO = '250-mx.b.example\r\n250 ENHANCEDSTATUSCODES\r\n';

/** The session outcome runSmtpSession reports for the client's events. */
function sessionOutcome(events: readonly SmtpClientEvent[]): SmtpSessionOutcome {
  const ready = events.find((e) => e.type === 'ready');
  const closed = events.find((e) => e.type === 'closed');
  if (closed?.type !== 'closed') throw new Error('the script must end the session');
  return {
    kind: 'session',
    conn: 'c1',
    tls: false,
    handshakeDone: ready !== undefined,
    dsnOffered: ready?.type === 'ready' && ready.capabilities.dsn,
    transactions: events.flatMap((e) => (e.type === 'transaction-done' ? [{ id: e.id, recipients: e.recipients, reply: e.reply }] : [])),
    closeReason: closed.reason,
    closeStage: closed.stage,
    closeReply: closed.reply,
    closeDetail: closed.detail,
  };
}

/** The verdict on a session of one message to `recipients` with a server scripted by `after`. */
function judge(recipients: string[], after: Step[], requireTls = false): ConnectionVerdict {
  const message = tx('q1', recipients);
  message.envelope.requireTls = requireTls;
  const { rawEvents } = run({ heloName: 'client.a.example', tls: 'none' }, [{ enqueue: message }, { finish: true }, ...after]);
  return judgeConnection(sessionOutcome(rawEvents), target, 25);
}

const s = (server: string): Step => ({ server });
const opened = [s('220 mx.b.example ESMTP\r\n'), s(EHLO)];

function settled(verdict: ConnectionVerdict) {
  if (verdict.kind !== 'settled') throw new Error(`expected a settled transaction, got ${verdict.kind}`);
  return verdict.recipients.map((r) => [r.address, r.attempt, r.status.outcome, r.status.code, r.status.diagnostic]);
}

describe('the connection failed or the session ended before a transaction: a failure of the host (R6)', () => {
  it('RFC 3463 §3.5 X.4.1 "No answer from host": a connect that timed out is 4.4.1 (Postfix: "Connection timed out")', () => {
    expect(judgeConnection({ kind: 'connect-failed', failure: 'timeout', conn: 'c1' }, target, 25)).toEqual({
      kind: 'host-failed',
      attempt: 'timeout',
      cursorOutcome: 'timeout',
      status: { outcome: 'deferred', code: '4.4.1', reply: null, remoteMta: null, diagnostic: 'connect to mx1.example.org[10.0.0.10]:25: Connection timed out' },
    });
  });

  it('RFC 3463 §3.5 X.4.1: a refused connect is 4.4.1 too, in Postfix\'s words and with no remote MTA (no reply gave it: RFC 3464 §2.3.5)', () => {
    expect(judgeConnection({ kind: 'connect-failed', failure: 'refused', conn: 'c1' }, target, 25)).toMatchObject({
      attempt: 'refused',
      cursorOutcome: 'refused',
      status: { code: '4.4.1', remoteMta: null, diagnostic: 'connect to mx1.example.org[10.0.0.10]:25: Connection refused' },
    });
  });

  it('RFC 3463 §3.5 X.4.2 "Bad connection": connected, then no greeting within the timeout is 4.4.2 (Postfix: timeout after connect)', () => {
    expect(judge([BOB], [{ timeoutAt: 300_000 }])).toEqual({
      kind: 'host-failed',
      attempt: 'timeout',
      cursorOutcome: 'timeout',
      status: {
        outcome: 'deferred',
        code: '4.4.2',
        reply: null,
        remoteMta: null,
        diagnostic: 'conversation with mx1.example.org[10.0.0.10] timed out while receiving the initial server greeting',
      },
    });
  });

  it('RFC 3463 §3.5 X.4.2: connected, then the line closed before the greeting, or after EHLO, is 4.4.2, said as Postfix says it, with no remote MTA', () => {
    expect(judge([BOB], [{ eof: true }])).toMatchObject({
      attempt: 'dropped',
      cursorOutcome: 'dropped',
      status: { code: '4.4.2', remoteMta: null, diagnostic: 'lost connection with mx1.example.org[10.0.0.10] while receiving the initial server greeting' },
    });
    expect(judge([BOB], [s('220 mx.b.example ESMTP\r\n'), { eof: true }])).toMatchObject({
      attempt: 'dropped',
      status: { code: '4.4.2', remoteMta: null, diagnostic: 'lost connection with mx1.example.org[10.0.0.10] while performing the EHLO handshake' },
    });
    expect(judge([BOB], [...opened, { eof: true }])).toMatchObject({ attempt: 'dropped', status: { code: '4.4.2', remoteMta: null } });
  });

  it('RFC 3463 §3.5 X.4.2: a reply that timed out later in the dialogue (RCPT) is 4.4.2; no reply settled anyone, so the next MX is tried (R6)', () => {
    expect(judge([BOB], [...opened, s('250 ok\r\n'), { timeoutAt: 300_000 }])).toMatchObject({
      kind: 'host-failed',
      attempt: 'timeout',
      cursorOutcome: 'session',
      status: { outcome: 'deferred', code: '4.4.2', remoteMta: null, diagnostic: 'conversation with mx1.example.org[10.0.0.10] timed out while sending RCPT TO' },
    });
  });

  it('R6: a 5xx greeting speaks of the host: deferred with its code made temporary, and the next MX is tried', () => {
    expect(judge([BOB], [s('554 5.7.1 no service here\r\n'), s('221 bye\r\n')])).toEqual({
      kind: 'host-failed',
      attempt: 'failed',
      cursorOutcome: 'greeting-5xx',
      status: expect.objectContaining({ outcome: 'deferred', code: '4.7.1', remoteMta: 'mx1.example.org', diagnostic: '554 5.7.1 no service here' }),
    });
    expect(judge([BOB], [s('421 4.3.2 busy\r\n')])).toMatchObject({ attempt: 'deferred', cursorOutcome: 'greeting-4xx', status: { code: '4.3.2' } });
  });

  it('RFC 8689 §4.2.1: a host that cannot take a REQUIRETLS message refuses it for good (5.7.30); the next MX may', () => {
    expect(judge([BOB], [...opened, s('221 bye\r\n')], true)).toEqual({
      kind: 'host-failed',
      attempt: 'failed',
      cursorOutcome: 'session',
      status: { outcome: 'failed', code: '5.7.30', reply: null, remoteMta: null, diagnostic: 'mx1.example.org[10.0.0.10] does not offer REQUIRETLS over TLS' },
    });
  });
});

describe('a transaction settled the recipients (R5): the client’s outcome, the deciding reply’s code', () => {
  it('R5: a 5xx to RCPT fails that recipient only; the others share the reply to "."', () => {
    const verdict = judge([BOB, CAROL], [...opened, s('250 2.1.0 ok\r\n'), s('550 5.1.1 unknown\r\n'), s('250 2.1.5 ok\r\n'), s('354 go\r\n'), s('250 2.0.0 queued\r\n'), s('221 bye\r\n')]);
    expect(settled(verdict)).toEqual([
      [BOB, 'failed', 'failed', '5.1.1', '550 5.1.1 unknown'],
      [CAROL, 'accepted', 'accepted', '2.0.0', '250 2.0.0 queued'],
    ]);
  });

  it('R5: a 5xx to MAIL fails every recipient, a 4xx to DATA defers every one', () => {
    const mail = judge([BOB, CAROL], [...opened, s('553 5.7.1 sender refused\r\n'), s('221 bye\r\n')]);
    expect(settled(mail).map((r) => r.slice(1, 4))).toEqual([
      ['failed', 'failed', '5.7.1'],
      ['failed', 'failed', '5.7.1'],
    ]);
    const data = judge([BOB], [...opened, s('250 ok\r\n'), s('250 ok\r\n'), s('451 4.3.0 later\r\n'), s('250 ok\r\n'), s('221 bye\r\n')]);
    expect(settled(data)).toEqual([[BOB, 'deferred', 'deferred', '4.3.0', '451 4.3.0 later']]);
  });

  it('E3 (RFC 1047): the line lost after "." leaves the outcome unknown: deferred with 4.4.2, logged as dropped', () => {
    const verdict = judge([BOB], [...opened, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), { eof: true }]);
    expect(settled(verdict)).toEqual([[BOB, 'dropped', 'deferred', '4.4.2', 'lost connection with mx1.example.org[10.0.0.10] while sending end of data -- message may be sent more than once']]);
  });

  it('a recipient the client refused to send (an unsafe address) fails with 5.0.0 beside the ones a reply settled', () => {
    const verdict = judge([BOB, 'bad <address>'], [...opened, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 2.0.0 queued\r\n'), s('221 bye\r\n')]);
    expect(settled(verdict).map((r) => r.slice(1, 4))).toEqual([
      ['accepted', 'accepted', '2.0.0'],
      ['failed', 'failed', '5.0.0'],
    ]);
  });

  it('dsnOffered follows the EHLO keyword (RFC 3461), for the transport’s success notice', () => {
    const verdict = judge([BOB], [s('220 mx\r\n'), s('250-mx\r\n250 DSN\r\n'), s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('250 ok\r\n'), s('221 bye\r\n')]);
    expect(verdict).toMatchObject({ kind: 'settled', dsnOffered: true });
  });
});

describe('issue 22 point 3: the status is the enhanced code of the reply that decided it, from any reply the client reads', () => {
  // The server does not advertise ENHANCEDSTATUSCODES: the client reads the code from the reply text
  // all the same (RFC 2034 §4 lets a client use it; Postfix's smtp_chat.c takes it from every reply).
  const plainOpened = [s('220 mx.b.example ESMTP\r\n'), s('250 mx.b.example\r\n')];
  const status = (verdict: ConnectionVerdict) => (verdict.kind === 'settled' ? verdict.recipients[0]!.status : verdict.status);
  it.each([
    ['the greeting', [s('421 4.3.2 busy\r\n')], '4.3.2', '421 4.3.2 busy'],
    ['EHLO', [s('220 mx.b.example ESMTP\r\n'), s('421 4.7.9 go away\r\n')], '4.7.9', '421 4.7.9 go away'],
    ['MAIL', [...plainOpened, s('451 4.7.8 sender later\r\n'), s('221 bye\r\n')], '4.7.8', '451 4.7.8 sender later'],
    ['RCPT', [...plainOpened, s('250 ok\r\n'), s('550 5.1.9 who\r\n'), s('221 bye\r\n')], '5.1.9', '550 5.1.9 who'],
    ['DATA', [...plainOpened, s('250 ok\r\n'), s('250 ok\r\n'), s('451 4.3.7 not now\r\n'), s('221 bye\r\n')], '4.3.7', '451 4.3.7 not now'],
    ['the dot', [...plainOpened, s('250 ok\r\n'), s('250 ok\r\n'), s('354 go\r\n'), s('554 5.6.9 bad content\r\n'), s('221 bye\r\n')], '5.6.9', '554 5.6.9 bad content'],
  ] as const)('%s', (_stage, steps, code, diagnostic) => {
    expect(status(judge([BOB], [...steps]))).toMatchObject({ code, diagnostic, remoteMta: 'mx1.example.org' });
  });
});

describe('the client would not send to this host (a refusal of the host, for good)', () => {
  const locally = (detail: string): SmtpSessionOutcome => ({
    kind: 'session',
    conn: 'c1',
    tls: true,
    handshakeDone: true,
    dsnOffered: false,
    transactions: [{ id: 'q1', recipients: [{ address: 'bob@b.example', outcome: 'failed', reply: null, stage: 'local', detail }], reply: null }],
    closeReason: 'quit',
    closeStage: 'quit',
    closeReply: null,
    closeDetail: null,
  });

  it.each([
    ['message-too-large', '5.3.4', 'exceeds the size limit of server mx1.example.org[10.0.0.10]'],
    ['smtputf8-not-offered', '5.6.7', 'SMTPUTF8 is required, but was not offered by host mx1.example.org[10.0.0.10]'],
    ['requiretls-not-offered', '5.7.30', 'mx1.example.org[10.0.0.10] does not offer REQUIRETLS over TLS'],
  ])('%s: %s, the next MX tried', (detail, code, text) => {
    const verdict = judgeConnection(locally(detail), target, 25);
    // Postfix's DSN_BY_LOCAL_MTA: the client's own refusal names no remote MTA (RFC 3464 §2.3.5).
    expect(verdict).toMatchObject({ kind: 'host-failed', attempt: 'failed', cursorOutcome: 'session', status: { outcome: 'failed', code, remoteMta: null } });
    expect(verdict.kind === 'host-failed' && verdict.status.diagnostic).toContain(text);
  });
});
