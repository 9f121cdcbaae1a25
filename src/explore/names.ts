/**
 * The names `mailsim explore` accepts (docs/reference.md §13), in a module with no dependencies so the
 * command line can show them in its help without loading the explorer. The fault kinds are not here:
 * they are the registry's (src/faults/index.ts), which loads the schema, so `--faults` is checked
 * when the command runs.
 */

/** What `--check` may count as a violation. */
export const checkNames = ['expect', 'invariants', 'no-duplicates'] as const;
export type CheckName = (typeof checkNames)[number];
export const defaultChecks: readonly CheckName[] = ['expect', 'invariants'];

/** Fault schedules tried by default (`--runs`). */
export const exploreRunsDefault = 200;
