/**
 * What the matchers accept as the subject of `expect(…)`: a `MailRun` (from `runMail`), a `Report`
 * (docs/reference.md §9.1, e.g. from `runScenario`) or anything with a `report()` method (a `withWorld`
 * handle: the report so far). Anything else is the caller's mistake, a TypeError that says so.
 */
import { reportFormat, type Report } from '../../report/types.js';
import type { MailRun } from '../types.js';

/** A subject of the mail matchers. */
export type MailSubject = MailRun | Report | { report(): Report };

/** What one matcher call gives vitest: whether it held, and the message for when that is a failure. */
export interface MatcherOutcome {
  pass: boolean;
  message: () => string;
}

const isReport = (value: unknown): value is Report =>
  typeof value === 'object' && value !== null && (value as { format?: unknown }).format === reportFormat && Array.isArray((value as { messages?: unknown }).messages);

/** The report a subject stands for, or a TypeError naming the matcher. */
export function reportOfSubject(subject: unknown, matcher: string): Report {
  if (isReport(subject)) return subject;
  if (typeof subject === 'object' && subject !== null) {
    const report = (subject as { report?: unknown }).report;
    if (isReport(report)) return report;
    if (typeof report === 'function') {
      const made: unknown = report.call(subject);
      if (isReport(made)) return made;
    }
  }
  const shown = subject === null ? 'null' : Array.isArray(subject) ? 'an array' : typeof subject;
  throw new TypeError(`${matcher}: expect(…) needs a MailRun (from runMail), a Report or a withWorld handle; got ${shown}`);
}

/** `within 10m, via mx2.example.org`: the options as the message repeats them, or ''. */
export function optionWords(words: ReadonlyArray<string | null>): string {
  const given = words.filter((word): word is string => word !== null);
  return given.length === 0 ? '' : ` (${given.join(', ')})`;
}
