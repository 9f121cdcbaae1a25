/**
 * Bounce (docs/delivery.md R5, M8, D1, D2, D5, D7, §4): a 5xx to RCPT (or MAIL, DATA, the dot) or a null
 * MX bounces the recipient once, at the end of that attempt, with a null-sender DSN to the original
 * sender whose Status matches the reply; a DSN is never bounced; a mail loop ends with 5.4.6 within
 * the hop limit.
 */
import { describe, it } from 'vitest';
import { bounceOnce } from './checks.js';
import { assertProperty, propertyTimeoutMs, runs } from './harness.js';
import { bounceWorld } from './worlds.js';

describe('property: bounce (R5, M8, D1, D2, D5, D7, §4)', () => {
  it('permanent failures bounce once, promptly, with a DSN that matches the reply', () => {
    assertProperty('bounce', bounceWorld(), bounceOnce, { numRuns: runs(60) });
  }, propertyTimeoutMs);
});
