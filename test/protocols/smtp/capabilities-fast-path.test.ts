/**
 * parseCapabilities takes a line that is a bare keyword without splitting it
 * (src/protocols/smtp/client-capabilities.ts); the keywords it records must be those of the general
 * split for any EHLO line (RFC 5321 §4.1.1.1; the pre-standard "AUTH=PLAIN" form too).
 *
 * parseCapabilities also keeps a bounded cache of parses by the keyword lines' text: what it returns
 * must be what an uncached parse gives, and the caller's own object, for more replies than the bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES_CACHE_ENTRIES_MAX, parseCapabilities, readCapabilities } from '../../../src/protocols/smtp/client.js';

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

  it('gives from its cache what an uncached parse gives, whatever the first line', () => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 6 }), { minLength: 1, maxLength: 3 * CAPABILITIES_CACHE_ENTRIES_MAX }), (replies) => {
        // Each reply twice (a cache hit the second time, unless evicted), under two different names.
        for (const keywordLines of [...replies, ...replies.toReversed()]) {
          for (const name of ['mx.example greets a', 'other.example']) {
            const lines = [name, ...keywordLines];
            expect(parseCapabilities({ code: 250, enhanced: null, lines })).toEqual(readCapabilities(lines));
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('hands out a copy the caller may change', () => {
    const reply = { code: 250, enhanced: null, lines: ['mx', 'PIPELINING', 'AUTH PLAIN LOGIN'] };
    const first = parseCapabilities(reply);
    first.pipelining = false;
    first.authMechanisms.push('XOAUTH2');
    first.keywords.length = 0;
    expect(parseCapabilities(reply)).toEqual(readCapabilities(reply.lines));
    expect(parseCapabilities(reply)).toMatchObject({ pipelining: true, authMechanisms: ['PLAIN', 'LOGIN'], keywords: ['PIPELINING', 'AUTH PLAIN LOGIN'] });
  });

  it('does not mix up keyword lines that hold an LF', () => {
    const split = parseCapabilities({ code: 250, enhanced: null, lines: ['mx', 'SIZE\nPIPELINING'] });
    expect(split).toEqual(readCapabilities(['mx', 'SIZE\nPIPELINING']));
    expect(parseCapabilities({ code: 250, enhanced: null, lines: ['mx', 'SIZE', 'PIPELINING'] })).toMatchObject({ size: true, pipelining: true });
  });
});
