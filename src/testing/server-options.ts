/**
 * What `startServer` (server.ts) serves, from its options: one host in the scenario format's own
 * syntax (docs/reference.md §5), validated by the scenario loader — located errors, and exactly the
 * simulator's defaults — and widened to every listener as `mailsim serve` widens it
 * (`serveConfigOf`, src/bridge/config.ts). The host comes from the options (`domains`, `users`, `tls`,
 * `host`) or from one host of a scenario (a file or an object), as `mailsim serve --scenario --host`.
 *
 * The scenario object is kept: a fault given later to `inject` is validated as one more item of its
 * `faults` list (docs/reference.md §6), so it reads and fails exactly as in a scenario file. A served
 * fault's `host` may be left out; it is the served host.
 */
import { serveConfigOf, serveRoles, type ServeConfig } from '../bridge/config.js';
import { type FaultSpec, faultKinds } from '../faults/index.js';
import { validateScenarioObject } from '../scenario/load.js';
import { scenarioObjectOf } from './run.js';
import type { ScenarioObject } from './types.js';

/** A scenario fault item (docs/reference.md §6): `at`, optional `until`, and one action, e.g. `{ reply: { on: 'rcpt', code: 550 } }`. */
export type FaultItem = Record<string, unknown>;

/** The host options of `startServer` (its sockets and lifetime are in server.ts). */
export interface ServedHostOptions {
  /** Local domains (default `['example.test']`); the host is named `mail.` + the first. */
  domains?: readonly string[];
  /**
   * Mailboxes in the scenario format's `users` syntax (docs/reference.md §5): a name and its password,
   * or `{ password, filters, quota }`. Default `{ alice: 'secret', bob: 'secret' }`.
   */
  users?: Record<string, string | Record<string, unknown>>;
  /**
   * `true` (default): STARTTLS and the implicit-TLS listeners, with a self-signed certificate made at
   * start; `false`: neither; `{ certFile, keyFile }`: TLS with that certificate and key (PEM files).
   */
  tls?: boolean | { certFile: string; keyFile: string };
  /** More keys of the host, as under `hosts.NAME` (docs/reference.md §5): `mailbox`, `greylist`, `limits`, `timeouts`, `queue`, `requiretls`. */
  host?: Record<string, unknown>;
  /** Serve one host of a scenario instead (a file or a plain object), as `mailsim serve --scenario FILE --host NAME`: `domains`, `users` and `host` are then ignored, and its own `tls` key says whether it offers TLS. */
  scenario?: { file: string; host: string } | { object: ScenarioObject; host: string };
  /** Faults served from the start (`reply`, `drop`, `delay`, `rate-limit`, `greylist`, `tls-off`, `corrupt`, `refuse`: docs/reference.md §6), `at`/`until` counted from the start. */
  faults?: readonly FaultItem[];
}

/** The served host: its scenario object, the host's name, and what serve runs. */
export interface ServedHost {
  readonly source: ScenarioObject;
  readonly sourceName: string;
  readonly hostName: string;
  readonly serve: ServeConfig;
}

const defaultUsers = { alice: 'secret', bob: 'secret' };

/** Validates the host the options describe (throws the loader's located ScenarioError when it is wrong). */
export function servedHostOf(options: ServedHostOptions, relay: boolean): ServedHost {
  const { source, sourceName, hostName } = scenarioOf(options);
  const faults = [...((source.faults as FaultItem[] | undefined) ?? []), ...(options.faults ?? []).map((item) => withServedHost(item, hostName))];
  const withFaults = { ...source, faults };
  return { source: withFaults, sourceName, hostName, serve: serveConfigOf(validateScenarioObject(withFaults, sourceName), hostName, sourceName, relay) };
}

function scenarioOf(options: ServedHostOptions): { source: ScenarioObject; sourceName: string; hostName: string } {
  const given = options.scenario;
  if (given !== undefined && 'file' in given) return { source: scenarioObjectOf(given.file), sourceName: given.file, hostName: given.host };
  if (given !== undefined) return { source: given.object, sourceName: '<scenario>', hostName: given.host };
  const domains = options.domains !== undefined && options.domains.length > 0 ? [...options.domains] : ['example.test'];
  const hostName = `mail.${domains[0]}`;
  const host = { roles: [...serveRoles], domains, users: options.users ?? defaultUsers, ...(options.tls === false ? { tls: false } : {}), ...options.host };
  return { source: { name: 'startServer', hosts: { [hostName]: host } }, sourceName: 'startServer options', hostName };
}

/**
 * One fault to serve from now: validated as the next item of the scenario's `faults`, so its index (the
 * name of its random stream, `fault:INDEX`) is its own; `injectedBefore` are the items it returned before. Throws when it is not a fault served inside
 * this host's SMTP server.
 */
export function injectedFault(served: ServedHost, injectedBefore: readonly FaultItem[], item: FaultItem, relay: boolean): { spec: FaultSpec; item: FaultItem } {
  const filled = withServedHost(item, served.hostName);
  const faults = [...((served.source.faults as FaultItem[] | undefined) ?? []), ...injectedBefore, filled];
  const scenario = validateScenarioObject({ ...served.source, faults }, `${served.sourceName} (inject)`);
  const index = faults.length - 1;
  const spec = serveConfigOf(scenario, served.hostName, served.sourceName, relay).faults.find((fault) => fault.index === index);
  if (spec === undefined) {
    const action = scenario.faults.find((fault) => fault.index === index)?.action.kind ?? 'this fault';
    throw new Error(`inject: ${action} cannot be served: only faults inside this host's SMTP server or on its listeners are (${servedKindNames.join(', ')}, naming ${served.hostName})`);
  }
  return { spec, item: filled };
}

/** The fault kinds that act inside one SMTP server (`servedOn`, src/faults/): the ones a server can take. */
const servedKindNames: readonly string[] = faultKinds.filter((kind) => kind.servedOn !== undefined).map((kind) => kind.name);

/** `at` defaults to now (`0s`), and a served kind's `host` to the served host. */
function withServedHost(item: FaultItem, hostName: string): FaultItem {
  const filled: FaultItem = { at: '0s', ...item };
  for (const name of servedKindNames) {
    const action = item[name];
    if (typeof action === 'object' && action !== null && !Array.isArray(action) && !('host' in action)) filled[name] = { host: hostName, ...action };
  }
  return filled;
}
