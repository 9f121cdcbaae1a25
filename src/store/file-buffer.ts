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
 * The head of a file with a chunk (a message: its own header lines) is first kept as bytes. Once the
 * file has lived a while (`pack`, which the disk calls a few hundred files later: most queue files are
 * gone by then, and packing them would be wasted work — issue 21) it becomes a one-byte string, one
 * character per byte (latin1, which maps every byte to itself), until the file is appended to or
 * rewritten: a string is a single heap object, where a Uint8Array is a view object, an ArrayBuffer
 * object and a separately allocated store — ~200 bytes more for each of a million mailbox files
 * (issue 21). The first change turns it back into bytes. The string is most often not the head itself
 * but its delta against a recent head, `base` (head-delta.ts): a few dozen bytes instead of ~560.
 * The disk's `ChunkStore` (which also codes the heads) is passed to each call that needs it rather than
 * kept in every file.
 *
 * A file appended to past `BLOCK_BYTES` (a Maildir uidlist gets a line per delivery, ~75 MB for a
 * million) stops doubling: its full blocks move to `spill`, in order, and `bytes` is a fresh block,
 * so growth copies nothing and leaves at most one block unused — doubling held up to twice the file,
 * and three times for a moment at each growth.
 */
import { type Chunk, type ChunkStore, tailStart } from './chunks.js';
import { decodeHead } from './head-delta.js';

const noBytes = new Uint8Array(0);
/** Own storage grows by doubling up to this size, then by blocks of it. */
export const BLOCK_BYTES = 256 * 1024;

/** The full blocks of an appended file before `bytes`, and their total length. */
interface Spill {
  readonly blocks: Uint8Array[];
  length: number;
}

export class FileBuffer {
  private bytes: Uint8Array;
  /** Bytes of the head in use: of `packed` when it is set, else of `bytes` (the head when there is a chunk). */
  private used: number;
  private chunk: Chunk | null;
  /** The head as a one-byte string (latin1), while the file is as written; `bytes` is then empty. */
  private packed: string | null;
  /** The head `packed` is a delta against (head-delta.ts), or null when `packed` is the head itself. */
  private base: string | null;
  /** Earlier blocks of an appended file (its bytes are these, then `bytes[0, used)`); null for most files. */
  private spill: Spill | null = null;

  constructor(initial: Uint8Array, chunks: ChunkStore) {
    const split = tailStart(initial);
    this.chunk = split < 0 ? null : chunks.intern(initial.subarray(split));
    this.packed = null;
    this.base = null;
    // One copy of exactly the file (or of its head), as a plain Uint8Array even from a Buffer (whose slice
    // would be a view). A file without a chunk stays bytes: a queue entry's state is rewritten in place.
    this.bytes = split < 0 ? new Uint8Array(initial) : initial.slice(0, split);
    this.used = this.bytes.length;
  }

  /** Whether `pack` would pack the head: the file has a chunk and its head is still bytes. */
  get packable(): boolean {
    return this.chunk !== null && this.packed === null;
  }

  /**
   * Keeps the head of a file that still has its chunk as a one-byte string, most often a delta (see
   * the top). Does nothing to any other file: one appended to, rewritten or removed since.
   */
  pack(chunks: ChunkStore): void {
    if (!this.packable) return;
    this.packed = chunks.heads.encode(this.bytes.subarray(0, this.used));
    this.base = chunks.heads.lastBase;
    this.bytes = noBytes;
  }

  get length(): number {
    if (this.spill !== null) return this.spill.length + this.used;
    return this.chunk === null ? this.used : this.used + this.chunk.bytes.length;
  }

  append(more: Uint8Array, chunks: ChunkStore): void {
    if (this.packed !== null) this.unpack();
    if (this.chunk !== null) this.unshare(more.length, chunks);
    const needed = this.used + more.length;
    if (needed > this.bytes.length) {
      if (needed > BLOCK_BYTES) {
        this.appendBlocks(more);
        return;
      }
      this.grow(Math.min(Math.max(needed, this.bytes.length * 2), BLOCK_BYTES));
    }
    this.bytes.set(more, this.used);
    this.used = needed;
  }

  /** An append past the own storage of a big file: what is held becomes a block, the rest goes to new ones. */
  private appendBlocks(more: Uint8Array): void {
    this.spill ??= { blocks: [], length: 0 };
    // Fill the current block first if it is a block (a file written whole may be bigger: it is kept as it is).
    const room = this.bytes.length === BLOCK_BYTES ? BLOCK_BYTES - this.used : 0;
    this.bytes.set(more.subarray(0, room), this.used);
    this.used += room;
    this.spill.blocks.push(this.used === this.bytes.length ? this.bytes : this.bytes.slice(0, this.used));
    this.spill.length += this.used;
    let at = room;
    while (more.length - at > BLOCK_BYTES) {
      this.spill.blocks.push(more.slice(at, at + BLOCK_BYTES));
      this.spill.length += BLOCK_BYTES;
      at += BLOCK_BYTES;
    }
    this.bytes = new Uint8Array(BLOCK_BYTES);
    this.bytes.set(more.subarray(at));
    this.used = more.length - at;
  }

  /**
   * Replaces the contents, reusing the storage when it is big enough: a file rewritten again and
   * again (a queue entry's state after every retry) then allocates nothing.
   */
  replace(contents: Uint8Array, chunks: ChunkStore): void {
    this.release(chunks);
    this.packed = null;
    this.base = null;
    this.spill = null;
    if (contents.length > this.bytes.length) this.bytes = new Uint8Array(contents.length);
    this.bytes.set(contents);
    this.used = contents.length;
  }

  copy(): Uint8Array {
    if (this.spill !== null) return this.joinBlocks(this.spill);
    if (this.packed === null && this.chunk === null) return this.bytes.slice(0, this.used);
    const out = new Uint8Array(this.length);
    if (this.packed !== null) decodeHead(this.base, this.packed, out);
    else out.set(this.bytes.subarray(0, this.used));
    if (this.chunk !== null) out.set(this.chunk.bytes, this.used);
    return out;
  }

  private joinBlocks(spill: Spill): Uint8Array {
    const out = new Uint8Array(spill.length + this.used);
    let at = 0;
    for (const block of spill.blocks) {
      out.set(block, at);
      at += block.length;
    }
    out.set(this.bytes.subarray(0, this.used), at);
    return out;
  }

  /** The file is gone (unlinked or replaced): its chunk loses a user. */
  release(chunks: ChunkStore): void {
    if (this.chunk === null) return;
    chunks.release(this.chunk);
    this.chunk = null;
  }

  /** The head back into `bytes`, before a change. */
  private unpack(): void {
    const head = new Uint8Array(this.used);
    decodeHead(this.base, this.packed!, head);
    this.bytes = head;
    this.packed = null;
    this.base = null;
  }

  /** Copy on write: the chunk's bytes move into the file's own storage, with room for `extra` more. */
  private unshare(extra: number, chunks: ChunkStore): void {
    const chunk = this.chunk!;
    this.grow(this.used + chunk.bytes.length + extra);
    this.bytes.set(chunk.bytes, this.used);
    this.used += chunk.bytes.length;
    this.release(chunks);
  }

  private grow(capacity: number): void {
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}
