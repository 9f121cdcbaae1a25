/**
 * The core of `mailsim check FILE...` (docs/reference.md §10): validates scenario files without running
 * them. The CLI prints each result's problems (`ScenarioError`'s line format) and exits 0 when every
 * file is valid, 2 when any has an error (docs/reference.md §10 "bad input"). Warnings never fail a check.
 */
import { formatProblem } from './errors.js';
import { analyseScenarioFile } from './load.js';
import type { ScenarioProblem } from './schema-types.js';

export interface CheckFileResult {
  file: string;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
}

export interface CheckResult {
  ok: boolean;
  results: CheckFileResult[];
}

/** Validates each file in order; never throws. */
export function checkScenarioFiles(paths: readonly string[]): CheckResult {
  const results = paths.map((path): CheckFileResult => {
    const analysis = analyseScenarioFile(path);
    return { file: path, errors: analysis.errors, warnings: analysis.warnings };
  });
  return { ok: results.every((r) => r.errors.length === 0), results };
}

/** Exit status for `mailsim check`: 0 every file valid, 2 any error. */
export function checkExitCode(result: CheckResult): 0 | 2 {
  return result.ok ? 0 : 2;
}

/** The lines `mailsim check` prints for one file: its problems, or `file: ok`. */
export function formatCheckFileResult(result: CheckFileResult): string[] {
  const lines = [...result.errors, ...result.warnings].map(formatProblem);
  if (result.errors.length === 0) lines.push(`${result.file}: ok${result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'})` : ''}`);
  return lines;
}
