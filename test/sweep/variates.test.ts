/** The bootstrap shortcut's variates (src/sweep/variates.ts): their moments, and the bounded gamma loop. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sweep/stats.js';
import { beta, gamma, gammaTriesMax, standardNormal } from '../../src/sweep/variates.js';

/** Mean and variance of n draws. */
function moments(draw: () => number, n: number): { mean: number; variance: number } {
  const xs = Array.from({ length: n }, draw);
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  return { mean, variance: xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) };
}

describe('variates', () => {
  it('standard normal: mean 0, variance 1', () => {
    const random = seededRandom('test:normal');
    const { mean, variance } = moments(() => standardNormal(random), 20_000);
    expect(Math.abs(mean)).toBeLessThan(0.03); // standard error 0.007
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('gamma(a): mean a and variance a, for small and large shapes', () => {
    const random = seededRandom('test:gamma');
    for (const shape of [1, 2.5, 40, 90_000]) {
      const { mean, variance } = moments(() => gamma(shape, random), 20_000);
      expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / 20_000));
      expect(Math.abs(variance / shape - 1)).toBeLessThan(0.06);
    }
  });

  it('beta(a, b): mean a/(a + b) and variance ab/((a + b)²(a + b + 1))', () => {
    const random = seededRandom('test:beta');
    for (const [a, b] of [
      [1, 1],
      [2, 5],
      [500, 4500],
    ] as const) {
      const { mean, variance } = moments(() => beta(a, b, random), 20_000);
      const expectedVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - a / (a + b))).toBeLessThan(5 * Math.sqrt(expectedVariance / 20_000));
      expect(Math.abs(variance / expectedVariance - 1)).toBeLessThan(0.06);
    }
  });

  it('refuses shapes below 1, and gives up on a source that never accepts', () => {
    expect(() => gamma(0.5, seededRandom('x'))).toThrow(RangeError);
    expect(() => gamma(Number.NaN, seededRandom('x'))).toThrow(RangeError);
    // A source that makes every Box–Muller x about −7.4 (u1 = 1e-12, cos π = −1): for shape 1,
    // c = 1/√6 and 1 + cx < 0, so every try is rejected before its u is drawn — two calls a try.
    let calls = 0;
    const stuck = () => {
      calls++;
      return calls % 2 === 1 ? 0.999_999_999_999 : 0.5;
    };
    expect(() => gamma(1, stuck)).toThrow(/no draw accepted/);
    expect(calls).toBe(2 * gammaTriesMax);
  });
});
