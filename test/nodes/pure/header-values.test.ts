/**
 * parseHeaderBlock skips the unfolding regexes for one-line fields (src/nodes/mail/headers.ts): the
 * value must still be exactly "remove CRLF-WSP folds, remove the final line end, trim" of the field's
 * text (RFC 5322 §2.2.3), for any bytes — folds, bare CR / LF, 8-bit and NBSP bytes, no final CRLF.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeaderBlock } from '../../../src/nodes/mail/headers.js';

const piece = fc.oneof(
  fc.constantFrom('Subject: ', 'X-A:', 'To:  b@c ', '\r\n', '\n', '\r', '\r\n ', '\n\t', ' ', '\t', '\u00a0', '\u0085', 'é', ': ', 'x', '\r\n\r\n'),
  fc.string({ maxLength: 6 }),
);

describe('parseHeaderBlock values', () => {
  it('equal the fold-removing reference for every field', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), (pieces) => {
        const bytes = Uint8Array.from(Buffer.from(pieces.join(''), 'latin1'));
        const text = Buffer.from(bytes).toString('latin1');
        for (const field of parseHeaderBlock(bytes).fields) {
          const raw = text.slice(field.start, field.end);
          const reference = raw
            .slice(raw.indexOf(':') + 1)
            .replace(/\r?\n(?=[ \t])/g, '')
            .replace(/\r?\n$/, '')
            .trim();
          expect(field.value).toBe(reference);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('unfolds a folded value and trims a one-line one', () => {
    const block = parseHeaderBlock(Uint8Array.from(Buffer.from('Subject: a\r\n  b\r\nTo:  c \r\n\r\nbody', 'latin1')));
    expect(block.fields.map((f) => [f.name, f.value])).toEqual([
      ['Subject', 'a  b'],
      ['To', 'c'],
    ]);
  });
});
