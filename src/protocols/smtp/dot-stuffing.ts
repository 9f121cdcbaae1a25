/**
 * Encodes a message for the DATA phase, as the client sends it (RFC 5321 §4.1.1.4, §4.5.2).
 *
 * Three things happen in one pass:
 *  1. Line ends are made canonical. RFC 5321 §4.1.1.4: a client MUST NOT send CR or LF except as the
 *     pair CRLF. A bare LF and a bare CR each become CRLF; CRLF stays. That also means no byte
 *     sequence of the message can look like an end of data to a lax server (docs/delivery.md E4: every
 *     smuggling vector such as `\n.\n` or `\r.\r` leaves here as an ordinary stuffed line).
 *  2. Dot-stuffing (RFC 5321 §4.5.2, docs/delivery.md E2): a line that starts with "." gets one more ".".
 *  3. The end: a final CRLF if the message does not end with one, then ".\r\n". With the CRLF that
 *     ends the last line this makes the terminator <CRLF>.<CRLF> (E1). An empty message is just ".\r\n".
 *
 * A line longer than `lineOctetsMax` (CRLF not counted) is broken by inserting CRLF SPACE, as Postfix's
 * SMTP client does past `smtp_line_length_limit` = 998 (so RFC 5321 §4.5.3.1.6's 1000 octets hold at the
 * next hop; the space keeps a folded header a header and limits the damage to MIME); 0 never folds (1
 * cannot fold: the space fills the line). NUL and 8-bit bytes pass unchanged; `messageHas8BitBytes` tells the
 * caller whether to announce BODY=8BITMIME (RFC 6152).
 */

import { Buffer, isAscii } from 'node:buffer';
import { uninitialisedBytes } from '../bytes.js';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** The DATA terminator that follows the last CRLF (RFC 5321 §4.1.1.4). */
const END_OF_DATA = [DOT, CR, LF] as const;

/** Whether a byte at `index` starts a line ending (CR, LF or CRLF), and how many bytes it spans. */
function lineEndLength(message: Uint8Array, index: number): number {
  const byte = message[index];
  if (byte === CR) return message[index + 1] === LF ? 2 : 1;
  if (byte === LF) return 1;
  return 0;
}

/**
 * True when every line end is already CRLF (no bare CR, no bare LF), and, with `noLeadingDot`, no line
 * starts with ".". Found with Buffer's indexOf (memchr) on a view of the bytes rather than a loop per
 * byte — TypedArray's own indexOf is several times slower: almost every message is like this, and
 * then it goes out as it is.
 */
function isCanonical(bytes: Uint8Array, noLeadingDot: boolean, lineOctetsMax = 0): boolean {
  const message = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (noLeadingDot && message[0] === DOT) return false;
  let lineStart = 0;
  for (let lf = message.indexOf(LF); lf !== -1; lf = message.indexOf(LF, lf + 1)) {
    if (lf === 0 || message[lf - 1] !== CR) return false;
    if (noLeadingDot && message[lf + 1] === DOT) return false;
    if (lineOctetsMax > 0 && lf - 1 - lineStart > lineOctetsMax) return false;
    lineStart = lf + 1;
  }
  if (lineOctetsMax > 0 && message.length - lineStart > lineOctetsMax) return false;
  for (let cr = message.indexOf(CR); cr !== -1; cr = message.indexOf(CR, cr + 1)) {
    if (message[cr + 1] !== LF) return false;
  }
  return true;
}

/** A message made ready for DATA, with the size MAIL FROM announces for it. */
export interface DataContent {
  /** What `encodeDataContent` gives. */
  content: Uint8Array;
  /** What `canonicalMessageSize` gives. */
  canonicalSize: number;
}

/**
 * `encodeDataContent` and `canonicalMessageSize` at once: when the message goes out as it is (the
 * usual case), one scan of it serves both.
 */
export function prepareDataContent(message: Uint8Array, lineOctetsMax = 0): DataContent {
  if (isCanonical(message, true, lineOctetsMax)) return { content: terminated(message), canonicalSize: closedLength(message) };
  return { content: stuffed(message, lineOctetsMax), canonicalSize: canonicalMessageSize(message) };
}

/**
 * The message as DATA carries it: canonical CRLF line ends, dot-stuffed, lines over `lineOctetsMax`
 * folded (0: never), ending with <CRLF>.<CRLF>.
 */
export function encodeDataContent(message: Uint8Array, lineOctetsMax = 0): Uint8Array {
  return isCanonical(message, true, lineOctetsMax) ? terminated(message) : stuffed(message, lineOctetsMax);
}

/** A message with nothing to change inside: copied whole, its last line closed if open, then the dot. */
function terminated(message: Uint8Array): Uint8Array {
  const lastLineOpen = isLastLineOpen(message);
  const out = uninitialisedBytes(message.length + (lastLineOpen ? 2 : 0) + END_OF_DATA.length);
  out.set(message);
  let written = message.length;
  if (lastLineOpen) {
    out[written++] = CR;
    out[written++] = LF;
  }
  for (const byte of END_OF_DATA) out[written++] = byte;
  return out;
}

/**
 * The general encoding, byte by byte: line ends made CRLF, leading dots doubled, lines over
 * `lineOctetsMax` (of the message's own bytes) broken with CRLF SPACE, then the terminator.
 */
function stuffed(message: Uint8Array, lineOctetsMax: number): Uint8Array {
  // Worst case every byte doubles (each bare CR/LF becomes CRLF, each line a lone "."), a fold adds 3
  // bytes per lineOctetsMax − 1 of them (the space takes a place), plus CRLF.CRLF.
  const folds = lineOctetsMax > 0 ? 3 * Math.ceil(message.length / (lineOctetsMax - 1)) : 0;
  const out = new Uint8Array(message.length * 2 + folds + 5);
  let written = 0;
  let lineOctets = 0;
  let index = 0;
  while (index < message.length) {
    const endLength = lineEndLength(message, index);
    if (endLength > 0) {
      out[written++] = CR;
      out[written++] = LF;
      index += endLength;
      lineOctets = 0;
      continue;
    }
    const byte = message[index]!;
    if (lineOctetsMax > 0 && lineOctets === lineOctetsMax) {
      out[written++] = CR;
      out[written++] = LF;
      out[written++] = 0x20;
      lineOctets = 1;
    }
    if (lineOctets === 0 && byte === DOT) out[written++] = DOT;
    out[written++] = byte;
    lineOctets += 1;
    index += 1;
  }
  const atLineStart = lineOctets === 0;
  if (!atLineStart) {
    out[written++] = CR;
    out[written++] = LF;
  }
  for (const byte of END_OF_DATA) out[written++] = byte;
  return out.slice(0, written);
}

function isLastLineOpen(message: Uint8Array): boolean {
  return message.length > 0 && message[message.length - 1] !== LF;
}

/** The length of a canonical message once its last line is closed. */
function closedLength(message: Uint8Array): number {
  return isLastLineOpen(message) ? message.length + 2 : message.length;
}


/**
 * The size of the message once its line ends are canonical, without stuffing or terminator: the
 * figure for MAIL FROM's SIZE= (RFC 1870 §3: the size of the message as transmitted, "approximately").
 */
export function canonicalMessageSize(message: Uint8Array): number {
  if (isCanonical(message, false)) return closedLength(message);
  let size = 0;
  let index = 0;
  let atLineStart = true;
  while (index < message.length) {
    const endLength = lineEndLength(message, index);
    if (endLength > 0) {
      size += 2;
      index += endLength;
      atLineStart = true;
    } else {
      size += 1;
      index += 1;
      atLineStart = false;
    }
  }
  return atLineStart ? size : size + 2;
}

/** True when any byte is ≥ 0x80, so the body is 8-bit (RFC 6152: announce BODY=8BITMIME). */
export function messageHas8BitBytes(message: Uint8Array): boolean {
  // Node's isAscii (SIMD) is some twenty times faster than a loop over the bytes.
  return !isAscii(message);
}
