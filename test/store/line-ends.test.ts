/**
 * Line-end conversions (src/store/lineEnds.ts, docs/delivery.md W1, W2) against byte-by-byte references
 * written straight from their definitions, over byte strings rich in CR, LF and CRLF.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crlfToLf, lfToCrlf, normalizeMessage } from '../../src/store/lineEnds.js';

const CR = 0x0d;
const LF = 0x0a;

/** Bare LF → CRLF, then a final CRLF if the message is not empty and does not end in LF. */
function normalizeReference(bytes: Uint8Array): number[] {
  const out: number[] = [];
  bytes.forEach((byte, i) => {
    if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) out.push(CR);
    out.push(byte);
  });
  if (bytes.length > 0 && bytes[bytes.length - 1] !== LF) out.push(CR, LF);
  return out;
}

/** Every CR directly before an LF dropped. */
const crlfToLfReference = (bytes: Uint8Array): number[] => [...bytes].filter((byte, i) => !(byte === CR && bytes[i + 1] === LF));

/** A CR before every LF. */
const lfToCrlfReference = (bytes: Uint8Array): number[] => [...bytes].flatMap((byte) => (byte === LF ? [CR, LF] : [byte]));

const text = fc.array(fc.constantFrom(CR, LF, 0x41, 0x2e, 0x20), { maxLength: 40 }).map((codes) => Uint8Array.from(codes));

describe('line-end conversions match their byte-by-byte definitions', () => {
  it('normalizeMessage, crlfToLf and lfToCrlf', () => {
    fc.assert(
      fc.property(text, (bytes) => {
        expect([...normalizeMessage(bytes)]).toEqual(normalizeReference(bytes));
        expect([...crlfToLf(bytes)]).toEqual(crlfToLfReference(bytes));
        expect([...lfToCrlf(bytes)]).toEqual(lfToCrlfReference(bytes));
        const stored = normalizeMessage(bytes);
        expect([...lfToCrlf(crlfToLf(stored))]).toEqual([...stored]);
      }),
      { numRuns: 3000 },
    );
  });
});
