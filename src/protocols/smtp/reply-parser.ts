/**
 * Incremental parser for SMTP replies, as the client reads them (RFC 5321 §4.2, RFC 2034).
 *
 * Theory of operation. Bytes arrive in any chunking; the parser cuts them into lines at LF (a CR
 * before the LF is dropped; a bare LF is tolerated, as Postfix's client does), and groups lines into
 * replies: `250-text` continues a reply, `250 text` (or a bare `250`) ends it (RFC 5321 §4.2.1). Each
 * line must start with the same three-digit code, first digit 2–5 (RFC 5321 §4.2: 1yz is not used).
 *
 * Enhanced status codes (RFC 2034 §4): a line whose text starts with `c.x.y ` where c equals the reply
 * class carries one. It is parsed whether or not ENHANCEDSTATUSCODES was advertised (servers send it
 * anyway), taken from the first line and stripped from every line that repeats it. A code whose class
 * differs from the reply's is not an enhanced code (docs/delivery.md D7) and stays in the text.
 *
 * A malformed reply — a bad code, codes that change within one reply, a line longer than 512 octets
 * (RFC 5321 §4.5.3.1.5), more than `replyLinesMax` lines — is a protocol error: the parser returns an
 * error result and stops (it is sticky), and never throws. The owning machine then defers, as Postfix
 * does ("protocol error").
 */
import { isAscii } from 'node:buffer';
import { bytesLatin1 } from '../machine.js';
import { ReplyChunkCache } from './reply-chunk-cache.js';
import type { SmtpReply } from './types.js';

export interface SmtpReplyParserLimits {
  /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
  replyLineBytesMax: number;
  /** Lines in one multi-line reply; an EHLO reply has about 15, so 100 is generous but bounded. */
  replyLinesMax: number;
}

export const SMTP_REPLY_PARSER_LIMITS_DEFAULT: Readonly<SmtpReplyParserLimits> = Object.freeze({
  replyLineBytesMax: 512,
  replyLinesMax: 100,
});

export type SmtpReplyParseErrorKind = 'line-too-long' | 'bad-code' | 'mixed-codes' | 'too-many-lines';

export type SmtpReplyParseResult =
  | { kind: 'reply'; reply: SmtpReply }
  | { kind: 'error'; error: SmtpReplyParseErrorKind; detail: string };

const LF = 0x0a;
/** The empty input buffer, shared: a zero-length array cannot be written to. */
const NO_BYTES = new Uint8Array(0);
const CR = 0x0d;
const REPLY_LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;
const utf8 = new TextDecoder('utf-8');
const DIGIT_0 = 0x30;
const DIGIT_2 = 0x32;
const DIGIT_5 = 0x35;
const DIGIT_9 = 0x39;
const SPACE = 0x20;
const HYPHEN = 0x2d;
const DOT = 0x2e;

export class SmtpReplyParser {
  private readonly limits: Readonly<SmtpReplyParserLimits>;
  /** Bytes of the current, unterminated line. Never longer than `replyLineBytesMax`. */
  private partialLine: Uint8Array = NO_BYTES;
  /** The texts of the current reply's lines so far (all with `replyCode`). */
  private linesOfReply: string[] = [];
  private replyCode = 0;
  /** The code and kind of the line `readLine` read last. */
  private lineCode = 0;
  private lineFinal = false;
  private failed = false;

  constructor(limits?: Partial<SmtpReplyParserLimits>) {
    // Without overrides (every client machine) the frozen defaults serve as they are: no copy per session.
    this.limits = limits === undefined ? SMTP_REPLY_PARSER_LIMITS_DEFAULT : { ...SMTP_REPLY_PARSER_LIMITS_DEFAULT, ...limits };
  }

  /** Bytes received but not yet part of a complete reply (for the STARTTLS injection check, RFC 3207 §5). */
  get bufferedBytes(): number {
    return this.partialLine.length + this.linesOfReply.length;
  }

  /** True after a protocol error; the parser ignores all further input. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Feeds bytes; returns the replies completed by them, in order, possibly ending with one error. */
  push(bytes: Uint8Array): readonly SmtpReplyParseResult[] {
    // Almost every chunk a server sends is ASCII and starts a fresh line: decoded once, then cut.
    if (!this.failed && this.partialLine.length === 0 && isAscii(bytes)) {
      if (this.linesOfReply.length > 0 || this.limits !== SMTP_REPLY_PARSER_LIMITS_DEFAULT) return this.pushAscii(bytes);
      // A chunk read before from an empty parser (reply-chunk-cache.ts): the same results, shared.
      const kept = keptChunks.get(bytes);
      if (kept !== null) return kept;
      const results = this.pushAscii(bytes);
      if (this.endedClean(results)) keptChunks.keep(bytes, results);
      return results;
    }
    const results: SmtpReplyParseResult[] = [];
    let start = 0;
    while (!this.failed && start < bytes.length) {
      const lineFeedAt = bytes.indexOf(LF, start);
      const end = lineFeedAt === -1 ? bytes.length : lineFeedAt;
      const piece = bytes.subarray(start, end);
      // The terminated line counts its LF; an unterminated one must leave room for CRLF to come.
      const lengthSoFar = this.partialLine.length + piece.length + (lineFeedAt === -1 ? 0 : 1);
      if (lengthSoFar > this.limits.replyLineBytesMax || (lineFeedAt === -1 && lengthSoFar >= this.limits.replyLineBytesMax)) {
        results.push(this.fail('line-too-long', `reply line longer than ${this.limits.replyLineBytesMax} octets (RFC 5321 §4.5.3.1.5)`));
        break;
      }
      if (lineFeedAt === -1) {
        // Kept past this call: a copy (the caller may reuse its buffer).
        this.partialLine = concat(this.partialLine, piece);
        break;
      }
      // A whole line in `bytes` is read right here and not kept: no copy.
      const line = this.partialLine.length === 0 ? piece : concat(this.partialLine, piece);
      this.partialLine = NO_BYTES;
      start = lineFeedAt + 1;
      const text = utf8.decode(line.at(-1) === CR ? line.subarray(0, -1) : line);
      const result = this.acceptLine(this.readLine(text, 0, text.length));
      if (result !== null) results.push(result);
    }
    return results;
  }

  /**
   * `push` for a chunk of ASCII bytes with no partial line before it. ASCII decodes one character per
   * byte, so the decoded chunk cut at LF gives exactly the lines (and the lengths) the byte path finds,
   * and each line is exactly its own decode. An unterminated tail is kept as bytes, as there.
   */
  private pushAscii(bytes: Uint8Array): SmtpReplyParseResult[] {
    // Usually one result: an array literal of one (a push onto [] would allocate room for 17).
    let results: SmtpReplyParseResult[] | null = null;
    // ASCII decodes the same as UTF-8 and as Latin-1; Buffer's latin1 slice is the cheaper decoder.
    const chunk = bytesLatin1(bytes);
    const lineBytesMax = this.limits.replyLineBytesMax;
    let start = 0;
    while (!this.failed && start < chunk.length) {
      const lineFeedAt = chunk.indexOf('\n', start);
      // The same limits as in `push`: a terminated line counts its LF, an open one needs room for CRLF.
      const lengthSoFar = lineFeedAt === -1 ? chunk.length - start : lineFeedAt - start + 1;
      if (lengthSoFar > lineBytesMax || (lineFeedAt === -1 && lengthSoFar >= lineBytesMax)) {
        results = appendResult(results, this.fail('line-too-long', `reply line longer than ${lineBytesMax} octets (RFC 5321 §4.5.3.1.5)`));
        break;
      }
      if (lineFeedAt === -1) {
        // A copy, as in `push` (Buffer's slice would be a view of the caller's buffer).
        this.partialLine = new Uint8Array(bytes.subarray(start));
        break;
      }
      const lineStart = start;
      const end = lineFeedAt > lineStart && chunk.charCodeAt(lineFeedAt - 1) === CR ? lineFeedAt - 1 : lineFeedAt;
      start = lineFeedAt + 1;
      const result = this.acceptLine(this.readLine(chunk, lineStart, end));
      if (result !== null) results = appendResult(results, result);
    }
    return results ?? [];
  }

  /**
   * Reads the line `chunk[start, end)` (CR and LF excluded): sets `lineCode` and `lineFinal` and
   * returns its text, or returns the error of a line that is not a reply line. The common case
   * (`[2-5]dd` then the end, or ' ' / '-' and the text) is read by hand; anything else by REPLY_LINE.
   */
  private readLine(chunk: string, start: number, end: number): string | SmtpReplyParseResult {
    if (end - start >= 3) {
      const c0 = chunk.charCodeAt(start);
      const c1 = chunk.charCodeAt(start + 1);
      const c2 = chunk.charCodeAt(start + 2);
      const separator = end - start === 3 ? SPACE : chunk.charCodeAt(start + 3);
      if (c0 >= DIGIT_2 && c0 <= DIGIT_5 && c1 >= DIGIT_0 && c1 <= DIGIT_9 && c2 >= DIGIT_0 && c2 <= DIGIT_9 && (separator === SPACE || separator === HYPHEN)) {
        this.lineCode = (c0 - DIGIT_0) * 100 + (c1 - DIGIT_0) * 10 + (c2 - DIGIT_0);
        this.lineFinal = separator === SPACE;
        return end - start <= 4 ? '' : chunk.slice(start + 4, end);
      }
    }
    // The general case (and every bad line): the regex on the decoded line.
    const line = start === 0 && end === chunk.length ? chunk : chunk.slice(start, end);
    const match = REPLY_LINE.exec(line);
    if (match === null) return this.fail('bad-code', `not an SMTP reply line: ${JSON.stringify(line.slice(0, 40))}`);
    this.lineCode = Number(match[1]);
    this.lineFinal = match[2] !== '-';
    return match[3] ?? '';
  }

  /** Takes the line `readLine` read (its text), or passes its error on. */
  private acceptLine(read: string | SmtpReplyParseResult): SmtpReplyParseResult | null {
    if (typeof read !== 'string') return read;
    const code = this.lineCode;
    const count = this.linesOfReply.length;
    if (count > 0 && this.replyCode !== code) {
      return this.fail('mixed-codes', `reply code changed from ${this.replyCode} to ${code} within one reply`);
    }
    if (count >= this.limits.replyLinesMax) {
      return this.fail('too-many-lines', `reply longer than ${this.limits.replyLinesMax} lines`);
    }
    // A one-line reply (most of them) is built without the lines array.
    if (count === 0 && this.lineFinal) return { kind: 'reply', reply: oneLineReply(code, read) };
    if (count === 0) {
      this.replyCode = code;
      this.linesOfReply = [read];
    } else {
      this.linesOfReply.push(read);
    }
    if (!this.lineFinal) return null;
    const lines = this.linesOfReply;
    this.linesOfReply = [];
    return { kind: 'reply', reply: buildReply(code, lines) };
  }

  /** True when the chunk just read left the parser empty (no open line or reply) and had no error. */
  private endedClean(results: readonly SmtpReplyParseResult[]): boolean {
    if (this.failed || this.partialLine.length !== 0 || this.linesOfReply.length !== 0) return false;
    for (let index = 0; index < results.length; index++) if (results[index]!.kind !== 'reply') return false;
    return true;
  }

  private fail(error: SmtpReplyParseErrorKind, detail: string): SmtpReplyParseResult {
    this.failed = true;
    this.partialLine = NO_BYTES;
    this.linesOfReply = [];
    return { kind: 'error', error, detail };
  }
}

/**
 * Chunks by their bytes (default limits, read from an empty parser): a server sends its greeting, its
 * EHLO answer and most replies again byte for byte (reply-chunk-cache.ts).
 */
const keptChunks = new ReplyChunkCache<SmtpReplyParseResult>();

/** Forgets the kept chunks (tests that count what a parse allocates or compare with a fresh parse). */
export function forgetKeptReplyChunks(): void {
  keptChunks.clear();
}

/** The reply of `lines`, which it takes over: without an enhanced code (an EHLO answer) as they are. */
function buildReply(code: number, lines: string[]): SmtpReply {
  const enhanced = enhancedCodeOf(code, lines[0] ?? '');
  if (enhanced === null) return { code, enhanced, lines };
  for (let index = 0; index < lines.length; index++) lines[index] = withoutCode(lines[index]!, enhanced);
  return { code, enhanced, lines };
}

/** `buildReply(code, [line])` without the arrays. */
function oneLineReply(code: number, text: string): SmtpReply {
  const enhanced = enhancedCodeOf(code, text);
  return { code, enhanced, lines: [enhanced === null ? text : withoutCode(text, enhanced)] };
}

/** The text without a leading "ENHANCED " (or '' when it is just the code). */
function withoutCode(text: string, enhanced: string): string {
  if (text === enhanced) return '';
  return text.startsWith(enhanced) && text.charCodeAt(enhanced.length) === SPACE ? text.slice(enhanced.length + 1) : text;
}

/** `results` with `result` at the end: a one-element literal for the first. */
function appendResult(results: SmtpReplyParseResult[] | null, result: SmtpReplyParseResult): SmtpReplyParseResult[] {
  if (results === null) return [result];
  results.push(result);
  return results;
}

/**
 * The enhanced status code the first line starts with (RFC 2034 §4: class "." subject "." detail, each
 * 1–3 digits, then a space or the end of the line), if its class is the reply's. Read by hand: the
 * regex it replaces ran on every reply.
 */
function enhancedCodeOf(code: number, firstText: string): string | null {
  const replyClass = Math.floor(code / 100);
  if (replyClass !== 2 && replyClass !== 4 && replyClass !== 5) return null;
  if (firstText.charCodeAt(0) !== DIGIT_0 + replyClass || firstText.charCodeAt(1) !== DOT) return null;
  const subjectEnd = digitsEnd(firstText, 2);
  if (subjectEnd === 2 || subjectEnd > 5 || firstText.charCodeAt(subjectEnd) !== DOT) return null;
  const detailStart = subjectEnd + 1;
  const detailEnd = digitsEnd(firstText, detailStart);
  if (detailEnd === detailStart || detailEnd > detailStart + 3) return null;
  if (detailEnd < firstText.length && firstText.charCodeAt(detailEnd) !== SPACE) return null;
  return firstText.slice(0, detailEnd);
}

/** Where the run of ASCII digits starting at `from` ends. */
function digitsEnd(text: string, from: number): number {
  let at = from;
  while (at < text.length) {
    const char = text.charCodeAt(at);
    if (char < DIGIT_0 || char > DIGIT_9) break;
    at++;
  }
  return at;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  // new Uint8Array(view) copies; .slice() on a Buffer (a Uint8Array subclass) would not.
  if (a.length === 0) return new Uint8Array(b);
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
