/**
 * The MUA's generated body (src/nodes/mua.ts generatedBody, docs/reference.md §7 `size`): exactly the asked
 * number of bytes, CRLF lines of 70 characters, the same text as the original per-line construction
 * (which concatenated the pattern twice for every line; the doubled pattern is now made once).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../../src/protocols/bytes.js';
import { generatedBody, messageBytes } from '../../../src/nodes/mua.js';

/** The construction as it was before the doubled pattern was hoisted. */
function referenceBody(sizeBytes: number): string {
  const pattern = 'The quick brown fox jumps over the lazy dog. 0123456789 mailsim body. ';
  let out = '';
  while (out.length + 70 + 2 <= sizeBytes) {
    const offset = (out.length / 72) % pattern.length;
    out += `${(pattern + pattern).slice(offset, offset + 70)}\r\n`;
  }
  const rest = sizeBytes - out.length;
  if (rest >= 2) out += `${'x'.repeat(rest - 2)}\r\n`;
  else if (rest === 1) out = out.length > 0 ? `${out.slice(0, -2)}x\r\n` : 'x';
  return out;
}

describe('generatedBody', () => {
  it('is the reference text, of exactly the asked size', () => {
    for (const size of [...Array.from({ length: 400 }, (_, i) => i), 1000, 4096, 10_000, 65_537]) {
      const body = generatedBody(size);
      expect(body).toBe(referenceBody(size));
      expect(body.length).toBe(size);
    }
  });
});

describe('messageBytes', () => {
  it('equals the whole text encoded at once (the general path), for a given or a generated body, sizes changing or not', () => {
    const headerLine = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('Subject: Grüße', 'X: \ud800', 'Date: x'));
    fc.assert(
      fc.property(
        fc.array(headerLine, { maxLength: 5 }),
        fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
        fc.array(fc.oneof(fc.nat(300), fc.constantFrom(1000, 1000, 1000)), { minLength: 1, maxLength: 4 }),
        (lines, body, sizes) => {
          for (const size of sizes) {
            let text = body;
            if (text !== null) {
              text = text.replace(/\r?\n/g, '\r\n');
              if (!text.endsWith('\r\n')) text += '\r\n';
            }
            const general = utf8Bytes(`${lines.join('\r\n')}\r\n\r\n${text ?? generatedBody(size)}`);
            expect(messageBytes(lines, body, size)).toEqual(general);
          }
        },
      ),
    );
  });
});
