/**
 * The trace digests of the example scenarios, the loader fixtures and the benchmark worlds are pinned
 * (test/fixtures/digests.txt): a refactoring or a speed-up must not change what the simulator does,
 * and this is the test that says so. A change that alters behaviour on purpose says why in its commit
 * and re-pins: `npx tsx bench/digests.ts > test/fixtures/digests.txt`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestLines } from '../bench/digests.js';

describe('pinned trace digests', () => {
  it('every fixed scenario gives its pinned digest (and keepTrace does not change it)', () => {
    const pinned = readFileSync(new URL('./fixtures/digests.txt', import.meta.url), 'utf8').trimEnd().split('\n');
    expect(digestLines()).toEqual(pinned);
  }, 120_000);
});
