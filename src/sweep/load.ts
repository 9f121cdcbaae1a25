/**
 * Loads a sweep file (docs/research.md §2) the way scenario files are loaded: YAML with positions,
 * the zod schema with "did you mean", every problem at once as `file:line:column: key path: message`.
 * Then the base scenario (a path relative to the sweep file, or inline) is read as a plain YAML value,
 * the pointers are parsed, and EVERY grid point's scenario is built and validated against the scenario
 * schema before anything runs: a value the scenario refuses is reported at that value's place in the
 * sweep file. Nothing throws except SweepError, which carries the problems.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { formatKeyPath, sortProblems } from '../scenario/errors.js';
import { analyseScenarioObject, analyseScenarioText, readFailureReason, scenarioFileBytesMax } from '../scenario/load.js';
import type { ScenarioProblem } from '../scenario/schema-types.js';
import { type Locator, readYamlSource } from '../scenario/yaml-source.js';
import { issueProblems } from '../scenario/zod-problems.js';
import { parseDuration } from '../schema/units.js';
import { type Dimension, gridPoint, type Parameter, pointCount, scenarioAtPoint } from './grid.js';
import { parsePointer } from './pointer.js';
import { defaultBootstrap, defaultConfidence, defaultWithin, type SweepParsed, sweepLimits, sweepSchema } from './schema.js';
import { SweepError } from './errors.js';
import type { WithinThreshold } from './summary-types.js';

/** A loaded sweep: everything a run, a shard or a merge needs, all of it plain data. */
export interface Sweep {
  file: string;
  name: string;
  description: string | null;
  /** The base scenario as a plain YAML value, and the name its reports carry. */
  scenario: unknown;
  scenarioFile: string;
  seeds: number[];
  dimensions: Dimension[];
  /** Every varied pointer, in grid order. */
  parameters: string[];
  points: number;
  runs: number;
  within: WithinThreshold[];
  bootstrap: number;
  confidence: number;
  /** SHA-256 of what determines the results (not of the file's formatting). */
  sweepHash: string;
}

/** Problems reported for one grid check at most; the rest are counted. */
const problemsShownMax = 40;

/** Reads, validates and expands a sweep file; throws SweepError with every problem. */
export function loadSweep(path: string): Sweep {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > scenarioFileBytesMax) throw new SweepError(path, [problem(path, `the file is larger than ${scenarioFileBytesMax} bytes`)]);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof SweepError) throw error;
    throw new SweepError(path, [problem(path, `cannot read the sweep file: ${readFailureReason(error)}`)]);
  }
  return parseSweepText(text, path);
}

/** Validates sweep text; throws SweepError with every problem. */
export function parseSweepText(text: string, file: string): Sweep {
  const source = readYamlSource(text, file, 'a sweep');
  if (!source.ok) throw new SweepError(file, source.errors);
  const raw = source.value;
  const at = (path: ReadonlyArray<string | number>, message: string, atKey = false): ScenarioProblem => located(file, source.locator, path, message, atKey);
  const parsed = sweepSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => issueProblems(issue, [], raw)).map((p) => at(p.path, p.message, p.atKey));
    throw new SweepError(file, problems);
  }
  const data = parsed.data;
  const base = readBaseScenario(data, file, source.locator);
  const { dimensions, problems } = buildDimensions(data, raw as Record<string, unknown>, at);
  if (problems.length > 0) throw new SweepError(file, problems);
  const seeds = typeof data.seeds === 'number' ? Array.from({ length: data.seeds }, (_, i) => i + 1) : data.seeds;
  const points = pointCount(dimensions);
  const runs = points * seeds.length;
  if (runs > sweepLimits.runsMax) throw new SweepError(file, [at(['seeds'], `${points} points × ${seeds.length} seeds = ${runs} runs, more than ${sweepLimits.runsMax}`)]);
  const gridProblems = checkEveryPoint(base.value, dimensions, points, file, source.locator);
  if (gridProblems.length > 0) throw new SweepError(file, gridProblems);
  const within = withinThresholds(data, raw as Record<string, unknown>);
  const sweep: Omit<Sweep, 'sweepHash'> = {
    file,
    name: data.name ?? basename(file, extname(file)),
    description: data.description ?? null,
    scenario: base.value,
    scenarioFile: base.name,
    seeds,
    dimensions,
    parameters: dimensions.flatMap((d) => d.parameters.map((p) => p.pointer)),
    points,
    runs,
    within,
    bootstrap: data.measure?.bootstrap ?? defaultBootstrap,
    confidence: data.measure?.confidence ?? defaultConfidence,
  };
  return { ...sweep, sweepHash: sweepHashOf(sweep) };
}

function readBaseScenario(data: SweepParsed, file: string, locator: Locator): { value: unknown; name: string } {
  if (typeof data.scenario !== 'string') {
    const analysis = analyseScenarioObject(data.scenario, `${file} (scenario:)`);
    const errors = analysis.errors.map((e) => located(file, locator, ['scenario', ...splitKeyPath(e.path, data.scenario)], e.message));
    if (errors.length > 0) throw new SweepError(file, errors);
    return { value: data.scenario, name: file };
  }
  const scenarioPath = resolve(dirname(file), data.scenario);
  let text: string;
  try {
    text = readFileSync(scenarioPath, 'utf8');
  } catch (error) {
    throw new SweepError(file, [located(file, locator, ['scenario'], `cannot read the scenario file ${scenarioPath}: ${readFailureReason(error)}`)]);
  }
  const analysis = analyseScenarioText(text, scenarioPath);
  if (analysis.errors.length > 0) throw new SweepError(file, analysis.errors);
  const source = readYamlSource(text, scenarioPath, 'a scenario');
  if (!source.ok) throw new SweepError(file, source.errors);
  return { value: source.value, name: data.scenario };
}

function buildDimensions(data: SweepParsed, raw: Record<string, unknown>, at: (path: ReadonlyArray<string | number>, message: string, atKey?: boolean) => ScenarioProblem) {
  const problems: ScenarioProblem[] = [];
  const dimensions: Dimension[] = [];
  const seen = new Map<string, string>();
  const parameter = (pointer: string, values: unknown[], sweepPath: Array<string | number>): Parameter | null => {
    const parsed = parsePointer(pointer);
    if (!parsed.ok) {
      problems.push(at(sweepPath, parsed.message, true));
      return null;
    }
    const earlier = seen.get(pointer);
    if (earlier !== undefined) problems.push(at(sweepPath, `${pointer} is varied twice (also at ${earlier}); a grid dimension names each pointer once`, true));
    seen.set(pointer, formatKeyPath(sweepPath));
    return { pointer, tokens: parsed.tokens, values, sweepPath };
  };
  for (const [pointer, values] of Object.entries(data.vary ?? {})) {
    const p = parameter(pointer, values, ['vary', pointer]);
    if (p) dimensions.push({ parameters: [p], length: values.length });
  }
  for (const [group, entries] of (data.zip ?? []).entries()) {
    const parameters = Object.entries(entries).flatMap(([pointer, values]) => parameter(pointer, values, ['zip', group, pointer]) ?? []);
    if (Object.keys(entries).length === 0) problems.push(at(['zip', group], 'an empty zip group: give pointers with their value lists'));
    const lengths = new Set(parameters.map((p) => p.values.length));
    if (lengths.size > 1) problems.push(at(['zip', group], `the lists of a zip group move together, so they need one length; got ${parameters.map((p) => `${p.pointer}: ${p.values.length}`).join(', ')}`));
    else if (parameters.length > 0) dimensions.push({ parameters, length: parameters[0]!.values.length });
  }
  if (dimensions.reduce((n, d) => n + d.parameters.length, 0) > sweepLimits.pointersMax) problems.push(at([], `at most ${sweepLimits.pointersMax} pointers may be varied`));
  if (raw.vary !== undefined && raw.zip === undefined && dimensions.length === 0 && problems.length === 0) problems.push(at(['vary'], 'an empty grid: vary names no pointer (leave vary: out to run the scenario as it is over the seeds)'));
  return { dimensions, problems };
}

/** Builds and validates every point's scenario; a problem is placed at the value that caused it. */
function checkEveryPoint(base: unknown, dimensions: readonly Dimension[], points: number, file: string, locator: Locator): ScenarioProblem[] {
  const found = new Map<string, ScenarioProblem>();
  let more = 0;
  const add = (problem: ScenarioProblem) => {
    const key = `${problem.line}:${problem.column}:${problem.path}:${problem.message}`;
    if (found.has(key)) return;
    if (found.size >= problemsShownMax) more++;
    else found.set(key, problem);
  };
  for (let point = 0; point < points; point++) {
    const grid = gridPoint(dimensions, point);
    const built = scenarioAtPoint(base, dimensions, grid);
    if (!built.ok) {
      const p = built.parameter!;
      add(located(file, locator, p.sweepPath, `${p.pointer}: ${built.message}`, true));
      continue;
    }
    const analysis = analyseScenarioObject(built.value, 'scenario');
    for (const error of analysis.errors) add(blame(error, built.value, dimensions, grid.steps, file, locator, grid.params));
  }
  const problems = sortProblems([...found.values()]);
  if (more > 0) problems.push(problem(file, `… and ${more} more problem${more === 1 ? '' : 's'} of the same kinds`));
  return problems;
}

/** Places a point's scenario error at the varied value it lies under, or at the point as a whole. */
function blame(error: ScenarioProblem, scenario: unknown, dimensions: readonly Dimension[], steps: readonly number[], file: string, locator: Locator, params: Record<string, unknown>): ScenarioProblem {
  for (const [d, dimension] of dimensions.entries()) {
    for (const p of dimension.parameters) {
      const named = keyPathOfPointer(p.tokens, scenario);
      const under = error.path === named || error.path.startsWith(`${named}.`) || error.path.startsWith(`${named}[`);
      if (under) return located(file, locator, [...p.sweepPath, steps[d] as number], `the scenario refuses this value of ${p.pointer}: ${error.path ? `${error.path}: ` : ''}${error.message}`);
    }
  }
  const first = dimensions[0]?.parameters[0];
  const where = first ? [...first.sweepPath, steps[0] as number] : ['scenario'];
  const described = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return located(file, locator, where, `the scenario at the point ${described} is refused: ${error.path ? `${error.path}: ` : ''}${error.message}`);
}

function withinThresholds(data: SweepParsed, raw: Record<string, unknown>): WithinThreshold[] {
  const written = (raw.measure as Record<string, unknown> | undefined)?.within as unknown[] | undefined;
  if (written === undefined || data.measure?.within === undefined) {
    return defaultWithin.map((label) => ({ label, ms: (parseDuration(label) as { value: number }).value }));
  }
  const ms = data.measure.within;
  return written.map((value, i) => ({ label: String(value), ms: ms[i] as number }));
}

/** What determines a sweep's results, hashed: the same file content gives the same hash. */
export function sweepHashOf(sweep: Omit<Sweep, 'sweepHash'>): string {
  const identity = {
    name: sweep.name,
    scenario: sweep.scenario,
    seeds: sweep.seeds,
    dimensions: sweep.dimensions.map((d) => d.parameters.map((p) => ({ pointer: p.pointer, values: p.values }))),
    within: sweep.within,
    bootstrap: sweep.bootstrap,
    confidence: sweep.confidence,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

function located(file: string, locator: Locator, path: ReadonlyArray<string | number>, message: string, atKey = false): ScenarioProblem {
  const { line, column } = locator.locate(path as Array<string | number>, atKey);
  return { severity: 'error', file, line, column, path: formatKeyPath(path), message };
}

function problem(file: string, message: string): ScenarioProblem {
  return { severity: 'error', file, line: null, column: null, path: '', message };
}

/**
 * A formatted key path (`hosts.mx1.example.org.roles[1]`) split back into segments by walking the
 * value it was made from: at a mapping the longest key that the rest starts with wins (host names have
 * dots), at a list the `[n]` index.
 */
export function splitKeyPath(path: string, root: unknown): Array<string | number> {
  const segments: Array<string | number> = [];
  let rest = path;
  let node = root;
  while (rest !== '') {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
      segments.push(Number(index[1]));
      node = Array.isArray(node) ? node[Number(index[1])] : undefined;
      rest = rest.slice(index[0].length).replace(/^\./, '');
      continue;
    }
    const keys = node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : [];
    const key = keys.filter((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`)).sort((a, b) => b.length - a.length)[0] ?? /^[^.[]+/.exec(rest)?.[0] ?? rest;
    segments.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    rest = rest.slice(key.length).replace(/^\./, '');
  }
  return segments;
}

/** The key path a pointer names, formatted as problems format theirs. */
function keyPathOfPointer(tokens: readonly string[], root: unknown): string {
  const segments: Array<string | number> = [];
  let node = root;
  for (const token of tokens) {
    const inList = Array.isArray(node);
    segments.push(inList ? Number(token) : token);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined;
  }
  return formatKeyPath(segments);
}


