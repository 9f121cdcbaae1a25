/**
 * The real clock, for measuring how long a run took (`stats.wallMs`). It lives with the entry points
 * (docs/architecture.md rule 1 exempts the CLI): the simulation never calls it, the entry points pass it in.
 */
export function wallClockMs(): number {
  return performance.now();
}
