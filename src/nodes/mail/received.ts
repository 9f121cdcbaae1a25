/**
 * The Received: trace field (RFC 5321 §4.4, protocol names RFC 3848).
 *
 *   Received: from HELO-NAME (CLIENT-NAME [CLIENT-ADDRESS])
 *           by THIS-HOST with ESMTPS id QUEUE-ID
 *           for <RECIPIENT>; DATE
 *
 * Every server that accepts a message prepends exactly one of these and never edits earlier ones
 * (docs/delivery.md T1); the count of them is the hop count (loop detection). `for` names the recipient
 * only when the transaction had exactly one, as Postfix does, so a multi-recipient message does not
 * disclose its other recipients. The date is formatted from virtual time by src/sim/calendar.ts.
 *
 * `parseReceived` reads the clauses back (for the report's hop list); it is lenient, because other
 * software writes these fields too.
 */
import { rfc5322DateOf, SIM_EPOCH_MS } from '../../sim/calendar.js';
import { parseHeaderBlock, prependHeader } from './headers.js';

/** RFC 5321 §4.4 "With" values, extended by RFC 3848 (A = authenticated, S = TLS). */
export type ReceivedProtocol = 'SMTP' | 'ESMTP' | 'ESMTPA' | 'ESMTPS' | 'ESMTPSA' | 'LMTP';

/** Picks the RFC 3848 protocol name from how the session went. */
export function receivedProtocol(session: { esmtp: boolean; tls: boolean; authenticated: boolean }): ReceivedProtocol {
  if (!session.esmtp) return 'SMTP';
  if (session.tls && session.authenticated) return 'ESMTPSA';
  if (session.tls) return 'ESMTPS';
  if (session.authenticated) return 'ESMTPA';
  return 'ESMTP';
}

export interface ReceivedInfo {
  /** What the client said in HELO/EHLO. */
  heloName: string;
  /** The client's name from reverse DNS, or null when unknown (written as "unknown"). */
  clientName: string | null;
  /** The client's IP address (IPv6 gets the "IPv6:" tag of §4.1.3). */
  clientAddress: string;
  /** This host's name. */
  byHost: string;
  protocol: ReceivedProtocol;
  /** The queue id this host gave the message. */
  id: string;
  /** The recipients of the transaction; `for` is written only when there is exactly one. */
  recipients: readonly string[];
  /** Virtual time of acceptance (ms since the run's start). */
  atMs: number;
}

/** A header-safe rendering of peer-supplied text (HELO names can be anything a client sends). */
export function sanitise(text: string): string {
  // Almost every name is already safe: returned as it is, without the two regex passes.
  return isHeaderSafe(text) ? text : sanitiseGeneral(text);
}

/** True when `sanitiseGeneral` would return the text unchanged: 1–255 characters, each visible ASCII but parentheses and backslash. */
function isHeaderSafe(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (char < 0x21 || char > 0x7e || char === 0x28 || char === 0x29 || char === 0x5c) return false;
  }
  return true;
}

/** `sanitise` by its definition: other characters become '?', empty becomes '?', at most 255. */
export function sanitiseGeneral(text: string): string {
  const cleaned = text.replace(/[^\x21-\x7e]/g, '?').replace(/[()\\]/g, '?');
  return cleaned.length === 0 ? '?' : cleaned.slice(0, 255);
}

/**
 * The pieces of one field, reused by every `formatReceivedValue` and `prependReceived` (each reads them
 * before it returns). Its slots are overwritten, never emptied: `length = 0` would drop the array's
 * storage and each push grow it anew.
 */
const pieces: string[] = new Array<string>(20).fill('');

/** The field value (after "Received: "), folded over three lines with CRLF TAB. */
export function formatReceivedValue(info: ReceivedInfo): string {
  const n = receivedPieces(info, pieces);
  let text = '';
  for (let i = 0; i < n; i++) text += pieces[i];
  return text;
}

/**
 * The value of `formatReceivedValue`, as pieces written into `into` from 0 (returns how many): the
 * one place the field's clauses are laid out.
 */
function receivedPieces(info: ReceivedInfo, into: string[]): number {
  let n = 0;
  into[n++] = 'from ';
  into[n++] = sanitise(info.heloName);
  into[n++] = ' (';
  into[n++] = info.clientName === null ? 'unknown' : sanitise(info.clientName);
  into[n++] = info.clientAddress.includes(':') ? ' [IPv6:' : ' [';
  into[n++] = info.clientAddress;
  into[n++] = '])\r\n\tby ';
  into[n++] = sanitise(info.byHost);
  into[n++] = ' with ';
  into[n++] = info.protocol;
  into[n++] = ' id ';
  into[n++] = sanitise(info.id);
  if (info.recipients.length === 1) {
    into[n++] = '\r\n\tfor <';
    into[n++] = sanitise(info.recipients[0]!);
    into[n++] = '>';
  }
  into[n++] = '; ';
  into[n++] = rfc5322DateOf(SIM_EPOCH_MS + info.atMs);
  return n;
}

/**
 * `prependHeader(bytes, 'Received', formatReceivedValue(info))` without the field's text: the pieces
 * (every name already sanitised to visible ASCII) are written one character per byte straight into the
 * new message, so a commit builds no value string, no folded copy and no field bytes of its own
 * (issue 21). Every other piece is printable ASCII by construction (`sanitise`, the date, the
 * protocol name); a client address, which is not sanitised, with any other character takes the general
 * path. Equal byte for byte to it (test/nodes/pure/received-prepend.test.ts).
 */
export function prependReceived(bytes: Uint8Array, info: ReceivedInfo): Uint8Array {
  if (!isPrintableAscii(info.clientAddress)) return prependHeader(bytes, 'Received', formatReceivedValue(info));
  const n = receivedPieces(info, pieces);
  let length = bytes.length + FIELD_START.length + 2;
  for (let i = 0; i < n; i++) length += pieces[i]!.length;
  const out = new Uint8Array(length);
  let at = writeLatin1(out, 0, FIELD_START);
  for (let i = 0; i < n; i++) at = writeLatin1(out, at, pieces[i]!);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  out.set(bytes, at);
  return out;
}

const FIELD_START = 'Received: ';

/** Writes `text` one character per byte (each is ASCII here) at `at`; returns where it ended. */
function writeLatin1(out: Uint8Array, at: number, text: string): number {
  let o = at;
  for (let j = 0; j < text.length; j++) out[o++] = text.charCodeAt(j);
  return o;
}

/** True when every character is space or visible ASCII (what the fast path writes one byte each, unchecked). */
function isPrintableAscii(text: string): boolean {
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** The complete line, ready to prepend: "Received: …\r\n". */
export function formatReceived(info: ReceivedInfo): string {
  return `Received: ${formatReceivedValue(info)}\r\n`;
}

export interface ParsedReceived {
  from: string | null;
  by: string | null;
  with: string | null;
  id: string | null;
  for: string | null;
  date: string | null;
}

/** Reads the clauses of one Received value (unfolded). Missing clauses are null. */
export function parseReceived(value: string): ParsedReceived {
  const semicolon = value.lastIndexOf(';');
  const clauses = semicolon < 0 ? value : value.slice(0, semicolon);
  const date = semicolon < 0 ? null : value.slice(semicolon + 1).trim() || null;
  // Drop comments so "(unknown [10.0.0.1])" cannot be read as a clause.
  const plain = clauses.replace(/\([^()]*\)/g, ' ');
  const clause = (keyword: string) => {
    const match = new RegExp(`(?:^|\\s)${keyword}\\s+(\\S+)`, 'i').exec(plain);
    return match ? match[1]! : null;
  };
  const forValue = clause('for');
  return {
    from: clause('from'),
    by: clause('by'),
    with: clause('with'),
    id: clause('id'),
    for: forValue === null ? null : forValue.replace(/^<|>$/g, ''),
    date,
  };
}

/** The `by` hosts of every Received field, oldest hop first (fields are prepended, so reversed). */
export function receivedChain(bytes: Uint8Array): string[] {
  return parseHeaderBlock(bytes)
    .fields.filter((field) => field.name.toLowerCase() === 'received')
    .map((field) => parseReceived(field.value).by ?? '?')
    .reverse();
}
