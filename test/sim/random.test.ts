/** Seeded named streams (docs/architecture.md rule 2). */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/sim/index.js';

const draw = (streams: RandomStreams, name: string, n = 20) => Array.from({ length: n }, () => streams.stream(name).float());

describe('RandomStreams', () => {
  it('same seed and name give the same draws; same name gives the same object', () => {
    const a = new RandomStreams(7);
    const b = new RandomStreams('7');
    expect(draw(a, 'mta:mx1')).toEqual(draw(b, 'mta:mx1'));
    expect(a.stream('x')).toBe(a.stream('x'));
  });

  it('a new stream does not shift the draws of others', () => {
    const plain = new RandomStreams(7);
    const busy = new RandomStreams(7);
    const first = draw(plain, 'mta:mx1', 10);
    draw(busy, 'mta:mx2', 50); // another consumer appears and draws first
    expect(draw(busy, 'mta:mx1', 10)).toEqual(first);
  });

  it('different seeds and different names differ', () => {
    expect(draw(new RandomStreams(1), 'a')).not.toEqual(draw(new RandomStreams(2), 'a'));
    expect(draw(new RandomStreams(1), 'a')).not.toEqual(draw(new RandomStreams(1), 'b'));
    // The derivation is injective over (seed, name): no accidental concatenation collisions.
    expect(draw(new RandomStreams('1'), '2x')).not.toEqual(draw(new RandomStreams('12'), 'x'));
  });

  it('helpers stay in range and are deterministic', () => {
    const s = new RandomStreams(3).stream('helpers');
    for (let i = 0; i < 2000; i++) {
      const f = s.float();
      expect(f >= 0 && f < 1).toBe(true);
      const n = s.int(-3, 4);
      expect(Number.isInteger(n) && n >= -3 && n <= 4).toBe(true);
    }
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(s.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.chance(0)).toBe(false);
    expect(s.chance(1)).toBe(true);
    expect(['a', 'b', 'c']).toContain(s.pick(['a', 'b', 'c']));
    expect(() => s.pick([])).toThrow();
    expect(() => s.int(5, 4)).toThrow();
    expect(s.hex(12)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('shuffle returns a permutation in a new array and leaves the input alone', () => {
    const s = new RandomStreams(9).stream('shuffle');
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = s.shuffle(input);
    expect(out).not.toBe(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort()).toEqual(input);
    // Over many shuffles every element visits the first position (Fisher–Yates is uniform).
    const firsts = new Set<number>();
    for (let i = 0; i < 400; i++) firsts.add(s.shuffle(input)[0]!);
    expect(firsts.size).toBe(8);
    const again = new RandomStreams(9).stream('shuffle');
    expect(again.shuffle(input)).toEqual(out);
  });
});
