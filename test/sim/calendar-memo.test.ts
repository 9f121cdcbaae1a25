/**
 * `rfc5322DateOf` (src/sim/calendar.ts) formats the date once per whole second and hands the same text
 * to every later caller in that second. It must equal `formatRfc5322Date` for any sequence of times —
 * repeated, out of order, straddling second, minute and day boundaries, before and after the epoch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc5322Date, rfc5322DateOf, SIM_EPOCH_MS } from '../../src/sim/calendar.js';

/** Times near each other (the memo's case) and far apart, around second and day edges. */
const time = fc.oneof(
  fc.integer({ min: SIM_EPOCH_MS - 2_000, max: SIM_EPOCH_MS + 2_000 }),
  fc.integer({ min: SIM_EPOCH_MS + 86_400_000 - 1_500, max: SIM_EPOCH_MS + 86_400_000 + 1_500 }),
  fc.integer({ min: 0, max: 4 * 10 ** 12 }),
  fc.integer({ min: -(10 ** 12), max: 0 }),
);

describe('rfc5322DateOf', () => {
  it('equals formatRfc5322Date for every time, in any order of times', () => {
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 30 }), (times) => {
        for (const unixMs of times) expect(rfc5322DateOf(unixMs)).toBe(formatRfc5322Date(unixMs));
      }),
    );
  });

  it('tells apart times one second apart and gives one text within a second', () => {
    expect(rfc5322DateOf(SIM_EPOCH_MS + 999)).toBe('Thu, 01 Jan 2026 00:00:00 +0000');
    expect(rfc5322DateOf(SIM_EPOCH_MS + 1_000)).toBe('Thu, 01 Jan 2026 00:00:01 +0000');
    expect(rfc5322DateOf(SIM_EPOCH_MS + 1_999)).toBe('Thu, 01 Jan 2026 00:00:01 +0000');
    expect(rfc5322DateOf(SIM_EPOCH_MS - 1)).toBe('Wed, 31 Dec 2025 23:59:59 +0000');
  });
});
