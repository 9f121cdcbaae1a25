/**
 * The IMAP client and server over the real stores of src/store (Maildir and mbox, docs/delivery.md W1/W2),
 * not the test's MemoryStore: the server keeps strictly to the UserMailStore contract, so the fetch
 * retrieves every message, marks it \Seen in the store, and deletes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ImapClient, type ImapClientEvent } from '../../../src/protocols/imap/client.js';
import { ImapServer } from '../../../src/protocols/imap/server.js';
import { MemoryDisk } from '../../../src/store/disk.js';
import { createUserMailStore } from '../../../src/store/userStore.js';
import { CRLF_MESSAGE, Session } from './harness.js';
import { MULTIPART_MESSAGE } from './messages.js';

describe('IMAP over the real mailbox stores', () => {
  for (const format of ['maildir', 'mbox'] as const) {
    it(`${format}: fetch retrieves everything, sets \\Seen, deletes nothing`, () => {
      const store = createUserMailStore(new MemoryDisk().mount(), 'home/bob', {
        format,
        user: 'bob',
        clockMs: () => 1_767_225_600_000,
        hostName: 'mx.example.org',
      });
      store.folder('INBOX')!.append(CRLF_MESSAGE('one'));
      store.folder('INBOX')!.append(MULTIPART_MESSAGE);
      const server = new ImapServer({ hostname: 'imap.example.org', authenticate: (user) => (user === 'bob' ? store : null) }, 0);
      const client = new ImapClient({ user: 'bob', password: 'x' }, 0);
      const events: ImapClientEvent[] = [];
      for (let round = 0; round < 50 && !client.closed; round += 1) {
        for (const chunk of server.takeOutput()) client.receive(chunk, 0);
        for (const chunk of client.takeOutput()) server.receive(chunk, 0);
        events.push(...client.takeEvents());
      }
      const done = events.find((e) => e.type === 'done');
      expect(done).toMatchObject({ ok: true, error: null });
      expect(done?.type === 'done' && done.messages.map((m) => m.bytes.length)).toEqual([CRLF_MESSAGE('one').length, MULTIPART_MESSAGE.length]);
      expect(store.folder('INBOX')!.messages().map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen']]);
    });
  }

  for (const format of ['maildir', 'mbox'] as const) {
    it(`${format}: a message another session expunged is still fetched whole until this session is told (RFC 2180 §4.1.1)`, () => {
      const store = createUserMailStore(new MemoryDisk().mount(), 'home/bob', { format, user: 'bob', clockMs: () => 1_767_225_600_000, hostName: 'mx.example.org' });
      store.folder('INBOX')!.append(CRLF_MESSAGE('one'));
      const open = () => new Session(new ImapServer({ hostname: 'imap.example.org', authenticate: () => store }, 0)).login().select();
      const [a, b] = [open(), open()];
      a.out();
      b.send('x STORE 1 +FLAGS.SILENT (\\Deleted)\r\ny EXPUNGE\r\n');
      expect(store.folder('INBOX')!.messages()).toEqual([]);
      const message = new TextDecoder().decode(CRLF_MESSAGE('one'));
      expect(a.send('f FETCH 1 BODY.PEEK[]\r\n')).toBe(`* 1 FETCH (BODY[] {${message.length}}\r\n${message})\r\nf OK [EXPUNGEISSUED] Some messages were already expunged\r\n`);
      expect(a.send('n NOOP\r\n')).toBe('* 1 EXPUNGE\r\nn OK NOOP completed\r\n');
    });
  }
});
