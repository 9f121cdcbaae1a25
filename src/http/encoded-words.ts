/**
 * RFC 2047 encoded-words (`=?charset?Q|B?text?=`) decoded as mailparser decodes them (libmime's
 * `decodeWords`), without loading libmime and iconv-lite: the cheap header scan (header-scan.ts) must
 * give the same Subject and display names as the full parse (message-view.ts), at a fraction of its
 * cost.
 *
 * Theory of operation. As libmime does: adjacent words of the same encoding and charset (only
 * whitespace between them, RFC 2047 §6.2) are joined into one before decoding, so a character split
 * over two words survives; whitespace between any two encoded-words is dropped; then each word is
 * decoded — Q (RFC 2047 §4.2: `_` is a space, `=XX` an octet), B (base64, padded segments each on
 * their own) — and its octets read in its charset (RFC 2231 §5's `*language` ignored). The charset
 * is read by the WHATWG TextDecoder; a charset it does not know throws `UnknownCharset`, and the
 * caller falls back to the full parse rather than guess.
 */

export class UnknownCharset extends Error {}

const joinB = /(=\?([^?]+)\?[Bb]\?[^?]*\?=)\s*(?==\?([^?]+)\?[Bb]\?[^?]*\?=)/g;
const joinQ = /(=\?([^?]+)\?[Qq]\?[^?]*\?=)\s*(?==\?([^?]+)\?[Qq]\?[^?]*\?=)/g;
const joiner = '__\x00JOIN\x00__';
const joined = /(\?=)?__\x00JOIN\x00__(=\?([^?]+)\?[QqBb]\?)?/g;
const spaceBetween = /(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g;
const word = /=\?([\w_\-*]+)\?([QqBb])\?([^?]*)\?=/g;

/** A charset name as compared when joining words (libmime compares normalised names). */
function charsetKey(charset: string): string {
  const name = charset.toLowerCase().trim();
  return name === 'us-ascii' || name === 'ascii' ? 'windows-1252' : name.replace(/^utf[-_]?(\d+)/, 'utf-$1');
}

export function decodeWords(text: string): string {
  if (!text.includes('=?')) return text;
  return text
    .replace(joinB, (match, left: string, chLeft: string, chRight: string) => (charsetKey(chLeft) === charsetKey(chRight) ? left + joiner : match))
    .replace(joinQ, (match, left: string, chLeft: string, chRight: string) => (charsetKey(chLeft) === charsetKey(chRight) ? left + joiner : match))
    .replace(joined, '')
    .replace(spaceBetween, '$1')
    .replace(word, (_match, charset: string, encoding: string, payload: string) => decodeWord(charset, encoding, payload));
}

function decodeWord(charset: string, encoding: string, payload: string): string {
  const star = charset.indexOf('*');
  const name = star >= 0 ? charset.slice(0, star) : charset;
  const octets = encoding.toUpperCase() === 'Q' ? qOctets(payload) : base64Octets(payload);
  return decodeCharset(octets, name);
}

function qOctets(payload: string): Uint8Array {
  const text = Buffer.from(payload.replace(/=\s+([0-9a-fA-F])/g, '=$1').replace(/[_\s]/g, ' '));
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === 0x3d && i <= text.length - 3 && isHex(text[i + 1]!) && isHex(text[i + 2]!)) {
      out.push(Number.parseInt(String.fromCharCode(text[i + 1]!, text[i + 2]!), 16));
      i += 2;
    } else out.push(c);
  }
  return Uint8Array.from(out);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Base64 of several padded segments (two words joined) decoded segment by segment. */
function base64Octets(payload: string): Uint8Array {
  const segments = payload.match(/[^=]+=*/g) ?? [];
  return Buffer.concat(segments.map((segment) => Buffer.from(segment, 'base64')));
}

/** Octets read in a charset; us-ascii as windows-1252 (libmime's reading), unknown names throw. */
export function decodeCharset(octets: Uint8Array, charset: string): string {
  const key = charsetKey(charset);
  try {
    return new TextDecoder(key === '' ? 'utf-8' : key).decode(octets);
  } catch {
    throw new UnknownCharset(`charset ${charset}`);
  }
}
