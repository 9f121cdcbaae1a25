/**
 * Loads a scenario file: YAML (JSON is YAML 1.2, so `.json` files take the same path and keep their
 * positions), validated by the zod schema, normalised, then cross-checked. Every problem of every
 * stage is collected and reported at once with `file:line:column`, the key path and what was
 * expected; nothing throws except `ScenarioError` (and, for `loadScenario`, a ScenarioError for an
 * unreadable file too), so the CLI never prints a stack trace (docs/reference.md §10).
 *
 * Stages: YAML syntax (stop on errors: the tree may be garbage) → schema (shapes, units, keys) →
 * normalise (defaults, merges, semantic checks) → cross-check (references). The later stages need a
 * valid shape, so they run only when the schema found no errors.
 *
 * Positions (yaml-source.ts) and the wording of zod issues (zod-problems.ts) are shared with the
 * sweep loader (src/sweep/load.ts).
 */
import { readFileSync } from 'node:fs';
import { repairForChecks } from './repair.js';
import { faultsOnly, remember } from './revalidate.js';
import { crossCheck } from './cross-check.js';
import { ScenarioError, formatKeyPath, sortProblems } from './errors.js';
import { scenarioSchema } from './schema.js';
import { type KeyPath, normaliseScenario, type PathProblem } from './schema-normalise.js';
import type { Scenario, ScenarioProblem } from './schema-types.js';
import { scenarioKind } from './schema-types.js';
import { type Locator, noPositions, readYamlSource } from './yaml-source.js';
import { issueProblems } from './zod-problems.js';

/** Larger files are not hand-written scenarios; refuse them before parsing. */
export const scenarioFileBytesMax = 16 * 1024 * 1024;

/** The outcome of validating one scenario: never throws. */
export interface ScenarioAnalysis {
  file: string;
  scenario: Scenario | null;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
}

// ---- the pipeline -----------------------------------------------------------------------------

function toProblem(file: string, locator: Locator, severity: 'error' | 'warning', path: KeyPath, message: string, atKey: boolean): ScenarioProblem {
  const { line, column } = locator.locate(path, atKey);
  return { severity, file, line, column, path: formatKeyPath(path), message };
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.severity}|${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function analyseValue(value: unknown, file: string, locator: Locator, earlierWarnings: ScenarioProblem[]): ScenarioAnalysis {
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const shapeErrors = parsed.error.issues
      .flatMap((issue) => issueProblems(issue, [], value))
      .map((p) => toProblem(file, locator, 'error', p.path, p.message, p.atKey));
    // The semantic checks too, on a copy repaired around the shape errors (src/scenario/repair.ts).
    const semantic = semanticProblemsDespiteShape(value, file).map((p) => toProblem(file, locator, p.severity, p.path, p.message, false));
    const errors = sortProblems(dedupe([...shapeErrors, ...semantic.filter((p) => p.severity === 'error')]));
    const warnings = sortProblems(dedupe([...earlierWarnings, ...semantic.filter((p) => p.severity === 'warning')]));
    return { file, scenario: null, errors, warnings };
  }
  const { scenario, problems } = normaliseScenario(parsed.data, value, file);
  const all: PathProblem[] = [...problems, ...crossCheck(scenario)];
  const located = all.map((p) => toProblem(file, locator, p.severity, p.path, p.message, false));
  const errors = sortProblems(dedupe(located.filter((p) => p.severity === 'error')));
  const warnings = sortProblems(dedupe([...earlierWarnings, ...located.filter((p) => p.severity === 'warning')]));
  scenario.warnings = warnings;
  return { file, scenario: errors.length === 0 ? scenario : null, errors, warnings };
}

/** What the cross-checks say about the parts of a shape-invalid document that the shape errors leave alone. */
function semanticProblemsDespiteShape(value: unknown, file: string): PathProblem[] {
  const issuesOf = (candidate: unknown) => {
    const result = scenarioSchema.safeParse(candidate);
    return result.success ? null : result.error.issues.flatMap((issue) => issueProblems(issue, [], candidate).map((p) => p.path));
  };
  try {
    const repair = repairForChecks(value, issuesOf);
    if (repair === null) return [];
    const parsed = scenarioSchema.safeParse(repair.value);
    if (!parsed.success) return [];
    const { scenario, problems } = normaliseScenario(parsed.data, repair.value, file);
    return [...problems, ...crossCheck(scenario)].flatMap((problem) => repair.translate(problem) ?? []);
  } catch (error) {
    // A plain object nested too deeply to copy: its shape errors are what there is to say.
    if (error instanceof RangeError) return [];
    throw error;
  }
}

/** Validates scenario text (YAML or JSON) and reports every problem; never throws. */
export function analyseScenarioText(text: string, fileName: string): ScenarioAnalysis {
  const source = readYamlSource(text, fileName, 'a scenario');
  if (!source.ok) return { file: fileName, scenario: null, errors: source.errors, warnings: source.warnings };
  return analyseValue(source.value, fileName, source.locator, source.warnings);
}

/** Validates a plain object shaped like the YAML (as `runScenario` accepts); never throws. One that differs from the last one validated only in its `faults` has only those validated again (revalidate.ts). */
export function analyseScenarioObject(value: unknown, sourceName = '<object>'): ScenarioAnalysis {
  const known = faultsOnly(value, sourceName);
  if (known !== null) {
    const faultWarnings = known.faultProblems.map((p) => toProblem(sourceName, noPositions, p.severity, p.path, p.message, false));
    known.scenario.warnings = sortProblems(dedupe([...known.otherWarnings, ...faultWarnings]));
    return { file: sourceName, scenario: known.scenario, errors: [], warnings: known.scenario.warnings };
  }
  const analysis = analyseValue(value, sourceName, noPositions, []);
  if (analysis.scenario !== null) remember(value, sourceName, analysis.scenario);
  return analysis;
}

/** Reads and validates a file; never throws (an unreadable file is an error in the result). */
export function analyseScenarioFile(path: string): ScenarioAnalysis {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > scenarioFileBytesMax) {
      return { file: path, scenario: null, errors: [{ severity: 'error', file: path, line: null, column: null, path: '', message: `the file is larger than ${scenarioFileBytesMax} bytes` }], warnings: [] };
    }
    text = bytes.toString('utf8');
  } catch (error) {
    const reason = readFailureReason(error);
    return { file: path, scenario: null, errors: [{ severity: 'error', file: path, line: null, column: null, path: '', message: `cannot read the scenario file: ${reason}` }], warnings: [] };
  }
  return analyseScenarioText(text, path);
}

/** Why a file could not be read, in words (shared with the sweep loader). */
export function readFailureReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
}

function orThrow(analysis: ScenarioAnalysis): Scenario {
  if (analysis.scenario === null || analysis.errors.length > 0) throw new ScenarioError(analysis.file, analysis.errors, analysis.warnings);
  return analysis.scenario;
}

/** Loads a scenario file (YAML or JSON); throws a ScenarioError carrying every problem. */
export function loadScenario(path: string): Scenario {
  return orThrow(analyseScenarioFile(path));
}

/** Parses scenario text; throws a ScenarioError carrying every problem. */
export function parseScenarioText(text: string, fileName: string): Scenario {
  return orThrow(analyseScenarioText(text, fileName));
}

/**
 * Validates a plain object shaped like the YAML and returns the normalised scenario (no positions in
 * problems). A value that is already normalised is returned as it is.
 */
export function validateScenarioObject(value: unknown, sourceName = '<object>'): Scenario {
  if (isScenario(value)) return value;
  return orThrow(analyseScenarioObject(value, sourceName));
}

/** True for a normalised scenario (what loadScenario returns), false for a plain YAML-shaped object. */
export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === scenarioKind;
}
