/**
 * A scenario's fault universe (src/faults/universe.ts): what a fault schedule drawn for it may name —
 * its hosts, its DNS names and recipient domains, its MX sets — and when — inside `until`, most of it
 * near the traffic, some of it aimed at the sends. Read from the VALIDATED scenario, so the names are
 * canonical and every host named exists. `faultSchedule` (mailsim/testing) and `mailsim explore` both
 * draw over it.
 */
import type { FaultKindName } from '../../faults/index.js';
import type { FaultUniverse } from '../../faults/universe.js';
import type { Scenario } from '../../scenario/schema-types.js';

/** Faults per generated schedule, at most, unless told (shrinking only removes). */
export const scheduleFaultsMaxDefault = 8;
/** Where most faults start: up to this long after the last traffic item. */
export const focusAfterTrafficMs = 3_600_000;
/** Send times faults are aimed at, at most. */
export const anchorsMax = 100;

/** The fault universe of a scenario: its hosts, its DNS names and recipient domains, its `until`. */
export function universeOf(scenario: Scenario, kinds: readonly FaultKindName[], faultsMax = scheduleFaultsMaxDefault): FaultUniverse {
  const recipientDomains: string[] = [];
  const anchorsMs: number[] = [];
  let lastTrafficMs = 0;
  for (const item of scenario.traffic) {
    if (item.kind === 'send' && anchorsMs.length < anchorsMax) anchorsMs.push(item.atMs);
    lastTrafficMs = Math.max(lastTrafficMs, item.atMs + (item.kind === 'send' ? (item.send.count - 1) * item.send.everyMs : 0));
    if (item.kind === 'send') for (const to of item.send.to) recipientDomains.push(to.slice(to.lastIndexOf('@') + 1).toLowerCase());
  }
  const dnsNames = [...new Set([...scenario.dns.filter((entry) => !entry.auto).map((entry) => entry.name), ...recipientDomains])];
  const mxDomains = scenario.dns
    .map((entry) => ({ domain: entry.name, exchanges: entry.records.mx.map((mx) => mx.host).filter((host) => host !== '.') }))
    .filter((entry) => entry.exchanges.length > 0);
  return {
    hosts: scenario.hosts.map((host) => host.name),
    dnsNames,
    mxDomains,
    untilMs: scenario.untilMs,
    focusMs: Math.min(scenario.untilMs, lastTrafficMs + focusAfterTrafficMs),
    anchorsMs,
    kinds,
    faultsMax,
  };
}
