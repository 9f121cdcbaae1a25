/**
 * The in-memory disk stores a file written whole as its own head plus a tail shared with every file
 * holding the same bytes (src/store/file-buffer.ts, chunks.ts; issue 21). The property compares it
 * with the general model, a map of plain copies: after random writes, overwrites, appends, renames
 * (files and directories) and unlinks of files whose bodies repeat, every file reads back exactly the
 * model's bytes, sizes and usedBytes agree, and shared tails are released when their last file goes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';

const enc = new TextEncoder();
const body = (n: number) => enc.encode(`line ${n} of a body that repeats\n`.repeat(20 + n));
// The last one has body(0)'s length and other bytes: a length is never taken for a match.
const bodies = [body(0), body(1), body(2), enc.encode('LINE 0 OF A BODY THAT REPEATS\n'.repeat(20))];
const paths = ['a/new/1', 'a/new/2', 'a/cur/3', 'b/new/1', 'c'];

type Op =
  | { write: number; head: number; body: number; crlf: boolean }
  | { append: number; bytes: number }
  | { rename: number; to: number }
  | { renameDir: 'a' | 'b'; to: 'b' | 'd' }
  | { unlink: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ write: fc.nat(paths.length - 1), head: fc.nat(50), body: fc.nat(bodies.length), crlf: fc.boolean() }),
  fc.record({ append: fc.nat(paths.length - 1), bytes: fc.nat(300) }),
  fc.record({ rename: fc.nat(paths.length - 1), to: fc.nat(paths.length - 1) }),
  fc.record({ renameDir: fc.constantFrom('a' as const, 'b' as const), to: fc.constantFrom('b' as const, 'd' as const) }),
  fc.record({ unlink: fc.nat(paths.length - 1) }),
);

/** A message-like file: a head, a blank line, then one of the repeating bodies (or none). */
function fileBytes(o: { head: number; body: number; crlf: boolean }): Uint8Array {
  const eol = o.crlf ? '\r\n' : '\n';
  // Non-ASCII header bytes (é is C3 A9, U+0085 is C2 85): a kept head maps every byte to itself.
  const head = enc.encode(`Received: ${o.head}${eol}Subject: s${o.head} \u00e9\u0085${eol}${eol}`);
  const tail = bodies[o.body] ?? new Uint8Array();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function apply(disk: ReturnType<MemoryDisk['mount']>, model: Map<string, Uint8Array>, o: Op): void {
  if ('write' in o) {
    const bytes = fileBytes(o);
    const path = paths[o.write]!;
    if (!tryDo(() => disk.write(path, bytes))) return;
    model.set(path, bytes.slice());
    bytes.fill(0x21); // the caller may reuse its buffer
  } else if ('append' in o) {
    const path = paths[o.append]!;
    const more = enc.encode('x'.repeat(o.bytes));
    if (tryDo(() => disk.append(path, more))) model.set(path, concat(model.get(path) ?? new Uint8Array(), more));
  } else if ('rename' in o) {
    const from = paths[o.rename]!;
    const to = paths[o.to]!;
    if (!tryDo(() => disk.rename(from, to)) || from === to) return;
    model.set(to, model.get(from)!);
    model.delete(from);
  } else if ('renameDir' in o) {
    if (!tryDo(() => disk.rename(o.renameDir, o.to))) return;
    for (const [path, bytes] of [...model]) {
      if (!path.startsWith(`${o.renameDir}/`)) continue;
      model.delete(path);
      model.set(o.to + path.slice(o.renameDir.length), bytes);
    }
  } else if (disk.unlink(paths[o.unlink]!)) model.delete(paths[o.unlink]!);
}

/** Runs a disk call; false when it refused (a missing path, a directory in the way): the model then stays. */
function tryDo(call: () => void): boolean {
  try {
    call();
    return true;
  } catch {
    return false;
  }
}

describe('shared file tails on the in-memory disk', () => {
  it('read back exactly the bytes of plain copies under writes, appends, renames and unlinks', () => {
    fc.assert(
      // Heads are packed a few files after they are written (packAfterFiles): 1–3 here, so most are, at
      // every stage of a file's life; undefined takes the default, under which none of these is.
      fc.property(fc.array(op, { maxLength: 40 }), fc.constantFrom(1, 2, 3, undefined), (ops, packAfterFiles) => {
        const platter = new MemoryDisk({ packAfterFiles });
        const disk = platter.mount();
        const model = new Map<string, Uint8Array>();
        for (const o of ops) {
          apply(disk, model, o);
          let total = 0;
          for (const [path, bytes] of model) {
            const read = disk.read(path);
            expect(read).toEqual(bytes);
            read!.fill(0x3f); // a read is a copy: scribbling on it changes nothing
            expect(disk.size(path)).toBe(bytes.length);
            total += bytes.length;
          }
          expect(platter.usedBytes).toBe(total);
          expect(platter.filePaths()).toEqual([...model.keys()].sort());
          expect(platter.sharedChunks).toBeLessThanOrEqual(bodies.length);
        }
        for (const path of [...model.keys()]) disk.unlink(path);
        expect(platter.sharedChunks).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('forgets a released tail: the same body written again is one shared chunk, counted', () => {
    const platter = new MemoryDisk();
    const disk = platter.mount();
    disk.write('new/a', fileBytes({ head: 1, body: 1, crlf: false }));
    disk.unlink('new/a');
    expect(platter.sharedChunks).toBe(0);
    disk.write('new/b', fileBytes({ head: 2, body: 1, crlf: false }));
    disk.write('new/c', fileBytes({ head: 3, body: 1, crlf: false }));
    expect(platter.sharedChunks).toBe(1);
    disk.write('new/d', fileBytes({ head: 4, body: 3, crlf: false }));
    expect(platter.sharedChunks).toBe(2);
    expect(disk.read('new/d')).toEqual(fileBytes({ head: 4, body: 3, crlf: false }));
  });

  it('counts the users of a tail found among the recent ones, whichever of them it is', () => {
    const platter = new MemoryDisk();
    const disk = platter.mount();
    disk.write('new/a', fileBytes({ head: 1, body: 1, crlf: false }));
    disk.write('new/b', fileBytes({ head: 2, body: 2, crlf: false }));
    disk.write('new/c', fileBytes({ head: 3, body: 1, crlf: false })); // the tail before the last
    disk.write('new/d', fileBytes({ head: 4, body: 1, crlf: false })); // the last
    disk.unlink('new/a');
    disk.unlink('new/c');
    expect(platter.sharedChunks).toBe(2);
    disk.unlink('new/d');
    expect(platter.sharedChunks).toBe(1);
    disk.unlink('new/b');
    expect(platter.sharedChunks).toBe(0);
  });

  it('stores a body that many files hold once', () => {
    const platter = new MemoryDisk();
    const disk = platter.mount();
    for (let i = 0; i < 100; i++) disk.write(`new/${i}`, fileBytes({ head: i, body: 1, crlf: false }));
    expect(platter.sharedChunks).toBe(1);
    expect(disk.read('new/7')).toEqual(fileBytes({ head: 7, body: 1, crlf: false }));
    disk.append('new/7', enc.encode('more\n'));
    expect(disk.read('new/8')).toEqual(fileBytes({ head: 8, body: 1, crlf: false }));
    expect(disk.read('new/7')).toEqual(concat(fileBytes({ head: 7, body: 1, crlf: false }), enc.encode('more\n')));
  });
});
