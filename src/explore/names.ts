/**
 * The names `mailsim explore` accepts (docs/reference.md §13), in a module with no dependencies so the
 * command line can show them in its help without loading the explorer.
 */

/** Fault actions of docs/reference.md §6 that `--faults` may name. */
export const faultKindNames = ['down', 'up', 'refuse', 'partition', 'latency', 'dns', 'dns-set', 'reply', 'drop', 'flaky'] as const;
export type FaultKind = (typeof faultKindNames)[number];

/** What `--check` may count as a violation. */
export const checkNames = ['expect', 'invariants', 'no-duplicates'] as const;
export type CheckName = (typeof checkNames)[number];
export const defaultChecks: readonly CheckName[] = ['expect', 'invariants'];

/** Fault schedules tried by default (`--runs`). */
export const exploreRunsDefault = 200;
