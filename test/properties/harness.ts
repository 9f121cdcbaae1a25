/**
 * Running a delivery property over generated worlds, and what a failure leaves behind: the search,
 * the shrinking and the files are mailsim/testing's (src/testing/search.ts, counterexample.ts — the
 * ones assertMail uses); this file adapts the suite's `Check = (world, run) => string[]` to them. A
 * failure gives the fast-check seed and path (to replay the exact case: `fc.assert(…, { seed, path })`),
 * the violations, and the failing world written as a scenario file that `mailsim run FILE` replays.
 *
 * `numRuns` scales with MAILSIM_DEEP (`npm run test:deep`): ×20 for nightly runs. MAILSIM_PROPERTY_SEED
 * pins the seed of every property (to replay a CI failure locally).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type fc from 'fast-check';
import { writeCounterexampleFiles } from '../../src/testing/counterexample.js';
import { runMail } from '../../src/testing/run.js';
import { type Judgement, searchMail } from '../../src/testing/search.js';
import type { MailRun } from '../../src/testing/types.js';
import type { WorldCase } from '../../src/testing/arbitraries/world-types.js';

export const deep = process.env.MAILSIM_DEEP === '1';
const deepFactor = 20;

/** A property test's vitest timeout: the default minute, or half an hour under test:deep. */
export const propertyTimeoutMs = deep ? 30 * 60_000 : 60_000;

/** Runs for `npm test`, or ×20 under `npm run test:deep`. */
export function runs(base: number): number {
  return deep ? base * deepFactor : base;
}

/** Where failing worlds are written (reports/ is git-ignored). */
export const counterexampleDir = process.env.MAILSIM_COUNTEREXAMPLE_DIR ?? join(import.meta.dirname, '..', '..', 'reports', 'properties');

/** One run of a generated world, as the checks see it (mailsim/testing's MailRun: report, world, trace). */
export type Run = MailRun;

/** Runs a generated world with the full trace kept (the checks read it). */
export function runWorld(scenario: Record<string, unknown>): Run {
  return runMail(scenario, { sourceName: 'property-world.yaml' });
}

/** A property: the violations of one run (empty when it holds). */
export type Check = (world: WorldCase, run: Run) => string[];

export interface PropertyFailure {
  seed: number;
  path: string;
  numShrinks: number;
  world: WorldCase;
  violations: string[];
  file: string;
}

function faultCount(world: WorldCase): number {
  return (world.scenario.faults as unknown[]).length;
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The adapter from this suite's `Check` to the shared search: a run or a check that throws is a `crash:` violation. */
function judgeWith(name: string, check: Check): (world: WorldCase) => Judgement {
  return (world) => {
    let run: Run;
    try {
      run = runWorld(world.scenario);
    } catch (error) {
      return { violations: [{ check: name, message: `crash: ${stackOf(error)}` }], run: null };
    }
    let lines: string[];
    try {
      lines = check(world, run);
    } catch (error) {
      lines = [`crash: ${stackOf(error)}`];
    }
    return { violations: lines.map((message) => ({ check: name, message })), run };
  };
}

/**
 * Checks a property with mailsim/testing's search (the one assertMail uses); returns null when it held
 * on every run, else the shrunk failure, already written as a scenario file and its HTML report.
 */
export function findFailure(name: string, arbitrary: fc.Arbitrary<WorldCase>, check: Check, options: { numRuns: number; seed?: number; dir?: string }): PropertyFailure | null {
  const envSeed = process.env.MAILSIM_PROPERTY_SEED;
  const seed = options.seed ?? (envSeed !== undefined ? Number(envSeed) : undefined);
  const outcome = searchMail(arbitrary, judgeWith(name, check), { numRuns: options.numRuns, ...(seed !== undefined ? { seed } : {}) });
  if (outcome.failure === null) return null;
  const { value: world, violations, run, path, numShrinks } = outcome.failure;
  const foundBy = `property "${name}" (fast-check seed ${outcome.seed}, path "${path}")`;
  const files = writeCounterexampleFiles(options.dir ?? counterexampleDir, `${name}-seed${outcome.seed}`, { source: world.scenario, foundBy, violations, run });
  return { seed: outcome.seed, path, numShrinks, world, violations: violations.map((v) => v.message), file: files.scenario };
}

/** Asserts a property: on failure throws with the seed, the path, the violations and the replay file. */
export function assertProperty(name: string, arbitrary: fc.Arbitrary<WorldCase>, check: Check, options: { numRuns: number; seed?: number }): void {
  const failure = findFailure(name, arbitrary, check, options);
  if (failure === null) return;
  throw new Error(
    [
      `property "${name}" failed after shrinking (${failure.numShrinks} steps) to ${faultCount(failure.world)} fault(s)`,
      `  fast-check seed ${failure.seed}, path "${failure.path}"`,
      ...failure.violations.map((v) => `  - ${v}`),
      `  replay: mailsim run ${failure.file}`,
    ].join('\n'),
  );
}

/** Size of a shrunk world: faults + hosts + sends (what a reader has to take in). */
export function worldSize(world: WorldCase): { faults: number; hosts: number; sends: number } {
  return {
    faults: faultCount(world),
    hosts: Object.keys(world.scenario.hosts as Record<string, unknown>).length,
    sends: (world.scenario.traffic as unknown[]).length,
  };
}

/** Where planted-bug tests write their (expected) counterexamples: a temp dir, not reports/. */
export const plantedDir = join(tmpdir(), 'mailsim-planted-counterexamples');

/**
 * For the planted-bug tests: the property must fail on the broken MTA, and shrinking must leave a
 * small world (at most `faultsMax` faults, one send unless told, at most four hosts unless told). Returns the failure.
 */
export function caughtAndShrunk(name: string, arbitrary: fc.Arbitrary<WorldCase>, check: Check, limits: { faultsMax: number; hostsMax?: number; sendsMax?: number; numRuns?: number; seed?: number }): PropertyFailure {
  const failure = findFailure(name, arbitrary, check, { numRuns: limits.numRuns ?? 200, seed: limits.seed ?? 42, dir: plantedDir });
  if (failure === null) throw new Error(`the planted bug was not caught by "${name}"`);
  const size = worldSize(failure.world);
  if (size.faults > limits.faultsMax || size.sends > (limits.sendsMax ?? 1) || size.hosts > (limits.hostsMax ?? 4)) {
    throw new Error(`"${name}" caught the planted bug but shrank it only to ${JSON.stringify(size)}: ${failure.file}`);
  }
  return failure;
}
