/**
 * The Received field's fast paths (src/nodes/mail/received.ts, headers.ts) against the general ones:
 *   - `sanitise` returns a safe name as it is, without the two regex passes: it must equal
 *     `sanitiseGeneral` (the regex definition) on any text;
 *   - the date is formatted once per whole second: `formatReceivedValue` must equal the field built
 *     with `formatRfc5322Date` for every time, in any order of times;
 *   - `prependHeader` encodes an ASCII field straight into the new message: it must equal
 *     `concatBytes([formatHeaderField(name, value), bytes])`, and throw where that throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/protocols/bytes.js';
import { formatHeaderField, prependHeader } from '../../../src/nodes/mail/headers.js';
import { formatReceivedValue, type ReceivedInfo, sanitise, sanitiseGeneral } from '../../../src/nodes/mail/received.js';
import { formatRfc5322Date, SIM_EPOCH_MS } from '../../../src/sim/calendar.js';

/** Text around the edges of the safe set: controls, space, ( ) \, DEL, Latin-1, astral, lone surrogates. */
const edgyChar = fc.oneof(
  fc.constantFrom('a', 'Z', '.', '-', '!', '~', ' ', '\t', '\r', '\n', '(', ')', '\\', '\x7f', '\x00', 'é', '😀', '\ud800', '?'),
  fc.string({ maxLength: 1 }),
);
const edgyText = fc.oneof(
  fc.array(edgyChar, { maxLength: 20 }).map((chars) => chars.join('')),
  fc.constantFrom('x'.repeat(255), 'x'.repeat(256), 'x'.repeat(300), ''),
  fc.string({ maxLength: 40 }),
);

describe('Received fast paths', () => {
  it('sanitise equals the regex definition on any text', () => {
    fc.assert(
      fc.property(edgyText, (text) => {
        expect(sanitise(text)).toBe(sanitiseGeneral(text));
      }),
    );
  });

  it('a safe name is returned as it is, an unsafe one is not', () => {
    expect(sanitise('mx1.example.net')).toBe('mx1.example.net');
    expect(sanitise('bad name(x)')).toBe('bad?name?x?');
    expect(sanitise('')).toBe('?');
    expect(sanitise('y'.repeat(256))).toBe('y'.repeat(255));
  });

  it('formatReceivedValue gives the date of each time, whatever the order of times', () => {
    const info = (atMs: number): ReceivedInfo => ({
      heloName: 'client.example',
      clientName: null,
      clientAddress: '10.0.0.1',
      byHost: 'mx.example',
      protocol: 'ESMTP',
      id: 'ABC123',
      recipients: ['a@example.org'],
      atMs,
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 10 ** 11 })), { minLength: 1, maxLength: 20 }), (times) => {
        for (const atMs of times) {
          const value = formatReceivedValue(info(atMs));
          expect(value.endsWith(`; ${formatRfc5322Date(SIM_EPOCH_MS + atMs)}`)).toBe(true);
        }
      }),
    );
  });

  it('prependHeader equals the encoded field joined to the message, or throws where formatHeaderField throws', () => {
    const name = fc.constantFrom('Received', 'Return-Path', 'X-Ünï', 'Bad Name', 'X-Test', 'X:Colon', '', 'X-\x7f', 'X-~!');
    /** Mostly-valid values with one piece at the edge of the ASCII fast path: folds, bare breaks, 8-bit, controls. */
    const pieces = fc.array(fc.constantFrom('a', ' ', ':', 'é', '\x7f', '\x80', '\x00', '\t', '\r\n\t', '\r\n ', '\r\n', '\n', '\r', '😀'), { maxLength: 8 });
    const value = fc.oneof(edgyText, pieces.map((parts) => parts.join('')), fc.constantFrom('a\r\n\tb', 'a\r\nb', 'a\nb', 'a\rb', 'from x\r\n\tby y; date'));
    const body = fc.uint8Array({ maxLength: 64 });
    fc.assert(
      fc.property(name, value, body, (fieldName, fieldValue, bytes) => {
        let expected: Uint8Array | Error;
        try {
          expected = concatBytes([formatHeaderField(fieldName, fieldValue), bytes]);
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) {
          expect(() => prependHeader(bytes, fieldName, fieldValue)).toThrow(expected.message);
        } else {
          expect(prependHeader(bytes, fieldName, fieldValue)).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
