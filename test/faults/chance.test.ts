/**
 * A fault's `chance` (docs/reference.md §6): the fault happens in a run with probability p — one draw
 * from the fault's own stream, so it shifts no other draw: a scenario without `chance` keeps its
 * digest, and over many seeds about p of the runs have the fault.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runner/run.js';

const root = join(import.meta.dirname, '..', '..');
const backupMx = parse(readFileSync(join(root, 'scenarios', 'backup-mx.yaml'), 'utf8')) as { faults: Array<Record<string, unknown>>; expect: unknown[] };

/** backup-mx with its primary down for 2 h with this chance (and a fault's-chance-free copy). */
function withChance(chance: number | undefined) {
  const faults = [{ ...backupMx.faults[0], ...(chance === undefined ? {} : { chance }) }];
  return { ...backupMx, faults, expect: [] };
}

describe('a fault with chance', () => {
  it('chance 1 is the fault as it was: same digest; chance 0 never happens and is reported skipped', async () => {
    const plain = await runScenario(withChance(undefined), { seed: 3 });
    const always = await runScenario(withChance(1), { seed: 3 });
    expect(always.traceDigest).toBe(plain.traceDigest);
    expect(always.faults[0]).toMatchObject({ description: expect.stringMatching(/chance 1: happened/) });
    expect(always.faults[0]!.skipped).toBeUndefined();
    const never = await runScenario(withChance(0), { seed: 3 });
    expect(never.faults[0]).toMatchObject({ skipped: true, description: expect.stringMatching(/did not happen in this run/) });
    // With mx1 up, the mail goes straight to it: no attempt at the backup.
    expect(never.messages[0]!.recipients[0]!.hops).toEqual(['smtp.sender.net', 'mx1.example.org']);
    expect(plain.messages[0]!.recipients[0]!.hops).toContain('mx2.example.org');
  });

  it('happens in about p of the runs, the same runs for the same seeds', async () => {
    const happened = async () => {
      const out: boolean[] = [];
      for (let seed = 1; seed <= 200; seed++) out.push((await runScenario(withChance(0.3), { seed })).faults[0]!.skipped !== true);
      return out;
    };
    const first = await happened();
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    expect(await happened()).toEqual(first);
  }, 60_000);
});
