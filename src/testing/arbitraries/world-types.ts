/**
 * What a generated world is made of (the `world()` arbitrary, docs/testing.md "Arbitraries"): the
 * options, what the property suite learns about a drawn world (`WorldInfo`), and the fixed names.
 *
 * Names are fixed by position (mx1.d2.test …), so a fault schedule can be drawn over every name a
 * world may have and then fitted to the world drawn (world-faults.ts): world and schedule shrink
 * independently.
 */
import type { ScenarioObject } from '../types.js';

/** A destination domain: MX records, no MX (the domain's own A record: implicit MX), or a null MX (RFC 7505). */
export type DomainKind = 'mx' | 'implicit' | 'null';

export interface WorldOptions {
  /** Destination domain kinds allowed (default: MX twice as often as implicit and null MX). */
  domainKinds?: readonly DomainKind[];
  /** Send to unknown users too (550 5.1.1 at RCPT). */
  unknownUsers?: boolean;
  /** Sometimes a smarthost on the sending side (routes "*": every remote domain). */
  smarthost?: boolean;
  /** Sometimes a domain whose two relays route it to each other (the hop limit ends it, docs/delivery.md §4). */
  loop?: boolean;
  /** Dead MX names (an address nobody answers); default on. */
  deadMx?: boolean;
  /** Sometimes a send from a domain that does not exist, on port 25 via a backup MX: its DSN cannot be delivered (D2). */
  ghostSender?: boolean;
  /** The run's `until`, ms (`world()` takes `until`, a duration). */
  untilMs: number;
  /** Queue with `schedule: exim` and one of these rules (docs/delivery.md R9) instead of the Postfix schedule. */
  eximRules?: readonly string[];
}

export interface DomainInfo {
  name: string;
  kind: DomainKind;
  /** The host whose `domains` include it (none for null MX). */
  finalHost: string | null;
  backups: string[];
  /** MX records as { preference, host } (empty for implicit and null MX). */
  mx: Array<{ preference: number; host: string }>;
}

/** What the generator knows of a world it drew (the property suite's checks read it; mailsim/testing's checks do not). */
export interface WorldInfo {
  senderHost: string;
  smarthost: string | null;
  domains: DomainInfo[];
  loopDomain: string | null;
  loopHosts: string[];
  knownUsers: string[];
  unknownUsers: string[];
  queue: { minMs: number; maxMs: number; scanMs: number; lifetimeMs: number; eximRule: string | null };
  hopsMax: number;
}

/** A drawn world: the scenario (no faults yet, or the faults fitted to it) and what the generator knows of it. */
export interface WorldCase {
  scenario: ScenarioObject;
  info: WorldInfo;
}

export const senderDomain = 'sender.test';
export const senderHost = 'smtp.sender.test';
export const smarthostName = 'relay.sender.test';
export const loopDomain = 'loop.test';
export const loopHosts = ['loopa.test', 'loopb.test'] as const;
/** Destination domains per world, at most. */
export const domainsMax = 4;
/** MX records per domain, at most. */
export const mxPerDomainMax = 5;
/** Sends per world, at most. */
export const sendsMax = 3;

export const domainName = (i: number) => `d${i + 1}.test`;
export const finalName = (i: number) => `mx1.${domainName(i)}`;
export const backupName = (i: number, b: number) => `mx${b + 2}.${domainName(i)}`;
export const deadName = (i: number, k: number) => `dead${k + 1}.${domainName(i)}`;

/** Every host name a world can have, for the fault universe. */
export function allHostNames(): string[] {
  const out = [senderHost, smarthostName, ...loopHosts];
  for (let i = 0; i < domainsMax; i++) {
    out.push(finalName(i));
    for (let b = 0; b < mxPerDomainMax - 1; b++) out.push(backupName(i, b));
  }
  return out;
}
