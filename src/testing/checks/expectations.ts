/**
 * The scenario's own verdicts as checks, read from the report (docs/reference.md §8):
 *   `expectations()`     — every item of the scenario's `expect` held;
 *   `reportInvariants()` — the report's three invariants (no-loss, dsn-sanity, no-open-relay) held:
 *                          what `mailsim run` and `mailsim explore --check invariants` count.
 */
import { at, builtInCheck } from './common.js';

/** Checks that every item of the scenario's `expect` held (§8). */
export function expectations() {
  return builtInCheck('expectations', (run) =>
    run.report.expectations.filter((item) => !item.passed).map((item) => `expect ${JSON.stringify(item.expect)} did not hold at the end of the run (${at(run.report.endedAtMs)}): ${item.detail}`),
  );
}

/** Checks that the report's invariants held (§8 no-loss, dsn-sanity, no-open-relay). */
export function reportInvariants() {
  return builtInCheck('reportInvariants', (run) => run.report.invariants.filter((item) => !item.passed).map((item) => `invariant ${item.name} failed: ${item.detail}`));
}
