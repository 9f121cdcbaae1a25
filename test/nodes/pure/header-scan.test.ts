/**
 * The header helpers scan message bytes without decoding them (src/nodes/mail/headers.ts). This
 * property compares them with a plain reference written on latin1 text, field by field as RFC 5322
 * §2.2 describes it (a field runs until a line ending not followed by WSP; `name:` with a printable
 * ASCII name, §3.6.8), over header blocks built from the awkward cases: folds, bare LF, colons in
 * values, names with spaces or 8-bit bytes, lines without a colon, no body separator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countHeaders, findHeaderEnd, getHeader, getHeaders, parseHeaderBlock, removeHeaders } from '../../../src/nodes/mail/headers.js';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

interface ReferenceField {
  name: string;
  value: string;
  start: number;
  end: number;
}

/** The reference: the header block as latin1 text, split into fields with string operations. */
function referenceFields(bytes: Uint8Array): ReferenceField[] {
  const text = latin1(bytes.subarray(0, findHeaderEnd(bytes).headerEnd));
  const fields: ReferenceField[] = [];
  let position = 0;
  while (position < text.length) {
    const start = position;
    let end = start;
    for (;;) {
      const newline = text.indexOf('\n', end);
      if (newline < 0) {
        end = text.length;
        break;
      }
      end = newline + 1;
      if (end >= text.length || (text[end] !== ' ' && text[end] !== '\t')) break;
    }
    position = end;
    const raw = text.slice(start, end);
    const colon = raw.indexOf(':');
    if (colon <= 0 || !/^[\x21-\x39\x3b-\x7e]+$/.test(raw.slice(0, colon))) continue;
    const value = raw
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .replace(/\r?\n$/, '')
      .trim();
    fields.push({ name: raw.slice(0, colon), value, start, end });
  }
  return fields;
}

const names = ['Received', 'X-Zeta', 'x-zETA', 'received', 'RECEIVED', 'Subject', 'Return-Path', 'X-Ünicode', 'Bad Name', '', 'Date', 'date'];
const line = fc.oneof(
  fc.record({ name: fc.constantFrom(...names), value: fc.string({ maxLength: 12 }), fold: fc.boolean(), bareLf: fc.boolean() }).map(
    ({ name, value, fold, bareLf }) => `${name}:${value.replace(/[\r\n]/g, '')}${fold ? '\r\n\tmore: text' : ''}${bareLf ? '\n' : '\r\n'}`,
  ),
  fc.constantFrom('no colon here\r\n', ': empty name\r\n', '\tcontinuation first\r\n', 'Caf\xe9: 8-bit\r\n', 'X-Last: unterminated'),
);
const message = fc
  .record({ lines: fc.array(line, { maxLength: 8 }), body: fc.constantFrom('', '\r\nbody\r\nReceived: in the body\r\n', '\n\nbody') })
  .map(({ lines, body }) => bytesOf(lines.join('') + body));

describe('header helpers scan bytes exactly like the text reference (RFC 5322 §2.2, §3.6.8)', () => {
  it('parseHeaderBlock, getHeader(s), countHeaders and removeHeaders agree with it', () => {
    fc.assert(
      fc.property(message, fc.constantFrom('received', 'x-zeta', 'Subject', 'date', 'x-ünicode', 'bad name'), (bytes, wanted) => {
        const reference = referenceFields(bytes);
        expect(parseHeaderBlock(bytes).fields).toEqual(reference);
        const named = reference.filter((f) => f.name.toLowerCase() === wanted.toLowerCase());
        expect(getHeaders(bytes, wanted)).toEqual(named.map((f) => f.value));
        expect(getHeader(bytes, wanted)).toBe(named[0]?.value ?? null);
        expect(countHeaders(bytes, wanted)).toBe(named.length);
        let kept = '';
        let cursor = 0;
        for (const field of named) {
          kept += latin1(bytes.subarray(cursor, field.start));
          cursor = field.end;
        }
        kept += latin1(bytes.subarray(cursor));
        expect(latin1(removeHeaders(bytes, wanted))).toBe(kept);
      }),
      { numRuns: 500 },
    );
  });
});
