/**
 * No loss (docs/reference.md §8 no-loss; docs/delivery.md R1, D2, E3): under every world and fault schedule —
 * crashes included — every recipient accepted with a 2xx ends delivered, bounced, still queued, or
 * discarded with a reason, and the log's landings are all in the mailboxes.
 */
import { describe, it } from 'vitest';
import { noLoss } from './checks.js';
import { assertProperty, propertyTimeoutMs, runs } from './harness.js';
import { anyWorld } from './worlds.js';

describe('property: no loss (§8, R1, D2, E3)', () => {
  it('nothing accepted with a 2xx vanishes, whatever the faults', () => {
    assertProperty('no-loss', anyWorld(), noLoss, { numRuns: runs(60) });
  }, propertyTimeoutMs);
});
