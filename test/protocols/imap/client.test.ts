/**
 * The IMAP client machine against the server machine, back to back (docs/reference.md §7 `fetch`): it
 * retrieves every message of the folder, the server marks them \Seen, nothing is deleted; STARTTLS,
 * failures and timeouts end in one `done` event. Also: every server state × arbitrary bytes ends in a
 * valid state or a clean close, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImapClient, type ImapClientEvent, type ImapClientOptions } from '../../../src/protocols/imap/client.js';
import { CRLF_MESSAGE, type Session, world } from './harness.js';
import { MULTIPART_MESSAGE } from './messages.js';

/** Shuttles bytes both ways (optionally one byte at a time) until both sides are quiet. */
function run(client: ImapClient, server: Session, oneByte = false): ImapClientEvent[] {
  const events: ImapClientEvent[] = [];
  for (let round = 0; round < 1000; round += 1) {
    let moved = false;
    for (const chunk of server.server.takeOutput()) {
      moved = true;
      if (oneByte) for (const b of chunk) client.receive(new Uint8Array([b]), 0);
      else client.receive(chunk, 0);
    }
    for (const chunk of client.takeOutput()) {
      moved = true;
      if (oneByte) for (const b of chunk) server.server.receive(new Uint8Array([b]), 0);
      else server.server.receive(chunk, 0);
    }
    for (const event of client.takeEvents()) {
      events.push(event);
      if (event.type === 'starttls') {
        moved = true;
        server.server.tlsEstablished(0);
        client.tlsEstablished(0);
      }
    }
    for (const event of server.server.takeEvents()) if (event.type === 'closed') moved = true;
    if (!moved) break;
  }
  return events;
}

function mailbox() {
  const w = world();
  const inbox = w.store.folder('INBOX')!;
  inbox.append(CRLF_MESSAGE('one'));
  inbox.append(MULTIPART_MESSAGE, { flags: ['\\Flagged'] });
  w.store.createFolder('Junk');
  w.store.folder('Junk')!.append(CRLF_MESSAGE('spam'));
  return w;
}

const client = (options: Partial<ImapClientOptions> = {}) => new ImapClient({ user: 'bob', password: 'secret', ...options }, 0);

describe('IMAP client ↔ server', () => {
  for (const oneByte of [false, true]) {
    it(`fetch retrieves everything, sets \\Seen, deletes nothing${oneByte ? ' (one byte at a time)' : ''}`, () => {
      const w = mailbox();
      const c = client({ startTls: true });
      const events = run(c, w.open(), oneByte);
      const done = events.find((e) => e.type === 'done');
      expect(done).toMatchObject({ ok: true, error: null });
      const messages = done!.type === 'done' ? done!.messages : [];
      expect(messages.map((m) => m.uid)).toEqual([1, 2]);
      expect(messages[1]!.bytes).toEqual(MULTIPART_MESSAGE);
      expect(messages[1]!.size).toBe(MULTIPART_MESSAGE.length);
      expect(events.filter((e) => e.type === 'message')).toHaveLength(2);
      const stored = w.store.folder('INBOX')!.messages();
      expect(stored.map((m) => m.uid)).toEqual([1, 2]);
      expect(stored.map((m) => m.flags)).toEqual([['\\Seen'], ['\\Flagged', '\\Seen']]);
      expect(c.closed).toBe(true);
    });
  }

  it('fetches a folder with a non-ASCII name: SELECT carries it in modified UTF-7 (RFC 3501 §5.1.3)', () => {
    const w = mailbox();
    w.store.createFolder('Entwürfe');
    w.store.folder('Entwürfe')!.append(CRLF_MESSAGE('draft'));
    const server = w.open();
    const c = client({ folder: 'Entwürfe' });
    const sent: string[] = [];
    const takeOutput = c.takeOutput.bind(c);
    c.takeOutput = () => {
      const chunks = takeOutput();
      for (const chunk of chunks) sent.push(new TextDecoder().decode(chunk));
      return chunks;
    };
    const done = run(c, server).find((e) => e.type === 'done');
    expect(done).toMatchObject({ ok: true });
    expect(done!.type === 'done' && done!.messages.length).toBe(1);
    expect(sent.join('')).toMatch(/ SELECT Entw&APw-rfe\r\n/);
  });

  it('fetches another folder, and an empty one without FETCH', () => {
    const w = mailbox();
    const junk = run(client({ folder: 'Junk' }), w.open()).find((e) => e.type === 'done');
    expect(junk).toMatchObject({ ok: true });
    expect(junk!.type === 'done' && junk!.messages.length).toBe(1);
    w.store.createFolder('Empty');
    expect(run(client({ folder: 'Empty' }), w.open()).find((e) => e.type === 'done')).toMatchObject({ ok: true, messages: [] });
  });

  it('a wrong password or a missing folder ends with ok: false and the reason', () => {
    const w = mailbox();
    const bad = run(client({ password: 'nope' }), w.open()).find((e) => e.type === 'done');
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('AUTHENTICATIONFAILED') });
    const missing = run(client({ folder: 'Nope' }), w.open()).find((e) => e.type === 'done');
    expect(missing).toMatchObject({ ok: false, error: expect.stringContaining('NONEXISTENT') });
  });

  it('a password that needs a literal waits for "+" when the server lacks LITERAL+ (RFC 3501 §7.5)', () => {
    const c = client({ password: 'pä\r\nss' });
    const text = (chunks: Uint8Array[]) => chunks.map((b) => new TextDecoder().decode(b)).join('');
    c.receive(new TextEncoder().encode('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n'), 0);
    expect(text(c.takeOutput())).toBe('C1 LOGIN bob {7}\r\n');
    c.receive(new TextEncoder().encode('+ Ready\r\n'), 0);
    expect(text(c.takeOutput())).toBe('pä\r\nss\r\n');
    c.receive(new TextEncoder().encode('C1 OK LOGIN completed\r\n'), 0);
    expect(text(c.takeOutput())).toBe('C2 SELECT INBOX\r\n');
  });

  it('a silent server times out; a dropped connection is reported', () => {
    const c = client({ commandTimeoutMs: 1000 });
    expect(c.nextTimeoutMs()).toBe(1000);
    c.onTimeout(999);
    expect(c.takeEvents()).toEqual([]);
    c.onTimeout(1000);
    expect(c.takeEvents()).toEqual([{ type: 'done', ok: false, messages: [], error: 'timeout waiting for the server (greeting)' }]);
    expect(c.closed).toBe(true);
    const d = client();
    d.receiveEof(0);
    expect(d.takeEvents()).toMatchObject([{ type: 'done', ok: false, error: 'connection closed by the server' }]);
  });
});

describe('IMAP server: every state × arbitrary bytes', () => {
  it('never throws and ends in a valid state or closed', () => {
    const setups: Array<(s: Session) => void> = [() => {}, (s) => void s.login(), (s) => void s.login().select(), (s) => void s.login().send('i IDLE\r\n')];
    const noise = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 16 }),
        fc.constantFrom('a FETCH 1:* (BODY[1.MIME] ENVELOPE)\r\n', 'b STORE 1 +FLAGS (\\Deleted)\r\n', 'c EXPUNGE\r\n', 'DONE\r\n', '{3}\r\n', 'd APPEND INBOX {4+}\r\n', 'e SEARCH OR TEXT x NOT SEEN\r\n', 'f MOVE 1 Junk\r\n', '\r\n', 'g UID COPY 1:* Junk\r\n').map((t) => new TextEncoder().encode(t)),
      ),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: setups.length - 1 }), noise, (which, chunks) => {
        const session = mailbox().open();
        setups[which]!(session);
        for (const chunk of chunks) session.server.receive(chunk, 0);
        session.server.takeOutput();
        expect(['not-authenticated', 'authenticated', 'selected', 'logout']).toContain(session.server.state);
        if (session.server.state === 'logout') expect(session.server.closed).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
