/**
 * The bytes of one file on the in-memory disk (src/store/disk.ts).
 *
 * Theory of operation. A file is `bytes[0, length)` — its own storage, grown by doubling so repeated
 * appends (an mbox) stay linear — followed by an optional shared `chunk` (src/store/chunks.ts): a file
 * written whole whose tail after the first blank line is long enough keeps only its head here and
 * shares the tail with every other file holding the same bytes (issue 21). The chunk is copy on
 * write: an append or a rewrite first drops it (copying it into the file's own storage for an append),
 * so a chunk is never modified. `copy()` always returns fresh bytes equal to what was written.
 */
import { type Chunk, type ChunkStore, tailStart } from './chunks.js';

export class FileBuffer {
  private bytes: Uint8Array;
  /** Bytes of `bytes` in use (the head when there is a chunk). */
  private used: number;
  private chunk: Chunk | null;

  constructor(
    initial: Uint8Array,
    private readonly chunks: ChunkStore,
  ) {
    const split = tailStart(initial);
    this.chunk = split < 0 ? null : chunks.intern(initial.subarray(split));
    // One copy of exactly the head, as a plain Uint8Array even from a Buffer (whose slice would be a view).
    this.bytes = split < 0 ? new Uint8Array(initial) : initial.slice(0, split);
    this.used = this.bytes.length;
  }

  get length(): number {
    return this.chunk === null ? this.used : this.used + this.chunk.bytes.length;
  }

  append(more: Uint8Array): void {
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
    if (contents.length > this.bytes.length) this.bytes = new Uint8Array(contents.length);
    this.bytes.set(contents);
    this.used = contents.length;
  }

  copy(): Uint8Array {
    if (this.chunk === null) return this.bytes.slice(0, this.used);
    const out = new Uint8Array(this.used + this.chunk.bytes.length);
    out.set(this.bytes.subarray(0, this.used));
    out.set(this.chunk.bytes, this.used);
    return out;
  }

  /** The file is gone (unlinked or replaced): its chunk loses a user. */
  release(): void {
    if (this.chunk === null) return;
    this.chunks.release(this.chunk);
    this.chunk = null;
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
