/**
 * The DATA reader takes runs of plain bytes inside a line in one go (src/protocols/smtp/data-reader.ts
 * consume). Its result must not depend on how the bytes arrive: one byte at a time (where every run
 * is a single byte, as in the byte-by-byte machine) and any other chunking give the same outcome and
 * the same consumed count — message, size, oversize, bare LF (docs/delivery.md E1, E2, E4; RFC 5321
 * §4.5.2).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DataOutcome, DataReader } from '../../../src/protocols/smtp/data-reader.js';

function read(input: Uint8Array, cut: number, messageBytesMax: number, policy: 'normalize' | 'reject'): { consumed: number; outcome: DataOutcome | null } {
  const reader = new DataReader(messageBytesMax, policy);
  let consumed = 0;
  for (let at = 0; at < input.length && !reader.done; at += cut) {
    const chunk = input.subarray(at, Math.min(input.length, at + cut));
    consumed += reader.consume(chunk, 0);
  }
  return { consumed, outcome: reader.done ? reader.outcome() : null };
}

const body = fc
  .array(fc.oneof(fc.constantFrom('\r\n', '\n', '\r', '.', '.\r\n', '\r\n.\r\n', '\n.\r\n', '..', 'x'), fc.string({ maxLength: 12 })), { maxLength: 30 })
  .map((parts) => Uint8Array.from(Buffer.from(parts.join(''), 'latin1')));

describe('DataReader chunking', () => {
  it('gives the same outcome for one byte at a time and for any chunk size', () => {
    fc.assert(
      fc.property(
        body,
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 5, max: 200 }),
        fc.constantFrom('normalize' as const, 'reject' as const),
        (input, cut, messageBytesMax, policy) => {
          const byByte = read(input, 1, messageBytesMax, policy);
          expect(read(input, cut, messageBytesMax, policy)).toEqual(byByte);
          expect(read(input, input.length + 1, messageBytesMax, policy)).toEqual(byByte);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('unstuffs dots, ends only at <CRLF>.<CRLF>, keeps long lines whole and stops storing past the limit', () => {
    const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
    const text = (o: DataOutcome | null) => Buffer.from(o!.message).toString('latin1');
    const a = read(latin1('ab.c\r\n..d\r\n\n.\r\nx\r\n.\r\nMAIL'), 100, 1000, 'normalize');
    expect(text(a.outcome)).toBe('ab.c\r\n.d\r\n\r\n\r\nx\r\n');
    expect(a.consumed).toBe(21); // up to and including the real end; "MAIL" stays in the inbox
    const long = read(latin1(`${'y'.repeat(5000)}\r\n.\r\n`), 700, 10_000, 'normalize');
    expect(text(long.outcome)).toBe(`${'y'.repeat(5000)}\r\n`);
    const big = read(latin1('0123456789abc\r\n.\r\n'), 3, 8, 'normalize');
    expect(big.outcome).toMatchObject({ oversize: true, messageBytes: 15 });
    expect(text(big.outcome)).toBe('01234567');
  });
});
