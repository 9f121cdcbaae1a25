/**
 * Builds a world's scenario from its draft (world-case.ts draws the draft): a PLAIN scenario object in
 * the YAML's shape (docs/reference.md §3–§8), so a failing case is written out as a scenario file
 * unchanged, and the `WorldInfo` the property suite checks against.
 *
 * A world: one sending domain (sender.test, an MSA/MTA/MDA host, optionally a smarthost it routes
 * everything to), 1–4 destination domains of three kinds — MX (1–5 records: the final host at the
 * best preference, backup MX hosts with relay-for at worse ones, ties among them, and "dead" MX names
 * whose address no host answers), implicit MX (no MX records: the domain's own A record, M3) and null
 * MX (RFC 7505) — and optionally a mail loop (two relays routing a domain to each other). Traffic:
 * sends from the sender's users to known and unknown users of those domains, with sizes.
 * Insertion order is part of the output (hosts get addresses in order): keep it.
 */
import type { ScenarioObject } from '../types.js';
import {
  backupName,
  type DomainInfo,
  type DomainKind,
  deadName,
  domainName,
  finalName,
  loopDomain,
  loopHosts,
  mxPerDomainMax,
  senderDomain,
  senderHost,
  smarthostName,
  type WorldCase,
  type WorldInfo,
  type WorldOptions,
} from './world-types.js';

export interface DomainDraft {
  kind: DomainKind;
  finalPreference: number;
  /** Preference above the final host's (ties among backups allowed). */
  backupSteps: number[];
  deadPreferences: number[];
}

export interface SendDraft {
  atS: number;
  from: 'alice' | 'ann';
  to: Array<{ domain: number; user: 'bob' | 'carol' | 'nobody' | 'loop' | 'local' }>;
  sizeBytes: number | null;
}

export interface QueueDraft {
  minS: number;
  maxS: number;
  scanS: number;
  lifetimeS: number;
}

export interface WorldDraft {
  domains: DomainDraft[];
  sends: SendDraft[];
  smarthost: boolean;
  loop: boolean;
  ghost: boolean;
  queue: QueueDraft;
  hops: number;
  seed: number;
  eximRule: number;
}

const seconds = (s: number) => `${s}s`;

/** What the destination domains add to the zone and the hosts, and who can receive there. */
interface Destinations {
  dns: Record<string, unknown>;
  hosts: Record<string, unknown>;
  domains: DomainInfo[];
  knownUsers: Set<string>;
  unknownUsers: Set<string>;
}

function addDomain(out: Destinations, d: DomainDraft, i: number): void {
  const name = domainName(i);
  if (d.kind === 'null') {
    out.dns[name] = { mx: ['0 .'] };
    out.domains.push({ name, kind: 'null', finalHost: null, backups: [], mx: [] });
    return;
  }
  const final = finalName(i);
  out.hosts[final] = { roles: ['mta', 'mda'], domains: [name], users: { bob: 'pw-bob', carol: 'pw-carol' } };
  out.knownUsers.add(`bob@${name}`).add(`carol@${name}`);
  out.unknownUsers.add(`nobody@${name}`);
  if (d.kind === 'implicit') {
    const address = `10.${i + 1}.0.1`;
    (out.hosts[final] as Record<string, unknown>).address = address;
    out.dns[name] = { a: address };
    out.domains.push({ name, kind: 'implicit', finalHost: final, backups: [], mx: [] });
    return;
  }
  const mx: Array<{ preference: number; host: string }> = [{ preference: d.finalPreference, host: final }];
  const backups: string[] = [];
  const records = Math.min(mxPerDomainMax - 1, d.backupSteps.length + d.deadPreferences.length);
  d.backupSteps.slice(0, records).forEach((step, b) => {
    const backup = backupName(i, b);
    backups.push(backup);
    out.hosts[backup] = { roles: ['mta'], 'relay-for': [name] };
    mx.push({ preference: d.finalPreference + step, host: backup });
  });
  d.deadPreferences.slice(0, Math.max(0, records - backups.length)).forEach((preference, k) => {
    const dead = deadName(i, k);
    out.dns[dead] = { a: `10.99.${i + 1}.${k + 1}` };
    mx.push({ preference, host: dead });
  });
  out.dns[name] = { mx: mx.map((r) => `${r.preference} ${r.host}`) };
  out.domains.push({ name, kind: 'mx', finalHost: final, backups, mx });
}

function destinations(draft: WorldDraft): Destinations {
  const out: Destinations = {
    dns: { [senderDomain]: { mx: [`10 ${senderHost}`] } },
    hosts: {
      [senderHost]: {
        roles: ['msa', 'mta', 'mda'],
        domains: [senderDomain],
        users: { alice: 'pw-alice', ann: 'pw-ann' },
        ...(draft.smarthost ? { routes: { '*': smarthostName } } : {}),
      },
    },
    domains: [],
    knownUsers: new Set<string>([`alice@${senderDomain}`, `ann@${senderDomain}`]),
    unknownUsers: new Set<string>(),
  };
  draft.domains.forEach((d, i) => {
    addDomain(out, d, i);
  });
  if (draft.smarthost) out.hosts[smarthostName] = { roles: ['mta'], 'relay-for': out.domains.map((d) => d.name).concat(draft.loop ? [loopDomain] : []) };
  if (draft.loop) {
    out.dns[loopDomain] = { mx: [`10 ${loopHosts[0]}`] };
    out.hosts[loopHosts[0]] = { roles: ['mta'], 'relay-for': [loopDomain], routes: { [loopDomain]: loopHosts[1] } };
    out.hosts[loopHosts[1]] = { roles: ['mta'], 'relay-for': [loopDomain], routes: { [loopDomain]: loopHosts[0] } };
  }
  return out;
}

function recipientsOf(send: SendDraft, draft: WorldDraft, out: Destinations): string[] {
  const to = new Set<string>();
  for (const target of send.to) {
    if (target.user === 'loop') {
      if (draft.loop) to.add(`x@${loopDomain}`);
      continue;
    }
    if (target.user === 'local') {
      to.add(`ann@${senderDomain}`);
      continue;
    }
    const domain = out.domains[target.domain % out.domains.length]!;
    to.add(`${target.user}@${domain.name}`);
    if (target.user === 'nobody' && domain.kind !== 'null') out.unknownUsers.add(`nobody@${domain.name}`);
  }
  if (to.size === 0) to.add(`ann@${senderDomain}`);
  return [...to];
}

function trafficOf(draft: WorldDraft, out: Destinations): Array<Record<string, unknown>> {
  const traffic: Array<Record<string, unknown>> = [];
  for (const send of draft.sends) {
    const message: Record<string, unknown> = { from: `${send.from}@${senderDomain}`, to: recipientsOf(send, draft, out), subject: `t${traffic.length + 1}` };
    if (send.sizeBytes === null) message.body = 'Hello';
    else message.size = send.sizeBytes;
    traffic.push({ at: seconds(send.atS), send: message });
  }
  const withBackup = out.domains.find((d) => d.backups.length > 0);
  if (draft.ghost && withBackup !== undefined) {
    // D2: the backup accepts, the final host refuses the user, the DSN to a non-existent domain fails.
    traffic.push({ at: '2m', send: { from: 'ghost@nowhere.test', to: `nobody@${withBackup.name}`, body: 'x', port: 25, via: withBackup.backups[0] } });
  }
  return traffic;
}

function queueOf(draft: WorldDraft, options: WorldOptions): WorldInfo['queue'] {
  const eximRules = options.eximRules ?? [];
  return {
    minMs: draft.queue.minS * 1000,
    maxMs: Math.max(draft.queue.minS, draft.queue.maxS) * 1000,
    scanMs: draft.queue.scanS * 1000,
    lifetimeMs: draft.queue.lifetimeS * 1000,
    eximRule: eximRules.length === 0 ? null : eximRules[draft.eximRule % eximRules.length]!,
  };
}

/** The world of a draft: its scenario (no faults) and what the properties need to know about it. */
export function buildWorld(draft: WorldDraft, options: WorldOptions): WorldCase {
  const out = destinations(draft);
  const traffic = trafficOf(draft, out);
  const queue = queueOf(draft, options);
  const scenario: ScenarioObject = {
    name: 'property world',
    seed: draft.seed,
    until: `${Math.floor(options.untilMs / 1000)}s`,
    network: { latency: '10ms' },
    defaults: {
      queue: {
        min: seconds(queue.minMs / 1000),
        max: seconds(queue.maxMs / 1000),
        scan: seconds(queue.scanMs / 1000),
        lifetime: seconds(queue.lifetimeMs / 1000),
        ...(queue.eximRule === null ? {} : { schedule: 'exim', rule: queue.eximRule }),
      },
      limits: { hops: draft.hops },
    },
    dns: out.dns,
    hosts: out.hosts,
    faults: [],
    traffic,
  };
  const info: WorldInfo = {
    senderHost,
    smarthost: draft.smarthost ? smarthostName : null,
    domains: out.domains,
    loopDomain: draft.loop ? loopDomain : null,
    loopHosts: draft.loop ? [...loopHosts] : [],
    knownUsers: [...out.knownUsers],
    unknownUsers: [...out.unknownUsers],
    queue,
    hopsMax: draft.hops,
  };
  return { scenario, info };
}
