/**
 * The SMTP server's unread input: the bytes received and not yet taken, in order. The session
 * (server-session.ts) takes them as command lines (`nextLine`), or hands `bytes[start..]` to the DATA
 * reader or a BDAT chunk, which advance `start` by what they took.
 *
 * Received bytes are read where they are when nothing older is waiting (the usual case: a segment
 * holds whole commands, or a piece of DATA the reader copies into the message), and `settle()` copies
 * what is left of them once the session stops reading, so nothing refers to the caller's array after
 * `receive` returns; bytes that follow unread ones are appended to a copy.
 *
 * A command line ends at LF. RFC 5321 §4.5.3.1.4's limit counts the CRLF; a line ended by a bare LF
 * is taken as if it ended in CRLF (Postfix `smtpd_forbid_bare_newline = normalize`), so commands
 * cannot smuggle data. A line longer than its limit is thrown away as it arrives, up to its LF, and
 * then reported once as too long — the buffer never holds more than one limit's worth of a line.
 */
import { bytesLatin1Range } from '../machine.js';

/** The empty buffer, shared: a zero-length array cannot be written to. */
const NO_BYTES = new Uint8Array(0);

/** `nextLine`'s answer for a line over the limit (already thrown away). */
export const LINE_TOO_LONG: unique symbol = Symbol('line too long');

export class InputBuffer {
  /** Unread input is `bytes[start..]`. */
  bytes: Uint8Array = NO_BYTES;
  start = 0;
  /** A line grew past its limit: bytes are dropped until the next LF. */
  private discardingLongLine = false;
  /** `bytes` is the caller's array, read in place until `settle()`. */
  private borrowed = false;

  /** Bytes not yet taken. */
  get size(): number {
    return this.bytes.length - this.start;
  }

  /** Adds received bytes; call `settle()` before the caller gets its array back. */
  append(bytes: Uint8Array): void {
    const remaining = this.bytes.length - this.start;
    if (remaining === 0) {
      this.bytes = bytes;
      this.borrowed = true;
    } else {
      const merged = new Uint8Array(remaining + bytes.length);
      merged.set(this.bytes.subarray(this.start));
      merged.set(bytes, remaining);
      this.bytes = merged;
      this.borrowed = false;
    }
    this.start = 0;
  }

  /** Keeps what is unread in an array of its own (a copy, even of a Buffer, whose slice is a view), or lets go of it all. */
  settle(): void {
    if (this.start >= this.bytes.length) {
      this.bytes = NO_BYTES;
      this.start = 0;
    } else if (this.borrowed) {
      this.bytes = new Uint8Array(this.bytes.subarray(this.start));
      this.start = 0;
    }
    this.borrowed = false;
  }

  /** Throws away everything unread; returns how many bytes that was. */
  discardAll(): number {
    const discarded = this.bytes.length - this.start;
    this.start = this.bytes.length;
    return discarded;
  }

  clear(): void {
    this.bytes = NO_BYTES;
    this.start = 0;
    this.borrowed = false;
  }

  /** The next line without its line end (latin1), null when no complete line is there yet, or LINE_TOO_LONG. */
  nextLine(lineBytesMax: number): string | null | typeof LINE_TOO_LONG {
    const bytes = this.bytes;
    const start = this.start;
    const lf = bytes.indexOf(0x0a, start);
    if (lf < 0) {
      if (bytes.length - start > lineBytesMax) {
        this.discardingLongLine = true;
        this.start = bytes.length;
      }
      return null;
    }
    this.start = lf + 1;
    const endsInCr = lf > start && bytes[lf - 1] === 0x0d;
    const lineBytes = lf - start + (endsInCr ? 1 : 2);
    if (this.discardingLongLine || lineBytes > lineBytesMax) {
      this.discardingLongLine = false;
      return LINE_TOO_LONG;
    }
    return bytesLatin1Range(bytes, start, endsInCr ? lf - 1 : lf);
  }
}
