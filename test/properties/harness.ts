/**
 * Running a delivery property over generated worlds (fast-check), and what a failure leaves behind:
 * the fast-check seed and path (to replay the exact case: `fc.assert(…, { seed, path })`), the
 * violations, and the failing world written as a scenario file that `mailsim run FILE` replays.
 *
 * `numRuns` scales with MAILSIM_DEEP (`npm run test:deep`): ×20 for nightly runs. MAILSIM_PROPERTY_SEED
 * pins the seed of every property (to replay a CI failure locally).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { World } from '../../src/nodes/world.js';
import type { Report } from '../../src/report/types.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import type { WorldCase } from './arbitraries.js';

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

export interface Run {
  report: Report;
  world: World;
}

/** Runs a generated world with the full trace kept (the checks read it). */
export function runWorld(scenario: Record<string, unknown>): Run {
  return runScenarioWorld(validateScenarioObject(scenario, 'property-world.yaml'), { keepTrace: true });
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

/**
 * Checks a property; returns null when it held on every run, else the shrunk failure (already
 * written to a scenario file). `check` throwing counts as a violation (the simulator crashed).
 */
export function findFailure(name: string, arbitrary: fc.Arbitrary<WorldCase>, check: Check, options: { numRuns: number; seed?: number; dir?: string }): PropertyFailure | null {
  const evaluate = (world: WorldCase): string[] => {
    try {
      return check(world, runWorld(world.scenario));
    } catch (error) {
      return [`crash: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
    }
  };
  const envSeed = process.env.MAILSIM_PROPERTY_SEED;
  const seed = options.seed ?? (envSeed !== undefined ? Number(envSeed) : undefined);
  const details = fc.check(
    fc.property(arbitrary, (world) => evaluate(world).length === 0),
    { numRuns: options.numRuns, ...(seed !== undefined ? { seed } : {}) },
  );
  if (!details.failed || details.counterexample === null) return null;
  const [world] = details.counterexample;
  const violations = evaluate(world);
  const dir = options.dir ?? counterexampleDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-seed${details.seed}.counterexample.yaml`);
  const description = [`Property "${name}" failed (fast-check seed ${details.seed}, path ${details.counterexamplePath}).`, ...violations.map((v) => `- ${v}`)].join('\n');
  const { name: _name, description: _description, ...rest } = world.scenario;
  writeFileSync(file, stringify({ name: `counterexample: ${name}`, description, ...rest }, { lineWidth: 0 }));
  return { seed: details.seed, path: details.counterexamplePath ?? '', numShrinks: details.numShrinks, world, violations, file };
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
