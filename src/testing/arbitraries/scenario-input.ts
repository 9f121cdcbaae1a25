/**
 * What an arbitrary of mailsim/testing is drawn over: a scenario object, a scenario file, or another
 * arbitrary of scenario objects (so `faultSchedule(traffic('x.yaml'))` composes). A file or an object
 * is validated when the arbitrary is made — a broken scenario throws the loader's located
 * ScenarioError before any run — and then drawn over directly; a drawn scenario is validated as it
 * is drawn, and the arbitrary built over it is chained (fast-check shrinks the base, then the part
 * drawn over it).
 */
import type fc from 'fast-check';
import { validateScenarioObject } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/schema-types.js';
import { scenarioObjectOf } from '../run.js';
import type { ScenarioObject } from '../types.js';

/** A scenario object, the path of a scenario file, or an arbitrary drawing scenario objects. */
export type ScenarioInput = ScenarioObject | string | fc.Arbitrary<ScenarioObject>;

/** A scenario as written and as validated. */
export interface BaseScenario {
  source: ScenarioObject;
  scenario: Scenario;
}

/** The name drawn scenarios carry in validation messages. */
const drawnSourceName = '<drawn scenario>';

/** True for a fast-check arbitrary (by shape: the user's fast-check may be another copy than ours). */
export function isArbitrary(value: unknown): value is fc.Arbitrary<ScenarioObject> {
  const candidate = value as { generate?: unknown; shrink?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.generate === 'function' && typeof candidate.shrink === 'function';
}

/** A file or object, read and validated now (a ScenarioError, located, when it is broken). */
export function baseScenarioOf(input: ScenarioObject | string, what: string): BaseScenario {
  if (typeof input === 'string') {
    const source = scenarioObjectOf(input);
    return { source, scenario: validateScenarioObject(source, input) };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${what}: expected a scenario object, a scenario file's path or an arbitrary of scenarios; got ${input === null ? 'null' : typeof input}`);
  }
  return { source: input, scenario: validateScenarioObject(input, '<scenario>') };
}

/** Draws over the input: `over(base)` is the arbitrary for one scenario; a drawn input is chained. */
export function overScenario(input: ScenarioInput, what: string, over: (base: BaseScenario) => fc.Arbitrary<ScenarioObject>): fc.Arbitrary<ScenarioObject> {
  if (!isArbitrary(input)) return over(baseScenarioOf(input, what));
  return input.chain((source) => over({ source, scenario: validateScenarioObject(source, drawnSourceName) }));
}
