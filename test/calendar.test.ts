import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAsctime,
  formatImapDateTime,
  formatIsoDateTime,
  formatRfc5322Date,
  parseImapDate,
  parseImapDateTime,
  SIM_EPOCH_MS,
  toCivil,
} from '../src/sim/calendar.js';

describe('calendar without the global Date', () => {
  it('maps t = 0 to 2026-01-01, a Thursday', () => {
    expect(formatRfc5322Date(SIM_EPOCH_MS)).toBe('Thu, 01 Jan 2026 00:00:00 +0000');
    expect(formatImapDateTime(SIM_EPOCH_MS + 3_723_000)).toBe(' 1-Jan-2026 01:02:03 +0000');
    expect(formatAsctime(SIM_EPOCH_MS)).toBe('Thu Jan  1 00:00:00 2026');
  });

  it('agrees with the platform calendar for any instant from 1900 to 2400', () => {
    // The test (not the simulation) may use Date as an oracle.
    fc.assert(
      fc.property(fc.integer({ min: -2_208_988_800_000, max: 13_569_465_600_000 }), (ms) => {
        const d = new Date(ms);
        const c = toCivil(ms);
        expect([c.year, c.month, c.day, c.hour, c.minute, c.second, c.weekday]).toEqual([
          d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCDay(),
        ]);
        expect(formatRfc5322Date(ms)).toBe(d.toUTCString().replace('GMT', '+0000'));
      }),
    );
  });

  it('parses IMAP dates and date-times, rejecting malformed ones', () => {
    expect(parseImapDate('1-Feb-1994')).toBe(Date.UTC(1994, 1, 1));
    expect(parseImapDateTime('17-Jul-1996 02:44:25 -0700')).toBe(Date.UTC(1996, 6, 17, 9, 44, 25));
    expect(parseImapDateTime(formatImapDateTime(SIM_EPOCH_MS + 5000))).toBe(SIM_EPOCH_MS + 5000);
    expect(parseImapDate('1-Foo-1994')).toBeNull();
    expect(parseImapDate('1994-02-01')).toBeNull();
    expect(parseImapDateTime('17-Jul-1996 02:44:25')).toBeNull();
  });
});

describe('formatIsoDateTime', () => {
  it('is Date.prototype.toISOString, without Date (the HTTP API formats stored times with it)', () => {
    expect(formatIsoDateTime(SIM_EPOCH_MS)).toBe('2026-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(formatIsoDateTime(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });
});
