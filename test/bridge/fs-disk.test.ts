/**
 * The real-filesystem Disk (src/bridge/fs-disk.ts) keeps the contract of src/store/disk.ts, checked
 * side by side with the MemoryDisk on the same operations, and maps `mail/USER` to DIR/USER.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FsDisk, groupCommitDelayMs, removeStaleReplacements, replaceSuffix, youngFileMs } from '../../src/bridge/fs-disk.js';
import { type Disk, MemoryDisk } from '../../src/store/disk.js';

const root = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));

function exercise(disk: Disk): unknown[] {
  const seen: unknown[] = [];
  disk.write('mail/alice/tmp/m1', bytes('hello'));
  seen.push(text(disk.read('mail/alice/tmp/m1')), disk.size('mail/alice/tmp/m1'), disk.exists('mail/alice/tmp'));
  disk.append('mail/alice/tmp/m1', bytes(' world'));
  disk.rename('mail/alice/tmp/m1', 'mail/alice/new/m1');
  seen.push(text(disk.read('mail/alice/new/m1')), disk.read('mail/alice/tmp/m1'), disk.size('mail/alice/tmp/m1'));
  disk.mkdir('mail/alice/cur');
  disk.write('queue/Q1.eml', bytes('queued'));
  seen.push(disk.list('mail/alice'), disk.list('nothing/here'));
  disk.write('mail/alice/new/m2', bytes('x'));
  disk.rename('mail/alice/new/m2', 'mail/alice/new/m1'); // replaces a file
  seen.push(text(disk.read('mail/alice/new/m1')));
  let threw = false;
  try {
    disk.rename('mail/alice/new/m1', 'mail/alice/cur'); // onto an existing directory: an error
  } catch {
    threw = true;
  }
  seen.push(threw, text(disk.read('mail/alice/new/m1')));
  seen.push(disk.unlink('mail/alice/new'), disk.unlink('mail/alice/new'), disk.exists('mail/alice/new/m1'));
  return seen;
}

describe('FsDisk', () => {
  it('behaves as the MemoryDisk does on the same operations', () => {
    const real = exercise(FsDisk.forMaildirRoot(root));
    const memory = exercise(new MemoryDisk().mount());
    expect(real[9]).toBe(true);
    expect(real).toEqual(memory);
  });

  it('lays mail/USER out as DIR/USER and the rest under DIR/.mailsim', () => {
    expect(existsSync(join(root, 'alice', 'cur'))).toBe(true);
    expect(readFileSync(join(root, '.mailsim', 'queue', 'Q1.eml'), 'utf8')).toBe('queued');
  });

  it('with group commit: the same answers at once, the renames and unlinks on the real disk only after the flush', async () => {
    const groupRoot = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-group-'));
    try {
      const disk = FsDisk.forMaildirRoot(groupRoot, { groupCommit: true });
      expect(exercise(disk)).toEqual(exercise(new MemoryDisk().mount()));
      disk.drain();
      expect(existsSync(join(groupRoot, 'alice', 'new'))).toBe(false); // removed by the exercise, drained

      // One message's life: queue files, Maildir tmp write, the W1 rename, the queue files removed.
      disk.write('queue/Q2.eml', bytes('message'));
      disk.write('queue/Q2.json', bytes('{}'));
      const seq = disk.durability.neededNow();
      expect(seq).toBeGreaterThan(disk.durability.durable); // a reply written now would be held
      disk.write('mail/bob/tmp/m3', bytes('message'));
      disk.rename('mail/bob/tmp/m3', 'mail/bob/new/m3');
      disk.unlink('queue/Q2.eml');
      disk.unlink('queue/Q2.json');
      expect(text(disk.read('mail/bob/new/m3'))).toBe('message');
      expect(disk.exists('mail/bob/tmp/m3')).toBe(false);
      expect(disk.list('mail/bob/new')).toEqual([{ name: 'm3', isDir: false }]);
      expect(disk.list('queue').map((entry) => entry.name)).not.toContain('Q2.eml');
      expect(existsSync(join(groupRoot, 'bob', 'new', 'm3'))).toBe(false); // not before its fsync (W1)
      await new Promise<void>((resolve) => disk.durability.whenDurable(seq, resolve));
      expect(readFileSync(join(groupRoot, 'bob', 'new', 'm3'), 'utf8')).toBe('message');
      expect(existsSync(join(groupRoot, 'bob', 'tmp', 'm3'))).toBe(false);
      expect(existsSync(join(groupRoot, '.mailsim', 'queue', 'Q2.eml'))).toBe(false);
      expect(disk.durability.neededNow()).toBe(0);
    } finally {
      rmSync(groupRoot, { recursive: true, force: true });
    }
  });

  it('with group commit: files written and removed within a group never reach the file system', async () => {
    const groupRoot = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-memory-'));
    try {
      const disk = FsDisk.forMaildirRoot(groupRoot, { groupCommit: true });
      disk.write('mail/bob/uidlist', bytes('one\n'));
      disk.drain();
      disk.write('queue/Q1.eml', bytes('message'));
      disk.append('mail/bob/uidlist', bytes('two\n'));
      expect(text(disk.read('queue/Q1.eml'))).toBe('message');
      expect(disk.size('queue/Q1.eml')).toBe(7);
      expect(disk.exists('queue/Q1.eml')).toBe(true);
      expect(text(disk.read('mail/bob/uidlist'))).toBe('one\ntwo\n'); // what is on disk, then the appends
      expect(existsSync(join(groupRoot, '.mailsim', 'queue', 'Q1.eml'))).toBe(false); // in memory until the flush
      expect(disk.unlink('queue/Q1.eml')).toBe(true);
      expect(disk.exists('queue/Q1.eml')).toBe(false);
      expect(disk.unlink('queue/Q1.eml')).toBe(false);
      // Written, renamed twice, removed: the renames still find their file at the flush.
      disk.write('queue/Q2.tmp', bytes('x'));
      disk.rename('queue/Q2.tmp', 'queue/Q2.mid');
      disk.rename('queue/Q2.mid', 'queue/Q2.json');
      expect(disk.list('queue')).toEqual([{ name: 'Q2.json', isDir: false }]);
      expect(disk.unlink('queue/Q2.json')).toBe(true);
      const seq = disk.durability.neededNow();
      await new Promise<void>((resolve) => disk.durability.whenDurable(seq, resolve));
      expect(readFileSync(join(groupRoot, 'bob', 'uidlist'), 'utf8')).toBe('one\ntwo\n');
      expect(disk.list('queue')).toEqual([]);

      // A group whose only mutations never reach the file system is durable at once: no reply waits forever.
      disk.write('queue/Q3.eml', bytes('message'));
      disk.unlink('queue/Q3.eml');
      const last = disk.durability.neededNow();
      await new Promise<void>((resolve) => disk.durability.whenDurable(last, resolve));
      expect(existsSync(join(groupRoot, '.mailsim', 'queue', 'Q3.eml'))).toBe(false);
    } finally {
      rmSync(groupRoot, { recursive: true, force: true });
    }
  });

  it('with group commit: a message committed just before a flush is not flushed as queue files, yet its reply waits for its Maildir file', async () => {
    const cutRoot = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-cut-'));
    const onDisk = (...parts: string[]) => existsSync(join(cutRoot, ...parts));
    // The flush's timer and the ages it compares (youngFileMs) are on the clock this test moves, so the
    // flush falls exactly where the test says, however busy the machine; the fsyncs stay real. (On the
    // wall clock, a stall of a few ms between the commit and the delivery below let the flush find the
    // queue files old and write them — R1 still held, but this test's path was not taken.)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const disk = FsDisk.forMaildirRoot(cutRoot, { groupCommit: true });
      disk.mkdir('mail/bob/tmp');
      disk.mkdir('mail/bob/new');
      disk.write('queue/Q0.json', bytes('{"older":true}')); // opens the group: its flush is due in groupCommitDelayMs
      vi.advanceTimersByTime(groupCommitDelayMs - youngFileMs + 1);
      // The commit (the 250 waits for `commit`), then the local delivery, all young at the flush.
      disk.write('queue/Q1.eml', bytes('message'));
      disk.write('queue/Q1.json', bytes('{"to":"bob"}'));
      const commit = disk.durability.neededNow();
      vi.advanceTimersByTime(1);
      disk.write('mail/bob/tmp/m1', bytes('message'));
      disk.rename('mail/bob/tmp/m1', 'mail/bob/new/m1');
      disk.unlink('queue/Q1.eml');
      disk.unlink('queue/Q1.json');
      expect(disk.durability.durable).toBe(0); // no flush yet
      vi.advanceTimersByTime(youngFileMs - 1); // the group's flush: only Q0 is old enough
      expect(disk.durability.durable).toBeLessThan(commit);
      let queueFilesSeen = false;
      while (disk.durability.durable < commit) {
        queueFilesSeen ||= onDisk('.mailsim', 'queue', 'Q1.eml') || onDisk('.mailsim', 'queue', 'Q1.json');
        await new Promise((resolve) => setImmediate(resolve)); // the real fsyncs complete
        vi.advanceTimersByTime(1); // the next flush comes due
      }
      // R1: once the commit counts as durable, the message is on disk — in its Maildir, where it is now.
      expect(onDisk('bob', 'new', 'm1') || (onDisk('.mailsim', 'queue', 'Q1.eml') && onDisk('.mailsim', 'queue', 'Q1.json'))).toBe(true);
      expect(onDisk('bob', 'new', 'm1')).toBe(true);
      expect(queueFilesSeen).toBe(false);
      expect(onDisk('.mailsim', 'queue', 'Q0.json')).toBe(true);
    } finally {
      vi.useRealTimers();
      rmSync(cutRoot, { recursive: true, force: true });
    }
  });

  it('removes the rewrite siblings a crash left when the tree is opened, and nothing else', () => {
    const crashed = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-crashed-'));
    try {
      const put = (path: string, content: string) => {
        mkdirSync(join(crashed, path, '..'), { recursive: true });
        writeFileSync(join(crashed, path), content);
      };
      put('.mailsim/queue/Q1.json', '{"attempt":1}');
      put(`.mailsim/queue/Q1.json${replaceSuffix}`, '{"attem'); // the crash came before its rename
      put(`.mailsim/queue/Q2.json${replaceSuffix}`, '{}'); // its entry was removed later
      put(`alice/.Junk/mailsim-uidlist.tmp${replaceSuffix}`, 'half');
      put('alice/new/1.M1Q1.host,S=5,W=6', 'hello');
      const disk = FsDisk.forMaildirRoot(crashed);
      const left = (dir: string) => readdirSync(join(crashed, dir)).sort();
      expect(left('.mailsim/queue')).toEqual(['Q1.json']);
      expect(readFileSync(join(crashed, '.mailsim/queue/Q1.json'), 'utf8')).toBe('{"attempt":1}');
      expect(left('alice/.Junk')).toEqual([]);
      expect(left('alice/new')).toEqual(['1.M1Q1.host,S=5,W=6']);
      expect(text(disk.read('queue/Q1.json'))).toBe('{"attempt":1}');
      expect(removeStaleReplacements(join(crashed, 'nowhere'))).toBe(0);
    } finally {
      rmSync(crashed, { recursive: true, force: true });
    }
  });

  it('rewrites an existing file through a sibling renamed over it, so a crash never leaves it half written', async () => {
    const rewriteRoot = mkdtempSync(join(tmpdir(), 'mailsim-fsdisk-rewrite-'));
    try {
      for (const groupCommit of [false, true]) {
        const disk = FsDisk.forMaildirRoot(rewriteRoot, { groupCommit });
        disk.write('queue/Q1.json', bytes('{"attempt":1}'));
        disk.drain();
        const before = statSync(join(rewriteRoot, '.mailsim', 'queue', 'Q1.json')).ino;
        disk.write('queue/Q1.json', bytes('{"attempt":2}'));
        disk.drain();
        // A new inode: the old file was replaced by a rename, not truncated and written over.
        expect(statSync(join(rewriteRoot, '.mailsim', 'queue', 'Q1.json')).ino).not.toBe(before);
        expect(readFileSync(join(rewriteRoot, '.mailsim', 'queue', 'Q1.json'), 'utf8')).toBe('{"attempt":2}');
        expect(existsSync(join(rewriteRoot, '.mailsim', 'queue', `Q1.json${replaceSuffix}`))).toBe(false);
        // What a crash between the sibling's write and its rename leaves is not a file of the store.
        writeFileSync(join(rewriteRoot, '.mailsim', 'queue', `Q1.json${replaceSuffix}`), 'half');
        expect(disk.list('queue')).toEqual([{ name: 'Q1.json', isDir: false }]);
        rmSync(join(rewriteRoot, '.mailsim', 'queue', `Q1.json${replaceSuffix}`));
      }

      // A drain while a flush is in flight puts that flush's rewrite in place before its own ops run,
      // so an unlink that came after the rewrite is not undone by the rewrite's late rename.
      const disk = FsDisk.forMaildirRoot(rewriteRoot, { groupCommit: true });
      disk.write('queue/Q1.json', bytes('{"attempt":3}'));
      const seq = disk.durability.neededNow();
      await new Promise((resolve) => setTimeout(resolve, groupCommitDelayMs + 1)); // the flush has begun
      disk.unlink('queue/Q1.json');
      disk.mkdir('queue/sub');
      disk.rename('queue/sub', 'queue/sub2'); // a directory rename drains at once
      await new Promise<void>((resolve) => disk.durability.whenDurable(seq, resolve));
      await new Promise((resolve) => setTimeout(resolve, 20)); // let a background flush finish
      expect(existsSync(join(rewriteRoot, '.mailsim', 'queue', 'Q1.json'))).toBe(false);
      expect(disk.exists('queue/Q1.json')).toBe(false);
    } finally {
      rmSync(rewriteRoot, { recursive: true, force: true });
    }
  });

  it('rejects malformed paths (a store bug, never a peer input)', () => {
    const disk = FsDisk.forMaildirRoot(root);
    expect(() => disk.write('mail/../escape', bytes('x'))).toThrow(/bad disk path/);
    expect(() => disk.read('mail//x')).toThrow(/bad disk path/);
    expect(existsSync(join(root, '..', 'escape'))).toBe(false);
  });
});
