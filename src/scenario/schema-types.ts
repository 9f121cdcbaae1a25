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
import type { RetryRuleItem } from './schema-retry.js';

export type { RetryRuleItem } from './schema-retry.js';

/** Marks an object as a normalised scenario (as opposed to a plain object shaped like the YAML). */
export const scenarioKind = 'mailsim-scenario/1';

export type Role = 'msa' | 'mta' | 'mda' | 'pop3' | 'imap';
export const roleNames: readonly Role[] = ['msa', 'mta', 'mda', 'pop3', 'imap'];

/** SMTP stages a `reply` or `drop` fault can hit (docs/reference.md §6). */
export type SmtpStage = 'connect' | 'ehlo' | 'mail' | 'rcpt' | 'data' | 'dot';
export const smtpStageNames: readonly SmtpStage[] = ['connect', 'ehlo', 'mail', 'rcpt', 'data', 'dot'];

export type DnsRecordType = 'mx' | 'a' | 'aaaa' | 'cname' | 'txt';
export type DnsFaultRcode = 'servfail' | 'nxdomain' | 'timeout';

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

/** One-way latency of a segment: fixed when minMs === maxMs, else drawn uniformly per connection. */
export interface LatencySpec {
  minMs: number;
  maxMs: number;
}

export interface LinkConfig {
  between: [string, string];
  latency: LatencySpec;
}

export interface NetworkConfig {
  latency: LatencySpec;
  links: LinkConfig[];
}

export interface MxRecord {
  preference: number;
  /** Lower-case host name; `.` for a null MX (RFC 7505). */
  host: string;
}

/** The records of one DNS name. Empty lists mean "no such records" (NODATA for that type). */
export interface DnsRecordSet {
  mx: MxRecord[];
  a: string[];
  aaaa: string[];
  cname: string | null;
  txt: string[];
  ttlMs: number;
}

export interface DnsEntry {
  name: string;
  records: DnsRecordSet;
  /** True when the loader added this entry (or its `a` record) for a host without an address record (§4). */
  auto: boolean;
}

export interface QueueConfig {
  schedule: 'postfix' | 'exim';
  minMs: number;
  maxMs: number;
  scanMs: number;
  /** The Exim rule, parsed (used when schedule is exim). */
  rule: RetryRuleItem[];
  /** The rule as written, for reports. */
  ruleText: string;
  lifetimeMs: number;
  bounceLifetimeMs: number;
  /** null = `off`: no delayed DSN. */
  warnAfterMs: number | null;
}

export interface TimeoutsConfig {
  connectMs: number;
  greetingMs: number;
  heloMs: number;
  mailMs: number;
  rcptMs: number;
  dataInitMs: number;
  dataBlockMs: number;
  dataDoneMs: number;
  serverIdleMs: number;
}

export interface LimitsConfig {
  messageSizeBytes: number;
  recipients: number;
  hops: number;
  mxAddresses: number;
  mxSessions: number;
}

export interface FilterRegex {
  source: string;
  flags: string;
}

/** All the given conditions must hold (an empty condition is rejected by the loader). */
export interface FilterCondition {
  header: { name: string; contains: string | null; matches: FilterRegex | null } | null;
  from: string | null;
  to: string | null;
  sizeOverBytes: number | null;
}

export type FilterAction =
  | { kind: 'folder'; folder: string }
  | { kind: 'forward'; to: string[] }
  | { kind: 'discard' }
  | { kind: 'reject'; text: string | null };

export interface FilterRule {
  condition: FilterCondition;
  action: FilterAction;
}

export interface UserConfig {
  /** Local part as written (case kept). */
  name: string;
  password: string | null;
  filters: FilterRule[];
  quotaBytes: number | null;
  /** `name@domain` for each of the host's `domains`. */
  addresses: string[];
}

export interface RouteConfig {
  /** A domain, or `*` for every remote domain (a smarthost). */
  domain: string;
  host: string;
}

export interface HostConfig {
  name: string;
  roles: Role[];
  domains: string[];
  relayFor: string[];
  routes: RouteConfig[];
  users: UserConfig[];
  mailbox: 'maildir' | 'mbox';
  /** The host's address: `address`, else its first A/AAAA record, else one assigned by the loader. */
  address: string;
  addressSource: 'fixed' | 'dns' | 'assigned';
  queue: QueueConfig;
  timeouts: TimeoutsConfig;
  limits: LimitsConfig;
  greylistMs: number | null;
  tls: boolean;
  /** Delivers into local mailboxes: has role mda or any `domains` (§5). */
  deliversLocally: boolean;
}

export type FaultAction =
  | { kind: 'down'; host: string }
  | { kind: 'up'; host: string }
  | { kind: 'refuse'; host: string; port: number }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'latency'; between: [string, string]; latency: LatencySpec }
  | { kind: 'dns'; name: string; type: DnsRecordType | null; rcode: DnsFaultRcode }
  | { kind: 'dns-set'; entries: DnsEntry[] }
  | { kind: 'reply'; host: string; on: SmtpStage; code: number; text: string; times: number | null; probability: number | null }
  | { kind: 'drop'; host: string; after: SmtpStage; times: number | null; probability: number | null }
  | { kind: 'flaky'; host: string; probability: number };

export interface FaultSpec {
  /** Position in the `faults` list (0-based), for reports. */
  index: number;
  atMs: number;
  untilMs: number | null;
  action: FaultAction;
}

export interface SendSpec {
  from: string;
  to: string[];
  subject: string | null;
  /** Exactly one of body / sizeBytes is non-null. */
  body: string | null;
  sizeBytes: number | null;
  headers: Array<{ name: string; value: string }>;
  /** Submission host; resolved for ports 587/465 (§7), null on port 25 unless given (then: MX of each recipient). */
  via: string | null;
  port: 25 | 465 | 587;
  count: number;
  everyMs: number;
  /** NOTIFY= of every RCPT TO (RFC 3461 §4.1), upper case; null: none given (the server's default). */
  notify: Array<'SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER'> | null;
}

export interface FetchSpec {
  user: string;
  protocol: 'pop3' | 'imap';
  keep: boolean;
  /** Defaults to the host's `tls`. */
  tls: boolean;
  folder: string;
  /** Resolved: the host whose `domains` include the user's domain, unless given. */
  host: string;
}

export type TrafficItem =
  | { index: number; atMs: number; kind: 'send'; send: SendSpec }
  | { index: number; atMs: number; kind: 'fetch'; fetch: FetchSpec };

/** `source` is the expectation as written in the file (JSON), echoed by the report (§9). */
export type Expectation =
  | { kind: 'delivered'; address: string; withinMs: number | null; via: string | null; count: number | null; folder: string | null; source: Record<string, unknown> }
  | { kind: 'bounced'; address: string; status: string | null; withinMs: number | null; source: Record<string, unknown> }
  | { kind: 'deferred'; address: string; source: Record<string, unknown> }
  | { kind: 'rejected'; address: string; source: Record<string, unknown> }
  /** count null: at least one message was fetched. */
  | { kind: 'fetched'; user: string; count: number | null; subject: string | null; source: Record<string, unknown> }
  | { kind: 'no-bounces'; source: Record<string, unknown> };

export interface Scenario {
  kind: typeof scenarioKind;
  name: string;
  description: string | null;
  /** Where it came from (a file path or the source name given to validateScenarioObject). */
  file: string;
  seed: number;
  untilMs: number;
  network: NetworkConfig;
  dns: DnsEntry[];
  hosts: HostConfig[];
  faults: FaultSpec[];
  traffic: TrafficItem[];
  expect: Expectation[];
  /** Non-fatal findings (e.g. an MX pointing at a host defined nowhere). */
  warnings: ScenarioProblem[];
}
