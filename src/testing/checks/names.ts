/**
 * The names of the built-in checks on the command line (`mailsim explore --check`, docs/reference.md
 * §13): the kebab-case form of each factory's name, and the three older names explore has always
 * taken (`expect`, `invariants`, `no-duplicates`). A module with no dependencies, so the command line
 * can list them in its help without loading the simulator; registry.ts maps each to its factory.
 */

/** Every name `--check` takes for a built-in check. */
export const builtInCheckNames = [
  'expect',
  'invariants',
  'no-duplicates',
  'no-loss',
  'delivered-or-bounced',
  'at-least-once',
  'mx-order',
  'retry-schedule',
  'bounce-well-formed',
  'no-open-relay',
  'no-backscatter-loop',
  'expectations',
] as const;

export type BuiltInCheckName = (typeof builtInCheckNames)[number];

/** What `mailsim explore` checks without `--check`. */
export const defaultCheckNames: readonly BuiltInCheckName[] = ['expect', 'invariants'];
