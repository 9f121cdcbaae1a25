/**
 * Modified UTF-7 (RFC 3501 §5.1.3): mailbox names on the IMAP4rev1 wire (the IMAP server and client),
 * and folder names on disk, where Dovecot uses the same spelling (names.ts).
 *
 * The stores know a folder by its Unicode name ("Entwürfe", "日本語"); IMAP4rev1 carries mailbox names
 * in 7 bits. Printable US-ASCII (0x20–0x7e) stands for itself, except "&", which is written "&-". Every
 * run of other characters is "&", then the modified BASE64 of its UTF-16 code units (big-endian; the
 * BASE64 alphabet with "," instead of "/", no "=" padding, unused bits zero), then "-":
 * "Entwürfe" ⇄ "Entw&APw-rfe", "~peter/mail/台北" ⇄ "~peter/mail/&U,BTFw-".
 *
 * Decoding is strict, as Dovecot's is: a spelling the encoder never produces is refused rather than
 * guessed at, so each folder has exactly one wire name and two clients cannot create two spellings of
 * one folder. Refused (`null`), each a rule of §5.1.3:
 * - a character outside 0x20–0x7e outside a shift (raw 8-bit or control characters);
 * - "&" without its closing "-", or a character outside the modified BASE64 alphabet inside a shift;
 * - a shift that encodes a printable US-ASCII character ("MUST NOT be used to represent any printing
 *   US-ASCII character which can represent itself"), or nothing at all (other than "&-");
 * - a shift right after another ("-&": null shifts "are not permitted");
 * - leftover bits that are not zero, a dangling half code unit, or a UTF-16 surrogate without its pair.
 */

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const BASE64_VALUE = new Map([...BASE64_ALPHABET].map((char, value) => [char, value]));

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** A Unicode mailbox name → its modified UTF-7 wire form. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code === 0x26) {
      out += '&-';
      i += 1;
    } else if (isPrintableAscii(code)) {
      out += name[i];
      i += 1;
    } else {
      let end = i;
      while (end < name.length && !isPrintableAscii(name.charCodeAt(end))) end += 1;
      out += `&${encodeUtf16Run(name.slice(i, end))}-`;
      i = end;
    }
  }
  return out;
}

/** A wire mailbox name → its Unicode name, or null when it is not valid modified UTF-7 (see the top). */
export function decodeMailboxName(wire: string): string | null {
  let out = '';
  let i = 0;
  let afterShift = false;
  while (i < wire.length) {
    const code = wire.charCodeAt(i);
    if (code !== 0x26) {
      if (!isPrintableAscii(code)) return null;
      out += wire[i];
      i += 1;
      afterShift = false;
      continue;
    }
    const close = wire.indexOf('-', i + 1);
    if (close === -1) return null;
    if (close === i + 1) {
      out += '&';
      i += 2;
      afterShift = false;
      continue;
    }
    if (afterShift) return null;
    const run = decodeUtf16Run(wire.slice(i + 1, close));
    if (run === null) return null;
    out += run;
    i = close + 1;
    afterShift = true;
  }
  return out;
}

function encodeUtf16Run(run: string): string {
  let out = '';
  let bits = 0;
  let bitCount = 0;
  for (let i = 0; i < run.length; i++) {
    bits = (bits << 16) | run.charCodeAt(i);
    bitCount += 16;
    while (bitCount >= 6) {
      bitCount -= 6;
      out += BASE64_ALPHABET[(bits >> bitCount) & 0x3f];
    }
    bits &= (1 << bitCount) - 1;
  }
  if (bitCount > 0) out += BASE64_ALPHABET[(bits << (6 - bitCount)) & 0x3f];
  return out;
}

/** The characters of one shift's modified BASE64, or null if they break a rule (see the top). */
function decodeUtf16Run(encoded: string): string | null {
  const units: number[] = [];
  let bits = 0;
  let bitCount = 0;
  for (const char of encoded) {
    const value = BASE64_VALUE.get(char);
    if (value === undefined) return null;
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 16) {
      bitCount -= 16;
      units.push((bits >> bitCount) & 0xffff);
    }
  }
  // What is left must be padding: fewer than 6 bits (a whole sextet would be a dangling half unit), all zero.
  if (bitCount >= 6 || (bits & ((1 << bitCount) - 1)) !== 0) return null;
  let out = '';
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    if (isPrintableAscii(unit)) return null;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = units[i + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) return null;
      out += String.fromCharCode(unit, low);
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return null;
    } else {
      out += String.fromCharCode(unit);
    }
  }
  return out;
}
