/**
 * Durations and sizes (docs/reference.md §1): a table of accepted and refused spellings, and properties —
 * format then parse gives the value back, and no input ever makes a parser throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/schema/units.js';

const ok = (value: number) => ({ ok: true, value });

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['5d', 432_000_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    ['0.5s', 500],
    ['0s', 0],
    [' 30s ', 30_000],
    ['250', 250],
    [250, 250],
    [0, 0],
  ] as const)('%j → %d ms', (input, value) => {
    expect(parseDuration(input)).toEqual(ok(value));
  });

  it.each([
    ['5 minutes', /not a duration.*did you mean 5m\?/],
    ['-3s', /cannot be negative/],
    [-3, /cannot be negative/],
    ['1.5.3h', /not a duration/],
    ['30m1h', /largest to the smallest/],
    ['1h1h', /appears twice/],
    ['5x', /unknown time unit "x"/],
    ['5min', /unknown time unit "min".*did you mean m\?/],
    ['1h 30m', /without spaces: 1h30m/],
    ['0.1ms', /whole number of milliseconds/],
    [1.5, /whole number of milliseconds/],
    ['', /empty string/],
    [true, /expected a duration/],
    [null, /expected a duration/],
    [Number.POSITIVE_INFINITY, /expected a duration/],
    ['99999999999999999d', /too large/],
  ] as const)('%j is refused with a helpful message', (input, message) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      // Every message says what a duration looks like, or names the precise mistake.
      expect(result.message.length).toBeGreaterThan(15);
    }
  });
});

describe('parseSize', () => {
  it.each([
    ['512', 512],
    [512, 512],
    ['10kB', 10_000],
    ['2MB', 2_000_000],
    ['1GB', 1_000_000_000],
    ['1KiB', 1024],
    ['4MiB', 4_194_304],
    ['1GiB', 1_073_741_824],
    ['1.5MB', 1_500_000],
    ['100B', 100],
  ] as const)('%j → %d bytes', (input, value) => {
    expect(parseSize(input)).toEqual(ok(value));
  });

  it.each([
    ['10 KB', /not a size.*without spaces.*kB or KiB/],
    ['10KB', /unknown size unit "KB".*kB or KiB/],
    ['10mb', /unknown size unit "mb".*MB/],
    ['-1kB', /cannot be negative/],
    ['1.5B', /whole number of bytes/],
    ['1MB2kB', /not a size/],
    ['ten', /not a size/],
    [{}, /expected a size/],
  ] as const)('%j is refused with a helpful message', (input, message) => {
    const result = parseSize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('format', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [5_400_000, '1h30m'],
    [93_784_005, '1d2h3m4s5ms'],
  ])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [0, '0'],
    [512, '512'],
    [2048, '2KiB'],
    [2_000_000, '2MB'],
    [1500, '1500'],
  ])('formatSize(%d) = %s', (bytes, text) => expect(formatSize(bytes)).toBe(text));
});

describe('properties', () => {
  it('format then parse gives the duration back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toEqual(ok(ms));
      }),
    );
  });

  it('format then parse gives the size back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 1 << 20 }).map((n) => n * 1024)), (bytes) => {
        expect(parseSize(formatSize(bytes))).toEqual(ok(bytes));
      }),
    );
  });

  it('never throws on garbage, and a refusal always has a message', () => {
    const garbage = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[0-9.\- a-zA-Z]{0,12}$/),
      fc.double(),
      fc.anything(),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        for (const parse of [parseDuration, parseSize]) {
          const result = parse(input);
          if (result.ok) expect(Number.isSafeInteger(result.value) && result.value >= 0).toBe(true);
          else expect(result.message).toMatch(/\S/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
