/**
 * The explorer behind `mailsim explore` (docs/reference.md §13): keeps a scenario's hosts, DNS and traffic,
 * lets fast-check draw fault schedules for it, runs each, and on the first violation lets fast-check
 * shrink the schedule to a minimal one.
 *
 * Theory of operation. The scenario's own `faults` are replaced by a generated schedule
 * (src/testing/arbitraries: ordered gaps, hosts drawn from the scenario's hosts, DNS names from its zone
 * and recipient domains, times inside `until`, most of them near the traffic). Each candidate is a
 * plain scenario object, validated and run exactly as `mailsim run` would run the file — same
 * scenario seed — so the counterexample replays byte for byte. fast-check's own seed drives the
 * search: the same `--seed` tries the same schedules in the same order. Each run is judged by the
 * chosen checks of `mailsim/testing` (src/testing/checks/, or a user's own) over a MailRun — the
 * validated scenario, the report and, when a check needs it, the kept trace; a check that throws is
 * that check's violation, with its stack (violationsOf), and shrinks like any other. A simulator
 * exception is a violation too (`crash`), whatever the checks.
 *
 * Pure of wall-clock and unseeded randomness (docs/architecture.md rule 1): the caller picks the seed.
 */
import fc from 'fast-check';
import type { Report } from '../report/types.js';
import { validateScenarioObject } from '../scenario/load.js';
import { runScenarioWorld } from '../runner/run.js';
import { violationsOf } from '../testing/check.js';
import type { MailCheck, MailRun, Violation } from '../testing/types.js';
import { type FaultKindName, faultScheduleArbitrary, type PlainFault } from '../testing/arbitraries/schedule.js';
import { universeOf } from '../testing/arbitraries/universe.js';

/** A bound on schedules one search may try (the CLI's --runs is checked against it). */
export const exploreRunsMax = 1_000_000;

export interface ExploreProgress {
  phase: 'search' | 'shrink';
  /** Schedules tried in the search phase so far. */
  run: number;
  runs: number;
  /** Smaller schedules tried while shrinking. */
  shrinkSteps: number;
}

export interface ExploreOptions {
  runs: number;
  /** fast-check's seed: the same seed repeats the search exactly. */
  seed: number;
  kinds: readonly FaultKindName[];
  checks: readonly MailCheck[];
  /** Keep each run's trace for the checks (default true; false when every check reads only the report). */
  keepTrace?: boolean;
  faultsMax?: number;
  onProgress?: (progress: ExploreProgress) => void;
}

export interface Counterexample {
  faults: PlainFault[];
  violations: Violation[];
  report: Report;
  /** The scenario object that fails (the input with `faults` replaced). */
  scenario: Record<string, unknown>;
  /** fast-check's path to the shrunk case (with the seed, `fc.check` replays it). */
  path: string;
  shrinks: number;
}

export interface ExploreOutcome {
  seed: number;
  /** Schedules tried before the first violation (or all of them). */
  runsDone: number;
  counterexample: Counterexample | null;
}

/** Runs the scenario with this fault schedule and returns what the checks found. */
export function runWithFaults(
  base: Record<string, unknown>,
  faults: readonly PlainFault[],
  checks: readonly MailCheck[],
  sourceName: string,
  keepTrace = true,
): { scenario: Record<string, unknown>; report: Report | null; violations: Violation[] } {
  const source = { ...base, faults: [...faults] };
  let run: MailRun;
  try {
    const scenario = validateScenarioObject(source, sourceName);
    const { report, world } = runScenarioWorld(scenario, { keepTrace });
    run = { source, scenario, report, trace: world.sim.trace.events, world };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { scenario: source, report: null, violations: [{ check: 'crash', message: `the simulator threw: ${detail}` }] };
  }
  return { scenario: source, report: run.report, violations: violationsOf(run, checks) };
}

/** Searches `runs` fault schedules for a violation; shrinks the first one found. */
export function explore(base: Record<string, unknown>, sourceName: string, options: ExploreOptions): ExploreOutcome {
  const validated = validateScenarioObject({ ...base, faults: [] }, sourceName);
  const arbitrary = faultScheduleArbitrary(universeOf(validated, options.kinds, options.faultsMax));
  const progress: ExploreProgress = { phase: 'search', run: 0, runs: options.runs, shrinkSteps: 0 };
  const property = fc.property(arbitrary, (faults) => {
    if (progress.phase === 'search') progress.run++;
    else progress.shrinkSteps++;
    options.onProgress?.({ ...progress });
    const { violations } = runWithFaults(base, faults, options.checks, sourceName, options.keepTrace);
    if (violations.length > 0) progress.phase = 'shrink';
    return violations.length === 0;
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs });
  if (!details.failed || details.counterexample === null) return { seed: options.seed, runsDone: progress.run, counterexample: null };
  const [faults] = details.counterexample;
  const again = runWithFaults(base, faults, options.checks, sourceName, options.keepTrace);
  if (again.report === null && again.violations.length === 0) throw new Error('explore: the counterexample did not fail again');
  return {
    seed: options.seed,
    runsDone: progress.run,
    counterexample: {
      faults: [...faults],
      violations: again.violations,
      report: again.report ?? emptyReport(),
      scenario: again.scenario,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}

/** A stand-in report for a crashed run (nothing to count duplicates in). */
function emptyReport(): Report {
  return {
    format: 'mailsim-report/1',
    scenario: { name: '', file: '', seed: 0, description: null },
    passed: false,
    endedAtMs: 0,
    expectations: [],
    invariants: [],
    messages: [],
    fetches: [],
    faults: [],
    warnings: [],
    stats: { events: 0, wallMs: 0, simulatedMs: 0 },
    traceDigest: '',
  };
}
