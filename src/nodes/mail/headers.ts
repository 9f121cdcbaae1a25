/**
 * Minimal, synchronous header-block utilities on message bytes (RFC 5322 §2.2, §3.6).
 *
 * A message is a header block, an empty line, and a body. The header block ends at the first empty
 * line (CRLF CRLF; a bare LF LF is tolerated because mail from scripts has it); with no empty line the
 * whole message is header. A field is `name: value` followed by continuation lines that start with
 * space or tab (folding, §2.2.3). Names compare case-insensitively.
 *
 * These helpers never re-serialise fields they did not touch: a relay changes nothing but the one
 * line it prepends (docs/delivery.md T1, T3). Prepending is how trace fields are added (RFC 5321 §4.4);
 * Message-ID and Date that the MSA supplies (RFC 6409 §8.2, §8.3) go at the end of the block.
 *
 * Bytes are read as latin1 (one code unit per byte), so offsets in the string are byte offsets and
 * 8-bit header content passes through unchanged.
 */

import { concatBytes } from '../../protocols/bytes.js';
import { bytesLatin1 } from '../../protocols/machine.js';

/** A cap on fields examined in one message, so a hostile header block costs bounded work. */
export const headerFieldsMax = 10_000;

export interface HeaderField {
  /** As written (case kept). */
  name: string;
  /** Unfolded value: the text after the colon with CRLF-WSP folds removed and outer space trimmed. */
  value: string;
  /** Byte offset of the field's first line. */
  start: number;
  /** Byte offset just past the field's last line ending. */
  end: number;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** Byte offset where the empty separator line starts (equals `bodyStart` when there is none). */
  headerEnd: number;
  /** Byte offset of the first body byte. */
  bodyStart: number;
}

const utf8 = new TextEncoder();

/** Encodes header text; non-ASCII characters become UTF-8 (RFC 6532). */
function encodeHeaderText(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Finds where the header block ends and the body begins. */
export function findHeaderEnd(bytes: Uint8Array): { headerEnd: number; bodyStart: number } {
  // The block may be empty: a message that starts with an empty line has no header fields.
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  if (bytes[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    // i ends a line; an empty line follows if the next bytes are CRLF or LF.
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
    if (bytes[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
  }
  return { headerEnd: bytes.length, bodyStart: bytes.length };
}

/**
 * Calls `visit` for each `name:` field of the header block `bytes[0, headerEnd)`, in order, with the
 * byte offsets of the field (its line endings included) and of its colon; lines that are not fields
 * are skipped, not fatal. `visit` returns false to stop. The scan reads bytes and decodes nothing:
 * most callers want one field by name (`fieldNamed`), so only the fields they look at pay for
 * decoding and unfolding (`fieldValue`).
 */
function scanFields(bytes: Uint8Array, headerEnd: number, visit: (start: number, colon: number, end: number) => boolean): void {
  let position = 0;
  let seen = 0;
  while (position < headerEnd && seen < headerFieldsMax) {
    const start = position;
    // A field runs until a line ending not followed by WSP.
    let end = position;
    for (;;) {
      const newline = bytes.indexOf(0x0a, end);
      if (newline < 0 || newline >= headerEnd) {
        end = headerEnd;
        break;
      }
      end = newline + 1;
      if (end >= headerEnd) break;
      const next = bytes[end];
      if (next !== 0x20 && next !== 0x09) break;
    }
    position = end;
    const colon = bytes.indexOf(0x3a, start);
    if (colon <= start || colon >= end) continue;
    if (!isFieldName(bytes, start, colon)) continue;
    seen++;
    if (!visit(start, colon, end)) return;
  }
}

/** RFC 5322 §3.6.8: field names are printable ASCII except colon, no spaces. */
function isFieldName(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < 0x21 || byte > 0x7e || byte === 0x3a) return false;
  }
  return true;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Case-insensitive test of the field name `bytes[start, colon)` against `lowerName` (ASCII, lower
 * case), without decoding it: names are printable ASCII, so folding A–Z is all toLowerCase would do.
 */
function fieldNamed(bytes: Uint8Array, start: number, colon: number, lowerName: string): boolean {
  if (colon - start !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) {
    let byte = bytes[start + i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** The value of a field's raw text: after the colon, CRLF-WSP folds removed, outer space trimmed. */
function unfoldedValue(raw: string, colon: number): string {
  // A one-line field (its only LF ends it) has no folds: trim alone drops the CRLF, which is
  // what removing the line end and then trimming gives.
  const firstNewline = raw.indexOf('\n');
  return firstNewline < 0 || firstNewline === raw.length - 1
    ? raw.slice(colon + 1).trim()
    : raw
        .slice(colon + 1)
        .replace(/\r?\n(?=[ \t])/g, '')
        .replace(/\r?\n$/, '')
        .trim();
}

/** The unfolded value of the field `bytes[start, end)` whose colon is at `colon`. */
function fieldValue(bytes: Uint8Array, start: number, colon: number, end: number): string {
  return unfoldedValue(bytesLatin1(bytes.subarray(start, end)), colon - start);
}

/** Parses the header block into fields. Lines that are not `name:` fields are skipped, not fatal. */
export function parseHeaderBlock(bytes: Uint8Array): HeaderBlock {
  const { headerEnd, bodyStart } = findHeaderEnd(bytes);
  const fields: HeaderField[] = [];
  scanFields(bytes, headerEnd, (start, colon, end) => {
    const raw = bytesLatin1(bytes.subarray(start, end));
    fields.push({ name: raw.slice(0, colon - start), value: unfoldedValue(raw, colon - start), start, end });
    return true;
  });
  return { fields, headerEnd, bodyStart };
}


/** Every value of the fields named `name`, in order. */
export function getHeaders(bytes: Uint8Array, name: string): string[] {
  const lowerName = name.toLowerCase();
  const values: string[] = [];
  scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon, end) => {
    if (fieldNamed(bytes, start, colon, lowerName)) values.push(fieldValue(bytes, start, colon, end));
    return true;
  });
  return values;
}

/** The first value of the field named `name`, or null. */
export function getHeader(bytes: Uint8Array, name: string): string | null {
  const lowerName = name.toLowerCase();
  let value: string | null = null;
  scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon, end) => {
    if (!fieldNamed(bytes, start, colon, lowerName)) return true;
    value = fieldValue(bytes, start, colon, end);
    return false;
  });
  return value;
}

export function countHeaders(bytes: Uint8Array, name: string): number {
  const lowerName = name.toLowerCase();
  let count = 0;
  scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon) => {
    if (fieldNamed(bytes, start, colon, lowerName)) count++;
    return true;
  });
  return count;
}

/**
 * What an SMTP commit reads of the header block, in one pass instead of one per question (issue 21):
 * the first Message-ID's value (as `getHeader`), whether a Message-ID and a Date are there (as
 * `addMissingMessageIdAndDate` looks), and the hop count the message will have once the commit has put
 * its one Received field on top (and the MSA its Message-ID/Date at the end of the block): `hopCount`
 * of those bytes. The prepended field is the first the scan of those bytes sees, so it counts the
 * Received fields among the first `headerFieldsMax - 1` fields here, plus one; a leading continuation
 * line, which is no field here, folds into the prepended field there, and the fields appended at the
 * end are no Received. test/nodes/pure/commit-header-facts.test.ts compares it with the general path.
 */
export interface CommitHeaderFacts {
  messageId: string | null;
  hasDate: boolean;
  /** `hopCount` of these bytes after one Received field is prepended. */
  hopsWithReceived: number;
}

export function commitHeaderFacts(bytes: Uint8Array): CommitHeaderFacts {
  let messageId: string | null = null;
  let hasDate = false;
  let received = 0;
  let seen = 0;
  scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon, end) => {
    seen++;
    if (seen < headerFieldsMax && fieldNamed(bytes, start, colon, 'received')) received++;
    else if (messageId === null && fieldNamed(bytes, start, colon, 'message-id')) messageId = fieldValue(bytes, start, colon, end);
    else hasDate ||= fieldNamed(bytes, start, colon, 'date');
    return true;
  });
  return { messageId, hasDate, hopsWithReceived: received + 1 };
}

/** The header block's bytes (fields only, without the empty separator line). */
export function headerBytes(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, findHeaderEnd(bytes).headerEnd);
}

/**
 * Formats one field as bytes with a CRLF. The value must not contain line breaks except folds
 * (CRLF followed by space or tab); anything else is a caller bug (it would inject a header).
 */
export function formatHeaderField(name: string, value: string): Uint8Array {
  return encodeHeaderText(headerFieldText(name, value));
}

/** The field's text, "name: value" CRLF, checked as `formatHeaderField` says. */
function headerFieldText(name: string, value: string): string {
  if (!FIELD_NAME.test(name)) throw new TypeError(`invalid header field name ${JSON.stringify(name)}`);
  if (/\r(?!\n)|(?<!\r)\n|\r\n(?![ \t])/.test(value)) {
    throw new TypeError(`header ${name} value has a line break that is not a fold`);
  }
  return `${name}: ${value}\r\n`;
}

/**
 * Returns new bytes with the field put before every other field (RFC 5321 §4.4 trace fields). An
 * ASCII field (every Received and Return-Path this simulator writes) is checked and written straight
 * into the new message in one pass, one character per byte (`asciiFieldInto`), with no field text or
 * array of its own first; anything else takes the general path. Equal, byte for byte, to
 * `concatBytes([formatHeaderField(name, value), bytes])`, and throws where that throws
 * (test/nodes/pure/received-fast-path.test.ts).
 */
export function prependHeader(bytes: Uint8Array, name: string, value: string): Uint8Array {
  const fieldLength = name.length + value.length + 4;
  const out = new Uint8Array(fieldLength + bytes.length);
  if (asciiFieldInto(out, name, value)) {
    out.set(bytes, fieldLength);
    return out;
  }
  return concatBytes([encodeHeaderText(headerFieldText(name, value)), bytes]);
}

/**
 * Writes `name: value` CRLF into `out` from 0 when the field is ASCII and valid as `headerFieldText`
 * checks it (a name of printable ASCII but colon; no line break in the value but CRLF WSP folds);
 * false (with `out` partly written) otherwise, for the general path to encode or throw.
 */
function asciiFieldInto(out: Uint8Array, name: string, value: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === 0x3a) return false;
    out[i] = code;
  }
  let at = name.length;
  out[at++] = 0x3a;
  out[at++] = 0x20;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) return false;
    if (code === 0x0d) {
      // A fold: CR LF and then space or tab (RFC 5322 §2.2.3).
      const next = value.charCodeAt(i + 2);
      if (value.charCodeAt(i + 1) !== 0x0a || (next !== 0x20 && next !== 0x09)) return false;
    } else if (code === 0x0a && value.charCodeAt(i - 1) !== 0x0d) return false;
    out[at++] = code;
  }
  out[at++] = 0x0d;
  out[at] = 0x0a;
  return true;
}

/** Returns new bytes with the fields put at the end of the header block. */
export function appendHeaders(bytes: Uint8Array, added: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const { headerEnd } = findHeaderEnd(bytes);
  const lines = added.map(([name, value]) => formatHeaderField(name, value));
  if (headerEnd === bytes.length) {
    // No body separator: the message is all header. End its last line if it is unterminated.
    const lastLineOpen = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
    return concatBytes([bytes, lastLineOpen ? encodeHeaderText('\r\n') : new Uint8Array(0), ...lines]);
  }
  return concatBytes([bytes.subarray(0, headerEnd), ...lines, bytes.subarray(headerEnd)]);
}

/** Returns new bytes without any field named `name`. */
export function removeHeaders(bytes: Uint8Array, name: string): Uint8Array {
  const lowerName = name.toLowerCase();
  const parts: Uint8Array[] = [];
  let cursor = 0;
  scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon, end) => {
    if (!fieldNamed(bytes, start, colon, lowerName)) return true;
    parts.push(bytes.subarray(cursor, start));
    cursor = end;
    return true;
  });
  if (cursor === 0) return bytes;
  parts.push(bytes.subarray(cursor));
  return concatBytes(parts);
}

/**
 * The MSA's fix-ups (RFC 6409 §8.2, §8.3): adds Message-ID and Date when missing. The caller supplies
 * both values (the id from the kernel's seeded stream, the date already formatted), so this stays pure.
 */
export function addMissingMessageIdAndDate(
  bytes: Uint8Array,
  supply: { messageId: string; date: string },
  /** What `commitHeaderFacts` found in these bytes, if the caller has it (saves a scan). */
  facts?: CommitHeaderFacts,
): { bytes: Uint8Array; added: Array<'Message-ID' | 'Date'> } {
  let hasMessageId = facts !== undefined && facts.messageId !== null;
  let hasDate = facts?.hasDate ?? false;
  if (facts === undefined) {
    scanFields(bytes, findHeaderEnd(bytes).headerEnd, (start, colon) => {
      hasMessageId ||= fieldNamed(bytes, start, colon, 'message-id');
      hasDate ||= fieldNamed(bytes, start, colon, 'date');
      return !(hasMessageId && hasDate);
    });
  }
  const has = (name: 'Message-ID' | 'Date') => (name === 'Date' ? hasDate : hasMessageId);
  const added: Array<'Message-ID' | 'Date'> = [];
  const lines: Array<[string, string]> = [];
  if (!has('Message-ID')) {
    added.push('Message-ID');
    lines.push(['Message-ID', supply.messageId]);
  }
  if (!has('Date')) {
    added.push('Date');
    lines.push(['Date', supply.date]);
  }
  return { bytes: lines.length === 0 ? bytes : appendHeaders(bytes, lines), added };
}

/**
 * Final delivery (docs/delivery.md T2, RFC 5321 §4.4): exactly one `Return-Path: <reverse-path>` on top.
 * Earlier Return-Path fields are removed, which §4.4 allows the delivering server to do.
 */
export function setReturnPath(bytes: Uint8Array, reversePath: string): Uint8Array {
  return prependHeader(removeHeaders(bytes, 'Return-Path'), 'Return-Path', `<${reversePath}>`);
}

/** Number of Received fields: the hop count used for loop detection (docs/delivery.md §4). */
export function hopCount(bytes: Uint8Array): number {
  return countHeaders(bytes, 'Received');
}

/**
 * Loop detection: Postfix bounces with 5.4.6 when the Received count exceeds hopsMax (50 by default,
 * `limits.hops`). Returns the bounce reason, or null when the message may travel on.
 */
export function hopLimitExceeded(bytes: Uint8Array, hopsMax: number): { status: '5.4.6'; text: string } | null {
  const hops = hopCount(bytes);
  if (hops <= hopsMax) return null;
  return { status: '5.4.6', text: `mail forwarding loop: ${hops} Received headers, limit ${hopsMax}` };
}
