/**
 * The sweep summary's statistics (src/sweep/stats.ts): pinned against published and numpy/R values,
 * deterministic for a key, and with about the coverage they claim.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { bootstrapMethod, bootstrapQuantiles, bootstrapWorkMax, normalQuantile, quantile, seededRandom, stepCdf, wilson } from '../../src/sweep/stats.js';

/** n exponential(1) draws from a stream: −ln(1 − U). */
const exponentials = (random: () => number, n: number) => Array.from({ length: n }, () => -Math.log(1 - random()));

/** A Binomial(n, p) draw as n Bernoulli trials. */
const binomial = (random: () => number, n: number, p: number) => Array.from({ length: n }, () => random() < p).filter(Boolean).length;

/** Each actual number equals its expected one to 10 decimals (numpy prints its own rounding). */
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 10);
}

describe('normalQuantile (Wichura AS 241)', () => {
  it('gives the familiar z values and matches R qnorm / Python NormalDist.inv_cdf to ~1e-15', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    // Reference: Python 3 statistics.NormalDist().inv_cdf(p) (also AS 241), printed with repr().
    const reference: Array<[number, number]> = [
      [0.975, 1.9599639845400536],
      [0.95, 1.6448536269514715],
      [0.995, 2.5758293035489],
      [0.9, 1.2815515655446008],
      [0.8, 0.8416212335729144],
      [0.075, -1.4395314709384557], // just outside the central region (|p − ½| > 0.425)
      [0.0001, -3.71901648545568], // the near tail, r ≤ 5
      [1e-12, -7.034483825301132], // the far tail, r > 5
      [1 - 1e-12, 7.0344869100478356],
    ];
    for (const [p, z] of reference) expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-14 * Math.max(1, Math.abs(z)));
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is antisymmetric, ±Infinity at the ends, and refuses p outside [0, 1]', () => {
    for (const p of [0.001, 0.02, 0.3, 0.45]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 12);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    for (const p of [-0.1, 1.1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe('wilson', () => {
  it('pins 0/10, 5/10 and 10/10 at 95 %, worked by hand', () => {
    // z = 1.959964, z² = 3.841459, z²/n = 0.3841459, 1 + z²/n = 1.3841459, z/(1 + z²/n) = 1.416017.
    // 5/10: centre (0.5 + 0.1920729)/1.3841459 = 0.5; half 1.416017·√(0.025 + 0.0096036) = 0.263407
    //       → [0.236593, 0.763407].
    // 0/10: centre 0.1920729/1.3841459 = 0.138767; half 1.416017·√0.0096036 = 0.138767 → [0, 0.277533].
    // 10/10: the mirror image → [0.722467, 1].
    const half = wilson(5, 10);
    expect(half).toMatchObject({ count: 5, n: 10, p: 0.5 });
    expect(half.low).toBeCloseTo(0.236593, 6);
    expect(half.high).toBeCloseTo(0.763407, 6);
    expect(wilson(0, 10)).toEqual({ count: 0, n: 10, p: 0, low: 0, high: expect.closeTo(0.277533, 6) });
    expect(wilson(10, 10)).toEqual({ count: 10, n: 10, p: 1, low: expect.closeTo(0.722467, 6), high: 1 });
  });

  it("pins Newcombe's (Stat. Med. 1998, Table I) published Wilson intervals", () => {
    // 81/263 by hand: p̂ = 0.307985, z²/n = 0.0146063; centre (0.307985 + 0.0073032)/1.0146063 = 0.310749;
    // half 1.931748·√(0.000810381 + 0.0000138843) = 0.055461 → [0.2553, 0.3662], as published.
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [count, n, low, high] of cases) {
      const interval = wilson(count, n);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
  });

  it('takes the confidence: 5/10 at 90 % and 99 % (z from AS 241, not a table)', () => {
    // Reference: the same formula with z = NormalDist().inv_cdf(0.95), inv_cdf(0.995) in Python.
    expect(wilson(5, 10, 0.9)).toMatchObject({ low: expect.closeTo(0.269272, 6), high: expect.closeTo(0.730728, 6) });
    expect(wilson(5, 10, 0.99)).toMatchObject({ low: expect.closeTo(0.184226, 6), high: expect.closeTo(0.815774, 6) });
    expect(wilson(3, 7)).toMatchObject({ low: expect.closeTo(0.15822, 5), high: expect.closeTo(0.749542, 6) });
  });

  it('has nulls for n = 0 and refuses impossible counts and confidences', () => {
    expect(wilson(0, 0)).toEqual({ count: 0, n: 0, p: null, low: null, high: null });
    for (const [count, n] of [[3, 2], [-1, 5], [1.5, 4], [0, Number.NaN]] as const) expect(() => wilson(count, n)).toThrow(RangeError);
    for (const c of [0, 1, 1.5, Number.NaN]) expect(() => wilson(1, 2, c)).toThrow(RangeError);
  });

  it('always lies in [0, 1] and contains p̂, narrower at lower confidence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const count = Math.floor(share * n);
        const at95 = wilson(count, n);
        const at90 = wilson(count, n, 0.9);
        expect(at95.low! >= 0 && at95.low! <= at95.p! && at95.p! <= at95.high! && at95.high! <= 1).toBe(true);
        expect(at90.low! >= at95.low! && at90.high! <= at95.high!).toBe(true);
      }),
    );
  });

  it('covers the true p in about 95 % of 2000 simulated Binomial(50, 0.3) draws', () => {
    // The exact coverage at n = 50, p = 0.3 is 0.9567 (Σ over the counts whose interval holds 0.3 of
    // their binomial probability); 2000 draws have a standard error of 0.005. With z = 1.645 (90 %)
    // it would be 0.912, outside the band.
    const random = seededRandom('test:wilson-coverage');
    let covered = 0;
    for (let i = 0; i < 2000; i++) {
      const { low, high } = wilson(binomial(random, 50, 0.3), 50);
      if (low! <= 0.3 && 0.3 <= high!) covered++;
    }
    expect(covered / 2000).toBeGreaterThanOrEqual(0.93);
    expect(covered / 2000).toBeLessThanOrEqual(0.97);
  });
});

describe('quantile (Hyndman–Fan type 7)', () => {
  it("matches numpy.quantile's default on small arrays", () => {
    // numpy 2.4: np.quantile([1, 2, 3, 4], [0, .25, .5, .75, 1]) → [1, 1.75, 2.5, 3.25, 4]
    expect([0, 0.25, 0.5, 0.75, 1].map((q) => quantile([1, 2, 3, 4], q))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    // np.quantile([15, 20, 35, 40, 50], [.05, .3, .4, .5, .99]) → [16, 23, 29, 35, 49.6]
    expectClose(
      [0.05, 0.3, 0.4, 0.5, 0.99].map((q) => quantile([15, 20, 35, 40, 50], q)),
      [16, 23, 29, 35, 49.6],
    );
    // np.quantile(sorted([3, 1, 4, 1, 5, 9, 2, 6]), [.1, .5, .9, .99]) → [1, 3.5, 6.9, 8.79]
    expectClose(
      [0.1, 0.5, 0.9, 0.99].map((q) => quantile([1, 1, 2, 3, 4, 5, 6, 9], q)),
      [1, 3.5, 6.9, 8.79],
    );
    expect([0, 0.5, 1].map((q) => quantile([7], q))).toEqual([7, 7, 7]);
  });

  it('refuses no values, q outside [0, 1], and values not ascending', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    for (const q of [-0.01, 1.01, Number.NaN]) expect(() => quantile([1, 2], q)).toThrow(RangeError);
    expect(() => quantile([2, 1], 0.5)).toThrow(RangeError);
    expect(() => quantile([1, Number.NaN, 3], 0.5)).toThrow(RangeError);
  });
});

describe('bootstrapQuantiles (percentile bootstrap)', () => {
  const delays = exponentials(seededRandom('test:delays'), 400).map((x) => Math.round(60_000 * x));
  const qs = [0.5, 0.9, 0.99];

  it('is deterministic for a key and differs between keys', () => {
    const once = bootstrapQuantiles(delays, qs, 500, 0.95, seededRandom('abc:point:0'));
    expect(bootstrapQuantiles(delays, qs, 500, 0.95, seededRandom('abc:point:0'))).toEqual(once);
    expect(bootstrapQuantiles(delays, qs, 500, 0.95, seededRandom('abc:point:1'))).not.toEqual(once);
  });

  it("gives the original data's type-7 quantile as the value, whatever the input order, inside its interval", () => {
    const sorted = [...delays].sort((a, b) => a - b);
    const estimates = bootstrapQuantiles(delays, qs, 1000, 0.95, seededRandom('abc:point:0'));
    estimates.forEach((estimate, j) => {
      expect(estimate.value).toBe(quantile(sorted, qs[j]!));
      expect(estimate.low).toBeLessThan(estimate.value);
      expect(estimate.value).toBeLessThan(estimate.high);
    });
    // Wider at 99 % than at 80 % for the same stream.
    const wide = bootstrapQuantiles(delays, [0.5], 1000, 0.99, seededRandom('k'))[0]!;
    const narrow = bootstrapQuantiles(delays, [0.5], 1000, 0.8, seededRandom('k'))[0]!;
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  it('contains the estimate for any data, both ways of drawing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 86_400_000 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom('resampling' as const, 'order-statistics' as const),
        fc.string(),
        (values, method, key) => {
          for (const e of bootstrapQuantiles(values, qs, 400, 0.95, seededRandom(key), method)) {
            expect(e.low <= e.value && e.value <= e.high).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('collapses to the value for one value or equal values, and refuses bad arguments', () => {
    expect(bootstrapQuantiles([42], [0.5, 0.99], 100, 0.95, seededRandom('one'))).toEqual([
      { value: 42, low: 42, high: 42 },
      { value: 42, low: 42, high: 42 },
    ]);
    expect(bootstrapQuantiles([5, 5, 5], [0.9], 100, 0.95, seededRandom('same'))).toEqual([{ value: 5, low: 5, high: 5 }]);
    expect(bootstrapQuantiles([1, 2], [], 100, 0.95, seededRandom('none'))).toEqual([]);
    const random = seededRandom('bad');
    expect(() => bootstrapQuantiles([], [0.5], 100, 0.95, random)).toThrow(RangeError);
    expect(() => bootstrapQuantiles([1, Number.NaN], [0.5], 100, 0.95, random)).toThrow(RangeError);
    expect(() => bootstrapQuantiles([1], [1.5], 100, 0.95, random)).toThrow(RangeError);
    expect(() => bootstrapQuantiles([1], [0.5], 0, 0.95, random)).toThrow(RangeError);
    expect(() => bootstrapQuantiles([1], [0.5], 2.5, 0.95, random)).toThrow(RangeError);
    expect(() => bootstrapQuantiles([1], [0.5], 100, 1, random)).toThrow(RangeError);
  });

  it('covers the true median of an exponential in about 95 % of 300 samples of 80', () => {
    // The percentile bootstrap of a median is close to nominal at n = 80 (it errs a little on the
    // low side for small n); a one-sided interval or a swapped tail would cover about half as often.
    const random = seededRandom('test:bootstrap-coverage');
    let covered = 0;
    for (let i = 0; i < 300; i++) {
      const [median] = bootstrapQuantiles(exponentials(random, 80), [0.5], 400, 0.95, random);
      if (median!.low <= Math.LN2 && Math.LN2 <= median!.high) covered++;
    }
    expect(covered / 300).toBeGreaterThanOrEqual(0.9);
    expect(covered / 300).toBeLessThanOrEqual(0.99);
  });

  it('draws the same distribution by resampling and by order statistics', () => {
    // 300 values, 20 000 resamples each way: the interval ends agree to a small share of their width
    // (the Monte Carlo error of a 2.5 % percentile of 20 000 draws is well under 5 % of it).
    const values = exponentials(seededRandom('test:compare'), 300);
    const cases = [0.1, 0.5, 0.9, 0.99];
    const by = (method: 'resampling' | 'order-statistics') => bootstrapQuantiles(values, cases, 20_000, 0.95, seededRandom(`test:${method}`), method);
    const resampled = by('resampling');
    const ordered = by('order-statistics');
    cases.forEach((_, j) => {
      const width = resampled[j]!.high - resampled[j]!.low;
      expect(ordered[j]!.value).toBe(resampled[j]!.value);
      expect(Math.abs(ordered[j]!.low - resampled[j]!.low)).toBeLessThan(0.1 * width);
      expect(Math.abs(ordered[j]!.high - resampled[j]!.high)).toBeLessThan(0.1 * width);
    });
  });

  it('on ten values, both ways give the exact bootstrap distribution of the minimum', () => {
    // A resample's minimum of 0..9 is ≤ j unless all ten draws exceed j: P = 1 − ((9 − j)/10)¹⁰, i.e.
    // 0.651, 0.893, 0.972, 0.994, 0.999 for j = 0..4. So its central 60 % interval is [0, 1], 90 % [0, 2],
    // 99 % [0, 4]; the median's (ranks 4 and 5) must agree between the two ways as well.
    const tens = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (const method of ['resampling', 'order-statistics'] as const) {
      const random = seededRandom(`test:tens:${method}`);
      const at = (confidence: number) => bootstrapQuantiles(tens, [0, 0.5], 200_000, confidence, random, method);
      expect(at(0.6).map(({ low, high }) => [low, high])).toEqual([[0, 1], [3.5, 5.5]]);
      expect(at(0.9).map(({ low, high }) => [low, high])).toEqual([[0, 2], [2, 7]]);
      expect(at(0.99).map(({ low, high }) => [low, high])).toEqual([[0, 4], [1, 8]]);
    }
  });

  it('takes the order-statistics shortcut above 2e7 draws, so 100 000 delays × 1000 resamples is quick', () => {
    expect(bootstrapWorkMax).toBe(2e7);
    expect(bootstrapMethod(20_000, 1000)).toBe('resampling');
    expect(bootstrapMethod(20_001, 1000)).toBe('order-statistics');
    expect(bootstrapMethod(100_000, 1000)).toBe('order-statistics');
    const many = exponentials(seededRandom('test:many'), 100_000);
    const [median] = bootstrapQuantiles(many, [0.5], 1000, 0.95, seededRandom('test:many:point:0'));
    // The median of 100 000 exponentials has a standard error of about 1/(2·½·√100 000) = 0.0032.
    expect(median!.high - median!.low).toBeGreaterThan(0.005);
    expect(median!.high - median!.low).toBeLessThan(0.02);
    expect(median!.low).toBeLessThan(median!.value);
    expect(median!.value).toBeLessThan(median!.high);
  }, 20_000);
});

describe('seededRandom', () => {
  it("is seedrandom's ARC4 seeded with the key: same key same stream, pinned", () => {
    const a = seededRandom('abc:point:0');
    const b = seededRandom('abc:point:0');
    const draws = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(draws);
    // A summary's intervals depend on these numbers: a change of generator changes every summary.
    expect(draws.slice(0, 3)).toEqual([0.8395452285231596, 0.5933269950953345, 0.003252383739353261]);
    const plain = seedrandom('abc:point:0');
    expect(Array.from({ length: 50 }, () => plain())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom('abc:point:1')()).not.toBe(draws[0]);
  });
});

describe('stepCdf', () => {
  it('has one step per distinct delay, y the share of all recipients delivered by then', () => {
    // 5 recipients, 4 delivered (two at 1 ms): steps at 1, 2 and 5.
    expect(stepCdf([1, 1, 2, 5], 5)).toEqual([
      [1, 0.4],
      [2, 0.6],
      [5, 0.8],
    ]);
    expect(stepCdf([], 3)).toEqual([]);
    expect(stepCdf([], 0)).toEqual([]);
  });

  it('past maxSteps keeps evenly spaced true steps, always the first and the last', () => {
    const delays = Array.from({ length: 1000 }, (_, i) => i * 10);
    const steps = stepCdf(delays, 1250);
    expect(steps).toHaveLength(200);
    expect(steps[0]).toEqual([0, 1 / 1250]);
    expect(steps.at(-1)).toEqual([9990, 1000 / 1250]);
    for (const [x, y] of steps) expect(y).toBe((x / 10 + 1) / 1250); // each one a step of the full CDF
    for (let i = 1; i < steps.length; i++) expect(steps[i]![0]).toBeGreaterThan(steps[i - 1]![0]);
    const gaps = steps.slice(1).map(([x], i) => (x - steps[i]![0]) / 10);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1); // evenly spaced, to rounding
    expect(stepCdf(delays, 1250)).toEqual(steps);
    expect(stepCdf(delays.slice(0, 200), 200)).toHaveLength(200); // exactly maxSteps: all kept
    expect(stepCdf(delays.slice(0, 201), 201)).toHaveLength(200);
    expect(stepCdf(delays, 1000, 2)).toEqual([
      [0, 0.001],
      [9990, 1],
    ]);
  });

  it('refuses delays not ascending, a total below their number, and fewer than 2 steps', () => {
    expect(() => stepCdf([2, 1], 2)).toThrow(RangeError);
    expect(() => stepCdf([1, 2], 1)).toThrow(RangeError);
    expect(() => stepCdf([1, 2], 2, 1)).toThrow(RangeError);
  });
});
