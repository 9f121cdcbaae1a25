// The UserMailStore contract, run against both formats (mailstore.ts; docs/delivery.md I3, P4, P5, W1, W2):
// CRLF view with exact sizes, UIDs ascending and persisted across a reload from disk, flags, folders,
// watch notifications to every listener, the maildrop lock.
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import type { FolderChange } from '../../src/store/mailstore.js';
import { createUserMailStore, type MailboxFormat } from '../../src/store/userStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const T0 = 1_767_225_600_000;

function world(format: MailboxFormat) {
  const platter = new MemoryDisk();
  let now = T0;
  const clock = { advance: (ms: number) => (now += ms) };
  const open = () => createUserMailStore(platter.mount(), 'mail/bob', { format, user: 'bob', clockMs: () => now, hostName: 'mx1.example.org' });
  return { platter, clock, open };
}

describe.each(['maildir', 'mbox'] as const)('%s store', (format) => {
  it('delivers into INBOX with CRLF bytes and exact sizes (bare LF normalised)', () => {
    const { open } = world(format);
    const store = open();
    const d = store.beginDelivery('INBOX', bytes('Subject: hi\nFrom: a@b\n\nFrom me\r\nbody'), { envelopeFrom: 'a@b' })!;
    while (d.stepsLeft > 0) d.step();
    const uid = d.commit();
    const inbox = store.folder('inbox')!;
    expect(uid).toBe(1);
    const stored = inbox.read(uid);
    expect(text(stored)).toBe('Subject: hi\r\nFrom: a@b\r\n\r\nFrom me\r\nbody\r\n');
    expect(inbox.messages()).toEqual([{ uid: 1, flags: [], internalDateMs: T0, size: stored.length }]);
  });

  it('persists UIDs, UIDVALIDITY, UIDNEXT, flags and internal dates across a crash and reload (I3, P5)', () => {
    const { platter, clock, open } = world(format);
    const store = open();
    const inbox = store.folder('INBOX')!;
    const a = inbox.append(bytes('Subject: a\r\n\r\na\r\n'));
    clock.advance(1500);
    const b = inbox.append(bytes('Subject: b\r\n\r\nb\r\n'), { flags: ['\\Seen', '$Label1'], internalDateMs: T0 + 42 });
    const c = inbox.append(bytes('Subject: c\r\n\r\nc\r\n'));
    inbox.setFlags(a, ['\\flagged', '\\Answered', 'work']);
    inbox.expunge([c]);
    const before = { validity: inbox.uidValidity, next: inbox.uidNext, messages: inbox.messages() };
    platter.crash();
    const reloaded = open().folder('INBOX')!;
    expect({ validity: reloaded.uidValidity, next: reloaded.uidNext, messages: reloaded.messages() }).toEqual(before);
    expect(before.next).toBe(4);
    expect(reloaded.messages().map((m) => m.uid)).toEqual([a, b]);
    expect(reloaded.messages()[0]!.flags).toEqual(['\\Answered', '\\Flagged', 'work']);
    expect(text(reloaded.read(b))).toBe('Subject: b\r\n\r\nb\r\n');
    // UIDs are never reused (I3): the next message gets 4, not 3.
    expect(reloaded.append(bytes('x\r\n'))).toBe(4);
  });

  it('creates folders on demand for delivery, with parents, in creation order, and keeps them after a crash', () => {
    const { platter, open } = world(format);
    const store = open();
    store.beginDelivery('Junk', bytes('Subject: [SPAM]\r\n\r\nx\r\n'))!.commit();
    expect(store.createFolder('Lists/work.2026')).toBe(true);
    expect(store.createFolder('Junk')).toBe(false);
    expect(store.createFolder('a//b')).toBe(false);
    expect(store.folderNames()).toEqual(['INBOX', 'Junk', 'Lists', 'Lists/work.2026']);
    store.setSubscribed('Junk', true);
    platter.crash();
    const after = open();
    expect(after.folderNames()).toEqual(['INBOX', 'Junk', 'Lists', 'Lists/work.2026']);
    expect(after.folder('Junk')!.messages()).toHaveLength(1);
    expect(after.subscriptions()).toEqual(['Junk']);
  });

  it('deletes and renames folders; a re-created folder gets a new UIDVALIDITY (RFC 3501 §2.3.1.1)', () => {
    const { platter, open } = world(format);
    const store = open();
    store.createFolder('Old/child');
    store.folder('Old')!.append(bytes('m1\r\n'));
    const validity = store.folder('Old')!.uidValidity;
    expect(store.renameFolder('Old', 'New')).toBe(true);
    expect(store.folderNames()).toEqual(['INBOX', 'New', 'New/child']);
    expect(text(store.folder('New')!.read(1))).toBe('m1\r\n');
    expect(store.deleteFolder('INBOX')).toBe(false);
    expect(store.deleteFolder('New')).toBe(true);
    expect(store.createFolder('New')).toBe(true);
    expect(store.folder('New')!.uidValidity).not.toBe(validity);
    expect(store.folder('New')!.messages()).toEqual([]);
    store.folder('INBOX')!.append(bytes('in inbox\r\n'));
    expect(store.renameFolder('INBOX', 'Archive')).toBe(true);
    expect(store.folder('INBOX')!.messages()).toEqual([]);
    expect(text(store.folder('Archive')!.read(1))).toBe('in inbox\r\n');
    platter.crash();
    expect(open().folderNames()).toEqual(['INBOX', 'New/child', 'New', 'Archive']);
  });

  it('tells every listener of the folder about appends, flag changes and expunges, synchronously', () => {
    const { open } = world(format);
    const store = open();
    const inbox = store.folder('INBOX')!;
    const heardByImap: FolderChange[] = [];
    const heardByPop: FolderChange[] = [];
    inbox.watch((change) => heardByImap.push(change));
    const stop = store.folder('INBOX')!.watch((change) => heardByPop.push(change));
    const uid = store.beginDelivery('INBOX', bytes('x\r\n'))!.commit();
    inbox.setFlags(uid, ['\\Seen']);
    inbox.setFlags(uid, ['\\Seen']); // no change, no news
    stop();
    inbox.expunge([uid, 99]);
    expect(heardByImap).toEqual([
      { kind: 'appended', uids: [1] },
      { kind: 'flags', uid: 1, flags: ['\\Seen'] },
      { kind: 'expunged', uids: [1], removed: [{ info: { uid: 1, flags: ['\\Seen'], internalDateMs: expect.any(Number), size: 3 }, bytes: bytes('x\r\n') }] },
    ]);
    expect(heardByPop).toHaveLength(2);
  });

  it('gives the POP3 maildrop lock to one owner at a time (P4)', () => {
    const { open } = world(format);
    const store = open();
    const release = store.tryLock('pop3-session-1')!;
    expect(release).toBeTypeOf('function');
    expect(store.tryLock('pop3-session-2')).toBeNull();
    release();
    release();
    expect(store.tryLock('pop3-session-2')).not.toBeNull();
  });

  it('rejects flags that are not atoms and ignores \\Recent', () => {
    const { open } = world(format);
    const inbox = open().folder('INBOX')!;
    const uid = inbox.append(bytes('x\r\n'), { flags: ['\\Recent', '\\seen'] });
    expect(inbox.messages()[0]!.flags).toEqual(['\\Seen']);
    expect(() => inbox.setFlags(uid, ['two words'])).toThrow();
    expect(() => inbox.read(42)).toThrow();
  });
});
