/**
 * The runner: runs one scenario and returns its report (docs/reference.md §9, §11): builds the world, runs
 * it until `until` or until nothing is pending, then evaluates the expectations and the invariants.
 * It is the one place that knows both the world (src/nodes/) and the report (src/report/), so it sits
 * on a layer of its own above both, and the report need not know how a world is built.
 *
 * `runScenario` accepts a loaded scenario or a plain object of the YAML's shape (validated here).
 * The wall time of the run (`stats.wallMs`) is measured with a clock the caller passes in: the
 * simulation itself never reads one (docs/architecture.md rule 1); the package entry passes the real one.
 */
import { seedMax, seedMin } from '../schema/defaults.js';
import { World } from '../nodes/world.js';
import { buildMessages } from '../report/build.js';
import { describeFault } from '../report/describe.js';
import { type Report, reportFormat } from '../report/types.js';
import { evaluateExpectation, evaluateInvariants } from '../report/expectations.js';
import { isScenario, validateScenarioObject } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema-types.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Keep the full event trace (for `--trace` and the HTML report's transcripts). */
  keepTrace?: boolean;
  /** Reads a monotonic wall clock in ms, for `stats.wallMs`; without it wallMs is 0. */
  wallClockMs?: () => number;
}

export interface ScenarioRun {
  report: Report;
  world: World;
}

export function runScenarioWorld(input: Scenario | unknown, options: RunOptions = {}): ScenarioRun {
  const scenario = isScenario(input) ? input : validateScenarioObject(input);
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= seedMin && options.seed <= seedMax)) {
    throw new RangeError(`seed must be a whole number from ${seedMin} to ${seedMax}, as seed: in a scenario file; got ${options.seed}`);
  }
  const clock = options.wallClockMs ?? (() => 0);
  const startedMs = clock();
  const world = new World(scenario, { ...(options.seed !== undefined ? { seed: options.seed } : {}), keepTrace: options.keepTrace ?? false });
  const result = world.run();
  const endedAtMs = result.reason === 'idle' ? world.lastActivityMs() : world.sim.nowMs;
  const report = reportOf(world, scenario, endedAtMs, Math.round(clock() - startedMs));
  return { report, world };
}

/**
 * The report of a world as it stands (docs/reference.md §9.1): its messages, fetches and faults, the
 * scenario's expectations and the invariants, ended at `endedAtMs`. `scenario` is what the world runs
 * (for `withWorld`, with the faults injected step by step).
 */
export function reportOf(world: World, scenario: Scenario, endedAtMs: number, wallMs = 0): Report {
  const messages = buildMessages(world.log.records, world.queuedRecipients());
  // A copy: the world's list grows when a world driven step by step runs on after this report.
  const fetches = [...world.fetches];
  const expectations = scenario.expect.map((expectation) => evaluateExpectation(expectation, { scenario, messages, fetches }));
  const invariants = evaluateInvariants(messages, world.log.records);
  return {
    format: reportFormat,
    scenario: { name: scenario.name, file: scenario.file, seed: world.seed, description: scenario.description },
    passed: expectations.every((e) => e.passed) && invariants.every((i) => i.passed),
    endedAtMs,
    expectations,
    invariants,
    messages,
    fetches,
    faults: scenario.faults.map((fault) => {
      const skipped = world.skippedFaults.has(fault.index);
      const chance = fault.chance === undefined ? '' : ` (chance ${fault.chance}: ${skipped ? 'did not happen in this run' : 'happened'})`;
      return {
        index: fault.index,
        atMs: fault.atMs,
        untilMs: fault.untilMs,
        action: fault.action.kind,
        description: `${describeFault(fault.action)}${chance}`,
        ...(skipped ? { skipped: true as const } : {}),
      };
    }),
    warnings: scenario.warnings.map((w) => `${w.path ? `${w.path}: ` : ''}${w.message}`),
    stats: { events: world.sim.eventsRun, wallMs, simulatedMs: endedAtMs },
    traceDigest: world.sim.trace.digest(),
  };
}

/** The library's `runScenario`: the report of one run. */
export async function runScenario(input: Scenario | unknown, options: RunOptions = {}): Promise<Report> {
  return runScenarioWorld(input, options).report;
}
