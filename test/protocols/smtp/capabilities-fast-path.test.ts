/**
 * parseCapabilities takes a line that is a bare keyword without splitting it
 * (src/protocols/smtp/client-capabilities.ts); the keywords it records must be those of the general
 * split for any EHLO line (RFC 5321 §4.1.1.1; the pre-standard "AUTH=PLAIN" form too).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../../../src/protocols/smtp/client.js';

/** The general split, as parseCapabilities did it for every line before the fast path. */
function referenceKeywords(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const [rawKeyword = '', ...params] = line.trim().split(/\s+/);
    const [keywordPart = '', firstParam] = rawKeyword.split('=', 2);
    const keyword = keywordPart.toUpperCase();
    if (keyword === '') continue;
    if (firstParam !== undefined && firstParam !== '') params.unshift(firstParam);
    out.push([keyword, ...params].join(' '));
  }
  return out;
}

const line = fc
  .array(fc.oneof(fc.constantFrom('PIPELINING', 'size', 'AUTH', '=', ' ', '\t', '-', '8BITMIME', 'plain', '10240000', 'ß'), fc.string({ maxLength: 4 })), { maxLength: 5 })
  .map((parts) => parts.join(''));

describe('parseCapabilities fast path', () => {
  it('records the same keywords as the general split', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        expect(parseCapabilities({ code: 250, enhanced: null, lines: ['mx.example', ...lines] }).keywords).toEqual(referenceKeywords(lines));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads flags from bare keywords in any case', () => {
    const caps = parseCapabilities({ code: 250, enhanced: null, lines: ['mx', 'pipelining', 'StartTLS', 'AUTH=PLAIN', 'SIZE 100'] });
    expect(caps).toMatchObject({ pipelining: true, startTls: true, authMechanisms: ['PLAIN'], sizeMaxBytes: 100 });
  });
});
