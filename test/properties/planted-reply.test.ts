/**
 * Planted bug for No loss (R1): a server that answers 250 to the final dot WITHOUT committing the
 * message. The `reply` fault with code 250 at `dot` models exactly that (docs/reference.md §6: a scripted
 * reply to the dot is sent without committing). The property must catch it and shrink the schedule
 * to that one fault.
 */
import { describe, expect, it } from 'vitest';
import { worldWithFaults } from '../../src/testing/arbitraries/world-faults.js';
import { noLoss } from './checks.js';
import { caughtAndShrunk } from './harness.js';

describe('planted bug: 250 before committing (R1) is caught by no-loss', () => {
  it('is caught and shrunk to one reply fault', () => {
    const arbitrary = worldWithFaults({ untilMs: 86_400_000 }, { kinds: ['reply', 'down', 'latency'], replyCodes: [250], stages: ['dot'], horizonMs: 3_600_000 });
    const failure = caughtAndShrunk('planted-250-before-commit', arbitrary, noLoss, { faultsMax: 1 });
    const faults = failure.world.scenario.faults as Array<Record<string, unknown>>;
    expect(faults).toHaveLength(1);
    expect(faults[0]!.reply).toMatchObject({ on: 'dot', code: 250 });
    expect(failure.violations.join('\n')).toMatch(/lost/);
  });
});
