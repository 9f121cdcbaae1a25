/**
 * The error of a bad sweep file or a bad sweep command (docs/research.md §8): every problem as
 * `file:line:column: key path: message`, the same form as a scenario's (src/scenario/errors.ts). The CLI
 * prints `format()` and exits 2; never a stack trace.
 */
import { formatProblem, sortProblems } from '../scenario/errors.js';
import type { ScenarioProblem } from '../scenario/schema-types.js';

export class SweepError extends Error {
  readonly file: string;
  readonly problems: readonly ScenarioProblem[];

  constructor(file: string, problems: readonly ScenarioProblem[]) {
    const sorted = sortProblems([...problems]);
    super(`${file}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the sweep\n${sorted.map(formatProblem).join('\n')}`);
    this.name = 'SweepError';
    this.file = file;
    this.problems = sorted;
  }

  format(): string[] {
    return this.problems.map(formatProblem);
  }
}

/** A sweep command's input error with no file position (a bad --shard, mismatched shards to merge). */
export class SweepUsageError extends Error {
  override name = 'SweepUsageError';
}
