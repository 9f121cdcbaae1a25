/**
 * `faultSchedule(scenario, options)` (mailsim/testing, docs/testing.md "Arbitraries"): fault schedules
 * over a scenario's own hosts, DNS names and time span, appended to the scenario's own `faults`.
 *
 * The schedule is schedule.ts's (the one `mailsim explore` draws too): ordered gaps inside the
 * window, most of them near the traffic, every kind of src/faults/ — the stochastic `outages` and a
 * fault's `chance:` included — each drawn by its own `draw`. Options narrow it: which kinds and how
 * often (`weights`), how many, when (`window`), which hosts (`hosts` to restrict, `spare` to leave
 * alone). A property failing whenever a fault exists shrinks to one fault; the rest shrink towards
 * earlier, shorter, simpler faults.
 */
import type fc from 'fast-check';
import type { FaultUniverse } from '../../faults/universe.js';
import type { SmtpStage } from '../../protocols/smtp/stages.js';
import type { Scenario } from '../../scenario/schema-types.js';
import { canonicalName } from '../../dns/names.js';
import { type Duration, durationMs } from '../duration.js';
import type { ScenarioObject } from '../types.js';
import { faultKindNamed } from '../../faults/index.js';
import { type FaultKindName, faultKindNames, faultScheduleArbitrary } from './schedule.js';
import { type BaseScenario, overScenario, type ScenarioInput } from './scenario-input.js';
import { universeOf } from './universe.js';

/** Faults per drawn schedule, at most, unless `maxFaults` says otherwise. */
export const faultScheduleMaxFaultsDefault = 6;
/** Share of drawn faults that get a `chance:`, unless `chance` says otherwise. */
export const faultScheduleChanceDefault = 0.2;

export interface FaultScheduleOptions {
  /** Fault kinds to draw (docs/reference.md §6; default every kind the scenario can have). */
  kinds?: readonly FaultKindName[];
  /** Faults per schedule, at most (default 6). */
  maxFaults?: number;
  /** When faults start: `{ from, to }` durations (default the whole run, `0s` to `until`). */
  window?: { from?: Duration; to?: Duration };
  /** How often each kind is drawn relative to the others (default the kinds' own weights; 0: never). */
  weights?: Partial<Record<FaultKindName, number>>;
  /** The only hosts faults may name (default every host of the scenario). */
  hosts?: readonly string[];
  /** Hosts faults never name (e.g. the sender's own MTA). */
  spare?: readonly string[];
  /** Share of faults drawn with a `chance:` (happens in a run with that probability), 0–1 (default 0.2). */
  chance?: number;
  /** Every fault is temporary and undone by this time (a heal phase follows, for liveness properties). */
  healBy?: Duration;
  /** Reply codes a `reply` fault uses (default 4xx and 5xx). */
  replyCodes?: readonly number[];
  /** SMTP stages `reply` and `drop` faults act at (default all six). */
  stages?: readonly SmtpStage[];
  /** How a `dns` fault fails (default servfail, timeout, nxdomain). */
  dnsRcodes?: ReadonlyArray<'servfail' | 'timeout' | 'nxdomain'>;
}

/** Draws the scenario with a fault schedule appended to its own faults. */
export function faultSchedule(scenario: ScenarioInput, options: FaultScheduleOptions = {}): fc.Arbitrary<ScenarioObject> {
  checkOptions(options);
  return overScenario(scenario, 'faultSchedule()', (base) =>
    faultScheduleArbitrary(scheduleUniverse(base, options)).map((faults) => withFaults(base.source, faults)),
  );
}

function withFaults(source: ScenarioObject, faults: readonly Record<string, unknown>[]): ScenarioObject {
  const own = Array.isArray(source.faults) ? (source.faults as unknown[]) : [];
  return { ...source, faults: [...own, ...faults] };
}

/** Options that are wrong whatever the scenario: thrown at once, naming the option. */
function checkOptions(options: FaultScheduleOptions): void {
  for (const name of [...(options.kinds ?? []), ...Object.keys(options.weights ?? {})]) {
    if (faultKindNamed(name) === undefined) throw new TypeError(`faultSchedule(): unknown fault kind ${name}; known: ${faultKindNames.join(', ')}`);
  }
  for (const [name, weight] of Object.entries(options.weights ?? {})) {
    if (!Number.isInteger(weight) || (weight as number) < 0) throw new TypeError(`faultSchedule(): weights.${name} must be a whole number ≥ 0, got ${weight}`);
  }
  const max = options.maxFaults;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) throw new TypeError(`faultSchedule(): maxFaults must be a whole number ≥ 0, got ${max}`);
  const chance = options.chance;
  if (chance !== undefined && !(chance >= 0 && chance <= 1)) throw new TypeError(`faultSchedule(): chance must be between 0 and 1, got ${chance}`);
}

/** The universe of one scenario, narrowed by the options. */
function scheduleUniverse(base: BaseScenario, options: FaultScheduleOptions): FaultUniverse {
  const universe = universeOf(base.scenario, options.kinds ?? faultKindNames, options.maxFaults ?? faultScheduleMaxFaultsDefault);
  const { fromMs, toMs } = windowOf(base.scenario, options);
  return {
    ...universe,
    hosts: hostsOf(base.scenario, options),
    fromMs,
    untilMs: toMs,
    ...(universe.focusMs !== undefined ? { focusMs: Math.max(fromMs + 1000, Math.min(toMs, universe.focusMs)) } : {}),
    chanceRate: options.chance ?? faultScheduleChanceDefault,
    ...(options.weights ? { weights: options.weights as Record<string, number> } : {}),
    ...(options.healBy !== undefined ? { healByMs: durationMs(options.healBy, 'faultSchedule(): healBy') } : {}),
    ...(options.replyCodes ? { replyCodes: options.replyCodes } : {}),
    ...(options.stages ? { stages: options.stages } : {}),
    ...(options.dnsRcodes ? { dnsRcodes: options.dnsRcodes } : {}),
  };
}

function windowOf(scenario: Scenario, options: FaultScheduleOptions): { fromMs: number; toMs: number } {
  const fromMs = options.window?.from === undefined ? 0 : durationMs(options.window.from, 'faultSchedule(): window.from');
  const toMs = Math.min(scenario.untilMs, options.window?.to === undefined ? scenario.untilMs : durationMs(options.window.to, 'faultSchedule(): window.to'));
  if (fromMs >= toMs) throw new TypeError(`faultSchedule(): the window starts at ${fromMs} ms, not before its end ${toMs} ms (the scenario's until, or window.to)`);
  return { fromMs, toMs };
}

/** The hosts faults may name: the scenario's, restricted to `hosts` and without `spare`; unknown names are an error. */
function hostsOf(scenario: Scenario, options: FaultScheduleOptions): string[] {
  const all = scenario.hosts.map((host) => host.name);
  const named = (list: readonly string[] | undefined, option: string): Set<string> | null => {
    if (list === undefined) return null;
    const names = new Set(list.map((name) => canonicalName(name)));
    const unknown = [...names].filter((name) => !all.includes(name));
    if (unknown.length > 0) throw new TypeError(`faultSchedule(): ${option} names ${unknown.join(', ')}, not a host of ${scenario.file} (its hosts: ${all.join(', ')})`);
    return names;
  };
  const only = named(options.hosts, 'hosts');
  const spare = named(options.spare, 'spare') ?? new Set<string>();
  return all.filter((name) => (only === null || only.has(name)) && !spare.has(name));
}
