/** `mailsim check FILE...` (docs/reference.md §10): validates scenario files; exit 0 when all are valid, 2 otherwise. */
import { checkExitCode, checkScenarioFiles, formatCheckFileResult } from '../scenario/check.js';

export function checkCommand(files: readonly string[]): number {
  const result = checkScenarioFiles(files);
  for (const file of result.results) {
    const lines = formatCheckFileResult(file);
    const stream = file.errors.length > 0 ? process.stderr : process.stdout;
    for (const line of lines) stream.write(`${line}\n`);
  }
  return checkExitCode(result);
}
