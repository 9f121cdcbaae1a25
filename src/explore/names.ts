/**
 * What `mailsim explore` takes by default (docs/reference.md §13), in a module with no dependencies so
 * the command line can show it in its help without loading the explorer. The check names are
 * src/testing/checks/names.ts's (the built-in checks of `mailsim/testing`); the fault kinds are the
 * registry's (src/faults/index.ts), which loads the schema, so `--faults` is checked when the command runs.
 */
export { builtInCheckNames as checkNames, defaultCheckNames as defaultChecks } from '../testing/checks/names.js';

/** Fault schedules tried by default (`--runs`). */
export const exploreRunsDefault = 200;
