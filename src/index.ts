/**
 * The library API of mailsim (docs/reference.md §11):
 *
 *   import { loadScenario, runScenario } from 'mailsim';
 *   const report = await runScenario(loadScenario('scenarios/x.yaml'), { seed: 3 });
 *
 * `runScenario` also accepts a plain object of the YAML's shape and returns the report of §9.
 */
import { wallClockMs } from './cli/wall-clock.js';
import type { Report } from './report/types.js';
import { type RunOptions, runScenarioWorld } from './runner/run.js';
import type { Scenario } from './scenario/schema-types.js';

export { VERSION } from './schema/version.js';
export { loadScenario, parseScenarioText, validateScenarioObject, isScenario, analyseScenarioFile } from './scenario/load.js';
export { ScenarioError, isScenarioError, formatProblem } from './scenario/errors.js';
export { checkScenarioFiles } from './scenario/check.js';
export { runScenarioWorld, type RunOptions, type ScenarioRun } from './runner/run.js';
export { renderMarkdown } from './report/markdown.js';
export { renderHtml } from './report/html.js';
export { writeReports } from './report/write.js';
export { World, type WorldOptions } from './nodes/world.js';
export type * from './scenario/schema-types.js';
export type * from './report/types.js';

/** Runs one scenario (loaded, or a plain object of the YAML's shape) and returns its report (§9). */
export async function runScenario(scenario: Scenario | unknown, options: Omit<RunOptions, 'wallClockMs'> = {}): Promise<Report> {
  return runScenarioWorld(scenario, { ...options, wallClockMs }).report;
}
