/**
 * The NORMALISED scenario: what the loader returns and the runner consumes (docs/reference.md §3–§8).
 *
 * Every default is filled in, every duration is whole milliseconds (`…Ms`), every size bytes
 * (`…Bytes`), MX lists are `{ preference, host }`, retry rules are parsed, host and domain names are
 * lower-case without a trailing dot (DNS names are case-insensitive, RFC 4343), and addresses keep
 * their local part as written but have a lower-case domain (RFC 5321 §2.4: only the local part may be
 * case-sensitive). Maps of the file (hosts, dns, users) become arrays in file order, so iteration order
 * is explicit (docs/architecture.md rule 3) and the object is plain JSON. The runner never re-parses a string.
 */
import type { WorldSpec } from '../nodes/config.js';

// The model below the scenario layer, declared where the layer that consumes it lives (re-exported
// here for the loader's callers): DNS records in src/dns, latency in src/net, SMTP stages in
// src/protocols/smtp, faults in src/faults, host/traffic configuration in src/nodes/config.ts.
export type { DnsEntry, DnsRecordSet, DnsRecordType, MxRecord } from '../dns/record-set.js';
export type { FaultAction, FaultSpec } from '../faults/index.js';
export type { LatencySpec } from '../net/latency.js';
export { type SmtpStage, smtpStageNames } from '../protocols/smtp/stages.js';
export type {
  CatchAllConfig,
  FetchSpec,
  FilterAction,
  FilterCondition,
  FilterRegex,
  FilterRule,
  HostConfig,
  LimitsConfig,
  LinkConfig,
  NetworkConfig,
  QueueConfig,
  RouteConfig,
  SendSpec,
  TimeoutsConfig,
  TrafficItem,
  UserConfig,
  WorldSpec,
} from '../nodes/config.js';
export { type Role, roleNames } from '../nodes/config.js';
export type { RetryRuleItem } from '../nodes/mta/retry-rule.js';

/** Marks an object as a normalised scenario (as opposed to a plain object shaped like the YAML). */
export const scenarioKind = 'mailsim-scenario/1';

/** A problem found while loading; `line`/`column` are 1-based, null when the input had no positions. */
export interface ScenarioProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  column: number | null;
  /** Key path such as `hosts.mx1.example.org.roles[1]`; '' for the document itself. */
  path: string;
  message: string;
}

/** `source` is the expectation as written in the file (JSON), echoed by the report (§9). */
export type Expectation =
  | { kind: 'delivered'; address: string; withinMs: number | null; via: string | null; count: number | null; folder: string | null; source: Record<string, unknown> }
  | { kind: 'bounced'; address: string; status: string | null; withinMs: number | null; source: Record<string, unknown> }
  | { kind: 'deferred'; address: string; source: Record<string, unknown> }
  | { kind: 'rejected'; address: string; source: Record<string, unknown> }
  /** count null: at least one message was fetched. */
  | { kind: 'fetched'; user: string; count: number | null; subject: string | null; source: Record<string, unknown> }
  | { kind: 'no-bounces'; source: Record<string, unknown> };

/** A normalised scenario: the world it runs (seed, until, network, dns, hosts, faults, traffic) and what it expects. */
export interface Scenario extends WorldSpec {
  kind: typeof scenarioKind;
  name: string;
  description: string | null;
  /** Where it came from (a file path or the source name given to validateScenarioObject). */
  file: string;
  expect: Expectation[];
  /** Non-fatal findings (e.g. an MX pointing at a host defined nowhere). */
  warnings: ScenarioProblem[];
}
