/**
 * The one search behind `assertMail` and the property suite (test/properties/harness.ts): fast-check
 * draws cases, each case is run and judged, the first failure is shrunk, and the shrunk case comes back
 * with the violations and the run it failed with.
 *
 * Theory of operation. fast-check's own seed drives the draws, so a seed repeats the search and a
 * seed with the printed path replays the shrunk case at once. The predicate keeps the LAST failing
 * case it judged: fast-check shrinks from each new failure, so the last one is the counterexample it
 * reports — its violations are the ones seen, not a second run's (a nondeterministic bug, say an
 * unseeded random, may not fail again). `timeoutMs` is fast-check's `interruptAfterTimeLimit`: the
 * search (and shrinking) stops there; it is the one place wall time enters, and only through fast-check.
 */
import fc from 'fast-check';
import type { MailRun, Violation } from './types.js';

/** What judging one case gives: its violations and, when the run got that far, the run. */
export interface Judgement {
  violations: Violation[];
  run: MailRun | null;
}

export interface SearchOptions {
  /** Cases to try (default fast-check's, 100). */
  numRuns?: number;
  /** fast-check's seed (default fast-check's: the global setting, or a fresh one — printed on failure). */
  seed?: number;
  /** A path printed with a failure: with its seed, replays the shrunk case first. */
  path?: string;
  /** Stops the search (and its shrinking) after this many ms of wall time. */
  timeoutMs?: number;
}

export interface SearchFailure<T> {
  /** The shrunk case. */
  value: T;
  violations: Violation[];
  run: MailRun | null;
  /** The fast-check path of the shrunk case (with `seed`, replays it). */
  path: string;
  numShrinks: number;
}

export interface SearchOutcome<T> {
  seed: number;
  /** Cases tried before the first failure (or all of them). */
  runs: number;
  /** The time limit stopped the search before `numRuns` cases (without a failure, or while shrinking one). */
  interrupted: boolean;
  failure: SearchFailure<T> | null;
}

/** Searches for a case `judge` finds violations in; shrinks the first. */
export function searchMail<T>(arbitrary: fc.Arbitrary<T>, judge: (value: T) => Judgement, options: SearchOptions = {}): SearchOutcome<T> {
  let last: { value: T; judgement: Judgement } | null = null;
  const property = fc.property(arbitrary, (value) => {
    const judgement = judge(value);
    if (judgement.violations.length === 0) return true;
    last = { value, judgement };
    return false;
  });
  const details = fc.check(property, {
    ...(options.numRuns !== undefined ? { numRuns: options.numRuns } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.timeoutMs !== undefined ? { interruptAfterTimeLimit: options.timeoutMs, markInterruptAsFailure: false } : {}),
  });
  const outcome = { seed: details.seed, runs: details.numRuns, interrupted: details.interrupted };
  if (!details.failed || details.counterexample === null) return { ...outcome, failure: null };
  const [value] = details.counterexample;
  const found = last as { value: T; judgement: Judgement } | null;
  // The last failing case is fast-check's counterexample; should it ever not be, judge it again.
  const judgement = found !== null && found.value === value ? found.judgement : judge(value);
  return { ...outcome, failure: { value, ...judgement, path: details.counterexamplePath ?? '', numShrinks: details.numShrinks } };
}
