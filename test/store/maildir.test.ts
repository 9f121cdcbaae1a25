// Maildir specifics (docs/delivery.md W1): tmp → new is the instant of delivery; a crash before it leaves a
// tmp orphan and nothing visible, after it the message is there; flags in cur/NAME:2,FLAGS; unknown
// files adopted with fresh UIDs; deterministic unique names.
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import { createUserMailStore } from '../../src/store/userStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));
const T0 = 1_767_225_600_000;

function world() {
  const platter = new MemoryDisk();
  let now = T0 + 250;
  const open = () => createUserMailStore(platter.mount(), 'mail/bob', { format: 'maildir', user: 'bob', clockMs: () => now, hostName: 'mx1.example.org' });
  return { platter, open, advance: (ms: number) => (now += ms) };
}
const names = (disk: ReturnType<MemoryDisk['mount']>, dir: string) => disk.list(dir).map((e) => e.name);

describe('Maildir (W1)', () => {
  it('a crash between the tmp write and the rename leaves a tmp orphan and nothing visible', () => {
    const { platter, open } = world();
    const store = open();
    const delivery = store.beginDelivery('INBOX', bytes('Subject: x\r\n\r\nbody\r\n'))!;
    expect(delivery.stepsLeft).toBe(0);
    platter.crash(); // the rename never happens
    const disk = platter.mount();
    expect(names(disk, 'mail/bob/tmp')).toEqual(['1767225600.M250000Q1.mx1.example.org,S=17,W=20']);
    expect(names(disk, 'mail/bob/new')).toEqual([]);
    expect(open().folder('INBOX')!.messages()).toEqual([]);
    expect(() => delivery.commit()).toThrow(); // the dead boot's handle is fenced
  });

  it('a crash right after the rename keeps the message, even before the uidlist knew it', () => {
    const { platter, open } = world();
    const store = open();
    store.folder('INBOX')!.append(bytes('first\r\n'));
    // Simulate a crash between the rename and the uidlist update: move a file into new/ by hand.
    const disk = platter.mount();
    disk.write('mail/bob/new/1767225601.M0Q9.other,S=7,W=8', bytes('second\n'));
    platter.crash();
    const inbox = open().folder('INBOX')!;
    expect(inbox.messages().map((m) => [m.uid, m.size, m.internalDateMs])).toEqual([
      [1, 7, T0 + 250],
      [2, 8, T0 + 1000],
    ]);
    expect(text(inbox.read(2))).toBe('second\r\n');
  });

  it('commit renames tmp into new/, and flags move the file to cur/NAME:2,FLAGS (letters sorted)', () => {
    const { platter, open } = world();
    const store = open();
    const delivery = store.beginDelivery('INBOX', bytes('m\r\n'))!;
    const uid = delivery.commit();
    const disk = platter.mount();
    const [name] = names(disk, 'mail/bob/new');
    expect(names(disk, 'mail/bob/tmp')).toEqual([]);
    const inbox = store.folder('INBOX')!;
    inbox.setFlags(uid, ['\\Seen', '\\Flagged', '\\Deleted', '\\Answered', '\\Draft', 'kw']);
    expect(names(disk, 'mail/bob/new')).toEqual([]);
    expect(names(disk, 'mail/bob/cur')).toEqual([`${name}:2,DFRST`]);
    inbox.setFlags(uid, ['\\Seen']);
    expect(names(disk, 'mail/bob/cur')).toEqual([`${name}:2,S`]);
    expect(text(disk.read('mail/bob/mailsim-uidlist'))).toContain(`1 T${T0 + 250} :${name}`);
    inbox.expunge([uid]);
    expect(names(disk, 'mail/bob/cur')).toEqual([]);
  });

  it('keywords survive a reload through the uidlist; flags through the file name', () => {
    const { platter, open } = world();
    const inbox = open().folder('INBOX')!;
    const uid = inbox.append(bytes('m\r\n'));
    inbox.setFlags(uid, ['\\Seen', '$Forwarded', 'Work']);
    platter.crash();
    expect(open().folder('INBOX')!.messages()[0]!.flags).toEqual(['$Forwarded', 'Work', '\\Seen']);
  });

  it('names are unique and deterministic: same clock, counter grows; a new boot skips tmp orphans', () => {
    const { platter, open } = world();
    const store = open();
    store.beginDelivery('INBOX', bytes('a\r\n')); // orphan after the crash below
    platter.crash();
    const again = open();
    again.beginDelivery('INBOX', bytes('a\r\n'))!.commit();
    again.beginDelivery('INBOX', bytes('b\r\n'))!.commit();
    const disk = platter.mount();
    expect(names(disk, 'mail/bob/tmp')).toEqual(['1767225600.M250000Q1.mx1.example.org,S=2,W=3']);
    expect(names(disk, 'mail/bob/new')).toEqual([
      '1767225600.M250000Q2.mx1.example.org,S=2,W=3',
      '1767225600.M250000Q3.mx1.example.org,S=2,W=3',
    ]);
  });

  it('stores sub-folders as Maildir++ directories with the maildirfolder marker; abort removes the tmp file', () => {
    const { platter, open } = world();
    const store = open();
    const d = store.beginDelivery('Lists/a.b', bytes('x\r\n'))!;
    d.abort();
    const disk = platter.mount();
    expect(names(disk, 'mail/bob').filter((n) => n.startsWith('.'))).toEqual(['.Lists', '.Lists.a%2Eb']);
    expect(disk.exists('mail/bob/.Lists.a%2Eb/maildirfolder')).toBe(true);
    expect(names(disk, 'mail/bob/.Lists.a%2Eb/tmp')).toEqual([]);
    expect(store.folder('Lists/a.b')!.messages()).toEqual([]);
  });

  it('forgets uidlist lines whose file was removed by another program', () => {
    const { platter, open } = world();
    const inbox = open().folder('INBOX')!;
    inbox.append(bytes('a\r\n'));
    inbox.append(bytes('b\r\n'));
    const disk = platter.mount();
    const [first] = names(disk, 'mail/bob/new');
    disk.unlink(`mail/bob/new/${first}`);
    platter.crash();
    const reloaded = open().folder('INBOX')!;
    expect(reloaded.messages().map((m) => m.uid)).toEqual([2]);
    expect(reloaded.uidNext).toBe(3);
  });
});
