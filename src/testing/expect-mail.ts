/**
 * Checks inside someone else's property loop — `@fast-check/vitest`'s `test.prop`, or a plain
 * `fc.assert` (docs/testing.md "assertMail"): `expectMail(run, checks)` throws when the checks find
 * violations, listing them one a line; `mailProperty(checks)` is the whole body — run the drawn
 * scenario, then `expectMail`. fast-check then shrinks and prints the case itself; for the scenario
 * and HTML files of a counterexample use `assertMail`.
 */
import { violationsOf } from './check.js';
import { violationLine } from './counterexample.js';
import { runMail } from './run.js';
import type { MailCheck, MailRun, ScenarioObject, Violation } from './types.js';

/** The error `expectMail` throws. */
export class MailViolationError extends Error {
  readonly violations: readonly Violation[];

  constructor(violations: readonly Violation[]) {
    super(`${violations.length} violation(s):\n${violations.map((v) => `  - ${violationLine(v)}`).join('\n')}`);
    this.name = 'MailViolationError';
    this.violations = violations;
  }
}

function listOf(checks: MailCheck | readonly MailCheck[]): readonly MailCheck[] {
  return Array.isArray(checks) ? (checks as readonly MailCheck[]) : [checks as MailCheck];
}

/** Throws a MailViolationError when the checks find violations in the run. */
export function expectMail(run: MailRun, checks: MailCheck | readonly MailCheck[]): void {
  const violations = violationsOf(run, listOf(checks));
  if (violations.length > 0) throw new MailViolationError(violations);
}

/** A property body over drawn scenarios: `test.prop([faultSchedule('x.yaml')])('…', mailProperty(noLoss()))`. */
export function mailProperty(checks: MailCheck | readonly MailCheck[]): (scenario: ScenarioObject) => void {
  const list = listOf(checks);
  return (scenario) => expectMail(runMail(scenario, { sourceName: '<drawn scenario>' }), list);
}
