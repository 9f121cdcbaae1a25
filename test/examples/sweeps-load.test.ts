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
/** The files under `dir`, as paths relative to it; an example project's node_modules is not walked
 * (examples/vitest links mailsim itself there: a cycle). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = `${prefix}${entry.name}`;
    return entry.isDirectory() ? filesUnder(join(dir, entry.name), `${path}/`) : [path];
  });
}

const sweepFiles = filesUnder(examples).filter((f) => /(^|\/)(sweep|primary-down)\.yaml$/.test(f) && !f.startsWith('kubernetes/'));

describe('the example sweeps', () => {
  it('are found', () => {
    expect(sweepFiles.sort()).toEqual(['backup-mx-value/sweep.yaml', 'greylisting/sweep.yaml', 'research/primary-down.yaml']);
  });

  it.each(sweepFiles)('%s loads, every point valid', (file) => {
    const sweep = loadSweep(join(examples, file));
    expect(sweep.points).toBeGreaterThan(1);
  });
});
