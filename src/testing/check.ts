/**
 * `check(name, fn)`: a user's own property as a MailCheck. `fn` returns the violations as lines (none,
 * or an empty list, when the property held). A check that throws is that check's failure, reported
 * with its stack (it is user code), never a crash of the run or of the search around it.
 */
import type { MailCheck, MailRun, Violation } from './types.js';

/** What a check function may return: lines describing what went wrong, or nothing when all held. */
// biome-ignore lint/suspicious/noConfusingVoidType: a check written as a block with no return gives void
export type CheckResult = readonly string[] | string | undefined | null | void;

/** Makes a named check from a function over a run. */
export function check(name: string, fn: (run: MailRun) => CheckResult): MailCheck {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('check(name, fn): name must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeError(`check(${JSON.stringify(name)}, fn): fn must be a function of a run`);
  const run = (mailRun: MailRun): Violation[] => {
    let result: CheckResult;
    try {
      result = fn(mailRun);
    } catch (error) {
      const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      return [{ check: name, message: `the check threw: ${stack}` }];
    }
    if (result === undefined || result === null) return [];
    const lines = typeof result === 'string' ? [result] : result;
    return lines.map((message) => ({ check: name, message: String(message) }));
  };
  return Object.assign(run, { checkName: name });
}

/** Runs several checks over one run and returns all their violations, in the checks' order. */
export function violationsOf(run: MailRun, checks: readonly MailCheck[]): Violation[] {
  return checks.flatMap((one) => {
    try {
      return one(run);
    } catch (error) {
      const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return [{ check: one.checkName, message: `the check threw: ${stack}` }];
    }
  });
}
