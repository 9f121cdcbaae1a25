/**
 * The bytes of one file on the in-memory disk (src/store/disk.ts).
 *
 * Theory of operation. A file is `bytes[0, length)` — its own storage, grown by doubling so repeated
 * appends (an mbox) stay linear — followed by an optional shared `chunk` (src/store/chunks.ts): a file
 * written whole whose tail after the first blank line is long enough keeps only its head here and
 * shares the tail with every other file holding the same bytes (issue 21). The chunk is copy on
 * write: an append or a rewrite first drops it (copying it into the file's own storage for an append),
 * so a chunk is never modified. `copy()` always returns fresh bytes equal to what was written.
 *
 * The head of a file with a chunk (a message: its own header lines) is kept as a one-byte string, one
 * character per byte (latin1, which maps every byte to itself), until the file is appended to or
 * rewritten: a string is a single heap object, where a Uint8Array is a view object, an ArrayBuffer
 * object and a separately allocated store — ~200 bytes more for each of a million mailbox files
 * (issue 21). The first change turns it back into bytes.
 */
import { Buffer } from 'node:buffer';
import { type Chunk, type ChunkStore, tailStart } from './chunks.js';

const noBytes = new Uint8Array(0);

export class FileBuffer {
  private bytes: Uint8Array;
  /** Bytes of the head in use: of `packed` when it is set, else of `bytes` (the head when there is a chunk). */
  private used: number;
  private chunk: Chunk | null;
  /** The head as a one-byte string (latin1), while the file is as written; `bytes` is then empty. */
  private packed: string | null;

  constructor(
    initial: Uint8Array,
    private readonly chunks: ChunkStore,
  ) {
    const split = tailStart(initial);
    this.chunk = split < 0 ? null : chunks.intern(initial.subarray(split));
    // A file without a chunk is kept as bytes: a queue entry's state is rewritten in place again and again.
    this.packed = split < 0 ? null : Buffer.from(initial.buffer, initial.byteOffset, split).toString('latin1');
    // One copy of exactly the file, as a plain Uint8Array even from a Buffer (whose slice would be a view).
    this.bytes = split < 0 ? new Uint8Array(initial) : noBytes;
    this.used = split < 0 ? this.bytes.length : split;
  }

  get length(): number {
    return this.chunk === null ? this.used : this.used + this.chunk.bytes.length;
  }

  append(more: Uint8Array): void {
    if (this.packed !== null) this.unpack();
    if (this.chunk !== null) this.unshare(more.length);
    const needed = this.used + more.length;
    if (needed > this.bytes.length) this.grow(Math.max(needed, this.bytes.length * 2));
    this.bytes.set(more, this.used);
    this.used = needed;
  }

  /**
   * Replaces the contents, reusing the storage when it is big enough: a file rewritten again and
   * again (a queue entry's state after every retry) then allocates nothing.
   */
  replace(contents: Uint8Array): void {
    this.release();
    this.packed = null;
    if (contents.length > this.bytes.length) this.bytes = new Uint8Array(contents.length);
    this.bytes.set(contents);
    this.used = contents.length;
  }

  copy(): Uint8Array {
    if (this.packed === null && this.chunk === null) return this.bytes.slice(0, this.used);
    const out = new Uint8Array(this.length);
    if (this.packed !== null) writeLatin1(out, this.packed);
    else out.set(this.bytes.subarray(0, this.used));
    if (this.chunk !== null) out.set(this.chunk.bytes, this.used);
    return out;
  }

  /** The file is gone (unlinked or replaced): its chunk loses a user. */
  release(): void {
    if (this.chunk === null) return;
    this.chunks.release(this.chunk);
    this.chunk = null;
  }

  /** The head back into `bytes`, before a change. */
  private unpack(): void {
    const head = new Uint8Array(this.used);
    writeLatin1(head, this.packed!);
    this.bytes = head;
    this.packed = null;
  }

  /** Copy on write: the chunk's bytes move into the file's own storage, with room for `extra` more. */
  private unshare(extra: number): void {
    const chunk = this.chunk!;
    this.grow(this.used + chunk.bytes.length + extra);
    this.bytes.set(chunk.bytes, this.used);
    this.used += chunk.bytes.length;
    this.release();
  }

  private grow(capacity: number): void {
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}

/** Writes the one-byte string `text` into the start of `out`, a byte per character. */
function writeLatin1(out: Uint8Array, text: string): void {
  Buffer.from(out.buffer, out.byteOffset, text.length).write(text, 'latin1');
}
