/**
 * What a generated fault schedule may name, and how it is shaped (docs/reference.md §13): the input of
 * every kind's `draw` and of the schedule arbitrary (src/testing/arbitraries/schedule.ts).
 */
import type { SmtpStage } from '../protocols/smtp/stages.js';

export interface FaultUniverse {
  /** Mail hosts faults may name (the scenario's hosts). */
  hosts: readonly string[];
  /** Names `dns` faults may fail (the scenario's DNS names and recipient domains). */
  dnsNames: readonly string[];
  /** Domains with MX records, for `dns-set` (a new MX set drawn from their exchanges). */
  mxDomains?: ReadonlyArray<{ domain: string; exchanges: readonly string[] }>;
  /** Faults start before this (the scenario's `until`). */
  untilMs: number;
  /** Faults start at or after this (default 0). */
  fromMs?: number;
  /** Most gaps are drawn within this window (where the traffic is); default: all of `until`. */
  focusMs?: number;
  /** Times worth aiming at (the traffic's sends): some faults start just before or after one. */
  anchorsMs?: readonly number[];
  /** Kinds to draw (names of src/faults/index.ts); default all that the universe allows. */
  kinds?: readonly string[];
  /** Per-kind weights replacing the kinds' own `draw.weight` (0: never drawn). */
  weights?: Readonly<Record<string, number>>;
  /** How often a drawn fault gets a `chance:` (docs/reference.md §6), 0–1; default never. */
  chanceRate?: number;
  /** Longest schedule (default 6). */
  faultsMax?: number;
  /** Codes for `reply` (default 4xx/5xx only: a scripted 2xx is a different server, not a fault). */
  replyCodes?: readonly number[];
  /** Stages for `reply` and `drop` (default all six). */
  stages?: readonly SmtpStage[];
  /** DNS failure rcodes (default servfail, timeout, nxdomain). */
  dnsRcodes?: ReadonlyArray<'servfail' | 'timeout' | 'nxdomain'>;
  /** If set, every fault is temporary and undone by this time (a heal phase follows). */
  healByMs?: number;
}
