/**
 * The trace's canonical byte stream, written field by field straight into a byte buffer that is fed
 * to SHA-256 when full (src/sim/trace.ts describes the stream; docs/architecture.md rule 4).
 *
 * Theory of operation. A trace line is JSON.stringify's output for {t, kind, …fields}; most of its
 * parts are printable ASCII (keys, kinds, host names, ids, integers), and those are copied one byte
 * per UTF-16 code unit into `pending` without building a string: a string is copied as long as
 * every code unit is one JSON.stringify writes as is (0x20–0x7e but `"` and `\`), integers are
 * written digit by digit. Anything else — a string that needs escaping or is not ASCII, a fraction,
 * a non-finite number — is made by jsonOf (JSON.stringify's text) and encoded as UTF-8, so the
 * bytes are the same either way (test/sim/trace-hasher.test.ts compares the two over random
 * values). SHA-256 does not care how its input is chunked, so flushing at any byte is safe.
 */
import { Buffer } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';

export type TraceValue = string | number | boolean | null;

/** Size of the buffer the canonical byte stream is gathered in before it is hashed. */
const hashChunkBytes = 1 << 16;
/** Strings up to this long are tried on the ASCII path (one byte per code unit, room made first). */
const asciiStringMax = 1 << 12;
/** A UTF-8 character takes at most this many bytes per UTF-16 code unit. */
const utf8BytesPerCodeUnitMax = 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;

/** Strings JSON.stringify writes as they are between quotes: printable ASCII without `"` and `\`. */
const NEEDS_NO_ESCAPE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Exactly JSON.stringify(value), without calling it for the common cases: finite numbers print as
 * String(number) (both give "0" for -0), non-finite ones as null; strings that need no escaping
 * go between quotes as they are.
 */
export function jsonOf(value: TraceValue): string {
  if (typeof value === 'string') return NEEDS_NO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}` : 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'null';
  return `${JSON.stringify(value)}`;
}

/** The ASCII bytes of a constant part of the canonical line (`{"t":`, `,"bytes":`). */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export class CanonicalHasher {
  private readonly hash: Hash = createHash('sha256');
  /** Canonical bytes not yet hashed: `pending[0, pendingBytes)`. */
  private readonly pending = Buffer.allocUnsafe(hashChunkBytes);
  private pendingBytes = 0;

  /** One byte (an ASCII character of the line's syntax). */
  byte(code: number): void {
    if (this.pendingBytes === hashChunkBytes) this.flush();
    this.pending[this.pendingBytes++] = code;
  }

  /** A short constant run of bytes (from asciiBytes), copied byte by byte. */
  constant(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pendingBytes + n > hashChunkBytes) this.flush();
    const pending = this.pending;
    let p = this.pendingBytes;
    for (let i = 0; i < n; i++) pending[p++] = bytes[i] as number;
    this.pendingBytes = p;
  }

  /** JSON.stringify(value)'s bytes, as UTF-8. */
  value(value: TraceValue): void {
    if (typeof value === 'string') this.string(value);
    else if (typeof value === 'number') this.number(value);
    else this.text(jsonOf(value));
  }

  /** JSON.stringify(value) for a string: copied as is when it needs no escaping and is ASCII. */
  string(value: string): void {
    const n = value.length;
    if (n <= asciiStringMax) {
      if (this.pendingBytes + n + 2 > hashChunkBytes) this.flush();
      const pending = this.pending;
      let p = this.pendingBytes;
      pending[p++] = QUOTE;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) break;
        pending[p++] = c;
      }
      if (i === n) {
        pending[p++] = QUOTE;
        this.pendingBytes = p;
        return;
      }
    }
    this.text(JSON.stringify(value));
  }

  /** JSON.stringify(value) for a number: safe integers digit by digit, others through jsonOf. */
  number(value: number): void {
    if (Number.isSafeInteger(value)) this.integer(value);
    else this.text(jsonOf(value));
  }

  /** `${value}` for a number (the line's time and length; NaN would read NaN, not null). */
  numberText(value: number): void {
    if (Number.isSafeInteger(value)) this.integer(value);
    else this.text(`${value}`);
  }

  /** A safe integer's decimal digits (what String gives: -0 prints as 0). */
  private integer(value: number): void {
    let rest = value;
    if (rest < 0) {
      this.byte(MINUS);
      rest = -rest;
    }
    let digits = 1;
    for (let x = rest; x >= 10; x = Math.floor(x / 10)) digits++;
    if (this.pendingBytes + digits > hashChunkBytes) this.flush();
    let p = this.pendingBytes + digits;
    this.pendingBytes = p;
    const pending = this.pending;
    do {
      pending[--p] = DIGIT_0 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** Any text, as UTF-8 (the general path). */
  text(text: string): void {
    if (text.length * utf8BytesPerCodeUnitMax > hashChunkBytes) {
      this.flush();
      this.hash.update(text, 'utf8');
      return;
    }
    if (this.pendingBytes + text.length * utf8BytesPerCodeUnitMax > hashChunkBytes) this.flush();
    this.pendingBytes += this.pending.write(text, this.pendingBytes, 'utf8');
  }

  /** Raw bytes (a payload, a prepared fragment). */
  bytes(bytes: Uint8Array): void {
    if (this.pendingBytes + bytes.length > hashChunkBytes) {
      this.flush();
      if (bytes.length > hashChunkBytes) {
        this.hash.update(bytes);
        return;
      }
    }
    this.pending.set(bytes, this.pendingBytes);
    this.pendingBytes += bytes.length;
  }

  /** "sha256:<hex>" over the stream so far; writing may continue afterwards. */
  digest(): string {
    this.flush();
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  /** Feeds everything gathered so far to the hash. */
  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.hash.update(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }
}
