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
 * Positions: the YAML library keeps a source range on every node; a zod issue's path is walked down
 * the document to the node it names (the key itself for unknown keys, the value otherwise, the
 * nearest existing parent for a missing key).
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Document } from 'yaml';
import { firstTooDeepOffset, yamlDepthMax } from './yaml-depth.js';
import { repairForChecks } from './repair.js';
import type { z } from 'zod';
import { editDistance, crossCheck } from './cross-check.js';
import { ScenarioError, formatKeyPath, sortProblems } from './errors.js';
import { scenarioSchema } from './schema.js';
import { knownKeysField } from '../schema/base.js';
import { canonicalName } from '../dns/names.js';
import { type KeyPath, normaliseScenario, type PathProblem } from './schema-normalise.js';
import type { Scenario, ScenarioProblem } from './schema-types.js';
import { scenarioKind } from './schema-types.js';

/** Larger files are not hand-written scenarios; refuse them before parsing. */
export const scenarioFileBytesMax = 16 * 1024 * 1024;
/** YAML alias expansions allowed (guards against "billion laughs"). */
const yamlAliasCountMax = 1000;
/** Nesting depth walked when locating a path (deeper than any scenario key path). */
const keyPathDepthMax = 64;

/** The outcome of validating one scenario: never throws. */
export interface ScenarioAnalysis {
  file: string;
  scenario: Scenario | null;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
}

interface Located {
  line: number | null;
  column: number | null;
}

/** Where problems are located: a YAML document, or nothing (plain objects). */
interface Locator {
  locate(path: KeyPath, atKey: boolean): Located;
}

const noPositions: Locator = { locate: () => ({ line: null, column: null }) };

function keyMatches(key: unknown, segment: string | number): boolean {
  return String(key) === String(segment);
}

function yamlLocator(doc: Document, lineCounter: LineCounter): Locator {
  const position = (node: { range?: [number, number, number] | null } | null | undefined): Located => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: null, column: null };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    locate(path, atKey) {
      let current: Node | null = doc.contents as Node | null;
      let best: Located = position(current) ;
      if (best.line === null) best = { line: 1, column: 1 };
      for (let depth = 0; depth < path.length && depth < keyPathDepthMax; depth++) {
        const segment = path[depth] as string | number;
        if (isAlias(current)) current = current.resolve(doc) ?? null;
        if (isMap(current)) {
          const items = current.items;
          const pair =
            items.find((p) => keyMatches(isScalar(p.key) ? p.key.value : p.key, segment)) ??
            // Cross-checks name hosts and DNS names in canonical form; the file may use other case.
            items.find((p) => typeof segment === 'string' && canonicalName(String(isScalar(p.key) ? p.key.value : p.key)) === canonicalName(segment));
          if (!pair) return best;
          const isLast = depth === path.length - 1;
          if (isLast && atKey) return position(pair.key as Node) ;
          const value = pair.value as Node | null;
          best = value?.range ? position(value) : position(pair.key as Node);
          current = value;
        } else if (isSeq(current) && typeof segment === 'number') {
          const item = current.items[segment] as Node | undefined;
          if (!item) return best;
          best = position(item);
          current = item;
        } else {
          return best;
        }
      }
      return best;
    },
  };
}

// ---- zod issues → problems --------------------------------------------------------------------

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `${typeof value} ${String(value)}`;
}

/** The closest candidate within a small edit distance, for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | null {
  const budget = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const squash = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  for (const candidate of candidates) {
    const distance = squash(candidate) === squash(word) ? 0 : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= budget ? best : null;
}

interface IssueProblem {
  path: KeyPath;
  message: string;
  atKey: boolean;
}

const mismatchCodes = new Set(['invalid_type', 'invalid_value', 'invalid_union']);
const isDefaultMessage = (message: string) => /^(Invalid|Too (small|big)|Unrecognized)/.test(message);

function issueProblems(issue: z.core.$ZodIssue, prefix: KeyPath, root: unknown): IssueProblem[] {
  const path: KeyPath = [...prefix, ...(issue.path as KeyPath)];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = ((issue as unknown as Record<string, unknown>)[knownKeysField] as string[] | undefined)?.filter((k) => k !== '$schema') ?? [];
      return issue.keys.map((key) => {
        const suggestion = closest(key, known);
        const message = suggestion
          ? `unknown key "${key}"; did you mean "${suggestion}"?`
          : `unknown key "${key}"${known.length > 0 ? `; expected one of: ${known.join(', ')}` : ''}`;
        return { path: [...path, key], message, atKey: true };
      });
    }
    case 'invalid_union': {
      // Pick the alternative the author evidently meant: the only one whose value had the right
      // type. If none did, the union's own message says what was expected.
      const branches = issue.errors.filter((branch) => !branch.every((i) => i.path.length === 0 && mismatchCodes.has(i.code)));
      const chosen = [...branches].sort((a, b) => a.length - b.length)[0];
      if (chosen !== undefined) return chosen.flatMap((inner) => issueProblems(inner, path, root));
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
    }
    case 'invalid_key': {
      const key = String(issue.path[issue.path.length - 1] ?? '');
      const inner = issue.issues[0]?.message ?? 'invalid key';
      return [{ path, message: `${inner}; got ${JSON.stringify(key)}`, atKey: true }];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const base = isDefaultMessage(issue.message) ? `expected ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}` : issue.message;
      const suggestion = typeof value === 'string' ? closest(value, options) : null;
      return [{ path, message: `${withGot(base, value, path)}${suggestion ? `; did you mean ${suggestion}?` : ''}`, atKey: false }];
    }
    case 'invalid_type': {
      const base = isDefaultMessage(issue.message) ? `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected}` : issue.message;
      return [{ path, message: withGot(base, value, path), atKey: false }];
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && isDefaultMessage(issue.message)) return [{ path, message: 'must not be empty', atKey: false }];
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
    case 'custom':
      return [{ path, message: issue.message, atKey: false }];
    default:
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
  }
}

function withGot(message: string, value: unknown, path: KeyPath): string {
  const last = path[path.length - 1];
  if (value === undefined && typeof last === 'string') return `${last} is required: ${message}`;
  if (/\bgot\b/.test(message) || typeof value === 'object') return value === null ? `${message}; got an empty value` : message;
  return `${message}; got ${describe(value)}`;
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
  const tooDeepAt = firstTooDeepOffset(text);
  if (tooDeepAt !== null) {
    const { line, column } = lineAndColumn(text, tooDeepAt);
    const message = `nested deeper than ${yamlDepthMax} levels: a scenario needs far fewer (is a bracket or an indentation off?)`;
    return { file: fileName, scenario: null, errors: [{ severity: 'error', file: fileName, line, column, path: '', message }], warnings: [] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const syntaxProblem = (severity: 'error' | 'warning') => (e: { pos: [number, number]; message: string }): ScenarioProblem => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { severity, file: fileName, line, column: col, path: '', message: `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${e.message.split('\n')[0]}` };
  };
  const warnings = doc.warnings.map(syntaxProblem('warning'));
  if (doc.errors.length > 0) return { file: fileName, scenario: null, errors: doc.errors.map(syntaxProblem('error')), warnings };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: yamlAliasCountMax });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { file: fileName, scenario: null, errors: [{ severity: 'error', file: fileName, line: 1, column: 1, path: '', message: `cannot read the document: ${message}` }], warnings };
  }
  return analyseValue(value, fileName, yamlLocator(doc, lineCounter), warnings);
}

/** 1-based line and column of a source offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** Validates a plain object shaped like the YAML (as `runScenario` accepts); never throws. */
export function analyseScenarioObject(value: unknown, sourceName = '<object>'): ScenarioAnalysis {
  return analyseValue(value, sourceName, noPositions, []);
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
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
    return { file: path, scenario: null, errors: [{ severity: 'error', file: path, line: null, column: null, path: '', message: `cannot read the scenario file: ${reason}` }], warnings: [] };
  }
  return analyseScenarioText(text, path);
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
