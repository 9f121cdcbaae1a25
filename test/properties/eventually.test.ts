/**
 * Eventually (liveness, docs/delivery.md R8; a heal phase as TigerBeetle's VOPR has): once every fault
 * is undone, every queued message is delivered (or bounced) within one maximal backoff plus a scan
 * (plus the attempts' own connect timeouts).
 */
import { describe, it } from 'vitest';
import { eventuallyDelivered } from './checks.js';
import { assertProperty, propertyTimeoutMs, runs } from './harness.js';
import { healedAtMs, healingWorld } from './worlds.js';

describe('property: eventually (R8, liveness after healing)', () => {
  it('after the heal phase nothing is left in any queue', () => {
    assertProperty('eventually', healingWorld(), eventuallyDelivered(healedAtMs), { numRuns: runs(50) });
  }, propertyTimeoutMs);
});
