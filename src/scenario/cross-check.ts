/**
 * Checks that the parts of a normalised scenario refer to each other sensibly (the list):
 *
 * - an MX target defined nowhere (not a host, no address record) is allowed — it simply never answers —
 *   but is worth a WARNING (a typo in an MX is the classic "mail vanishes into the backup queue");
 * - a `send` on 587/465 must come from a user some host knows (a host with the sender's domain in
 *   `domains` and the user in `users`), with a password, through a submission host — else an ERROR;
 *   a `send` on port 25 may come from anyone, as spam and scripts do (RFC 5321 §3.6: no authentication);
 * - a `fetch` for a mailbox that does not exist, and a fault, `via` or `host` naming an unknown host,
 *   are ERRORS; routes to unknown hosts are warnings (the transport map may name an outside smarthost);
 * - two hosts with the same address are an ERROR (the virtual network could not tell them apart);
 * - expectations about addresses that no traffic sends to are WARNINGS (the expectation holds
 *   vacuously, which is rarely what the author meant).
 *
 * Local parts are compared case-insensitively when looking users up, as Postfix does for local
 * delivery by default; domains are already lower case.
 */
import { domainOf, localPartOf } from '../mail/address.js';
import type { KeyPath, PathProblem } from './schema-normalise.js';
import type { DnsEntry, FetchSpec, HostConfig, Scenario, SendSpec } from './schema-types.js';
import { kindOf } from '../faults/index.js';
import type { CheckTools } from '../faults/kind.js';

function userOn(host: HostConfig, address: string) {
  if (!host.domains.includes(domainOf(address))) return undefined;
  const local = localPartOf(address).toLowerCase();
  return host.users.find((u) => u.name.toLowerCase() === local);
}

function checkMxTargets(entries: DnsEntry[], scenario: Scenario, pathOf: (entry: DnsEntry) => KeyPath, problems: PathProblem[]): void {
  const hostNames = new Set(scenario.hosts.map((h) => h.name));
  const addressed = new Set(
    [...scenario.dns, ...entries].filter((e) => e.records.a.length + e.records.aaaa.length > 0 || e.records.cname !== null).map((e) => e.name),
  );
  for (const entry of entries) {
    entry.records.mx.forEach((mx, index) => {
      if (mx.host === '.' || hostNames.has(mx.host) || addressed.has(mx.host)) return;
      problems.push({
        severity: 'warning',
        path: [...pathOf(entry), 'mx', index],
        message: `the MX target ${mx.host} is not a host and has no address record; connections to it will fail`,
      });
    });
  }
}

/** What the section checks share: the scenario, its hosts by name, and the problems found so far. */
interface Checking {
  scenario: Scenario;
  hostsByName: Map<string, HostConfig>;
  problems: PathProblem[];
  /** An error at `path` unless `name` is one of the scenario's hosts. */
  knownHost(name: string, path: KeyPath, what: string): void;
}

/** What the traffic sends and fetches, for the expectations' checks. */
interface TrafficSeen {
  sentTo: Set<string>;
  sentFrom: Set<string>;
  fetchedBy: Set<string>;
}

export function crossCheck(scenario: Scenario): PathProblem[] {
  const checking = checkingOf(scenario);
  // DNS: MX targets (warnings).
  checkMxTargets(scenario.dns, scenario, (e) => ['dns', e.name], checking.problems);
  checkHosts(checking);
  checkFaults(checking);
  const seen = checkTraffic(checking);
  checkExpectations(checking, seen);
  return checking.problems;
}

/** The cross-checks of the faults alone: what `crossCheck` says at `faults[…]` (revalidate.ts). */
export function crossCheckFaults(scenario: Scenario): PathProblem[] {
  const checking = checkingOf(scenario);
  checkFaults(checking);
  return checking.problems;
}

function checkingOf(scenario: Scenario): Checking {
  const problems: PathProblem[] = [];
  const hostsByName = new Map(scenario.hosts.map((h) => [h.name, h]));
  return {
    scenario,
    hostsByName,
    problems,
    knownHost(name, path, what) {
      if (!hostsByName.has(name)) problems.push({ severity: 'error', path, message: `${what} ${name} is not defined in hosts${suggestHost(name, hostsByName)}` });
    },
  };
}

/** Duplicate addresses (errors), a mailbox on two hosts, routes to unknown hosts (warnings), links. */
function checkHosts({ scenario, hostsByName, problems, knownHost }: Checking): void {
  const byAddress = new Map<string, string>();
  for (const host of scenario.hosts) {
    const other = byAddress.get(host.address);
    if (other !== undefined) {
      problems.push({ severity: 'error', path: ['hosts', host.name, 'address'], message: `${host.name} and ${other} have the same address ${host.address}` });
    } else byAddress.set(host.address, host.name);
  }
  // The same mailbox on two hosts is legal (§8 "on any host") but usually a copy-paste slip.
  const mailboxOwner = new Map<string, string>();
  for (const host of scenario.hosts) {
    for (const user of host.users) {
      for (const address of user.addresses) {
        const key = address.toLowerCase();
        const other = mailboxOwner.get(key);
        if (other !== undefined && other !== host.name) {
          problems.push({ severity: 'warning', path: ['hosts', host.name, 'users', user.name], message: `the mailbox ${address} also exists on ${other}` });
        } else mailboxOwner.set(key, host.name);
      }
    }
  }
  for (const host of scenario.hosts) {
    for (const route of host.routes) {
      if (!hostsByName.has(route.host)) {
        problems.push({ severity: 'warning', path: ['hosts', host.name, 'routes', route.domain], message: `the route target ${route.host} is not defined in hosts; mail routed there will not be delivered` });
      }
    }
  }
  scenario.network.links.forEach((link, index) => {
    link.between.forEach((name, side) => {
      knownHost(name, ['network', 'links', index, 'between', side], 'the host');
    });
  });
}

/** Every host a fault names must exist; a `dns-set`'s MX targets are checked like the zone's (each kind's `check`). */
function checkFaults({ scenario, problems, knownHost }: Checking): void {
  const tools: CheckTools = {
    knownHost: (name, path) => knownHost(name, [...path], 'the host'),
    mxTargets: (entries, path) => checkMxTargets([...entries], scenario, (e) => [...path, e.name], problems),
  };
  for (const fault of scenario.faults) kindOf(fault.action).check(fault.action, tools, ['faults', fault.index]);
}

function checkTraffic(checking: Checking): TrafficSeen {
  const seen: TrafficSeen = { sentTo: new Set(), sentFrom: new Set(), fetchedBy: new Set() };
  for (const item of checking.scenario.traffic) {
    const path: KeyPath = ['traffic', item.index];
    if (item.kind === 'send') {
      for (const to of item.send.to) seen.sentTo.add(to.toLowerCase());
      seen.sentFrom.add(item.send.from.toLowerCase());
      checkSend(checking, item.send, [...path, 'send']);
    } else {
      seen.fetchedBy.add(item.fetch.user.toLowerCase());
      checkFetch(checking, item.fetch, [...path, 'fetch']);
    }
  }
  return seen;
}

/** A `send` on 587/465 authenticates: its sender must be a user with a password, through an msa. */
function checkSend({ scenario, hostsByName, problems, knownHost }: Checking, send: SendSpec, sendPath: KeyPath): void {
  if (send.via !== null && !hostsByName.has(send.via)) knownHost(send.via, [...sendPath, 'via'], 'the submission host');
  if (send.port === 25) return;
  const owner = scenario.hosts.find((h) => userOn(h, send.from) !== undefined);
  const user = owner ? userOn(owner, send.from) : undefined;
  if (!user) {
    problems.push({
      severity: 'error',
      path: [...sendPath, 'from'],
      message: `no host knows the user ${send.from} (a host with ${domainOf(send.from)} in domains and ${localPartOf(send.from)} in users), so it cannot authenticate on port ${send.port}; add the user, or send on port 25`,
    });
  } else if (user.password === null) {
    problems.push({ severity: 'error', path: [...sendPath, 'from'], message: `the user ${send.from} has no password, so it cannot authenticate on port ${send.port}` });
  }
  if (send.via === null) {
    problems.push({ severity: 'error', path: [...sendPath, 'from'], message: `no host has role msa and ${domainOf(send.from)} in domains; set via: HOST` });
    return;
  }
  const via = hostsByName.get(send.via);
  if (via && !via.roles.includes('msa')) {
    problems.push({ severity: 'warning', path: [...sendPath, 'via'], message: `${via.name} does not have role msa, so it does not listen on port ${send.port}` });
  }
}

/** A `fetch` logs in: the mailbox must exist on a host with a password, and the host speak the protocol. */
function checkFetch({ hostsByName, problems, knownHost }: Checking, fetch: FetchSpec, fetchPath: KeyPath): void {
  if (fetch.host === '') {
    problems.push({ severity: 'error', path: [...fetchPath, 'user'], message: `no host has ${domainOf(fetch.user)} in domains, so the mailbox ${fetch.user} does not exist` });
    return;
  }
  const host = hostsByName.get(fetch.host);
  if (!host) {
    knownHost(fetch.host, [...fetchPath, 'host'], 'the host');
    return;
  }
  const user = userOn(host, fetch.user);
  if (!user) {
    problems.push({ severity: 'error', path: [...fetchPath, 'user'], message: `${host.name} has no mailbox ${fetch.user} (the user must be in its users and the domain in its domains)` });
  } else if (user.password === null) {
    problems.push({ severity: 'error', path: [...fetchPath, 'user'], message: `the user ${fetch.user} has no password, so it cannot log in` });
  }
  if (!host.roles.includes(fetch.protocol)) {
    problems.push({ severity: 'warning', path: [...fetchPath, 'protocol'], message: `${host.name} does not have role ${fetch.protocol}, so the fetch will be refused` });
  }
}

/** Expectations about addresses no traffic reaches hold vacuously: worth a warning. */
function checkExpectations({ scenario, problems, knownHost }: Checking, { sentTo, sentFrom, fetchedBy }: TrafficSeen): void {
  scenario.expect.forEach((expectation, index) => {
    const path: KeyPath = ['expect', index];
    switch (expectation.kind) {
      case 'delivered':
      case 'bounced':
      case 'deferred':
      case 'rejected':
        // A sender can still receive mail without traffic addressed to it: the DSNs about its messages.
        if (!sentTo.has(expectation.address.toLowerCase()) && !(expectation.kind === 'delivered' && sentFrom.has(expectation.address.toLowerCase()))) {
          problems.push({ severity: 'warning', path: [...path, expectation.kind], message: `no traffic sends to ${expectation.address}, so this expectation cannot hold` });
        }
        if (expectation.kind === 'delivered' && expectation.via !== null) knownHost(expectation.via, [...path, 'via'], 'the host');
        break;
      case 'fetched':
        if (!fetchedBy.has(expectation.user.toLowerCase())) {
          problems.push({ severity: 'warning', path: [...path, 'fetched'], message: `no traffic fetches mail for ${expectation.user}` });
        }
        break;
      case 'no-bounces':
        break;
    }
  });
}

function suggestHost(name: string, hosts: Map<string, HostConfig>): string {
  const close = [...hosts.keys()].find((h) => editDistance(h, name) <= 2);
  return close === undefined ? '' : ` (did you mean ${close}?)`;
}

/** Levenshtein distance, bounded by the lengths of two short names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
