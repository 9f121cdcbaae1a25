/**
 * `--resume` (docs/research.md §3): finds how far a shard's output got and cuts what a crash left half
 * written. The runs of a shard are written in order, so what is done is a prefix of its sequence: the
 * longest prefix of `runs.jsonl` that matches the sequence. `recipients.jsonl` is then cut after the
 * last row of the last done run (rows of a run whose run row never made it are dropped: it runs again).
 */
import { truncateSync } from 'node:fs';
import { readJsonLines } from './jsonl.js';

/** Cuts both files to the runs done and returns how many of the sequence are done. */
export async function resumePoint(runsPath: string, recipientsPath: string, sequence: Iterable<number>): Promise<number> {
  const expected = sequence[Symbol.iterator]();
  let done = 0;
  let runsEnd = 0;
  let lastRun = -1;
  for await (const line of readJsonLines<{ run: number }>(runsPath)) {
    const want = expected.next();
    if (want.done || line.value.run !== want.value) break;
    done++;
    runsEnd = line.end;
    lastRun = line.value.run;
  }
  truncateIfExists(runsPath, runsEnd);
  let recipientsEnd = 0;
  for await (const line of readJsonLines<{ run: number }>(recipientsPath)) {
    if (line.value.run > lastRun) break;
    recipientsEnd = line.end;
  }
  truncateIfExists(recipientsPath, recipientsEnd);
  return done;
}

function truncateIfExists(path: string, length: number): void {
  try {
    truncateSync(path, length);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
}
