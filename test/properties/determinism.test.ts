/**
 * Determinism (docs/architecture.md rules 1–4): every generated world, run twice with its seed, gives the
 * same traceDigest.
 */
import { describe, it } from 'vitest';
import { sameDigestTwice } from './checks.js';
import { assertProperty, propertyTimeoutMs, runWorld, runs } from './harness.js';
import { anyWorld } from './worlds.js';

describe('property: determinism (traceDigest)', () => {
  it('same world, same seed ⇒ same trace digest', () => {
    assertProperty('determinism', anyWorld(), (w, r) => sameDigestTwice(w, r, runWorld), { numRuns: runs(40) });
  }, propertyTimeoutMs);
});
