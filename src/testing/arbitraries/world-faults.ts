/**
 * A world with a fault schedule (the property suite's worlds, test/properties/worlds.ts): the schedule
 * is drawn over every name a world may have (world-types.ts), then fitted to the world drawn — faults
 * naming a host the world lacks (or one the property spares) are left out, partitions lose missing
 * members — so world and schedule shrink independently and every fitted case still validates.
 */
import fc from 'fast-check';
import { faultKinds } from '../../faults/index.js';
import type { NormaliseTools } from '../../faults/kind.js';
import { faultSchema } from '../../scenario/schema.js';
import { type FaultKindName, type FaultUniverse, faultScheduleArbitrary, type PlainFault } from './schedule.js';
import { worldCase } from './world-case.js';
import { allHostNames, backupName, domainName, domainsMax, finalName, loopDomain, senderDomain, type WorldCase, type WorldInfo, type WorldOptions } from './world-types.js';

/** Fault-universe options a property restricts (which kinds, codes, stages, and which hosts faults may name). */
export interface FaultOptions extends Partial<Pick<FaultUniverse, 'replyCodes' | 'stages' | 'dnsRcodes' | 'healByMs' | 'faultsMax'>> {
  kinds: readonly FaultKindName[];
  /** Faults start before this. */
  horizonMs: number;
  /** Hosts faults may not name in this world (e.g. the final hosts, for Failover's "reachable MX"). */
  spare?: (info: WorldInfo) => readonly string[];
}

/** The hosts a drawn fault names, as its kind's cross-check sees them (src/faults/: `check`). */
export function namesIn(fault: PlainFault): string[] {
  const parsed = faultSchema.parse(fault) as Record<string, unknown>;
  const kind = faultKinds.find((candidate) => parsed[candidate.name] !== undefined);
  if (kind === undefined) throw new Error(`a drawn fault with no action: ${JSON.stringify(fault)}`);
  const asWritten: NormaliseTools = { name: (text) => text, latency: () => ({ minMs: 0, maxMs: 0 }), dnsEntries: () => [] };
  const names: string[] = [];
  kind.check(kind.normalise(parsed as never, asWritten, []), { knownHost: (host) => names.push(host), mxTargets: () => {} }, []);
  return names;
}

/** Keeps the faults this world can have: every named host exists and is not spared; partitions lose missing members. */
export function faultsFor(world: WorldCase, faults: readonly PlainFault[], spared: readonly string[]): PlainFault[] {
  const hosts = new Set(Object.keys(world.scenario.hosts as Record<string, unknown>).filter((h) => !spared.includes(h)));
  const out: PlainFault[] = [];
  for (const fault of faults) {
    if (Array.isArray(fault.partition)) {
      const groups = (fault.partition as string[][]).map((group) => group.filter((h) => hosts.has(h)));
      if (groups.filter((g) => g.length > 0).length < 2) continue;
      out.push({ ...fault, partition: groups.filter((g) => g.length > 0) });
      continue;
    }
    if (namesIn(fault).every((name) => hosts.has(name))) out.push(fault);
  }
  return out;
}

/** A world with a fault schedule drawn over the full name universe, then fitted to the world. */
export function worldWithFaults(world: WorldOptions, faults: FaultOptions): fc.Arbitrary<WorldCase> {
  const dnsNames = [senderDomain, loopDomain, ...Array.from({ length: domainsMax }, (_, i) => domainName(i)), ...Array.from({ length: domainsMax }, (_, i) => finalName(i))];
  const universe: FaultUniverse = {
    hosts: allHostNames(),
    dnsNames,
    mxDomains: Array.from({ length: domainsMax }, (_, i) => ({ domain: domainName(i), exchanges: [finalName(i), backupName(i, 0), backupName(i, 1)] })),
    untilMs: faults.horizonMs,
    focusMs: Math.min(faults.horizonMs, 3_600_000),
    anchorsMs: [0, 300_000, 600_000, 1_200_000],
    kinds: faults.kinds,
    faultsMax: faults.faultsMax ?? 5,
    ...(faults.replyCodes ? { replyCodes: faults.replyCodes } : {}),
    ...(faults.stages ? { stages: faults.stages } : {}),
    ...(faults.dnsRcodes ? { dnsRcodes: faults.dnsRcodes } : {}),
    ...(faults.healByMs !== undefined ? { healByMs: faults.healByMs } : {}),
  };
  return fc.tuple(worldCase(world), faultScheduleArbitrary(universe)).map(([w, schedule]) => ({
    info: w.info,
    scenario: { ...w.scenario, faults: faultsFor(w, schedule, faults.spare?.(w.info) ?? []) },
  }));
}
