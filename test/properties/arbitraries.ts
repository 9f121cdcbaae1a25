/**
 * fast-check arbitraries for whole worlds: PLAIN scenario objects in the YAML's shape (docs/reference.md
 * §3–§8), validated by validateScenarioObject when they run, so a failing case is written out as a
 * scenario file unchanged.
 *
 * A world: one sending domain (sender.test, an MSA/MTA/MDA host, optionally a smarthost it routes
 * everything to), 1–4 destination domains of three kinds — MX (1–5 records: the final host at the
 * best preference, backup MX hosts with relay-for at worse ones, ties among them, and "dead" MX names
 * whose address no host answers), implicit MX (no MX records: the domain's own A record, M3) and null
 * MX (RFC 7505) — and optionally a mail loop (two relays routing a domain to each other). Traffic:
 * sends from the sender's users to known and unknown users of those domains, with sizes. Names are
 * fixed by position (mx1.d2.test …), so the fault arbitrary can draw over the full name universe and
 * faults naming a host this world lacks are simply left out: world and schedule shrink independently.
 */
import fc from 'fast-check';
import { type FaultKindName, type FaultUniverse, faultScheduleArbitrary, type PlainFault } from '../../src/explore/fault-arbitrary.js';
import { faultKinds } from '../../src/faults/index.js';
import type { NormaliseTools } from '../../src/faults/kind.js';
import { faultSchema } from '../../src/scenario/schema.js';

export type DomainKind = 'mx' | 'implicit' | 'null';

export interface WorldOptions {
  /** Destination domain kinds allowed (default all three). */
  domainKinds?: readonly DomainKind[];
  /** Send to unknown users too (550 5.1.1 at RCPT). */
  unknownUsers?: boolean;
  /** A smarthost on the sending side (routes "*"). */
  smarthost?: boolean;
  /** A domain whose two relays route it to each other (hop limit, docs/delivery.md §4). */
  loop?: boolean;
  /** Dead MX names (an address nobody answers). */
  deadMx?: boolean;
  /** Sends from a sender whose domain does not exist, on port 25 via a backup MX (D2). */
  ghostSender?: boolean;
  /** The run's `until`. */
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

export interface WorldCase {
  scenario: Record<string, unknown>;
  info: WorldInfo;
}

const senderDomain = 'sender.test';
const senderHost = 'smtp.sender.test';
const smarthostName = 'relay.sender.test';
const loopDomain = 'loop.test';
const loopHosts = ['loopa.test', 'loopb.test'];
const domainsMax = 4;
const mxPerDomainMax = 5;
const sendsMax = 3;

const domainName = (i: number) => `d${i + 1}.test`;
const finalName = (i: number) => `mx1.${domainName(i)}`;
const backupName = (i: number, b: number) => `mx${b + 2}.${domainName(i)}`;
const deadName = (i: number, k: number) => `dead${k + 1}.${domainName(i)}`;

/** Every host name a world can have, for the fault universe. */
export function allHostNames(): string[] {
  const out = [senderHost, smarthostName, ...loopHosts];
  for (let i = 0; i < domainsMax; i++) {
    out.push(finalName(i));
    for (let b = 0; b < mxPerDomainMax - 1; b++) out.push(backupName(i, b));
  }
  return out;
}

const ms = (text: string) => text;
const seconds = (s: number) => `${s}s`;

interface DomainDraft {
  kind: DomainKind;
  finalPreference: number;
  /** Preference above the final host's (ties among backups allowed). */
  backupSteps: number[];
  deadPreferences: number[];
}

function domainDraft(options: WorldOptions): fc.Arbitrary<DomainDraft> {
  const kinds = options.domainKinds ?? ['mx', 'mx', 'implicit', 'null'];
  return fc.record({
    kind: fc.constantFrom(...kinds),
    finalPreference: fc.integer({ min: 0, max: 20 }),
    backupSteps: fc.array(fc.integer({ min: 1, max: 3 }).map((step) => step * 5), { maxLength: 2 }),
    deadPreferences: options.deadMx === false ? fc.constant([]) : fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 2 }),
  });
}

interface SendDraft {
  atS: number;
  from: 'alice' | 'ann';
  to: Array<{ domain: number; user: 'bob' | 'carol' | 'nobody' | 'loop' | 'local' }>;
  sizeBytes: number | null;
}

function sendDraft(options: WorldOptions): fc.Arbitrary<SendDraft> {
  const users: Array<SendDraft['to'][number]['user']> = ['bob', 'carol', 'local'];
  if (options.unknownUsers) users.push('nobody');
  if (options.loop) users.push('loop');
  return fc.record({
    atS: fc.integer({ min: 0, max: 1200 }),
    from: fc.constantFrom('alice' as const, 'ann' as const),
    to: fc.array(fc.record({ domain: fc.integer({ min: 0, max: domainsMax - 1 }), user: fc.constantFrom(...users) }), { minLength: 1, maxLength: 3 }),
    sizeBytes: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
  });
}

const queueDraft = fc.record({
  minS: fc.constantFrom(60, 300),
  maxS: fc.constantFrom(300, 600, 4000),
  scanS: fc.constantFrom(60, 300),
  lifetimeS: fc.constantFrom(2 * 3600, 6 * 3600, 86_400),
});

/** A world (no faults yet) and what the properties need to know about it. */
export function worldArbitrary(options: WorldOptions): fc.Arbitrary<WorldCase> {
  return fc
    .record({
      domains: fc.array(domainDraft(options), { minLength: 1, maxLength: domainsMax }),
      sends: fc.array(sendDraft(options), { minLength: 1, maxLength: sendsMax }),
      smarthost: options.smarthost ? fc.boolean() : fc.constant(false),
      loop: options.loop ? fc.boolean() : fc.constant(false),
      ghost: options.ghostSender ? fc.boolean() : fc.constant(false),
      queue: queueDraft,
      hops: fc.integer({ min: 4, max: 12 }),
      seed: fc.integer({ min: 1, max: 1000 }),
      // Last, and a constant (no draw) without Exim rules: the other worlds stay exactly as they were.
      eximRule: options.eximRules === undefined ? fc.constant(0) : fc.nat({ max: options.eximRules.length - 1 }),
    })
    .map((draft) => buildWorld(draft, options));
}

function buildWorld(
  draft: { domains: DomainDraft[]; sends: SendDraft[]; smarthost: boolean; loop: boolean; ghost: boolean; queue: { minS: number; maxS: number; scanS: number; lifetimeS: number }; hops: number; seed: number; eximRule: number },
  options: WorldOptions,
): WorldCase {
  const dns: Record<string, unknown> = { [senderDomain]: { mx: [`10 ${senderHost}`] } };
  const hosts: Record<string, unknown> = {
    [senderHost]: {
      roles: ['msa', 'mta', 'mda'],
      domains: [senderDomain],
      users: { alice: 'pw-alice', ann: 'pw-ann' },
      ...(draft.smarthost ? { routes: { '*': smarthostName } } : {}),
    },
  };
  const domains: DomainInfo[] = [];
  const knownUsers = new Set<string>([`alice@${senderDomain}`, `ann@${senderDomain}`]);
  const unknownUsers = new Set<string>();
  draft.domains.forEach((d, i) => {
    const name = domainName(i);
    if (d.kind === 'null') {
      dns[name] = { mx: ['0 .'] };
      domains.push({ name, kind: 'null', finalHost: null, backups: [], mx: [] });
      return;
    }
    const final = finalName(i);
    hosts[final] = { roles: ['mta', 'mda'], domains: [name], users: { bob: 'pw-bob', carol: 'pw-carol' } };
    knownUsers.add(`bob@${name}`).add(`carol@${name}`);
    unknownUsers.add(`nobody@${name}`);
    if (d.kind === 'implicit') {
      const address = `10.${i + 1}.0.1`;
      (hosts[final] as Record<string, unknown>).address = address;
      dns[name] = { a: address };
      domains.push({ name, kind: 'implicit', finalHost: final, backups: [], mx: [] });
      return;
    }
    const mx: Array<{ preference: number; host: string }> = [{ preference: d.finalPreference, host: final }];
    const backups: string[] = [];
    const records = Math.min(mxPerDomainMax - 1, d.backupSteps.length + d.deadPreferences.length);
    d.backupSteps.slice(0, records).forEach((step, b) => {
      const backup = backupName(i, b);
      backups.push(backup);
      hosts[backup] = { roles: ['mta'], 'relay-for': [name] };
      mx.push({ preference: d.finalPreference + step, host: backup });
    });
    d.deadPreferences.slice(0, Math.max(0, records - backups.length)).forEach((preference, k) => {
      const dead = deadName(i, k);
      dns[dead] = { a: `10.99.${i + 1}.${k + 1}` };
      mx.push({ preference, host: dead });
    });
    dns[name] = { mx: mx.map((r) => `${r.preference} ${r.host}`) };
    domains.push({ name, kind: 'mx', finalHost: final, backups, mx });
  });
  if (draft.smarthost) hosts[smarthostName] = { roles: ['mta'], 'relay-for': domains.map((d) => d.name).concat(draft.loop ? [loopDomain] : []) };
  if (draft.loop) {
    dns[loopDomain] = { mx: [`10 ${loopHosts[0]}`] };
    hosts[loopHosts[0]!] = { roles: ['mta'], 'relay-for': [loopDomain], routes: { [loopDomain]: loopHosts[1] } };
    hosts[loopHosts[1]!] = { roles: ['mta'], 'relay-for': [loopDomain], routes: { [loopDomain]: loopHosts[0] } };
  }

  const traffic: Array<Record<string, unknown>> = [];
  for (const send of draft.sends) {
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
      const domain = domains[target.domain % domains.length]!;
      to.add(`${target.user}@${domain.name}`);
      if (target.user === 'nobody' && domain.kind !== 'null') unknownUsers.add(`nobody@${domain.name}`);
    }
    if (to.size === 0) to.add(`ann@${senderDomain}`);
    const message: Record<string, unknown> = { from: `${send.from}@${senderDomain}`, to: [...to], subject: `t${traffic.length + 1}` };
    if (send.sizeBytes === null) message.body = 'Hello';
    else message.size = send.sizeBytes;
    traffic.push({ at: seconds(send.atS), send: message });
  }
  const withBackup = domains.find((d) => d.backups.length > 0);
  if (draft.ghost && withBackup !== undefined) {
    // D2: the backup accepts, the final host refuses the user, the DSN to a non-existent domain fails.
    traffic.push({ at: '2m', send: { from: 'ghost@nowhere.test', to: `nobody@${withBackup.name}`, body: 'x', port: 25, via: withBackup.backups[0] } });
  }

  const eximRules = options.eximRules ?? [];
  const eximRule = eximRules.length === 0 ? null : eximRules[draft.eximRule % eximRules.length]!;
  const queue = {
    minMs: draft.queue.minS * 1000,
    maxMs: Math.max(draft.queue.minS, draft.queue.maxS) * 1000,
    scanMs: draft.queue.scanS * 1000,
    lifetimeMs: draft.queue.lifetimeS * 1000,
    eximRule,
  };
  const scenario: Record<string, unknown> = {
    name: 'property world',
    seed: draft.seed,
    until: ms(`${Math.floor(options.untilMs / 1000)}s`),
    network: { latency: '10ms' },
    defaults: {
      queue: {
        min: seconds(queue.minMs / 1000),
        max: seconds(queue.maxMs / 1000),
        scan: seconds(queue.scanMs / 1000),
        lifetime: seconds(queue.lifetimeMs / 1000),
        ...(eximRule === null ? {} : { schedule: 'exim', rule: eximRule }),
      },
      limits: { hops: draft.hops },
    },
    dns,
    hosts,
    faults: [],
    traffic,
  };
  return {
    scenario,
    info: {
      senderHost,
      smarthost: draft.smarthost ? smarthostName : null,
      domains,
      loopDomain: draft.loop ? loopDomain : null,
      loopHosts: draft.loop ? [...loopHosts] : [],
      knownUsers: [...knownUsers],
      unknownUsers: [...unknownUsers],
      queue,
      hopsMax: draft.hops,
    },
  };
}

/** Fault-universe options a property restricts (which kinds, codes, stages, and which hosts faults may name). */
export interface FaultOptions extends Partial<Pick<FaultUniverse, 'replyCodes' | 'stages' | 'dnsRcodes' | 'healByMs' | 'faultsMax'>> {
  kinds: readonly FaultKindName[];
  /** Faults start before this. */
  horizonMs: number;
  /** Hosts faults may not name in this world (e.g. the final hosts, for Failover's "reachable MX"). */
  spare?: (info: WorldInfo) => readonly string[];
}

/** The hosts a drawn fault names, as its kind's cross-check sees them (src/faults/: `check`). */
function namesIn(fault: PlainFault): string[] {
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
  return fc.tuple(worldArbitrary(world), faultScheduleArbitrary(universe)).map(([w, schedule]) => ({
    info: w.info,
    scenario: { ...w.scenario, faults: faultsFor(w, schedule, faults.spare?.(w.info) ?? []) },
  }));
}
