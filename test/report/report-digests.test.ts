/**
 * The report JSON (docs/reference.md §9) of every fixed scenario is pinned byte for byte, as its sha256
 * (test/fixtures/report-digests.txt; bench/report-digests.ts): the records the report is built from
 * are kept in a compact form for memory (issue 21, src/mail/records.ts), and the report must not
 * change for it. Re-pin only in a commit that says why the report changed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportDigestLines } from '../../bench/report-digests.js';

describe('pinned report digests', () => {
  it('every fixed scenario gives its pinned report JSON', () => {
    const pinned = readFileSync(new URL('../fixtures/report-digests.txt', import.meta.url), 'utf8').trimEnd().split('\n');
    expect(reportDigestLines()).toEqual(pinned);
  }, 120_000);
});
