/**
 * Reads a DATA body (RFC 5321 §4.1.1.4, §4.5.2) byte by byte (runs of plain bytes inside a line in one
 * go), so any chunking gives the same result,
 * and collects a BDAT body (RFC 3030) chunk by chunk.
 *
 * End of data (docs/delivery.md E1): only <CRLF>.<CRLF> ends DATA, where the first CRLF is a real one (or
 * the end of the DATA command line). A "." line after a bare LF, a "." followed by a bare LF or a bare
 * CR, a NUL before the dot … never ends it; those bytes stay content. That is the whole defence
 * against SMTP smuggling (E4, CVE-2023-51764/5/6): nothing inside one DATA can end it early, so a
 * smuggled "MAIL FROM" after a fake terminator is just text of the one message.
 *
 * Dot-unstuffing (E2): a line that starts with "." loses that dot.
 * Bare LF (E4): 'normalize' stores it as CRLF (Postfix ≥ 3.9 `smtpd_forbid_bare_newline = normalize`);
 * 'reject' flags the message, which the server refuses after the real end. Bare CR is kept as content.
 * Limits: the body stops being stored past `messageBytesMax` but is read to its end, so the session
 * stays in step (552 5.3.4 then, RFC 1870 §6.3). A text line has no length limit of its own: RFC 5321
 * §4.5.3.1.6 sets 1000 octets but §4.5.3.1 asks servers to avoid such limits, and Postfix's smtpd takes
 * longer lines (it chops them into `line_length_limit` = 2048-octet records and rebuilds them on
 * delivery); its SMTP client folds them when relaying (dot-stuffing.ts). Only `messageBytesMax` bounds one.
 */
import type { BareLineFeedPolicy } from './server-api.js';

/** First buffer of a body of unknown size, and the most a declared size may make it. */
const initialBytesDefault = 4096;
const initialBytesMax = 65_536;

/** A bounded growable byte buffer: past `capacityBytesMax` it only counts. */
export class BoundedBytes {
  private buffer: Uint8Array;
  private used = 0;
  /** Bytes offered in total, stored or not. */
  total = 0;

  /**
   * `expectedBytes` (a SIZE the client declared, RFC 1870) sizes the first buffer, so a message of
   * the declared size is stored without growing or a final copy; a client cannot make it large
   * (at most `initialBytesMax`).
   */
  constructor(
    private readonly capacityBytesMax: number,
    expectedBytes: number | null = null,
  ) {
    const initial = expectedBytes === null ? initialBytesDefault : Math.min(Math.max(expectedBytes, 1), initialBytesMax);
    this.buffer = new Uint8Array(Math.min(initial, capacityBytesMax));
  }

  get overflowed(): boolean {
    return this.total > this.capacityBytesMax;
  }

  push(byte: number): void {
    this.total++;
    if (this.total > this.capacityBytesMax) return;
    this.ensure(this.used + 1);
    this.buffer[this.used++] = byte;
  }

  pushAll(bytes: Uint8Array): void {
    const room = Math.max(0, Math.min(bytes.length, this.capacityBytesMax - this.total));
    this.total += bytes.length;
    if (room === 0) return;
    this.ensure(this.used + room);
    this.buffer.set(bytes.subarray(0, room), this.used);
    this.used += room;
  }

  /** The stored bytes; nothing may be pushed after this (a buffer filled exactly is handed over as it is). */
  bytes(): Uint8Array {
    return this.used === this.buffer.length ? this.buffer : this.buffer.slice(0, this.used);
  }

  private ensure(size: number): void {
    if (size <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < size) capacity *= 2;
    const grown = new Uint8Array(Math.min(capacity, this.capacityBytesMax));
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Where the reader is within the current line. */
type LinePosition =
  | 'line-start' // nothing of this line seen yet
  | 'dot' // the line began with "."
  | 'dot-cr' // ".\r" — an end marker if LF follows and the previous line ended in a real CRLF
  | 'middle' // inside the line
  | 'cr'; // a CR inside the line, waiting to see if LF follows

export interface DataOutcome {
  message: Uint8Array;
  /** Stored size after unstuffing and normalising. */
  messageBytes: number;
  oversize: boolean;
  bareLineFeed: boolean;
}

export class DataReader {
  private position: LinePosition = 'line-start';
  /** True when the previous line ended in a real CRLF; the DATA command line counts as one (E1). */
  private previousEndedCrlf = true;
  private bareLineFeed = false;
  private readonly body: BoundedBytes;
  private finished = false;
  /** The last CR search (`nextCrAtOrAfter`): in which array, from where, and what it found. */
  private crSearchInput: Uint8Array | null = null;
  private crSearchFrom = 0;
  private crFound = -1;

  constructor(
    messageBytesMax: number,
    private readonly bareLineFeedPolicy: BareLineFeedPolicy,
    /** The SIZE the client declared at MAIL (RFC 1870), if any: a hint for the first buffer. */
    expectedBytes: number | null = null,
  ) {
    this.body = new BoundedBytes(messageBytesMax, expectedBytes);
  }

  /**
   * Consumes bytes from `input` starting at `offset`; returns how many it consumed. When it returns
   * fewer than offered, the end of data was found and `outcome()` is ready.
   */
  consume(input: Uint8Array, offset: number): number {
    this.crSearchInput = null; // the caller may refill the same array between calls
    let i = offset;
    while (i < input.length && !this.finished) {
      if (this.position === 'middle' || (this.position === 'line-start' && input[i] !== DOT)) {
        const end = this.takePlainLines(input, i);
        if (end > i) {
          i = end;
          continue;
        }
      }
      if (this.position === 'middle') {
        // Inside a line every byte up to the next CR or LF is plain content: `step` would count and
        // store each one alone; do the run in one go (the same result, byte for byte).
        let end = i;
        while (end < input.length) {
          const byte = input[end]!;
          if (byte === CR || byte === LF) break;
          end++;
        }
        if (end > i) {
          this.body.pushAll(input.subarray(i, end));
          i = end;
          continue;
        }
      }
      this.step(input[i]!);
      i++;
    }
    return i - offset;
  }

  /**
   * Takes, from `start`, whole lines that hold no CR or LF but their final CRLF (and do not start
   * with "."): for them `step` would store every byte and end the line with a real CRLF, so they are
   * stored in one copy. Stops at anything else, which `step` then reads byte by byte. Returns where
   * it stopped. Line ends are found with indexOf; the next CR is remembered within one `consume`, so
   * input without CRs (bare LF) is not searched again and again.
   */
  private takePlainLines(input: Uint8Array, start: number): number {
    let i = start;
    while (i < input.length) {
      if (this.position === 'line-start' && input[i] === DOT) break;
      const lf = input.indexOf(LF, i);
      if (lf <= i) break; // no complete line here, or a bare LF first
      if (lf - 1 !== this.nextCrAtOrAfter(input, i)) break; // a CR inside the line, or none before the LF
      this.position = 'line-start';
      this.previousEndedCrlf = true;
      i = lf + 1;
    }
    if (i > start) this.body.pushAll(input.subarray(start, i));
    return i;
  }

  /** The first CR in `input` at or after `from`, or -1. */
  private nextCrAtOrAfter(input: Uint8Array, from: number): number {
    if (this.crSearchInput !== input || (this.crFound >= 0 && this.crFound < from) || this.crSearchFrom > from) {
      this.crSearchInput = input;
      this.crSearchFrom = from;
      this.crFound = input.indexOf(CR, from);
    }
    return this.crFound;
  }

  get done(): boolean {
    return this.finished;
  }

  outcome(): DataOutcome {
    return {
      message: this.body.bytes(),
      messageBytes: this.body.total,
      oversize: this.body.overflowed,
      bareLineFeed: this.bareLineFeed && this.bareLineFeedPolicy === 'reject',
    };
  }

  private step(byte: number): void {
    switch (this.position) {
      case 'line-start':
        if (byte === DOT) this.position = 'dot';
        else this.middle(byte);
        return;
      case 'dot':
        // The leading dot is dropped in every case below (unstuffing, E2).
        if (byte === CR) this.position = 'dot-cr';
        else this.middle(byte);
        return;
      case 'dot-cr':
        if (byte === LF) {
          if (this.previousEndedCrlf) {
            this.finished = true; // <CRLF>.<CRLF> — the only end of data (E1).
            return;
          }
          // ".\r\n" after a bare LF: not an end (the CVE-2023-51764 vector "\n.\r\n"); an empty line.
          this.endLine(true);
          return;
        }
        // ".\r" then something else: the CR was a bare CR inside the line.
        this.body.push(CR);
        this.position = 'middle';
        this.middle(byte);
        return;
      case 'middle':
        this.middle(byte);
        return;
      case 'cr':
        if (byte === LF) {
          this.endLine(true);
          return;
        }
        this.body.push(CR); // a bare CR is content
        this.position = 'middle';
        this.middle(byte);
        return;
    }
  }

  /** A byte inside a line (not the first-position dot). */
  private middle(byte: number): void {
    if (byte === CR) {
      this.position = 'cr';
      return;
    }
    if (byte === LF) {
      this.bareLineFeed = true;
      this.endLine(false);
      return;
    }
    this.body.push(byte);
    this.position = 'middle';
  }

  private endLine(realCrlf: boolean): void {
    // A bare LF is stored as CRLF ('normalize'); under 'reject' the message is refused anyway.
    this.body.push(CR);
    this.body.push(LF);
    this.previousEndedCrlf = realCrlf;
    this.position = 'line-start';
  }
}
