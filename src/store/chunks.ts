/**
 * Shared body chunks of the in-memory disk (issue 21: "bodies that are identical are stored once").
 *
 * Theory of operation. A mail file is a head that differs per message (Received, Message-ID, Date…)
 * and a body that is often byte-for-byte the same as many others (a bulk run sends one text a million
 * times; a message lands in several mailboxes). `ChunkStore` keeps one copy of each distinct tail:
 * `intern(bytes)` returns the stored chunk with those exact bytes, adding a copy if there is none, and
 * counts its users; `release` drops a user and forgets the chunk when none is left. Chunks are found
 * by an FNV-1a hash and then compared byte by byte, so a collision costs a compare, never wrong bytes.
 * Nothing outside the disk ever sees a chunk's storage (reads return copies), so sharing is invisible.
 * The two chunks interned last are compared first, before any hashing: in a bulk run it is nearly always one of them.
 */
import { Buffer } from 'node:buffer';
import { HeadCoder } from './head-delta.js';

/** One distinct tail: its bytes (never modified) and how many files use it. */
export interface Chunk {
  readonly bytes: Uint8Array;
  users: number;
}

/** Files shorter than this after the split are kept whole: a chunk would cost more than it saves. */
export const CHUNK_BYTES_MIN = 256;

export class ChunkStore {
  /** The heads of the files that share a tail, coded against recent ones (head-delta.ts). */
  readonly heads = new HeadCoder();
  private readonly byHash = new Map<number, Chunk[]>();
  /**
   * The two chunks interned last, tried first: a run mostly writes one body again and again — in its
   * queue files with CRLF line ends, in the mailbox with LF — and a native compare is cheaper than
   * hashing the bytes. `last` is the more recent.
   */
  private last: Chunk | null = null;
  private before: Chunk | null = null;

  /** The chunk holding exactly `bytes` (a view is fine: they are copied when new), with one more user. */
  intern(bytes: Uint8Array): Chunk {
    const last = this.last;
    if (last !== null && sameBytes(last.bytes, bytes)) {
      last.users += 1;
      return last;
    }
    const before = this.before;
    const chunk = before !== null && sameBytes(before.bytes, bytes) ? before : this.lookUp(bytes);
    if (chunk === before) chunk.users += 1;
    this.before = last;
    this.last = chunk;
    return chunk;
  }

  private lookUp(bytes: Uint8Array): Chunk {
    const hash = fnv1a(bytes);
    let bucket = this.byHash.get(hash);
    if (bucket === undefined) {
      bucket = [];
      this.byHash.set(hash, bucket);
    }
    for (const chunk of bucket) {
      if (sameBytes(chunk.bytes, bytes)) {
        chunk.users += 1;
        return chunk;
      }
    }
    const chunk: Chunk = { bytes: bytes.slice(), users: 1 };
    bucket.push(chunk);
    return chunk;
  }

  /** A file stopped using the chunk; the last user's release forgets it. */
  release(chunk: Chunk): void {
    chunk.users -= 1;
    if (chunk.users > 0) return;
    if (chunk === this.last) this.last = null;
    if (chunk === this.before) this.before = null;
    const hash = fnv1a(chunk.bytes);
    const bucket = this.byHash.get(hash);
    if (bucket === undefined) return;
    const at = bucket.indexOf(chunk);
    if (at >= 0) bucket.splice(at, 1);
    if (bucket.length === 0) this.byHash.delete(hash);
  }

  /** Distinct chunks held (for tests and the bench). */
  get size(): number {
    let count = 0;
    for (const bucket of this.byHash.values()) count += bucket.length;
    return count;
  }
}

/**
 * Where a file's shareable tail starts: just after its first blank line (LF LF, as Maildir and queue
 * files hold the message; CR LF CR LF too), or -1 when there is none or the tail is too short to share.
 */
export function tailStart(bytes: Uint8Array): number {
  const end = bytes.length - CHUNK_BYTES_MIN;
  for (let i = 1; i < end; i++) {
    if (bytes[i] !== LF) continue;
    if (bytes[i - 1] === LF) return i + 1;
    if (bytes[i - 1] === CR && i >= 3 && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return -1;
}

const LF = 0x0a;
const CR = 0x0d;

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** Equal bytes, compared natively (memcmp): a byte loop in JavaScript cost as much as the hash. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
