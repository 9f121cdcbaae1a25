/**
 * Folder names on disk (src/store/names.ts): Dovecot's convention — modified UTF-7 levels joined by "."
 * — with "." and "%" escaped; names written by earlier mailsim versions (%XX of UTF-8, raw "&") still
 * read back as the same folder; any valid name round-trips (property, shown to catch planted bugs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import { canonicalFolderName, decodeFolderName, encodeFolderName } from '../../src/store/names.js';
import { createUserMailStore } from '../../src/store/userStore.js';

describe('folder names on disk', () => {
  it.each([
    ['Archive', 'Archive'],
    ['Lists/work', 'Lists.work'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['Entwürfe/日本語', 'Entw&APw-rfe.&ZeVnLIqe-'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    ['Lists/a.b', 'Lists.a%2Eb'],
    ['100%', '100%25'],
    ['a%2Eb', 'a%252Eb'],
  ])('%s ⇄ %s', (name, onDisk) => {
    expect(encodeFolderName(name)).toBe(onDisk);
    expect(decodeFolderName(onDisk)).toBe(name);
  });

  it.each([
    ['Entw%C3%BCrfe', 'Entwürfe'],
    ['Tom & Jerry', 'Tom & Jerry'],
    ['Lists.a%2Eb', 'Lists/a.b'],
    ['%E6%97%A5%E6%9C%AC%E8%AA%9E', '日本語'],
  ])('an earlier version\'s %s still reads as %s', (onDisk, name) => {
    expect(decodeFolderName(onDisk)).toBe(name);
  });

  it('every valid folder name round-trips through one path segment', () => {
    // Pieces that look like escapes, shifts and separators, and any character.
    const piece = fc.oneof(fc.constantFrom('%2E', '%25', '%C3%BC', '%', '.', '&', '&-', '-', 'A', 'ü', '/', 'a'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join('')), (raw) => {
        const name = canonicalFolderName(raw);
        if (name === null || name === 'INBOX') return;
        const onDisk = encodeFolderName(name);
        expect(onDisk).not.toMatch(/[/\0]/);
        expect(onDisk.split('.')).toHaveLength(name.split('/').length);
        expect(decodeFolderName(onDisk)).toBe(name);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a Maildir tree with non-ASCII folders', () => {
  const open = (platter: MemoryDisk) => createUserMailStore(platter.mount(), 'mail/bob', { format: 'maildir', user: 'bob', clockMs: () => 1_767_225_600_000, hostName: 'mx1.example.org' });

  it('creates the Maildir++ folder under the name Dovecot gives it, and finds a folder an earlier version made', () => {
    const platter = new MemoryDisk();
    const legacy = platter.mount();
    for (const sub of ['cur', 'new', 'tmp']) legacy.mkdir(`mail/bob/.Gel%C3%B6scht/${sub}`);
    legacy.write('mail/bob/.Gel%C3%B6scht/new/1767225000.M1Q1.old,S=2', new TextEncoder().encode('x\n'));
    platter.crash(); // what was written is on the platter; the next mount is a fresh boot
    const store = open(platter);
    expect(store.createFolder('Entwürfe')).toBe(true);
    const disk = platter.mount();
    expect(disk.exists('mail/bob/.Entw&APw-rfe/cur')).toBe(true);
    expect(store.folderNames()).toEqual(expect.arrayContaining(['INBOX', 'Gelöscht', 'Entwürfe']));
    expect(store.folder('Gelöscht')!.messages()).toHaveLength(1);
    // The earlier spelling moved to the current one, messages and all.
    expect(disk.list('mail/bob').filter((e) => e.isDir && e.name.startsWith('.')).map((e) => e.name)).toEqual(['.Entw&APw-rfe', '.Gel&APY-scht']);
    expect(open(platter).folderNames()).toEqual(store.folderNames());
  });

  it('mbox: a folder file an earlier version made moves to the current spelling, with its index', () => {
    const platter = new MemoryDisk();
    const legacy = platter.mount();
    legacy.write('mail/carol/Gel%C3%B6scht', new TextEncoder().encode('From alice@example.org Thu Jan  1 00:00:00 2026\nSubject: x\n\nbody\n'));
    platter.crash();
    const store = createUserMailStore(platter.mount(), 'mail/carol', { format: 'mbox', user: 'carol', clockMs: () => 1_767_225_600_000, hostName: 'mx1.example.org' });
    expect(store.folderNames()).toContain('Gelöscht');
    expect(store.folder('Gelöscht')!.messages()).toHaveLength(1);
    const disk = platter.mount();
    expect(disk.exists('mail/carol/Gel&APY-scht')).toBe(true);
    expect(disk.exists('mail/carol/Gel%C3%B6scht')).toBe(false);
  });
});
