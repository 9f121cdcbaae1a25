/**
 * `world(options)` (mailsim/testing, docs/testing.md "Arbitraries"): random mail topologies as
 * scenario objects — a sending domain with an MSA (optionally behind a smarthost), destination
 * domains with MX sets (preferences, equal-preference ties, backup MX hosts with `relay-for`, dead MX
 * names), implicit MX and null MX (RFC 7505), optionally a relay loop, users and traffic. No faults:
 * compose with `faultSchedule(world())`. The drawing is world-case.ts's; this file only adapts the
 * options and drops the generator's `WorldInfo`.
 */
import type fc from 'fast-check';
import { durationMs, type Duration } from '../duration.js';
import type { ScenarioObject } from '../types.js';
import { worldCase } from './world-case.js';
import type { WorldOptions } from './world-types.js';

/** A day: long enough for the default queue settings' retries and bounces. */
const worldUntilDefault = '1d';

/** What `world()` may draw (every feature is off unless named; dead MX names are on), and the scenario's `until` (default `1d`). */
export type WorldArbitraryOptions = Omit<WorldOptions, 'untilMs'> & { until?: Duration };

/** Draws whole worlds: scenario objects that validate, shrinking towards fewer domains, MX hosts and sends. */
export function world(options: WorldArbitraryOptions = {}): fc.Arbitrary<ScenarioObject> {
  const { until, ...rest } = options;
  return worldCase({ ...rest, untilMs: durationMs(until ?? worldUntilDefault, 'world(): until') }).map((drawn) => drawn.scenario);
}
