/**
 * Running one scenario for a test: validate it (a located ScenarioError if it is broken), run it with
 * the trace kept, and hand back a `MailRun` for the checks and matchers. A path is read as a scenario
 * file; its plain YAML object is kept as `source` so arbitraries can add faults or traffic to it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runScenarioWorld } from '../runner/run.js';
import { loadScenario, validateScenarioObject } from '../scenario/load.js';
import type { MailRun, ScenarioObject } from './types.js';

export interface RunMailOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** The name used in validation messages for an object (default `<scenario>`). */
  sourceName?: string;
}

/** Reads a scenario file as its plain object, after checking it validates (located errors otherwise). */
export function scenarioObjectOf(path: string): ScenarioObject {
  loadScenario(path);
  return parse(readFileSync(path, 'utf8')) as ScenarioObject;
}

/** Runs a scenario object (or a scenario file) with its trace kept. */
export function runMail(input: ScenarioObject | string, options: RunMailOptions = {}): MailRun {
  const source = typeof input === 'string' ? scenarioObjectOf(input) : input;
  const scenario = validateScenarioObject(source, typeof input === 'string' ? input : (options.sourceName ?? '<scenario>'));
  const { report, world } = runScenarioWorld(scenario, { keepTrace: true, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  return { source, scenario, report, trace: world.sim.trace.events, world };
}
