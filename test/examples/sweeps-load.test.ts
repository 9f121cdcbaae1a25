/**
 * Every sweep file under examples/ loads: its scenario resolves, every pointer names a settable place
 * and every value passes the scenario schema (docs/research.md §2) — so an example cannot rot silently
 * when the scenario format changes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/sweep/load.js';

const examples = join(import.meta.dirname, '..', '..', 'examples');
const sweepFiles = readdirSync(examples, { recursive: true })
  .map(String)
  .filter((f) => /(^|\/)(sweep|primary-down)\.yaml$/.test(f) && !f.startsWith('kubernetes/'));

describe('the example sweeps', () => {
  it('are found', () => {
    expect(sweepFiles.sort()).toEqual(['backup-mx-value/sweep.yaml', 'greylisting/sweep.yaml', 'research/primary-down.yaml']);
  });

  it.each(sweepFiles)('%s loads, every point valid', (file) => {
    const sweep = loadSweep(join(examples, file));
    expect(sweep.points).toBeGreaterThan(1);
  });
});
