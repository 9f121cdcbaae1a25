/**
 * `assertMail(arbitrary, checks, options)` (mailsim/testing, docs/testing.md "assertMail"): a property
 * over drawn scenarios. Each drawn scenario is run (`runMail`) and judged by the checks
 * (`violationsOf`); a run that throws is a violation of its own (`run`). The first failure is shrunk
 * (search.ts), written as a scenario file `mailsim run` replays and its HTML report
 * (counterexample.ts), and thrown as an Error whose message lists the violations, the seed and path
 * that replay the shrunk case, and the files.
 *
 * Timeouts: `timeoutMs` bounds the search. A search it stops WITHOUT a failure passes — the time box
 * is the point of the option — and says so in the returned summary (`interrupted: true`, `runs`);
 * `failOnTimeout: true` makes it throw instead. A failure found before the limit is reported as usual
 * (its shrinking may have been cut short; the seed and path still replay the case printed).
 */
import { join } from 'node:path';
import type fc from 'fast-check';
import { violationsOf } from './check.js';
import { violationLine, type WrittenCounterexample, writeCounterexampleFiles } from './counterexample.js';
import { runMail } from './run.js';
import { type Judgement, type SearchOptions, searchMail } from './search.js';
import type { MailCheck, MailRun, ScenarioObject, Violation } from './types.js';

/** The check name a run that throws is reported under. */
export const runCrashCheck = 'run';

export interface AssertMailOptions extends SearchOptions {
  /** Where the counterexample files go (default `reports/counterexamples` under the working directory). */
  dir?: string;
  /** The files' base name: `NAME-seedN.counterexample.yaml` (default `assertMail`). */
  name?: string;
  /** Throw when `timeoutMs` stops the search before `numRuns` cases, even without a failure (default false). */
  failOnTimeout?: boolean;
}

/** What a search that found nothing did. */
export interface AssertMailSummary {
  seed: number;
  /** Scenarios drawn and run. */
  runs: number;
  /** `timeoutMs` stopped the search before `numRuns` scenarios. */
  interrupted: boolean;
}

/** The error `assertMail` throws: the message says it all; the fields are there for tools. */
export class MailPropertyError extends Error {
  readonly violations: readonly Violation[];
  readonly seed: number;
  readonly path: string;
  readonly files: WrittenCounterexample;
  readonly scenario: ScenarioObject;

  constructor(message: string, fields: { violations: readonly Violation[]; seed: number; path: string; files: WrittenCounterexample; scenario: ScenarioObject }) {
    super(message);
    this.name = 'MailPropertyError';
    this.violations = fields.violations;
    this.seed = fields.seed;
    this.path = fields.path;
    this.files = fields.files;
    this.scenario = fields.scenario;
  }
}

/** Runs one drawn scenario and judges it; a throwing run is a violation, with its stack. */
export function judgeScenario(scenario: ScenarioObject, checks: readonly MailCheck[]): Judgement {
  let run: MailRun;
  try {
    run = runMail(scenario, { sourceName: '<drawn scenario>' });
  } catch (error) {
    const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    return { violations: [{ check: runCrashCheck, message: `the run threw: ${stack}` }], run: null };
  }
  return { violations: violationsOf(run, checks), run };
}

/** Checks that every scenario the arbitrary draws passes the checks; throws a MailPropertyError with the shrunk counterexample otherwise. */
export function assertMail(arbitrary: fc.Arbitrary<ScenarioObject>, checks: MailCheck | readonly MailCheck[], options: AssertMailOptions = {}): AssertMailSummary {
  const list = Array.isArray(checks) ? (checks as readonly MailCheck[]) : [checks as MailCheck];
  if (list.length === 0 || list.some((one) => typeof one !== 'function')) throw new TypeError('assertMail(arbitrary, checks): checks must be one check or a non-empty list of checks (noLoss(), check(name, fn), …)');
  const outcome = searchMail(arbitrary, (scenario) => judgeScenario(scenario, list), options);
  const summary: AssertMailSummary = { seed: outcome.seed, runs: outcome.runs, interrupted: outcome.interrupted };
  if (outcome.failure === null) {
    if (outcome.interrupted && options.failOnTimeout) throw new Error(`assertMail: timeoutMs (${options.timeoutMs} ms) stopped the search after ${outcome.runs} scenario(s), none failing (seed ${outcome.seed})`);
    return summary;
  }
  const { value, violations, run, path, numShrinks } = outcome.failure;
  const name = options.name ?? 'assertMail';
  const foundBy = `assertMail "${name}" (seed ${outcome.seed}, path "${path}")`;
  const files = writeCounterexampleFiles(options.dir ?? join(process.cwd(), 'reports', 'counterexamples'), `${name}-seed${outcome.seed}`, { source: value, foundBy, violations, run });
  const message = [
    `assertMail "${name}": a counterexample after ${outcome.runs} run(s), shrunk in ${numShrinks} step(s)${outcome.interrupted ? ' (shrinking stopped by timeoutMs)' : ''}: ${sizeOf(value)}`,
    ...violations.map((v) => `  - ${violationLine(v)}`),
    `replay the search: { seed: ${outcome.seed}, path: ${JSON.stringify(path)} }`,
    `replay the run:    npx mailsim run ${files.scenario}`,
    `scenario file:     ${files.scenario}`,
    ...(files.html === null ? [] : [`HTML report:       ${files.html}`]),
  ].join('\n');
  throw new MailPropertyError(message, { violations, seed: outcome.seed, path, files, scenario: value });
}

/** "2 faults, 3 hosts, 1 send": the size of a shrunk scenario, what a reader has to take in. */
function sizeOf(scenario: ScenarioObject): string {
  const count = (value: unknown) => (Array.isArray(value) ? value.length : typeof value === 'object' && value !== null ? Object.keys(value).length : 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const sends = Array.isArray(scenario.traffic) ? scenario.traffic.filter((item) => typeof item === 'object' && item !== null && 'send' in item).length : 0;
  return `${plural(count(scenario.faults), 'fault')}, ${plural(count(scenario.hosts), 'host')}, ${plural(sends, 'send')}`;
}
