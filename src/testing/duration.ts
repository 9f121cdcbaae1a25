/**
 * A duration option of `mailsim/testing` (`within: '10m'`, `advance('30s')`): a duration string of the
 * scenario format (docs/reference.md §1), read by the scenario's own parser, or whole milliseconds.
 */
import { parseDuration } from '../schema/units.js';

/** A duration string (`'30s'`, `'1h30m'`, `'5d'`) or whole milliseconds. */
export type Duration = string | number;

/** The milliseconds of a duration option, or a TypeError saying where it was given and what is wrong. */
export function durationMs(value: Duration, where: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new TypeError(`${where}: ${parsed.message}`);
  return parsed.value;
}
