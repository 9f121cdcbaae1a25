/**
 * Validating a scenario object that differs from the last one validated only in its `faults`. A
 * fault property (mailsim/testing's `faultSchedule`, `mailsim explore`) validates the same scenario
 * thousands of times, each time with another fault list, and the whole pipeline (schema, normalise,
 * cross-check) was an eighth of each such run.
 *
 * Theory of operation. After a full validation that succeeded, load.ts hands the object and its
 * scenario to `remember`: the object without `faults` is copied (structuredClone) and kept with the
 * scenario — one entry, the last. `faultsOnly` takes a later object whose other keys are deeply and
 * strictly equal to that copy (util.isDeepStrictEqual: a NaN, an undefined or a changed nested value
 * is a difference), under the same source name, and validates its fault list alone: the list's schema,
 * `normaliseFaults` and the faults' cross-checks — every stage that looks at a fault; no other stage
 * does. Anything it finds wrong (or a different object) gives null, and load.ts runs the full pipeline,
 * so errors always come from there, exactly as before. The scenarios it returns share the kept one's
 * parts other than `faults` and `warnings`; a run never changes its scenario (the revalidation test
 * runs drawn scenarios and compares the kept one with a fresh validation afterwards).
 */
import { isDeepStrictEqual } from 'node:util';
import { crossCheckFaults } from './cross-check.js';
import { faultListSchema, isRecord } from './schema.js';
import { normaliseFaults, type PathProblem } from './schema-normalise.js';
import type { Scenario, ScenarioProblem } from './schema-types.js';

interface Kept {
  sourceName: string;
  /** A copy of the object as validated, without its `faults`. */
  rest: Record<string, unknown>;
  scenario: Scenario;
  /** The scenario's warnings that are not about a fault. */
  otherWarnings: ScenarioProblem[];
}

let kept: Kept | null = null;

const optionalFaultList = faultListSchema.optional();

function withoutFaults(value: Record<string, unknown>): Record<string, unknown> {
  const { faults: _faults, ...rest } = value;
  return rest;
}

function isAboutFaults(problem: ScenarioProblem): boolean {
  return problem.path === 'faults' || problem.path.startsWith('faults[');
}

/** Keeps a successfully validated object (not one structuredClone cannot copy) for `faultsOnly`. */
export function remember(value: unknown, sourceName: string, scenario: Scenario): void {
  if (!isRecord(value)) return;
  try {
    kept = { sourceName, rest: structuredClone(withoutFaults(value)), scenario, otherWarnings: scenario.warnings.filter((w) => !isAboutFaults(w)) };
  } catch {
    kept = null;
  }
}

/** What validating `value`'s faults alone gives: the scenario and the other warnings kept, or null (run the full pipeline). */
export function faultsOnly(value: unknown, sourceName: string): { scenario: Scenario; otherWarnings: ScenarioProblem[]; faultProblems: PathProblem[] } | null {
  if (kept === null || kept.sourceName !== sourceName || !isRecord(value) || !isDeepStrictEqual(withoutFaults(value), kept.rest)) return null;
  const parsed = optionalFaultList.safeParse(value.faults);
  if (!parsed.success) return null;
  const problems: PathProblem[] = [];
  const faults = normaliseFaults(parsed.data ?? [], kept.scenario.untilMs, problems);
  const scenario: Scenario = { ...kept.scenario, faults, warnings: [] };
  problems.push(...crossCheckFaults(scenario));
  if (problems.some((p) => p.severity === 'error')) return null;
  return { scenario, otherWarnings: kept.otherWarnings, faultProblems: problems };
}

/** Forgets the kept object (tests compare both paths). */
export function forgetValidated(): void {
  kept = null;
}
