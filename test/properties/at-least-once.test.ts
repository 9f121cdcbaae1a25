/**
 * At-least-once (docs/delivery.md E3, RFC 1047): a recipient gets a message twice only if a connection
 * broke after the final dot was sent (a `dropped` attempt, or a drop after dot at submission) or a
 * host holding it crashed before recording the result.
 */
import { describe, it } from 'vitest';
import { atLeastOnce } from './checks.js';
import { assertProperty, propertyTimeoutMs, runs } from './harness.js';
import { anyWorld } from './worlds.js';

describe('property: at-least-once (E3)', () => {
  it('duplicates only come from a lost line after the dot or a crash', () => {
    assertProperty('at-least-once', anyWorld(), atLeastOnce, { numRuns: runs(60) });
  }, propertyTimeoutMs);
});
