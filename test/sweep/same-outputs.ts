/**
 * Shared by the tests that run a sweep the way a cluster does (test/slurm, test/kubernetes): the
 * merged folder must hold exactly the files of a one-machine `mailsim sweep`, byte for byte
 * (docs/research.md §6).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

/** Every file below `dir`, as paths relative to it, sorted. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** `actual` holds the same files as the one-machine sweep in `expected`, each with the same bytes. */
export function expectSameOutputs(actual: string, expected: string): void {
  const files = filesBelow(expected);
  expect(files).toContain('summary.json');
  expect(filesBelow(actual)).toEqual(files);
  for (const file of files) expect(readFileSync(join(actual, file)).equals(readFileSync(join(expected, file))), `${file} differs`).toBe(true);
}

/** Variables that make a sweep a shard: cleared for a one-machine sweep run from inside such a job. */
export const noShardVariables = { SLURM_ARRAY_TASK_ID: undefined, SLURM_ARRAY_TASK_COUNT: undefined, JOB_COMPLETION_INDEX: undefined, AWS_BATCH_JOB_ARRAY_INDEX: undefined };
