// mbox specifics (docs/delivery.md W2): From_ line (MAILER-DAEMON for <>), mboxrd quoting round-trips any
// body (fast-check), a blank line after each message, the append lock, and a crash mid-append: the
// reader copes with the truncated message and the next append never merges into it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import { crlfToLf, lfToCrlf, normalizeMessage } from '../../src/store/lineEnds.js';
import { MailboxBusyError } from '../../src/store/mailstore.js';
import { bytesToLatin1, encodeRecord, parseMbox, quoteFromLines, unquoteFromLines } from '../../src/store/mboxrd.js';
import { createUserMailStore } from '../../src/store/userStore.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));
const T0 = 1_767_225_600_000;

function world(chunkBytes = 8) {
  const platter = new MemoryDisk();
  let now = T0;
  const open = () =>
    createUserMailStore(platter.mount(), 'mail/bob', { format: 'mbox', user: 'bob', clockMs: () => now, hostName: 'mx1', mboxAppendChunkBytes: chunkBytes });
  return { platter, open, advance: (ms: number) => (now += ms) };
}

describe('mboxrd codec', () => {
  it('quotes ^>*From lines on write and unquotes on read', () => {
    expect(quoteFromLines('From x\n>From y\nA From z\n>>From w\n')).toBe('>From x\n>>From y\nA From z\n>>>From w\n');
    expect(unquoteFromLines('>From x\n>>From y\nA From z\n>>>From w\nFrom v\n')).toBe('From x\n>From y\nA From z\n>>From w\nFrom v\n');
  });

  it('writes the From_ line with the envelope sender, MAILER-DAEMON for the null sender, asctime date', () => {
    expect(encodeRecord('alice@sender.net', T0, 'a\n')).toBe('From alice@sender.net Thu Jan  1 00:00:00 2026\na\n\n');
    expect(encodeRecord('', T0 + 86_400_000 * 40, '')).toBe('From MAILER-DAEMON Tue Feb 10 00:00:00 2026\n\n');
  });

  // Planted-bug check: with quoteFromLines quoting only /^From / (mboxo) or unquoteFromLines removing
  // every ">", this property fails (seen failing, then restored).
  it('round-trips any message through a file of several records (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('From ', '>From ', '>>From x', 'From', '', '>', ' From me', 'From:'),
      fc.string({ unit: fc.constantFrom('F', 'r', 'o', 'm', ' ', '>', 'a', '\r', '\u00e9') }),
    );
    const message = fc.array(line, { maxLength: 8 }).map((lines) => normalizeMessage(bytes(lines.join('\n'))));
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (messages) => {
        const file = messages.map((m, i) => encodeRecord(i % 2 ? '' : 'a@b', T0, bytesToLatin1(crlfToLf(m)))).join('');
        const records = parseMbox(file);
        expect(records.map((r) => r.complete)).toEqual(messages.map(() => true));
        const back = records.map((r) => lfToCrlf(Uint8Array.from(r.message, (c) => c.charCodeAt(0))));
        expect(back.map((b) => bytesToLatin1(b))).toEqual(messages.map((m) => bytesToLatin1(m)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('mbox store (W2)', () => {
  it('lays out the file as From_ line, quoted message, blank line', () => {
    const { platter, open } = world();
    const store = open();
    store.beginDelivery('INBOX', bytes('Subject: a\r\n\r\nFrom here\r\n'), { envelopeFrom: 'alice@sender.net' })!.commit();
    store.folder('INBOX')!.append(bytes('b\r\n'));
    expect(text(platter.mount().read('mail/bob/INBOX'))).toBe(
      'From alice@sender.net Thu Jan  1 00:00:00 2026\nSubject: a\n\n>From here\n\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 2026\nb\n\n',
    );
    expect(text(store.folder('INBOX')!.read(1))).toBe('Subject: a\r\n\r\nFrom here\r\n');
  });

  it('appends in steps; a crash mid-append leaves a truncated message the reader copes with, and the next append does not merge', () => {
    const { platter, open, advance } = world(20);
    const store = open();
    store.folder('INBOX')!.append(bytes('Subject: one\r\n\r\nfirst\r\n'));
    const delivery = store.beginDelivery('INBOX', bytes('Subject: two\r\n\r\nsecond body\r\n'), { envelopeFrom: 'a@b' })!;
    expect(delivery.stepsLeft).toBeGreaterThan(2);
    delivery.step();
    delivery.step(); // 40 bytes: the 34-byte From_ line and "Subjec"
    // While the lock is held, others must wait (they are told the mailbox is busy).
    expect(store.beginDelivery('INBOX', bytes('x\r\n'))).toBeNull();
    expect(() => store.folder('INBOX')!.append(bytes('x\r\n'))).toThrow(MailboxBusyError);
    expect(() => store.folder('INBOX')!.expunge([1])).toThrow(MailboxBusyError);
    expect(store.folder('INBOX')!.messages()).toHaveLength(1); // not visible before commit
    platter.crash();
    const cut = text(platter.mount().read('mail/bob/INBOX'))!;
    expect(cut.endsWith('\n\n')).toBe(false);
    expect(parseMbox(cut).at(-1)!.complete).toBe(false);

    advance(60_000);
    const after = open();
    const inbox = after.folder('INBOX')!;
    // The reader shows the truncated record as a short message with its own UID; the file was repaired.
    expect(inbox.messages().map((m) => m.uid)).toEqual([1, 2]);
    expect(cut.endsWith('\n\nFrom a@b Thu Jan  1 00:00:00 2026\nSubjec')).toBe(true);
    expect(text(inbox.read(2))).toBe('Subjec\r\n');
    // The retried delivery lands as its own message after a blank line.
    after.beginDelivery('INBOX', bytes('Subject: two\r\n\r\nsecond body\r\n'), { envelopeFrom: 'a@b' })!.commit();
    const file = text(platter.mount().read('mail/bob/INBOX'))!;
    expect(parseMbox(file).map((r) => r.complete)).toEqual([true, true, true]);
    expect(text(inbox.read(3))).toBe('Subject: two\r\n\r\nsecond body\r\n');
    expect(text(inbox.read(1))).toBe('Subject: one\r\n\r\nfirst\r\n');
    platter.crash();
    expect(open().folder('INBOX')!.messages().map((m) => m.uid)).toEqual([1, 2, 3]);
  });

  it('a crash after every chunk but before the index update still shows the whole message once', () => {
    const { platter, open } = world(8);
    const store = open();
    const delivery = store.beginDelivery('INBOX', bytes('m\r\n'))!;
    while (delivery.stepsLeft > 0) delivery.step();
    platter.crash();
    const inbox = open().folder('INBOX')!;
    expect(inbox.messages().map((m) => [m.uid, m.size])).toEqual([[1, 3]]);
    expect(text(inbox.read(1))).toBe('m\r\n');
  });

  it('a clean abort cuts the file back and releases the lock', () => {
    const { platter, open } = world(4);
    const store = open();
    store.folder('INBOX')!.append(bytes('keep\r\n'));
    const before = text(platter.mount().read('mail/bob/INBOX'));
    const delivery = store.beginDelivery('INBOX', bytes('drop me\r\n'))!;
    delivery.step();
    delivery.abort();
    expect(text(platter.mount().read('mail/bob/INBOX'))).toBe(before);
    expect(store.beginDelivery('INBOX', bytes('next\r\n'))).not.toBeNull();
  });

  it('expunge rewrites the file, keeps the other UIDs and flags, and they survive a reload', () => {
    const { platter, open } = world(1000);
    const inbox = open().folder('INBOX')!;
    for (const body of ['a', 'b', 'c']) inbox.append(bytes(`${body}\r\n`));
    inbox.setFlags(3, ['\\Seen', 'kw']);
    inbox.expunge([1]);
    expect(text(inbox.read(3))).toBe('c\r\n');
    platter.crash();
    const reloaded = open().folder('INBOX')!;
    expect(reloaded.messages().map((m) => [m.uid, m.flags])).toEqual([
      [2, []],
      [3, ['\\Seen', 'kw']],
    ]);
    expect(text(reloaded.read(2))).toBe('b\r\n');
  });
});
