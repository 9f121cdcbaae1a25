/**
 * A stored message's summary — what a Mailpit list item and the `new` event need — read by a cheap
 * scan instead of the full parse: the header block up to the first empty line (RFC 5322 §2.1), and,
 * for a plain single-part text message only, the start of its body for the Snippet.
 *
 * Theory of operation. The scan reads the headers the way mailparser does (message-view.ts keeps
 * the full parse for the message view), so a summary equals the list item made from the full parse
 * (test/http/header-scan.test.ts compares them): fields unfolded (RFC 5322 §2.2.3) and trimmed, the
 * first Subject / From / Reply-To / Message-ID, every To / Cc / Bcc in order, addresses split by
 * nodemailer's addressparser (mailparser's own) and their names decoded as RFC 2047 encoded-words
 * (encoded-words.ts), a punycode domain shown in Unicode. The body is looked at only when the message
 * is one `text/plain` part (no Content-Type means that, RFC 2045 §5.2) in UTF-8 or ASCII, 7bit, 8bit,
 * quoted-printable or base64, not flowed, not an attachment, and at most `snippetBodyBytesMax`:
 * then Attachments is 0 and the Snippet its text. Anything else leaves `snippet` null — the caller
 * takes those two fields from the full parse when it needs them — and a charset TextDecoder does not
 * know makes the whole scan null (the full parse decides).
 */
import { domainToUnicode } from 'node:url';
import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { decodeCharset, decodeWords, UnknownCharset } from './encoded-words.js';

export interface SummaryAddress {
  Name: string;
  Address: string;
}

export interface MessageSummary {
  MessageID: string;
  From: SummaryAddress;
  To: SummaryAddress[];
  Cc: SummaryAddress[];
  Bcc: SummaryAddress[];
  ReplyTo: SummaryAddress[];
  Subject: string;
  /** Snippet and attachment count, or null when only the full parse can tell (see the top). */
  body: { Snippet: string; Attachments: number } | null;
}

/** Bodies longer than this are not decoded for the Snippet (the full parse does it when asked). */
export const snippetBodyBytesMax = 64 * 1024;
/** Characters of a Snippet (Mailpit's length). */
export const snippetChars = 250;

interface Field {
  key: string;
  value: string;
}

/** The header block's fields, keys lower-cased, values unfolded and trimmed (libmime's decodeHeader). */
export function headerFields(bytes: Uint8Array): { fields: Field[]; bodyAt: number } {
  const end = headerEnd(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end.headerBytes).toString('utf8');
  const fields: Field[] = [];
  for (const raw of text.split(/\r?\n(?![ \t])/)) {
    const line = raw.replace(/(?:\r?\n|\r)[ \t]*/g, ' ').trim();
    const match = /^\s*([^:]+):(.*)$/.exec(line);
    if (match === null) continue;
    fields.push({ key: match[1]!.trim().toLowerCase(), value: match[2]!.trim() });
  }
  return { fields, bodyAt: end.bodyAt };
}

function headerEnd(bytes: Uint8Array): { headerBytes: number; bodyAt: number } {
  if (bytes[0] === 0x0a) return { headerBytes: 0, bodyAt: 1 };
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return { headerBytes: 0, bodyAt: 2 };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return { headerBytes: i, bodyAt: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { headerBytes: i, bodyAt: i + 3 };
  }
  return { headerBytes: bytes.length, bodyAt: bytes.length };
}

/**
 * The first Received field's value, unfolded (the last host's, RFC 5321 §4.4), found without reading
 * the other fields: what serve needs of every message as it lands.
 */
export function firstReceived(bytes: Uint8Array): string | null {
  const { headerBytes } = headerEnd(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, headerBytes).toString('latin1');
  const start = /(?:^|\n)received[ \t]*:/i.exec(text);
  if (start === null) return null;
  const from = start.index + start[0].length;
  const end = /\r?\n(?![ \t])/.exec(text.slice(from));
  return text.slice(from, end === null ? text.length : from + end.index).replace(/(?:\r?\n|\r)[ \t]*/g, ' ').trim();
}

/** The summary, or null when a charset is unknown here (the full parse decides). */
export function scanSummary(bytes: Uint8Array): MessageSummary | null {
  const { fields, bodyAt } = headerFields(bytes);
  try {
    return summaryOf(fields, bodyAt, bytes);
  } catch (error) {
    if (error instanceof UnknownCharset) return null;
    throw error;
  }
}

function summaryOf(fields: readonly Field[], bodyAt: number, bytes: Uint8Array): MessageSummary {
  const first = (key: string) => fields.find((field) => field.key === key)?.value;
  const every = (key: string) => fields.filter((field) => field.key === key).flatMap((field) => addresses(field.value));
  const messageId = first('message-id');
  return {
    MessageID: messageId === undefined ? '' : safeDecode(messageId).replace(/^<|>$/g, ''),
    From: addresses(first('from') ?? '')[0] ?? { Name: '', Address: '' },
    To: every('to'),
    Cc: every('cc'),
    Bcc: every('bcc'),
    ReplyTo: addresses(first('reply-to') ?? ''),
    Subject: safeDecode(first('subject') ?? ''),
    body: plainBody(bytes, bodyAt, first),
  };
}

/** decodeWords, keeping the text as it is when it is malformed (mailparser's try/catch). */
function safeDecode(text: string): string {
  try {
    return decodeWords(text);
  } catch (error) {
    if (error instanceof UnknownCharset) throw error;
    return text;
  }
}

function addresses(value: string): SummaryAddress[] {
  if (value === '') return [];
  return flatten(addressparser(value)).map((entry) => ({ Name: entry.name, Address: entry.address }));
}

const encodedWord = /[=]\?[^?]+\?[BbQq]\?[^?]*\?[=]/;

/** mailparser's decodeAddresses, then its groups flattened (as message-view.ts flattens them). */
function flatten(list: readonly Address[]): { name: string; address: string }[] {
  const out: { name: string; address: string }[] = [];
  for (const entry of list) {
    if (entry.group !== undefined) {
      out.push(...flatten(entry.group));
      continue;
    }
    const name = (entry.name || '').toString().trim();
    let address = entry.address ?? '';
    if (address !== '' && encodedWord.test(address)) {
      const decoded = safeDecode(address);
      address = /^[^\s@]+@[^\s@]+$/.test(decoded) && !/[=]\?/.test(decoded) ? decoded : '';
    }
    if (/@xn--/.test(address)) address = unicodeDomain(address);
    out.push({ name: name === '' ? '' : safeDecode(name), address });
  }
  return out;
}

function unicodeDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = domainToUnicode(address.slice(at + 1));
  return domain === '' ? address : address.slice(0, at + 1) + domain;
}

function plainBody(bytes: Uint8Array, bodyAt: number, first: (key: string) => string | undefined): MessageSummary['body'] {
  if (bytes.length - bodyAt > snippetBodyBytesMax || first('content-disposition') !== undefined) return null;
  const type = contentType(first('content-type') ?? 'text/plain');
  if (type === null) return null;
  const encoding = (first('content-transfer-encoding') ?? '7bit').toLowerCase();
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset + bodyAt, bytes.length - bodyAt);
  let octets: Uint8Array;
  if (encoding === '7bit' || encoding === '8bit') octets = raw;
  else if (encoding === 'base64') octets = Buffer.from(raw.toString('latin1'), 'base64');
  else if (encoding === 'quoted-printable') octets = quotedPrintable(raw.toString('latin1'));
  else return null;
  return { Snippet: snippetOf(decodeCharset(octets, type.charset)), Attachments: 0 };
}

/** A Content-Type the scan reads the body of: text/plain, UTF-8 or ASCII, not flowed; else null. */
function contentType(value: string): { charset: string } | null {
  const [type = '', ...params] = value.split(';').map((part) => part.trim());
  if (type.toLowerCase() !== 'text/plain') return null;
  let charset = 'utf-8';
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = param.slice(0, eq).trim().toLowerCase();
    const val = param.slice(eq + 1).trim().replace(/^"|"$/g, '').toLowerCase();
    if (key === 'format' && val === 'flowed') return null;
    if (key === 'charset') charset = val;
    else if (key !== 'format' && key !== 'delsp') return null;
  }
  return charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii' ? { charset } : null;
}

/** RFC 2045 §6.7: `=XX` an octet, `=` at a line's end a soft break. */
function quotedPrintable(text: string): Uint8Array {
  const unfolded = text.replace(/[ \t]*=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const hex = unfolded[i] === '=' ? unfolded.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(unfolded.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

/** The Snippet of a text (message-view.ts makes the full parse's the same way). */
export function snippetOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > snippetChars ? `${flat.slice(0, snippetChars)}...` : flat;
}
