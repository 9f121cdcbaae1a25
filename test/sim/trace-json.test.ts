/**
 * The trace builds its canonical lines without calling JSON.stringify for plain numbers and strings
 * (src/sim/trace.ts jsonOf); the digest's format says the line is JSON.stringify's output, so the
 * fast path must agree with it for every value a field can hold (docs/architecture.md rule 4).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/index.js';
import { jsonOf } from '../../src/sim/trace.js';

describe('trace jsonOf', () => {
  it('equals JSON.stringify for any string, number, boolean or null', () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u0020', '\u007f', '\u0080', '\ud800', 'a', ' ', '~') }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonOf(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the edge values by name', () => {
    for (const v of [-0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-7, '', '~', '\u007f', '"', '\\', '\ud83d']) expect(jsonOf(v)).toBe(JSON.stringify(v));
  });
});

describe('trace digest buffering', () => {
  // Lines are gathered as text and payloads as bytes; sizes straddle the 16 Ki-code-unit text chunk
  // and the 64 KiB byte buffer, so every flush path runs, and the order must survive all of them.
  const step = fc.oneof(
    fc.record({ kind: fc.constant('line' as const), text: fc.string({ unit: 'grapheme', maxLength: 40 }), pad: fc.constantFrom(0, 100, 20_000, 70_000) }),
    fc.record({ kind: fc.constant('payload' as const), size: fc.constantFrom(0, 1, 500, 40_000, 70_000), fill: fc.integer({ min: 0, max: 255 }) }),
  );

  it('equals SHA-256 over the canonical stream for any mix of lines and payloads', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const sim = new Simulator({ seed: 1 });
        const reference = createHash('sha256');
        for (const s of steps) {
          if (s.kind === 'line') {
            const value = s.text + 'é'.repeat(s.pad);
            sim.trace.record('e', { v: value });
            reference.update(`{"t":0,"kind":"e","v":${JSON.stringify(value)}}\n`, 'utf8');
          } else {
            const bytes = new Uint8Array(s.size).fill(s.fill);
            sim.trace.recordPayload('p', {}, bytes);
            reference.update(`{"t":0,"kind":"p","bytes":${s.size}}\n`, 'utf8');
            reference.update(bytes);
          }
        }
        expect(sim.trace.digest()).toBe(`sha256:${reference.digest('hex')}`);
      }),
      { numRuns: 150 },
    );
  });
});
