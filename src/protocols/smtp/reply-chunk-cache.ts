/**
 * Chunks of server replies the SMTP reply parser has read, kept by their bytes with what they parsed to.
 *
 * Theory of operation. A server says the same things again and again, byte for byte: its greeting,
 * its EHLO answer, "220 2.0.0 Ready to start TLS", the replies to a pipelined MAIL/RCPT/DATA group of
 * the same envelope, "221 2.0.0 Bye". The parser (reply-parser.ts) asks here first for a chunk that
 * starts with an empty parser, and on a miss keeps the chunk it parsed when it ended on a reply boundary
 * without an error, so the same bytes later give the same results — shared, never changed (a parsed
 * reply is never changed; the results array is frozen) — without decoding, cutting or building them.
 *
 * Which chunks stay: a fixed number of slots, replaced by the CLOCK rule (second chance): a slot that
 * was used since the hand last passed is spared once. Replies that recur (most) are used between two
 * passes and stay; one-off replies ("queued as" ids) take the unused slots and leave first. A hit
 * compares the length, then the bytes: no hashing, no string. The cache changes how fast replies are
 * read, never what they are: test/protocols/smtp/reply-chunk-cache.test.ts compares with a parser that
 * keeps nothing. Process-wide and deterministic (it holds only what was parsed, in the order it was).
 */
import { Buffer } from 'node:buffer';

export const REPLY_CHUNK_SLOTS = 32;
/** Longer chunks are not kept: an EHLO answer is a few hundred bytes; a big chunk is rare and costly to compare. */
export const REPLY_CHUNK_BYTES_MAX = 1024;

interface Slot<Result> {
  readonly bytes: Buffer;
  readonly results: readonly Result[];
  used: boolean;
}

export class ReplyChunkCache<Result> {
  private readonly slots: Slot<Result>[] = [];
  private hand = 0;

  constructor(private readonly capacity = REPLY_CHUNK_SLOTS) {}

  /** The results of exactly these bytes, or null. */
  get(bytes: Uint8Array): readonly Result[] | null {
    const slots = this.slots;
    const length = bytes.length;
    for (let index = 0; index < slots.length; index++) {
      const slot = slots[index]!;
      if (slot.bytes.length === length && slot.bytes.equals(bytes)) {
        slot.used = true;
        return slot.results;
      }
    }
    return null;
  }

  /** Keeps a copy of the bytes with their results (which it freezes: they are handed out again). */
  keep(bytes: Uint8Array, results: Result[]): void {
    if (bytes.length > REPLY_CHUNK_BYTES_MAX || results.length === 0) return;
    const slot: Slot<Result> = { bytes: Buffer.from(bytes), results: Object.freeze(results), used: false };
    const slots = this.slots;
    if (slots.length < this.capacity) {
      slots.push(slot);
      return;
    }
    // CLOCK: pass over the slots used since the last pass (clearing the mark), replace the first unused.
    while (slots[this.hand]!.used) {
      slots[this.hand]!.used = false;
      this.hand = (this.hand + 1) % slots.length;
    }
    slots[this.hand] = slot;
    this.hand = (this.hand + 1) % slots.length;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.slots.length = 0;
    this.hand = 0;
  }
}
