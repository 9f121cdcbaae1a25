/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2, grammar in §9: envelope, body, body-type-1part,
 * body-type-mpart, body-ext-1part, body-ext-mpart) from a parsed MIME tree (mime.ts).
 *
 * ENVELOPE fields are the raw header values (RFC 2047 encoded words are passed through, as §7.4.2
 * says); Sender and Reply-To default to From. Addresses are read by addresses.ts (the parser SEARCH
 * uses too; RFC 5322 §3.4, groups included) into (name adl mailbox host); a group is (NIL NIL "name"
 * NIL) … (NIL NIL NIL NIL). BODY is BODYSTRUCTURE without extension data.
 */
import { libmime } from './lazy-libmime.js';
import { parseAddressList } from './addresses.js';
import { countLines, headerValue, type MimePart } from './mime.js';
import type { ResponseWriter } from './wire.js';

function writeAddress(out: ResponseWriter, name: string | null, address: string): void {
  const at = address.lastIndexOf('@');
  const mailbox = at === -1 ? address : address.slice(0, at);
  const host = at === -1 ? '' : address.slice(at + 1);
  out.raw('(').nstring(name === '' ? null : name).raw(' NIL ').nstring(mailbox).raw(' ').nstring(host).raw(')');
}

function writeAddressList(out: ResponseWriter, value: string | null): void {
  const addresses = value === null ? [] : parseAddressList(value);
  if (addresses.length === 0) {
    out.raw('NIL');
    return;
  }
  out.raw('(');
  for (const entry of addresses) {
    if (entry.kind === 'group') {
      out.raw('(NIL NIL ').nstring(entry.name).raw(' NIL)');
      for (const member of entry.members) writeAddress(out, member.name, member.address);
      out.raw('(NIL NIL NIL NIL)');
    } else {
      writeAddress(out, entry.name, entry.address);
    }
  }
  out.raw(')');
}

export function writeEnvelope(out: ResponseWriter, message: MimePart): void {
  const h = (name: string) => headerValue(message, name);
  const from = h('from');
  out.raw('(').nstring(h('date')).raw(' ').nstring(h('subject')).raw(' ');
  writeAddressList(out, from);
  out.raw(' ');
  writeAddressList(out, h('sender') ?? from);
  out.raw(' ');
  writeAddressList(out, h('reply-to') ?? from);
  for (const name of ['to', 'cc', 'bcc']) {
    out.raw(' ');
    writeAddressList(out, h(name));
  }
  out.raw(' ').nstring(h('in-reply-to')).raw(' ').nstring(h('message-id')).raw(')');
}

function writeParams(out: ResponseWriter, params: Record<string, string>, skip: readonly string[] = []): void {
  const keys = Object.keys(params).filter((key) => !skip.includes(key));
  if (keys.length === 0) {
    out.raw('NIL');
    return;
  }
  out.raw('(');
  keys.forEach((key, i) => {
    if (i > 0) out.raw(' ');
    out.string(key.toUpperCase()).raw(' ').string(params[key]!);
  });
  out.raw(')');
}

function writeDisposition(out: ResponseWriter, part: MimePart): void {
  const value = headerValue(part, 'content-disposition');
  if (value === null) {
    out.raw('NIL');
    return;
  }
  const parsed = libmime().parseHeaderValue(value);
  out.raw('(').string(parsed.value.toUpperCase()).raw(' ');
  writeParams(out, parsed.params);
  out.raw(')');
}

function writeExtensionTail(out: ResponseWriter, part: MimePart): void {
  out.raw(' ');
  writeDisposition(out, part);
  out.raw(' ');
  const language = headerValue(part, 'content-language');
  if (language === null) out.raw('NIL');
  else {
    const tags = language.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
    if (tags.length === 1) out.string(tags[0]!);
    else {
      out.raw('(');
      tags.forEach((tag, i) => {
        if (i > 0) out.raw(' ');
        out.string(tag);
      });
      out.raw(')');
    }
  }
  out.raw(' ').nstring(headerValue(part, 'content-location'));
}

/**
 * BODYSTRUCTURE (extensible = true) or BODY (false) of `part` within the message bytes.
 */
export function writeBodyStructure(out: ResponseWriter, bytes: Uint8Array, part: MimePart, extensible: boolean): void {
  if (part.type === 'multipart') {
    out.raw('(');
    if (part.children.length === 0) {
      // RFC 3501 §9 body-type-mpart needs at least one part: describe an empty text part.
      out.raw('("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0)');
    }
    for (const child of part.children) writeBodyStructure(out, bytes, child, extensible);
    out.raw(' ').string(part.subtype.toUpperCase());
    if (extensible) {
      out.raw(' ');
      writeParams(out, part.params);
      writeExtensionTail(out, part);
    }
    out.raw(')');
    return;
  }
  out.raw('(').string(part.type.toUpperCase()).raw(' ').string(part.subtype.toUpperCase()).raw(' ');
  writeParams(out, part.params);
  const encoding = (headerValue(part, 'content-transfer-encoding') ?? '7bit').trim().toUpperCase();
  out.raw(' ').nstring(headerValue(part, 'content-id')).raw(' ').nstring(headerValue(part, 'content-description'));
  out.raw(' ').string(encoding).raw(` ${part.bodyEnd - part.bodyStart}`);
  if (part.type === 'message' && part.subtype === 'rfc822' && part.message) {
    out.raw(' ');
    writeEnvelope(out, part.message);
    out.raw(' ');
    writeBodyStructure(out, bytes, part.message, extensible);
    out.raw(` ${countLines(bytes, part.bodyStart, part.bodyEnd)}`);
  } else if (part.type === 'text') {
    out.raw(` ${countLines(bytes, part.bodyStart, part.bodyEnd)}`);
  }
  if (extensible) {
    out.raw(' ').nstring(headerValue(part, 'content-md5'));
    writeExtensionTail(out, part);
  }
  out.raw(')');
}
