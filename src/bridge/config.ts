/**
 * What `mailsim serve` runs: the host's configuration from flags (`--domain`, `--user NAME:PASSWORD`) or
 * from one host of a scenario (`--scenario FILE --host NAME`), normalised by the scenario loader so the
 * defaults (timeouts, limits, queue) are exactly the simulator's (docs/reference.md §5, §12).
 *
 * Serve always opens every listener, so the host's roles are widened to mta, msa, mda, pop3 and imap.
 * From a scenario host it takes domains, users (passwords, filters, quotas), mailbox format, greylisting,
 * timeouts, limits, queue rules, `tls`, and the scenario's faults served on this host (the kinds with `servedOn`: `refuse`, `reply`, `drop`, `delay`, `rate-limit`, `greylist`, `tls-off`, `corrupt`)
 * (applied at their `at`/`until`, counted from the moment serve starts). With `--relay-to`, every remote
 * domain is routed to the relay (a smarthost: `routes: { "*": relay }`), replacing the host's routes.
 */
import { loadScenario, validateScenarioObject } from '../scenario/load.js';
import { type FaultSpec, kindOf } from '../faults/index.js';
import type { HostConfig, Role } from '../nodes/config.js';
import type { Scenario } from '../scenario/schema-types.js';
import { relayHostName } from './socket-host.js';

export const serveRoles: readonly Role[] = ['mta', 'msa', 'mda', 'pop3', 'imap'];
export const defaultDomains: readonly string[] = ['example.test'];
export const defaultUsers: readonly string[] = ['alice:secret', 'bob:secret'];

export interface ServeConfigInput {
  domains?: readonly string[];
  /** `NAME:PASSWORD` each. */
  users?: readonly string[];
  /** Scenario file and host name (take precedence over domains/users). */
  scenario?: { file: string; host: string } | null;
  relay?: boolean;
  /** `--catch-all [USER]`: keep every domain's mail in USER's mailbox (true: the scenario's catch-all user, else the first user). */
  catchAll?: string | true;
}

export interface ServeConfig {
  config: HostConfig;
  /** The scenario's faults that act inside this host's SMTP server or on its listeners (`refuse`, `reply`, …: kinds with `servedOn`), times relative to the start of serve. */
  faults: FaultSpec[];
}

export function buildServeConfig(input: ServeConfigInput): ServeConfig {
  const served = servedHost(input);
  return input.catchAll === undefined ? served : { ...served, config: capturingAll(served.config, input.catchAll, input.relay ?? false) };
}

function servedHost(input: ServeConfigInput): ServeConfig {
  if (input.scenario) return serveConfigOf(loadScenario(input.scenario.file), input.scenario.host, input.scenario.file, input.relay ?? false);
  const domains = input.domains && input.domains.length > 0 ? input.domains : defaultDomains;
  const users: Record<string, string> = {};
  for (const spec of input.users && input.users.length > 0 ? input.users : defaultUsers) {
    const colon = spec.indexOf(':');
    if (colon <= 0) throw new Error(`--user wants NAME:PASSWORD, got ${JSON.stringify(spec)}`);
    users[spec.slice(0, colon)] = spec.slice(colon + 1);
  }
  const name = `mail.${domains[0]}`;
  const scenario = validateScenarioObject({ name: 'mailsim serve', hosts: { [name]: { roles: [...serveRoles], domains: [...domains], users } } }, 'command line');
  return serveConfigOf(scenario, name, 'command line', input.relay ?? false);
}

/**
 * What serve runs of one host of a validated scenario: the host with its roles widened to every
 * listener, and the scenario's faults served on it. Also what `startServer` (src/testing/server.ts)
 * builds its host with.
 */
export function serveConfigOf(scenario: Scenario, hostName: string, sourceName: string, relay: boolean): ServeConfig {
  const host = scenario.hosts.find((candidate) => candidate.name === hostName);
  if (host === undefined) throw new Error(`${sourceName}: no host named ${hostName} (hosts: ${scenario.hosts.map((h) => h.name).join(', ')})`);
  const faults = scenario.faults.filter((fault) => kindOf(fault.action).servedOn?.(fault.action) === host.name);
  const roles = [...host.roles];
  for (const role of serveRoles) if (!roles.includes(role)) roles.push(role);
  const routes = relay ? [{ domain: '*', host: relayHostName }] : host.routes;
  return { config: { ...host, roles, routes, deliversLocally: host.deliversLocally || host.domains.length > 0 }, faults };
}

/**
 * The host with `--catch-all`: every recipient of every domain is filed in one user's mailbox and
 * nothing is relayed (docs/reference.md §5 `catch-all`, `any-domain: true`).
 */
export function capturingAll(config: HostConfig, named: string | true, relay: boolean): HostConfig {
  if (relay) throw new Error('--catch-all keeps every message here, so nothing would reach --relay-to; give one or the other');
  const wanted = named === true ? (config.catchAll?.user ?? config.users[0]?.name) : named;
  if (wanted === undefined) throw new Error('--catch-all needs a user to keep the mail: this host has none (add --user NAME:PASSWORD)');
  const user = config.users.find((candidate) => candidate.name.toLowerCase() === wanted.toLowerCase());
  if (user === undefined) throw new Error(`--catch-all ${wanted}: no such user (users: ${config.users.map((u) => u.name).join(', ')})`);
  return { ...config, catchAll: { user: user.name, anyDomain: true } };
}
