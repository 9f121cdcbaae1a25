// The POP3 server machine (RFC 1939, RFC 2449; docs/delivery.md P1–P6): tables of (state, input) → output,
// each also fed one byte at a time with the same result; every command in every state; the lock;
// a drop deletes nothing; UIDL stable across sessions; limits.
import { describe, expect, it } from 'vitest';
import { COMMANDS_BY_STATE } from '../../../src/protocols/pop3/server.js';
import { POP3_SERVER_LIMITS } from '../../../src/protocols/pop3/types.js';
import { apopDigest, bytes, converse, deliver, latin1, mailWorld } from './helpers.js';

const M1 = 'Subject: one\r\n\r\nhello\r\n';
const M2 = 'Subject: two\r\nX: y\r\n\r\n.leading dot\r\nline 2\r\n..two dots\r\nline 4\r\n';
const LOGIN = 'USER bob\r\nPASS secret pw\r\n';

function setup() {
  const world = mailWorld();
  deliver(world.store, M1);
  deliver(world.store, M2);
  return world;
}

const greetingOf = (output: string) => output.split('\r\n')[0]!;

describe('POP3 server: greeting', () => {
  it('greets with +OK and an APOP timestamp built from the owner token (deterministic)', () => {
    const server = setup().server();
    expect(latin1(server.takeOutput())).toBe(`+OK mx1.example.org POP3 server ready <1.${1_767_225_600_000}@mx1.example.org>\r\n`);
    expect(server.state).toBe('authorization');
  });
  it('offers no timestamp without APOP secrets', () => {
    const server = setup().server({ apopSecret: undefined });
    expect(greetingOf(latin1(server.takeOutput()))).toBe('+OK mx1.example.org POP3 server ready');
  });
});

type Row = { name: string; state: 'authorization' | 'transaction'; input: string; output: string; after?: string };
const UIDV = (store: ReturnType<typeof setup>['store']) => store.folder('INBOX')!.uidValidity;

function rows(uidValidity: number): Row[] {
  const size1 = bytes(M1).length;
  const size2 = bytes(M2).length;
  return [
    { name: 'USER then PASS', state: 'authorization', input: LOGIN, output: `+OK send PASS\r\n+OK bob has 2 messages (${size1 + size2} octets)\r\n`, after: 'transaction' },
    { name: 'bad password is [AUTH]', state: 'authorization', input: 'USER bob\r\nPASS nope\r\n', output: '+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n', after: 'authorization' },
    { name: 'PASS without USER', state: 'authorization', input: 'PASS secret pw\r\n', output: '-ERR USER first\r\n' },
    { name: 'USER without a name', state: 'authorization', input: 'USER\r\n', output: '-ERR USER needs one mailbox name\r\n' },
    { name: 'lower-case keywords, bare LF', state: 'authorization', input: 'user bob\npass secret pw\n', output: `+OK send PASS\r\n+OK bob has 2 messages (${size1 + size2} octets)\r\n` },
    { name: 'STAT before login', state: 'authorization', input: 'STAT\r\n', output: '-ERR STAT not valid in the AUTHORIZATION state\r\n' },
    { name: 'unknown command', state: 'authorization', input: 'AUTH PLAIN\r\n', output: '-ERR unknown command\r\n' },
    {
      name: 'CAPA lists exactly what is implemented, STLS while TLS is offered and off',
      state: 'authorization',
      input: 'CAPA\r\n',
      output: '+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nSTLS\r\nIMPLEMENTATION mailsim\r\n.\r\n',
    },
    { name: 'QUIT in AUTHORIZATION', state: 'authorization', input: 'QUIT\r\n', output: '+OK mx1.example.org POP3 server signing off\r\n', after: 'closed' },
    { name: 'STAT', state: 'transaction', input: 'STAT\r\n', output: `+OK 2 ${size1 + size2}\r\n` },
    { name: 'LIST', state: 'transaction', input: 'LIST\r\n', output: `+OK 2 messages (${size1 + size2} octets)\r\n1 ${size1}\r\n2 ${size2}\r\n.\r\n` },
    { name: 'LIST n', state: 'transaction', input: 'LIST 2\r\n', output: `+OK 2 ${size2}\r\n` },
    { name: 'LIST of a missing message', state: 'transaction', input: 'LIST 3\r\n', output: '-ERR no such message, only 2 in maildrop\r\n' },
    { name: 'LIST 0 is invalid', state: 'transaction', input: 'LIST 0\r\n', output: '-ERR invalid message number\r\n' },
    { name: 'RETR dot-stuffs (P6)', state: 'transaction', input: 'RETR 2\r\n', output: `+OK ${size2} octets\r\nSubject: two\r\nX: y\r\n\r\n..leading dot\r\nline 2\r\n...two dots\r\nline 4\r\n.\r\n` },
    { name: 'TOP 1 line', state: 'transaction', input: 'TOP 2 1\r\n', output: '+OK top of message follows\r\nSubject: two\r\nX: y\r\n\r\n..leading dot\r\n.\r\n' },
    { name: 'TOP 0 lines', state: 'transaction', input: 'TOP 1 0\r\n', output: '+OK top of message follows\r\nSubject: one\r\n\r\n.\r\n' },
    { name: 'TOP more lines than there are', state: 'transaction', input: 'TOP 1 99\r\n', output: '+OK top of message follows\r\nSubject: one\r\n\r\nhello\r\n.\r\n' },
    { name: 'TOP without a count', state: 'transaction', input: 'TOP 1\r\n', output: '-ERR TOP needs a message number and a line count\r\n' },
    { name: 'UIDL', state: 'transaction', input: 'UIDL\r\n', output: `+OK unique-id listing follows\r\n1 ${uidValidity}.1\r\n2 ${uidValidity}.2\r\n.\r\n` },
    { name: 'UIDL n', state: 'transaction', input: 'UIDL 1\r\n', output: `+OK 1 ${uidValidity}.1\r\n` },
    {
      name: 'DELE marks; the message then gets -ERR; STAT/LIST/UIDL skip it (P2)',
      state: 'transaction',
      input: 'DELE 1\r\nRETR 1\r\nDELE 1\r\nSTAT\r\nLIST\r\nUIDL\r\n',
      output: `+OK message 1 deleted\r\n-ERR message 1 already deleted\r\n-ERR message 1 already deleted\r\n+OK 1 ${size2}\r\n+OK 1 messages (${size2} octets)\r\n2 ${size2}\r\n.\r\n+OK unique-id listing follows\r\n2 ${uidValidity}.2\r\n.\r\n`,
    },
    { name: 'RSET unmarks', state: 'transaction', input: 'DELE 1\r\nRSET\r\nSTAT\r\n', output: `+OK message 1 deleted\r\n+OK maildrop has 2 messages (${size1 + size2} octets)\r\n+OK 2 ${size1 + size2}\r\n` },
    { name: 'NOOP', state: 'transaction', input: 'NOOP\r\n', output: '+OK\r\n' },
    { name: 'USER in TRANSACTION', state: 'transaction', input: 'USER bob\r\n', output: '-ERR USER not valid in the TRANSACTION state\r\n' },
    { name: 'STLS in TRANSACTION', state: 'transaction', input: 'STLS\r\n', output: '-ERR STLS not valid in the TRANSACTION state\r\n' },
    { name: 'CAPA in TRANSACTION has no STLS', state: 'transaction', input: 'CAPA\r\n', output: '+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mailsim\r\n.\r\n' },
    { name: 'QUIT in TRANSACTION enters UPDATE', state: 'transaction', input: 'DELE 2\r\nQUIT\r\n', output: '+OK message 2 deleted\r\n+OK mx1.example.org POP3 server signing off (1 message left)\r\n', after: 'closed' },
    { name: 'commands after QUIT are ignored', state: 'transaction', input: 'QUIT\r\nSTAT\r\n', output: '+OK mx1.example.org POP3 server signing off (2 messages left)\r\n', after: 'closed' },
  ];
}

describe('POP3 server: (state, input) → output, whole and byte by byte', () => {
  const uidValidity = UIDV(setup().store);
  for (const row of rows(uidValidity)) {
    it(row.name, () => {
      const results = [false, true].map((byteAtATime) => {
        const world = setup();
        const server = world.server();
        server.takeOutput();
        if (row.state === 'transaction') converse(server, LOGIN, false);
        const result = converse(server, row.input, byteAtATime);
        return { ...result, state: server.state, left: world.store.folder('INBOX')!.messages().length };
      });
      expect(results[0]!.output).toBe(row.output);
      expect(results[1]).toEqual(results[0]);
      if (row.after) expect(results[0]!.state).toBe(row.after);
    });
  }
});

describe('POP3 server: every command in every state answers +OK or -ERR, never throws', () => {
  const commands = [...new Set([...COMMANDS_BY_STATE.authorization, ...COMMANDS_BY_STATE.transaction, 'AUTH', 'XYZZY', ''])];
  const argumentsToTry = ['', ' 1', ' 1 1', ' bob', ' 99999999999', ' -1', ' bob 0123456789abcdef0123456789abcdef'];
  for (const state of ['authorization', 'transaction', 'closed'] as const) {
    it(state, () => {
      for (const command of commands) {
        for (const argument of argumentsToTry) {
          const world = setup();
          const server = world.server();
          server.takeOutput();
          if (state !== 'authorization') converse(server, LOGIN, false);
          if (state === 'closed') converse(server, 'QUIT\r\n', false);
          const { output } = converse(server, `${command}${argument}\r\n`, false);
          if (state === 'closed') expect(output).toBe('');
          else expect(output).toMatch(/^(\+OK|-ERR)/);
          expect(['authorization', 'transaction', 'starttls', 'closed']).toContain(server.state);
        }
      }
    });
  }
});

describe('POP3 server: lock, drop, UPDATE (P1, P2, P4)', () => {
  it('a second session gets -ERR [IN-USE] until the first one is gone', () => {
    const world = setup();
    const first = world.server();
    converse(first, LOGIN, false);
    const second = world.server();
    second.takeOutput();
    const { output, events } = converse(second, LOGIN, false);
    expect(output).toBe('+OK send PASS\r\n-ERR [IN-USE] maildrop already locked by another session\r\n');
    expect(events).toEqual([{ type: 'authFailed', user: 'bob', reason: 'in-use' }]);
    expect(second.state).toBe('authorization');
    first.receiveEof(5);
    expect(converse(second, LOGIN, false).output).toMatch(/\+OK bob has 2 messages/);
  });

  it('a dropped connection deletes nothing and releases the lock', () => {
    const world = setup();
    const server = world.server();
    converse(server, `${LOGIN}DELE 1\r\nDELE 2\r\n`, false);
    server.receiveEof(10);
    expect(server.takeEvents()).toEqual([{ type: 'closed', reason: 'eof' }]);
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(2);
    expect(world.store.tryLock('next')).not.toBeNull();
  });

  it('QUIT from TRANSACTION removes exactly the marked messages and reports them', () => {
    const world = setup();
    const server = world.server();
    const { events } = converse(server, `${LOGIN}DELE 1\r\nQUIT\r\n`, false);
    expect(events.at(-2)).toEqual({ type: 'updated', user: 'bob', deletedUids: [1], ok: true });
    expect(world.store.folder('INBOX')!.messages().map((m) => m.uid)).toEqual([2]);
  });

  it('mail arriving during the session waits for the next one (RFC 1939 §4)', () => {
    const world = setup();
    const server = world.server();
    converse(server, LOGIN, false);
    deliver(world.store, 'Subject: three\r\n\r\n3\r\n');
    expect(converse(server, 'STAT\r\nRETR 3\r\n', false).output).toMatch(/^\+OK 2 \d+\r\n-ERR no such message/);
  });

  it('a message expunged by another session (IMAP) is answered -ERR, not an exception', () => {
    const world = setup();
    const server = world.server();
    converse(server, LOGIN, false);
    world.store.folder('INBOX')!.expunge([1]);
    expect(converse(server, 'RETR 1\r\nDELE 1\r\nQUIT\r\n', false).output).toContain('-ERR [SYS/TEMP] message was removed by another session\r\n');
  });

  it('reports -ERR when UPDATE cannot remove (mbox busy with a delivery) and deletes nothing', () => {
    const world = mailWorld('mbox');
    deliver(world.store, M1);
    const server = world.server();
    converse(server, `${LOGIN}DELE 1\r\n`, false);
    const delivery = world.store.beginDelivery('INBOX', bytes(M2))!;
    delivery.step();
    expect(converse(server, 'QUIT\r\n', false).output).toBe('-ERR [SYS/TEMP] some deleted messages not removed\r\n');
    delivery.commit();
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(2);
  });
});

describe('POP3 server: UIDL (P5)', () => {
  it('is stable across sessions and never reused after deletion', () => {
    const world = setup();
    const uidl = () => {
      const server = world.server();
      const { output } = converse(server, `${LOGIN}UIDL\r\n`, false);
      const ids = [...output.matchAll(/^\d+ (\S+)$/gm)].map((m) => m[1]!);
      return { server, ids };
    };
    const first = uidl();
    converse(first.server, 'DELE 2\r\nQUIT\r\n', false);
    deliver(world.store, 'Subject: three\r\n\r\n3\r\n');
    const second = uidl();
    expect(second.ids[0]).toBe(first.ids[0]);
    expect(second.ids).toHaveLength(2);
    expect(first.ids).not.toContain(second.ids[1]);
    for (const id of [...first.ids, ...second.ids]) expect(id).toMatch(/^[\x21-\x7e]{1,70}$/);
  });
});

describe('POP3 server: APOP, STLS', () => {
  it('APOP with the right digest logs in, a wrong one is [AUTH]', () => {
    const world = setup();
    const server = world.server();
    const banner = /<[^>]+>/.exec(latin1(server.takeOutput()))![0];
    expect(converse(server, `APOP bob ${'0'.repeat(32)}\r\n`, false).output).toBe('-ERR [AUTH] invalid user name or password\r\n');
    const { output, events } = converse(server, `APOP bob ${apopDigest(banner, 'tanstaaf')}\r\n`, false);
    expect(output).toMatch(/^\+OK bob has 2 messages/);
    expect(events.at(-1)).toMatchObject({ type: 'authenticated', mechanism: 'APOP' });
  });

  it('STLS: +OK, discards what was pipelined behind it, then AUTHORIZATION again without STLS in CAPA', () => {
    for (const byteAtATime of [false, true]) {
      const world = setup();
      const server = world.server();
      server.takeOutput();
      const { output, events } = converse(server, `USER bob\r\nSTLS\r\n${LOGIN}`, byteAtATime);
      expect(output).toBe('+OK send PASS\r\n+OK begin TLS negotiation\r\n');
      expect(events).toEqual([{ type: 'starttls' }]);
      expect(server.state).toBe('starttls');
      server.tlsEstablished(2);
      expect(converse(server, 'PASS secret pw\r\n', byteAtATime).output).toBe('-ERR USER first\r\n');
      expect(converse(server, 'CAPA\r\n', byteAtATime).output).not.toContain('STLS');
      expect(converse(server, 'STLS\r\n', byteAtATime).output).toBe('-ERR TLS not available (or already active)\r\n');
    }
  });

  it('no STLS on implicit TLS (995) or when TLS is not offered', () => {
    const world = setup();
    for (const options of [{ tlsActive: true }, { tlsOffered: false }]) {
      const server = world.server(options);
      server.takeOutput();
      expect(converse(server, 'CAPA\r\n', false).output).not.toContain('STLS');
    }
  });
});

describe('POP3 server: limits', () => {
  it('refuses a command line over 255 octets the same way whole or byte by byte', () => {
    for (const byteAtATime of [false, true]) {
      const server = setup().server();
      server.takeOutput();
      const fits = `USER ${'b'.repeat(248)}\r\n`; // 255 octets
      const tooLong = `USER ${'b'.repeat(249)}\r\n`;
      expect(converse(server, fits + tooLong, byteAtATime).output).toBe('+OK send PASS\r\n-ERR command line too long (255 octets max)\r\n');
    }
  });

  it('hangs up after too many bad commands and after too many failed logins', () => {
    const world = setup();
    const chatty = world.server();
    const chat = converse(chatty, 'XYZZY\r\n'.repeat(10), false);
    expect(chatty.closed).toBe(true);
    expect(chat.events).toEqual([{ type: 'closed', reason: 'too-many-errors' }]);
    expect(chat.output.endsWith('-ERR too many bad commands, closing\r\n')).toBe(true);
    const guesser = world.server();
    const { output } = converse(guesser, 'USER bob\r\nPASS a\r\nUSER bob\r\nPASS b\r\nUSER bob\r\nPASS c\r\nUSER bob\r\n', false);
    expect(output.endsWith('-ERR too many failed logins, closing\r\n')).toBe(true);
    expect(guesser.closed).toBe(true);
  });

  it('a failed login is answered after auth_failure_delay (Dovecot, 2 s); the lines behind it wait; the third hangs up after its delay', () => {
    expect(POP3_SERVER_LIMITS.authFailureDelayMs).toBe(2000);
    const guesser = setup().server({ limits: { authFailureDelayMs: POP3_SERVER_LIMITS.authFailureDelayMs } });
    guesser.takeOutput();
    // Pipelined at t = 1000: the reply to PASS a is held, and USER bob behind it is not read yet.
    const first = converse(guesser, 'USER bob\r\nPASS a\r\nUSER bob\r\n', false, 1000);
    expect(first.output).toBe('+OK send PASS\r\n');
    expect(first.events).toEqual([{ type: 'authFailed', user: 'bob', reason: 'credentials' }]);
    expect(guesser.nextTimeoutMs()).toBe(3000);
    guesser.onTimeout(2999);
    expect(latin1(guesser.takeOutput())).toBe('');
    guesser.onTimeout(3000);
    expect(latin1(guesser.takeOutput())).toBe('-ERR [AUTH] invalid user name or password\r\n+OK send PASS\r\n');
    expect(converse(guesser, 'PASS b\r\nUSER bob\r\nPASS c\r\n', false, 3000).output).toBe('');
    guesser.onTimeout(5000);
    expect(latin1(guesser.takeOutput())).toBe('-ERR [AUTH] invalid user name or password\r\n+OK send PASS\r\n');
    guesser.onTimeout(7000);
    // The third failure: its -ERR and the hang-up come after the delay; closed only once they are out.
    expect(latin1(guesser.takeOutput())).toBe('-ERR [AUTH] invalid user name or password\r\n-ERR too many failed logins, closing\r\n');
    expect(guesser.closed).toBe(true);
    expect(guesser.nextTimeoutMs()).toBeNull();
  });

  it('plaintext logins off (Dovecot disable_plaintext_auth): no USER in CAPA and USER refused with [AUTH] before STLS; after TLS both as usual', () => {
    const server = setup().server({ plaintextAuthAllowed: false });
    server.takeOutput();
    const before = converse(server, 'CAPA\r\nUSER bob\r\n', false).output;
    expect(before).not.toMatch(/^USER\r$/m);
    expect(before).toMatch(/^STLS\r$/m);
    expect(before.endsWith('-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n')).toBe(true);
    expect(converse(server, 'STLS\r\n', false).output).toBe('+OK begin TLS negotiation\r\n');
    server.tlsEstablished(1);
    const after = converse(server, 'CAPA\r\nUSER bob\r\nPASS secret pw\r\n', false).output;
    expect(after).toMatch(/^USER\r$/m);
    expect(after).toMatch(/\+OK send PASS\r\n\+OK bob has 2 messages/);
    const implicit = setup().server({ plaintextAuthAllowed: false, tlsActive: true, tlsOffered: false });
    implicit.takeOutput();
    expect(converse(implicit, 'USER bob\r\n', false).output).toBe('+OK send PASS\r\n');
  });

  it('autologout after 10 minutes idle deletes nothing; a spurious timeout does nothing', () => {
    const world = setup();
    const server = world.server();
    server.takeOutput();
    converse(server, `${LOGIN}DELE 1\r\n`, false, 1000);
    expect(server.nextTimeoutMs()).toBe(1000 + 600_000);
    server.onTimeout(500_000);
    expect(server.closed).toBe(false);
    server.onTimeout(601_000);
    expect(latin1(server.takeOutput())).toBe('-ERR [SYS/TEMP] autologout: idle for too long\r\n');
    expect(server.closed).toBe(true);
    expect(server.nextTimeoutMs()).toBeNull();
    expect(world.store.folder('INBOX')!.messages()).toHaveLength(2);
    expect(world.store.tryLock('x')).not.toBeNull();
  });

  it('an unknown user and a user without a maildrop do not log in', () => {
    const world = setup();
    const server = world.server({ checkPassword: () => true });
    server.takeOutput();
    expect(converse(server, 'USER carol\r\nPASS x\r\n', false).output).toBe('+OK send PASS\r\n-ERR [SYS/PERM] no maildrop for this user\r\n');
  });
});
