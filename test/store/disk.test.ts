// The virtual disk: what a host committed survives a crash, handles of a crashed boot are fenced
// (issue 4 "Virtual disk"; docs/delivery.md R1, W1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskCrashedError, DiskFullError, MemoryDisk, validatePath } from '../../src/store/disk.js';
import { BLOCK_BYTES } from '../../src/store/file-buffer.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | null) => (data === null ? null : new TextDecoder().decode(data));

describe('MemoryDisk', () => {
  it('keeps every committed call across a crash, and a new mount sees it', () => {
    const platter = new MemoryDisk();
    const disk = platter.mount();
    disk.write('q/a', bytes('one'));
    disk.append('q/a', bytes('+two'));
    disk.write('q/b', bytes('bee'));
    disk.rename('q/b', 'done/b');
    disk.mkdir('empty/dir');
    platter.crash();
    const after = platter.mount();
    expect(text(after.read('q/a'))).toBe('one+two');
    expect(text(after.read('done/b'))).toBe('bee');
    expect(after.exists('q/b')).toBe(false);
    expect(after.exists('empty/dir')).toBe(true);
    expect(after.list('')).toEqual([
      { name: 'done', isDir: true },
      { name: 'empty', isDir: true },
      { name: 'q', isDir: true },
    ]);
  });

  it('fences the handles of a crashed boot: a stale writer cannot change the platter', () => {
    const platter = new MemoryDisk();
    const stale = platter.mount();
    stale.write('x', bytes('1'));
    platter.crash();
    expect(() => stale.write('x', bytes('2'))).toThrow(DiskCrashedError);
    expect(() => stale.read('x')).toThrow(DiskCrashedError);
    expect(text(platter.mount().read('x'))).toBe('1');
  });

  it('what was held only in memory is lost: a step not yet run never reaches the disk', () => {
    const platter = new MemoryDisk();
    const disk = platter.mount();
    const pending = [() => disk.write('tmp/m', bytes('msg')), () => disk.rename('tmp/m', 'new/m')];
    pending.shift()!();
    platter.crash(); // the second step was only a plan in memory
    const after = platter.mount();
    expect(after.exists('tmp/m')).toBe(true);
    expect(after.exists('new/m')).toBe(false);
  });

  it('renames files atomically over an existing file and moves directory trees', () => {
    const disk = new MemoryDisk().mount();
    disk.write('a/1', bytes('new'));
    disk.write('b', bytes('old'));
    disk.rename('a/1', 'b');
    expect(text(disk.read('b'))).toBe('new');
    disk.write('d/x/y', bytes('deep'));
    disk.rename('d', 'e/f');
    expect(text(disk.read('e/f/x/y'))).toBe('deep');
    expect(disk.exists('d')).toBe(false);
    expect(() => disk.rename('missing', 'z')).toThrow();
    expect(() => disk.rename('e', 'e/f/g')).toThrow();
  });

  it('unlinks files and trees, lists sorted, and returns copies', () => {
    const disk = new MemoryDisk().mount();
    disk.write('m/b', bytes('2'));
    disk.write('m/a', bytes('1'));
    disk.write('m/sub/c', bytes('3'));
    expect(disk.list('m').map((e) => e.name)).toEqual(['a', 'b', 'sub']);
    expect(disk.size('m/a')).toBe(1);
    const copy = disk.read('m/a')!;
    copy[0] = 0x39;
    expect(text(disk.read('m/a'))).toBe('1');
    expect(disk.unlink('m/sub')).toBe(true);
    expect(disk.exists('m/sub/c')).toBe(false);
    expect(disk.unlink('m/sub')).toBe(false);
    expect(disk.list('nothing')).toEqual([]);
  });

  it('rejects malformed paths (caller misuse) and enforces its capacity', () => {
    const platter = new MemoryDisk({ bytesMax: 10 });
    const disk = platter.mount();
    for (const bad of ['', '/abs', 'a//b', 'a/../b', 'a/./b', 'trailing/']) expect(() => disk.write(bad, bytes('x'))).toThrow();
    disk.write('f', bytes('12345678'));
    expect(() => disk.append('f', bytes('abc'))).toThrow(DiskFullError);
    expect(text(disk.read('f'))).toBe('12345678');
    disk.write('f', bytes('1')); // replacing frees space
    disk.append('g', bytes('123456789'));
    expect(platter.usedBytes).toBe(10);
    disk.unlink('g');
    expect(platter.usedBytes).toBe(1);
  });

  it('appends stay linear and exact over many small writes', () => {
    const disk = new MemoryDisk().mount();
    let expected = '';
    for (let i = 0; i < 500; i++) {
      disk.append('log', bytes(`${i},`));
      expected += `${i},`;
    }
    expect(text(disk.read('log'))).toBe(expected);
  });

  it('a file appended past a block (kept as blocks, not doubled) reads back exactly, also after a rewrite', () => {
    // The general model: one plain array of every byte. Sizes around the block size and across several.
    const size = fc.constantFrom(1, 75, BLOCK_BYTES - 1, BLOCK_BYTES, BLOCK_BYTES + 1, 2 * BLOCK_BYTES + 3);
    const step = fc.record({ size, value: fc.nat(255), rewrite: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const disk = new MemoryDisk().mount();
        let model = new Uint8Array(0);
        for (const [i, s] of steps.entries()) {
          const more = new Uint8Array(s.size).fill(s.value);
          more[0] = i; // every step's bytes differ, so a block out of order shows
          if (s.rewrite) {
            disk.write('log', more);
            model = more.slice();
          } else {
            disk.append('log', more);
            const grown = new Uint8Array(model.length + more.length);
            grown.set(model);
            grown.set(more, model.length);
            model = grown;
          }
          more.fill(0x3f); // the caller may reuse its buffer
          expect(disk.size('log')).toBe(model.length);
          expect(Buffer.compare(disk.read('log')!, model)).toBe(0);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('validatePath', () => {
  /** The rule as written: '/'-separated, no empty, "." or ".." segment, no NUL, 1..4096 code units. */
  const validByRule = (path: string) =>
    path.length > 0 && path.length <= 4096 && path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('\0'));

  it('accepts exactly the paths the rule accepts', () => {
    const piece = fc.constantFrom('a', '.', '..', '...', '.a', 'a.', '', '\0', 'tmp', '/', '//');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const path = pieces.join('');
        let threw = false;
        try {
          validatePath(path);
        } catch {
          threw = true;
        }
        expect(threw).toBe(!validByRule(path));
      }),
      { numRuns: 2000 },
    );
    expect(() => validatePath('a'.repeat(4097))).toThrow(/length/);
  });
});
