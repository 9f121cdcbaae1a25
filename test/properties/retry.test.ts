/**
 * Retry (docs/delivery.md R2, R7, R8): when every failure is temporary, a recipient is never bounced
 * before its lifetime, and each retry comes on the Postfix schedule, on Postfix's whole-second clock —
 * eligible at e = ⌊end⌋ + clamp(⌊end⌋ − ⌊arrival⌋, min, max), taken by the first scan at S with
 * e ≤ ⌊S⌋ + 1 s, never later than one queue scan after that (checks.ts, retrySchedule).
 */
import { describe, it } from 'vitest';
import { eximRetrySchedule, retrySchedule } from './checks.js';
import { assertProperty, propertyTimeoutMs, runs } from './harness.js';
import { eximTemporaryWorld, temporaryWorld } from './worlds.js';

describe('property: retry (R2, R7, R8)', () => {
  it('temporary failures are retried on schedule and bounced only after the lifetime', () => {
    assertProperty('retry', temporaryWorld(), retrySchedule, { numRuns: runs(60) });
  }, propertyTimeoutMs);

  it('under schedule: exim, retries follow the rule and only a failure past the final cutoff expires (R9)', () => {
    assertProperty('retry-exim', eximTemporaryWorld(), eximRetrySchedule, { numRuns: runs(60) });
  }, propertyTimeoutMs);
});
