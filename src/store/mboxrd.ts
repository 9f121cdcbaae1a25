/**
 * The mboxrd file format, as pure functions (docs/delivery.md W2; the mbox(5) man page; "mboxrd" in
 * Hall's "The mbox family" and qmail's mbox(5)).
 *
 * A file is a sequence of records. A record is a From_ line `From SENDER ASCTIME`, the message with LF
 * line ends in which every line matching /^>*From / got one more ">" (mboxrd quoting, reversible, unlike
 * mboxo), and one blank line. A null sender is written MAILER-DAEMON.
 *
 * Parsing: a line starting "From " begins a record when it is the first line of the file or follows a
 * blank line. A message line can never be mistaken for one, because quoting turned every such line
 * into ">From ". A record is complete when it ends with its blank line before the next From_ line or
 * the end of the file; a file cut short by a crash mid-append ends in an incomplete record, which the
 * parser returns as it is (flagged `complete: false`) rather than dropping or merging it.
 *
 * Works on latin1 strings (one char per byte), so any 8-bit content passes unchanged.
 */
import { formatAsctime, fromCivil, MONTHS } from '../sim/calendar.js';

export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) out += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return out;
}

export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** mboxrd quoting: one more ">" before every line matching /^>*From /. */
export function quoteFromLines(lfText: string): string {
  return lfText.replace(/^(>*From )/gm, '>$1');
}

/** The inverse: one ">" less before every line matching /^>+From /. */
export function unquoteFromLines(lfText: string): string {
  return lfText.replace(/^>(>*From )/gm, '$1');
}

/** The From_ line (without its LF). The sender has no spaces in practice; any are replaced to keep one token. */
export function fromLine(envelopeFrom: string, unixMs: number): string {
  const sender = envelopeFrom === '' ? 'MAILER-DAEMON' : envelopeFrom.replace(/[\s\x00-\x1f]/g, '_');
  return `From ${sender} ${formatAsctime(unixMs)}`;
}

/** The asctime of a From_ line as Unix ms, or null when it has none we can read. */
export function fromLineTime(line: string): number | null {
  const match = /(\w{3}) (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\s*$/.exec(line);
  if (!match) return null;
  const month = MONTHS.indexOf(match[2] as (typeof MONTHS)[number]) + 1;
  if (month === 0) return null;
  return fromCivil(Number(match[7]), month, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
}

/** One whole record as it goes into the file: From_ line, quoted message, blank line. */
export function encodeRecord(envelopeFrom: string, unixMs: number, lfMessage: string): string {
  const body = quoteFromLines(lfMessage);
  const terminated = body === '' || body.endsWith('\n') ? body : `${body}\n`;
  return `${fromLine(envelopeFrom, unixMs)}\n${terminated}\n`;
}

export interface MboxRecord {
  /** Offset of the From_ line in the file (characters = bytes). */
  offset: number;
  /** Length of the whole record, From_ line to blank line included. */
  length: number;
  fromLine: string;
  /** The message, unquoted, LF line ends. */
  message: string;
  /** False for a record cut short (no final blank line before the end of the file). */
  complete: boolean;
}

/** Splits an mbox file into records. Bytes before the first From_ line (not an mbox) are ignored. */
export function parseMbox(text: string): MboxRecord[] {
  const starts: number[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const afterBlank = lineStart === 0 || lineStart === 1 || text[lineStart - 2] === '\n';
    if (afterBlank && text.startsWith('From ', lineStart)) starts.push(lineStart);
    lineStart = lineEnd + 1;
  }
  return starts.map((offset, i) => {
    const end = starts[i + 1] ?? text.length;
    const record = text.slice(offset, end);
    const newline = record.indexOf('\n');
    const line = newline < 0 ? record : record.slice(0, newline);
    const content = newline < 0 ? '' : record.slice(newline + 1);
    // A following From_ line is only recognised after a blank line, so every record but the last
    // is complete; the last is complete when the file ends with its blank line.
    const complete = i + 1 < starts.length || (newline >= 0 && (content === '\n' || content.endsWith('\n\n')));
    const quoted = complete ? content.slice(0, -1) : content;
    return { offset, length: end - offset, fromLine: line, message: unquoteFromLines(quoted), complete };
  });
}

/** What to append to a file so that the next From_ line starts after a blank line (never merges). */
export function separatorPadding(text: string): string {
  if (text === '' || text.endsWith('\n\n')) return '';
  return text.endsWith('\n') ? '\n' : '\n\n';
}
