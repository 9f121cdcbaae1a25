/**
 * FETCH data items (RFC 3501 §6.4.5 request, §7.4.2 response) for one message.
 *
 * Sections: BODY[] is the whole message; BODY[n] a part's body (for a message/rfc822 part, the whole
 * encapsulated message); n.MIME a part's MIME header; HEADER, HEADER.FIELDS (…), HEADER.FIELDS.NOT (…)
 * and TEXT the header or body of the message, or of the message/rfc822 part n. Header sections end
 * with the blank line, as §6.4.5 requires. A partial <start.count> cuts the octets and the response
 * names the origin: `BODY[]<start>`. A section that does not exist is the empty string (§6.4.5).
 *
 * Setting \Seen (§6.4.5: BODY[…], RFC822 and RFC822.TEXT, not BODY.PEEK or RFC822.HEADER) is the
 * caller's job; `fetchSetsSeen` says whether a request does it.
 */
import { formatImapDateTime } from '../../sim/calendar.js';
import type { FetchAttribute, Section } from './command.js';
import { bytesLatin1 } from '../machine.js';
import { concatBytes } from '../bytes.js';
import { type MimePart, parseMime, resolvePart } from './mime.js';
import { formatSection } from './serializer.js';
import { writeBodyStructure, writeEnvelope } from './structure.js';
import type { ResponseWriter } from './wire.js';

export interface FetchSource {
  uid: number;
  /** The flags to show, \Recent included when this session holds it. */
  flags: readonly string[];
  internalDateMs: number;
  size: number;
  bytes(): Uint8Array;
}

export function fetchSetsSeen(attributes: readonly FetchAttribute[]): boolean {
  return attributes.some(
    (a) => (a.kind === 'BODY[]' && !a.peek) || a.kind === 'RFC822' || a.kind === 'RFC822.TEXT',
  );
}

/** Lazily parses the message once per FETCH of it. */
class MessageView {
  private parsed: MimePart | null = null;
  private cachedBytes: Uint8Array | null = null;
  constructor(private readonly source: FetchSource) {}
  get bytes(): Uint8Array {
    this.cachedBytes ??= this.source.bytes();
    return this.cachedBytes;
  }
  get root(): MimePart {
    this.parsed ??= parseMime(this.bytes);
    return this.parsed;
  }
}

function headerBlock(bytes: Uint8Array, entity: MimePart): Uint8Array {
  return bytes.subarray(entity.headerStart, entity.bodyStart);
}

/** The raw header fields of a header block (folded lines kept), each ending with its line break. */
function headerFields(block: Uint8Array): Array<{ name: string; raw: Uint8Array }> {
  const text = bytesLatin1(block);
  const fields: Array<{ name: string; start: number; end: number }> = [];
  let at = 0;
  while (at < text.length) {
    const lf = text.indexOf('\n', at);
    const end = lf === -1 ? text.length : lf + 1;
    const line = text.slice(at, end);
    if (line === '\r\n' || line === '\n') break;
    const last = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) last.end = end;
    else {
      const colon = line.indexOf(':');
      fields.push({ name: colon === -1 ? '' : line.slice(0, colon).trim().toLowerCase(), start: at, end });
    }
    at = end;
  }
  return fields.map((f) => ({ name: f.name, raw: block.subarray(f.start, f.end) }));
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/** The octets of a section (RFC 3501 §6.4.5), or null when the part does not exist. */
export function sectionBytes(bytes: Uint8Array, root: MimePart, section: Section): Uint8Array | null {
  if (section.part.length === 0 && section.specifier === '') return bytes;
  const part = section.part.length === 0 ? root : resolvePart(root, section.part);
  if (!part) return null;
  if (section.specifier === '') return bytes.subarray(part.bodyStart, part.bodyEnd);
  if (section.specifier === 'MIME') return headerBlock(bytes, part);
  // HEADER / TEXT address a message: the top level, or the message inside a message/rfc822 part.
  const message = section.part.length === 0 ? root : part.message;
  if (!message) return null;
  if (section.specifier === 'TEXT') return bytes.subarray(message.bodyStart, message.bodyEnd);
  const block = headerBlock(bytes, message);
  if (section.specifier === 'HEADER') return block;
  const wanted = new Set(section.fields.map((f) => f.toLowerCase()));
  const keep = section.specifier === 'HEADER.FIELDS';
  const chosen = headerFields(block)
    .filter((field) => wanted.has(field.name) === keep)
    .map((field) => field.raw);
  return concatBytes([...chosen, CRLF]);
}

function writeSection(out: ResponseWriter, name: string, data: Uint8Array | null, partial: { start: number; count: number } | null): void {
  let value = data ?? new Uint8Array(0);
  if (partial) {
    value = value.subarray(Math.min(partial.start, value.length), Math.min(partial.start + partial.count, value.length));
    out.raw(`${name}<${partial.start}> `);
  } else {
    out.raw(`${name} `);
  }
  out.literal(value);
}

function writeFlags(out: ResponseWriter, flags: readonly string[]): void {
  out.raw(`FLAGS (${flags.join(' ')})`);
}

/**
 * Writes `(item value item value …)` for one message. `extraUid` adds UID (UID FETCH, §6.4.8);
 * `extraFlags` adds FLAGS (after \Seen was set implicitly).
 */
export function writeFetchItems(
  out: ResponseWriter,
  source: FetchSource,
  attributes: readonly FetchAttribute[],
  options: { extraUid: boolean; extraFlags: boolean },
): void {
  const view = new MessageView(source);
  const parts: Array<() => void> = [];
  const kinds = new Set(attributes.map((a) => a.kind));
  if (options.extraUid && !kinds.has('UID')) parts.push(() => out.raw(`UID ${source.uid}`));
  for (const attribute of attributes) {
    switch (attribute.kind) {
      case 'UID':
        parts.push(() => out.raw(`UID ${source.uid}`));
        break;
      case 'FLAGS':
        parts.push(() => writeFlags(out, source.flags));
        break;
      case 'INTERNALDATE':
        parts.push(() => out.raw(`INTERNALDATE "${formatImapDateTime(source.internalDateMs)}"`));
        break;
      case 'RFC822.SIZE':
        parts.push(() => out.raw(`RFC822.SIZE ${source.size}`));
        break;
      case 'ENVELOPE':
        parts.push(() => {
          out.raw('ENVELOPE ');
          writeEnvelope(out, view.root);
        });
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        parts.push(() => {
          out.raw(`${attribute.kind} `);
          writeBodyStructure(out, view.bytes, view.root, attribute.kind === 'BODYSTRUCTURE');
        });
        break;
      case 'RFC822':
        parts.push(() => writeSection(out, 'RFC822', view.bytes, null));
        break;
      case 'RFC822.HEADER':
        parts.push(() => writeSection(out, 'RFC822.HEADER', headerBlock(view.bytes, view.root), null));
        break;
      case 'RFC822.TEXT':
        parts.push(() => writeSection(out, 'RFC822.TEXT', view.bytes.subarray(view.root.bodyStart), null));
        break;
      case 'BODY[]': {
        const name = `BODY[${formatSection(attribute.section)}]`;
        parts.push(() => {
          const data =
            attribute.section.part.length === 0 && attribute.section.specifier === ''
              ? view.bytes
              : sectionBytes(view.bytes, view.root, attribute.section);
          writeSection(out, name, data, attribute.partial);
        });
        break;
      }
    }
  }
  if (options.extraFlags && !kinds.has('FLAGS')) parts.push(() => writeFlags(out, source.flags));
  out.raw('(');
  parts.forEach((write, i) => {
    if (i > 0) out.raw(' ');
    write();
  });
  out.raw(')');
}
