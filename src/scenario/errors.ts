/**
 * Problems found in a scenario, and the error that carries all of them at once.
 *
 * A problem names the file, the 1-based line and column, the key path (`hosts.mx1.example.org.roles[1]`
 * — map keys joined by dots as written, list indexes in brackets) and what was expected. The CLI prints
 * `ScenarioError.format()`, never a stack trace (docs/reference.md §10).
 */
import type { ScenarioProblem } from './schema-types.js';

export type { ScenarioProblem } from './schema-types.js';

/** Renders a key path: `['hosts', 'mx1.example.org', 'roles', 1]` → `hosts.mx1.example.org.roles[1]`. */
export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** One line: `file:line:col: path: message` (parts that are unknown are left out). */
export function formatProblem(problem: ScenarioProblem): string {
  let where = problem.file;
  if (problem.line !== null) where += `:${problem.line}`;
  if (problem.line !== null && problem.column !== null) where += `:${problem.column}`;
  const label = problem.severity === 'warning' ? 'warning: ' : '';
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${where}: ${label}${path}${problem.message}`;
}

/** Orders problems by file position (then path), so the output reads top to bottom. */
export function sortProblems(problems: ScenarioProblem[]): ScenarioProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/** Thrown by the loader when a scenario has at least one error; carries every problem found. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly errors: readonly ScenarioProblem[];
  readonly warnings: readonly ScenarioProblem[];

  constructor(file: string, errors: ScenarioProblem[], warnings: ScenarioProblem[] = []) {
    const sorted = sortProblems(errors);
    super(`${file}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the scenario\n${sorted.map(formatProblem).join('\n')}`);
    this.name = 'ScenarioError';
    this.file = file;
    this.errors = sorted;
    this.warnings = sortProblems(warnings);
  }

  /** The human message, one line per problem (errors, then warnings). */
  format(): string[] {
    return [...this.errors, ...this.warnings].map(formatProblem);
  }
}

export function isScenarioError(value: unknown): value is ScenarioError {
  return value instanceof ScenarioError;
}
