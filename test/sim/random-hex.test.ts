/**
 * RandomStream.hex writes digits eight at a time (src/sim/random.ts): it must give exactly the string
 * one digit per draw gives — the same digits, the same number of draws — or every message id, and so
 * every trace digest, would move.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RandomStream, RandomStreams } from '../../src/sim/random.js';

const digitByDigit = (float: () => number, n: number): string => {
  let out = '';
  for (let i = 0; i < n; i++) out += '0123456789abcdef'[Math.floor(float() * 16)];
  return out;
};

describe('RandomStream.hex', () => {
  it('equals one digit per draw, for any seed, length and earlier draws', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(40), fc.nat(200), (seed, before, n) => {
        const fast = new RandomStreams(seed).stream('ids');
        const general = new RandomStreams(seed).stream('ids');
        for (let i = 0; i < before; i++) {
          fast.float();
          general.float();
        }
        const expected = digitByDigit(() => general.float(), n);
        expect(fast.hex(n)).toBe(expected);
        expect(fast.draws).toBe(general.draws);
        expect(fast.float()).toBe(general.float());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps leading zeros in every chunk, and its last digits', () => {
    class Constant extends RandomStream {
      constructor(private readonly value: number) {
        super('seed', 'constant');
      }
      override float(): number {
        return this.value;
      }
    }
    expect(new Constant(0).hex(19)).toBe('0'.repeat(19));
    expect(new Constant(0.999).hex(19)).toBe('f'.repeat(19));
    expect(new Constant(0.5).hex(9)).toBe('888888888');
    expect(new Constant(0).hex(0)).toBe('');
  });
});
