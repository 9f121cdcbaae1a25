/**
 * The shared vocabulary of `mailsim/testing` (docs/testing.md): what an arbitrary draws (a scenario
 * object in the YAML's shape), what one simulated run looks like to a check (`MailRun`), and what a
 * check returns (`Violation`s, one line each). Every other file of src/testing builds on these.
 *
 * Checks read only the run — the validated scenario, the report and the kept trace — never what the
 * arbitrary that drew the scenario knew, so the same check works on a user's own scenario file, on a
 * generated world and in `mailsim explore --check`.
 */
import type { World } from '../nodes/world.js';
import type { Report } from '../report/types.js';
import type { Scenario } from '../scenario/schema-types.js';
import type { TraceEvent } from '../sim/trace.js';

/** A scenario as a plain object of the YAML's shape (docs/reference.md §3–§8), before validation. */
export type ScenarioObject = Record<string, unknown>;

/** One simulated run of a scenario, with its trace kept. */
export interface MailRun {
  /** The scenario as drawn or loaded, in the YAML's shape (what a counterexample file is written from). */
  readonly source: ScenarioObject;
  /** The same scenario, validated. */
  readonly scenario: Scenario;
  /** The run's report (docs/reference.md §9). */
  readonly report: Report;
  /** Every trace event of the run, in order (docs/reference.md §10). */
  readonly trace: readonly TraceEvent[];
  /** The simulated world after the run, for checks that inspect queues or mailboxes. */
  readonly world: World;
}

/** One thing that went wrong in a run, in one line. */
export interface Violation {
  /** The name of the check that found it (`noLoss`, or the name given to `check(name, fn)`). */
  readonly check: string;
  /** One line: what went wrong, naming the message, the address and the time. */
  readonly message: string;
}

/**
 * A check: a pure function from a run to its violations (none when the property held). Built-in checks
 * are made by factories (`noLoss()`, `deliveredOrBounced({ within: '5d' })`); `check(name, fn)` makes
 * a user's own.
 */
export interface MailCheck {
  readonly checkName: string;
  (run: MailRun): Violation[];
}
