/**
 * The MIME structure of a stored message, by byte offsets, for FETCH sections and BODYSTRUCTURE
 * (RFC 3501 §6.4.5, §7.4.2; MIME: RFC 2045 §5–6, RFC 2046 §5.1 multipart, §5.2.1 message/rfc822).
 *
 * Why not mailparser: its splitter (@zone-eu/mailsplit) is a stream that yields to the event loop
 * (it yields to the event loop every 16 KiB), and a simulator event must finish synchronously; and IMAP needs the raw,
 * still-encoded bytes and exact offsets of every part, which decoding parsers do not keep. So header
 * parsing and decoding are libmime's (decodeHeaders unfolds fields, parseHeaderValue reads
 * Content-Type / Content-Disposition parameters including RFC 2231 continuations), and only the
 * multipart boundary splitting (RFC 2046 §5.1.1) is done here, on byte offsets.
 *
 * Limits: `mimeDepthMax` nested multiparts/messages, `mimePartsMax` parts in one message. Deeper or
 * further structure is treated as an opaque leaf, never an error: a FETCH always answers.
 */
import { bytesLatin1 } from '../machine.js';
import { libmime } from './lazy-libmime.js';

export const MIME_DEPTH_MAX = 32;
export const MIME_PARTS_MAX = 1000;

export interface MimePart {
  /** Offset of the first header byte. */
  headerStart: number;
  /** Offset of the first body byte (just after the blank line ending the header). */
  bodyStart: number;
  /** Offset just after the last body byte. */
  bodyEnd: number;
  /** libmime.decodeHeaders: lowercased names → unfolded raw values, in order. */
  headers: Record<string, string[]>;
  /** Lowercase media type and subtype (RFC 2045 §5.1); defaults applied (§5.2, RFC 2046 §5.1.5). */
  type: string;
  subtype: string;
  /** Content-Type parameters, names lowercased. */
  params: Record<string, string>;
  /** Parts of a multipart. */
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message: MimePart | null;
}

const CR = 0x0d;
const LF = 0x0a;

/** Offset just after the blank line that ends the header starting at `start`, or `end` if none. */
function findHeaderEnd(bytes: Uint8Array, start: number, end: number): { headerEnd: number; bodyStart: number } {
  if (start < end && (bytes[start] === LF || (bytes[start] === CR && bytes[start + 1] === LF))) {
    const bodyStart = bytes[start] === LF ? start + 1 : start + 2;
    return { headerEnd: start, bodyStart };
  }
  let i = start;
  while (i < end) {
    const lf = bytes.indexOf(LF, i);
    if (lf === -1 || lf >= end) break;
    const next = lf + 1;
    if (next < end && bytes[next] === LF) return { headerEnd: next, bodyStart: next + 1 };
    if (next + 1 < end && bytes[next] === CR && bytes[next + 1] === LF) return { headerEnd: next, bodyStart: next + 2 };
    i = next;
  }
  return { headerEnd: end, bodyStart: end };
}

export function headerValue(part: MimePart, name: string): string | null {
  return part.headers[name.toLowerCase()]?.[0] ?? null;
}

interface ParseBudget {
  parts: number;
}

/** Parses the entity at [start, end): a header, a blank line, a body. */
export function parseMime(bytes: Uint8Array): MimePart {
  return parseEntity(bytes, 0, bytes.length, 0, { parts: 0 }, null);
}

function parseEntity(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  budget: ParseBudget,
  parentSubtype: string | null,
): MimePart {
  budget.parts += 1;
  const { headerEnd, bodyStart } = findHeaderEnd(bytes, start, end);
  const headerText = bytesLatin1(bytes.subarray(start, headerEnd));
  const headers = libmime().decodeHeaders(headerText, { skipPrototypeKeys: true });
  const contentType = headers['content-type']?.[0];
  // RFC 2046 §5.1.5: in multipart/digest the default type is message/rfc822.
  let type = parentSubtype === 'digest' ? 'message' : 'text';
  let subtype = parentSubtype === 'digest' ? 'rfc822' : 'plain';
  let params: Record<string, string> = {};
  if (contentType) {
    const parsed = libmime().parseHeaderValue(contentType);
    const match = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\/([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*$/.exec(parsed.value);
    if (match) {
      type = match[1]!.toLowerCase();
      subtype = match[2]!.toLowerCase();
      params = { ...parsed.params };
    }
  }
  if (type === 'text' && params.charset === undefined && !contentType) params.charset = 'US-ASCII';
  const part: MimePart = { headerStart: start, bodyStart, bodyEnd: end, headers, type, subtype, params, children: [], message: null };
  const mayDescend = depth < MIME_DEPTH_MAX && budget.parts < MIME_PARTS_MAX;
  if (type === 'multipart' && params.boundary && mayDescend) {
    for (const [childStart, childEnd] of splitMultipart(bytes, bodyStart, end, params.boundary)) {
      if (budget.parts >= MIME_PARTS_MAX) break;
      part.children.push(parseEntity(bytes, childStart, childEnd, depth + 1, budget, subtype));
    }
  } else if (type === 'message' && subtype === 'rfc822' && mayDescend) {
    part.message = parseEntity(bytes, bodyStart, end, depth + 1, budget, null);
  }
  return part;
}

/**
 * RFC 2046 §5.1.1: a delimiter is CRLF "--" boundary at a line start, optional whitespace, CRLF; the
 * CRLF before it belongs to the delimiter. The close delimiter adds "--". Returns the [start, end)
 * ranges of the body parts; a missing close delimiter ends the last part at the end of the body.
 */
export function splitMultipart(bytes: Uint8Array, start: number, end: number, boundary: string): Array<[number, number]> {
  const marker = `--${boundary}`;
  const ranges: Array<[number, number]> = [];
  let partStart = -1;
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd === -1 || lineEnd >= end) lineEnd = end;
    const nextLine = Math.min(lineEnd + 1, end);
    if (bytes[lineStart] === 0x2d && bytes[lineStart + 1] === 0x2d) {
      const line = bytesLatin1(bytes.subarray(lineStart, lineEnd)).replace(/\r$/, '');
      if (line.startsWith(marker)) {
        const rest = line.slice(marker.length);
        const closing = rest.startsWith('--');
        if (/^[ \t]*$/.test(closing ? rest.slice(2) : rest)) {
          if (partStart !== -1) ranges.push([partStart, trimLineEnd(bytes, partStart, lineStart)]);
          if (closing) return ranges;
          partStart = nextLine;
        }
      }
    }
    lineStart = nextLine;
  }
  if (partStart !== -1 && partStart <= end) ranges.push([partStart, end]);
  return ranges;
}

/** Removes the CRLF (or LF) just before `at`, which belongs to the following delimiter. */
function trimLineEnd(bytes: Uint8Array, from: number, at: number): number {
  let end = at;
  if (end > from && bytes[end - 1] === LF) end -= 1;
  if (end > from && bytes[end - 1] === CR) end -= 1;
  return end;
}

/** Lines in [start, end) as RFC 3501 §7.4.2 body-fld-lines counts them. */
export function countLines(bytes: Uint8Array, start: number, end: number): number {
  let lines = 0;
  for (let i = start; i < end; i += 1) if (bytes[i] === LF) lines += 1;
  if (end > start && bytes[end - 1] !== LF) lines += 1;
  return lines;
}

/**
 * RFC 3501 §6.4.5 part numbering: in a multipart, N is the Nth child; a non-multipart entity has
 * only part 1, itself; inside a message/rfc822 part the numbering continues in the encapsulated
 * message. Returns null for a part that does not exist.
 */
export function resolvePart(root: MimePart, path: readonly number[]): MimePart | null {
  let current: MimePart | null = root;
  let container: MimePart | null = root;
  for (const n of path) {
    if (!container) return null;
    if (container.type === 'multipart') current = container.children[n - 1] ?? null;
    else current = n === 1 ? container : null;
    if (!current) return null;
    // The next number steps into this part: its children, or its encapsulated message.
    container = current.message ?? (current.type === 'multipart' ? current : null);
  }
  return current;
}
