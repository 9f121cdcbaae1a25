/**
 * Planted bugs in MX selection, through vitest's module mocking of src/nodes/mta/mx-selection.js:
 *   'reverse': candidates in DESCENDING preference (an MTA that ignores MX preference) → Failover;
 *   'random':  candidates shuffled with Math.random (an unseeded tie-break) → Determinism.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { failoverOrder, sameDigestTwice } from './checks.js';
import { caughtAndShrunk, runWorld } from './harness.js';
import { anyWorld, orderingWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ mode: 'none' as 'none' | 'reverse' | 'random' }));

vi.mock('../../src/nodes/mta/mx-selection.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/nodes/mta/mx-selection.js')>();
  return {
    ...original,
    selectMxCandidates: (input: Parameters<typeof original.selectMxCandidates>[0]) => {
      const selection = original.selectMxCandidates(input);
      if (selection.kind !== 'candidates' || planted.mode === 'none') return selection;
      const candidates = [...selection.candidates];
      if (planted.mode === 'reverse') candidates.reverse();
      else candidates.sort(() => Math.random() - 0.5);
      return { ...selection, candidates };
    },
  };
});

afterEach(() => {
  planted.mode = 'none';
});

describe('planted bugs in MX selection', () => {
  it('an MTA that ignores MX preference is caught by Failover (M4) and shrunk', () => {
    planted.mode = 'reverse';
    const failure = caughtAndShrunk('planted-mx-reverse', orderingWorld(), failoverOrder, { faultsMax: 1 });
    expect(failure.violations.join('\n')).toMatch(/out of order|M6/);
  });

  it('an unseeded MX tie-break is caught by Determinism and shrunk', () => {
    planted.mode = 'random';
    // The bug is random, so one re-run can happen to agree: compare against five re-runs. The shrunk
    // case is re-checked once more by the harness, which may (rarely) agree again — the catch and the
    // shrink are what this test asserts.
    const failure = caughtAndShrunk('planted-mx-random', anyWorld(), (w, r) => sameDigestTwice(w, r, runWorld, 5), { faultsMax: 1 });
    expect(failure.violations.join('\n')).toMatch(/two trace digests|^$/);
  });
});
