/**
 * What `mailsim serve` runs: the host's configuration from flags (`--domain`, `--user NAME:PASSWORD`) or
 * from one host of a scenario (`--scenario FILE --host NAME`), normalised by the scenario loader so the
 * defaults (timeouts, limits, queue) are exactly the simulator's (docs/reference.md §5, §12).
 *
 * Serve always opens every listener, so the host's roles are widened to mta, msa, mda, pop3 and imap.
 * From a scenario host it takes domains, users (passwords, filters, quotas), mailbox format, greylisting,
 * timeouts, limits, queue rules, `tls`, and the scenario's faults served on this host (`reply`, `drop`, `corrupt`)
 * (applied at their `at`/`until`, counted from the moment serve starts). With `--relay-to`, every remote
 * domain is routed to the relay (a smarthost: `routes: { "*": relay }`), replacing the host's routes.
 */
import { loadScenario, validateScenarioObject } from '../scenario/load.js';
import { type FaultSpec, kindOf } from '../faults/index.js';
import type { HostConfig, Role } from '../nodes/config.js';
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
}

export interface ServeConfig {
  config: HostConfig;
  /** The scenario's faults that act inside this host's SMTP server (`reply`, `drop`, …: kinds with `servedOn`), times relative to the start of serve. */
  faults: FaultSpec[];
}

export function buildServeConfig(input: ServeConfigInput): ServeConfig {
  let config: HostConfig;
  let faults: FaultSpec[] = [];
  if (input.scenario) {
    const scenario = loadScenario(input.scenario.file);
    const host = scenario.hosts.find((candidate) => candidate.name === input.scenario?.host);
    if (host === undefined) throw new Error(`${input.scenario.file}: no host named ${input.scenario.host} (hosts: ${scenario.hosts.map((h) => h.name).join(', ')})`);
    config = host;
    faults = scenario.faults.filter((fault) => kindOf(fault.action).servedOn?.(fault.action) === host.name);
  } else {
    const domains = input.domains && input.domains.length > 0 ? input.domains : defaultDomains;
    const users: Record<string, string> = {};
    for (const spec of input.users && input.users.length > 0 ? input.users : defaultUsers) {
      const colon = spec.indexOf(':');
      if (colon <= 0) throw new Error(`--user wants NAME:PASSWORD, got ${JSON.stringify(spec)}`);
      users[spec.slice(0, colon)] = spec.slice(colon + 1);
    }
    const name = `mail.${domains[0]}`;
    const scenario = validateScenarioObject({ name: 'mailsim serve', hosts: { [name]: { roles: [...serveRoles], domains: [...domains], users } } }, 'command line');
    const host = scenario.hosts[0];
    if (host === undefined) throw new Error('the serve host is missing from its own scenario');
    config = host;
  }
  const roles = [...config.roles];
  for (const role of serveRoles) if (!roles.includes(role)) roles.push(role);
  const routes = input.relay ? [{ domain: '*', host: relayHostName }] : config.routes;
  return { config: { ...config, roles, routes, deliversLocally: config.deliversLocally || config.domains.length > 0 }, faults };
}
