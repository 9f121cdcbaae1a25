/**
 * What the nodes are built from: the normalised configuration of the network, each mail host and the
 * traffic (docs/reference.md §3, §5, §7), with every default filled in, durations in ms and sizes in
 * bytes. The scenario loader (src/scenario) produces it from a file; a world (world.ts) runs it.
 */
import type { DnsEntry } from '../dns/record-set.js';
import type { FaultSpec } from '../faults/index.js';
import type { LatencySpec } from '../net/latency.js';
import type { QueueScheduleName } from '../schema/defaults.js';
import type { RetryRuleItem } from './mta/retry-rule.js';

export type Role = 'msa' | 'mta' | 'mda' | 'pop3' | 'imap';
export const roleNames: readonly Role[] = ['msa', 'mta', 'mda', 'pop3', 'imap'];

export interface LinkConfig {
  between: [string, string];
  latency: LatencySpec;
}

export interface NetworkConfig {
  latency: LatencySpec;
  links: LinkConfig[];
}

export interface QueueConfig {
  schedule: QueueScheduleName;
  minMs: number;
  maxMs: number;
  scanMs: number;
  /** The Exim rule, parsed (used when schedule is exim). */
  rule: RetryRuleItem[];
  /** The rule as written, for reports. */
  ruleText: string;
  /** The offsets from arrival of the attempts after the first (used when schedule is offsets), ascending. */
  offsetsMs: number[];
  lifetimeMs: number;
  bounceLifetimeMs: number;
  /** null = `off`: no delayed DSN. */
  warnAfterMs: number | null;
  /** Deliveries to one destination at once at first, and at most (docs/delivery.md R14). */
  concurrency: number;
  concurrencyLimit: number;
  /** Deliveries at once over all destinations (Postfix `default_process_limit`; issue 19 §1). */
  processLimit: number;
  /** Pseudo-cohorts of failures that mark a destination dead; 0: never (R14). */
  failedCohorts: number;
  /** SMTP connections cached on demand, and for how long (R15). */
  connectionCache: boolean;
  connectionCacheTimeMs: number;
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
  /** POP3 and IMAP autologout (RFC 1939 §3 ≥ 10 min, RFC 9051 §5.4 ≥ 30 min). */
  pop3IdleMs: number;
  imapIdleMs: number;
}

export interface LimitsConfig {
  messageSizeBytes: number;
  recipients: number;
  hops: number;
  mxAddresses: number;
  mxSessions: number;
  /** Bytes/s that extend a request's deadline (src/protocols/request-deadline.ts). */
  minDataRateBytesPerS: number;
  /** An IMAP command's text and literals before login (ImapServer preauthCommandBytesMax). */
  imapPreauthCommandBytes: number;
  /** SMTP errors before every reply waits `smtpErrorDelayMs` (Postfix `smtpd_soft_error_limit`). */
  smtpSoftErrors: number;
  /** SMTP errors before 421 and close (Postfix `smtpd_hard_error_limit`). */
  smtpHardErrors: number;
  smtpErrorDelayMs: number;
  /** Failed POP3/IMAP logins before the server hangs up. */
  authFailures: number;
  /** Before the reply to a failed POP3/IMAP login (Dovecot `auth_failure_delay`). */
  authFailureDelayMs: number;
  /** Lines longer than this are folded with CRLF SPACE when relaying (Postfix `smtp_line_length_limit`); 0 never. */
  lineOctetsMax: number;
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

/**
 * A catch-all mailbox (Postfix's `luser_relay`, a "catch-all" in hosting panels): recipients of the
 * host's domains that are no user's address are filed in `user`'s mailbox. With `anyDomain`, every
 * domain is delivered here as if local — nothing is relayed — which is how a capture server (Mailpit,
 * MailHog) keeps all the mail an application sends.
 */
export interface CatchAllConfig {
  /** The user (a key of `users`) whose mailbox takes the mail. */
  user: string;
  anyDomain: boolean;
}

/** True when mail for `domain` ends on this host: one of its `domains`, or any domain under a capturing catch-all. */
export function isFinalDestination(config: Pick<HostConfig, 'domains' | 'catchAll'>, domain: string): boolean {
  return config.catchAll?.anyDomain === true || config.domains.includes(domain);
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
  /** Where mail for an unknown recipient goes (docs/reference.md §5 `catch-all`); null: refused with 550 5.1.1. */
  catchAll: CatchAllConfig | null;
  tls: boolean;
  /** Offers REQUIRETLS (RFC 8689) on TLS sessions. */
  requireTls: boolean;
  /** Delivers into local mailboxes: has role mda or any `domains` (§5). */
  deliversLocally: boolean;
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
  /** MAIL FROM … REQUIRETLS (RFC 8689). */
  requireTls: boolean;
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

/** What a world runs: the parts of a normalised scenario the nodes need. */
export interface WorldSpec {
  seed: number;
  untilMs: number;
  network: NetworkConfig;
  dns: DnsEntry[];
  hosts: HostConfig[];
  faults: FaultSpec[];
  traffic: TrafficItem[];
}
