/**
 * The MUA's generated body (src/nodes/mua.ts generatedBody, docs/reference.md §7 `size`): exactly the asked
 * number of bytes, CRLF lines of 70 characters, the same text as the original per-line construction
 * (which concatenated the pattern twice for every line; the doubled pattern is now made once).
 */
import { describe, expect, it } from 'vitest';
import { generatedBody } from '../../../src/nodes/mua.js';

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
