/**
 * Turns the schema's parsed output into the normalised Scenario (schema-types.ts): fills every default
 * of docs/reference.md §3–§8, merges queue/timeouts/limits key by key (built-in ← `defaults` ← host), writes
 * names in canonical form (lower case, no trailing dot; RFC 4343) and address domains in lower case
 * (local parts keep their case, RFC 5321 §2.4), parses MX strings, and gives every host an address
 * and an `a` record when the zone has none (§4).
 *
 * Problems found here (a min above its max, a CNAME beside other records, an `until` before its `at`)
 * are returned with key paths; the loader turns paths into line:column. References between parts of
 * the file (hosts named by faults, users of sends) are checked afterwards by cross-check.ts.
 */
import type { ParsedDnsRecords, ParsedHost, ParsedLimits, ParsedQueue, ParsedScenario, ParsedTimeouts } from './schema.js';
import { splitRegexLiteral } from './schema.js';
import {
  defaultDnsTtl,
  defaultFetchFolder,
  defaultFetchKeep,
  defaultLatency,
  defaultLimits,
  defaultMailbox,
  defaultQueue,
  defaultRoles,
  defaultSeed,
  defaultSendCount,
  defaultSendEvery,
  defaultSendPort,
  defaultTimeouts,
  defaultTls,
  defaultUntil,
} from '../schema/defaults.js';
import { canonicalName } from '../dns/names.js';
import { canonicalAddress, domainOf, localPartOf } from '../mail/address.js';
import { faultKinds } from '../faults/index.js';
import type { NormaliseTools } from '../faults/kind.js';
import { parseRetryRule } from '../nodes/mta/retry-rule.js';
import {
  type CatchAllConfig,
  type DnsEntry,
  type DnsRecordSet,
  type Expectation,
  type FaultAction,
  type FaultSpec,
  type FilterAction,
  type FilterRule,
  type HostConfig,
  type LatencySpec,
  type LimitsConfig,
  type MxRecord,
  type QueueConfig,
  type Role,
  type Scenario,
  scenarioKind,
  type TimeoutsConfig,
  type FetchSpec,
  type SendSpec,
  type TrafficItem,
  type UserConfig,
} from './schema-types.js';
import { parseDuration } from '../schema/units.js';

export type KeyPath = Array<string | number>;

/** A problem before it has a position: the loader resolves `path` against the document. */
export interface PathProblem {
  severity: 'error' | 'warning';
  path: KeyPath;
  message: string;
}

/** Hosts without an address get one from 10.200.0.0/16 (private, RFC 1918), in file order. */
const assignedAddressPrefix = '10.200';
/** Addresses the assigner may hand out before giving up (far above `hostsMax`). */
const assignedAddressesMax = 65_000;

function ms(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`built-in default ${text} is not a duration: ${parsed.message}`);
  return parsed.value;
}

const builtinRule = parseRetryRule(defaultQueue.rule);
if (!builtinRule.ok) throw new Error(`built-in retry rule is invalid: ${builtinRule.messages.join('; ')}`);

function builtinQueue(): QueueConfig {
  return {
    schedule: defaultQueue.schedule,
    minMs: ms(defaultQueue.min),
    maxMs: ms(defaultQueue.max),
    scanMs: ms(defaultQueue.scan),
    rule: builtinRule.ok ? builtinRule.items.map((item) => ({ ...item })) : [],
    ruleText: defaultQueue.rule,
    offsetsMs: [],
    lifetimeMs: ms(defaultQueue.lifetime),
    bounceLifetimeMs: ms(defaultQueue['bounce-lifetime']),
    warnAfterMs: null,
    concurrency: defaultQueue.concurrency,
    concurrencyLimit: defaultQueue['concurrency-limit'],
    processLimit: defaultQueue['process-limit'],
    failedCohorts: defaultQueue['failed-cohorts'],
    connectionCache: defaultQueue['connection-cache'],
    connectionCacheTimeMs: ms(defaultQueue['connection-cache-time']),
  };
}

function builtinTimeouts(): TimeoutsConfig {
  return {
    connectMs: ms(defaultTimeouts.connect),
    greetingMs: ms(defaultTimeouts.greeting),
    heloMs: ms(defaultTimeouts.helo),
    mailMs: ms(defaultTimeouts.mail),
    rcptMs: ms(defaultTimeouts.rcpt),
    dataInitMs: ms(defaultTimeouts['data-init']),
    dataBlockMs: ms(defaultTimeouts['data-block']),
    dataDoneMs: ms(defaultTimeouts['data-done']),
    serverIdleMs: ms(defaultTimeouts['server-idle']),
    pop3IdleMs: ms(defaultTimeouts['pop3-idle']),
    imapIdleMs: ms(defaultTimeouts['imap-idle']),
  };
}

function builtinLimits(): LimitsConfig {
  return {
    messageSizeBytes: defaultLimits['message-size'],
    recipients: defaultLimits.recipients,
    hops: defaultLimits.hops,
    mxAddresses: defaultLimits['mx-addresses'],
    mxSessions: defaultLimits['mx-sessions'],
    minDataRateBytesPerS: defaultLimits['min-data-rate'],
    imapPreauthCommandBytes: defaultLimits['imap-preauth-command'],
    smtpSoftErrors: defaultLimits['smtp-soft-errors'],
    smtpHardErrors: defaultLimits['smtp-hard-errors'],
    smtpErrorDelayMs: ms(defaultLimits['smtp-error-delay']),
    authFailures: defaultLimits['auth-failures'],
    authFailureDelayMs: ms(defaultLimits['auth-failure-delay']),
    lineOctetsMax: defaultLimits['line-length'],
  };
}

const offsetsMissing = 'schedule: offsets needs offsets: [DURATION, …], the attempts after the first as offsets from arrival';

function mergeQueue(base: QueueConfig, over: ParsedQueue | undefined): QueueConfig {
  if (!over) return base;
  return {
    schedule: over.schedule ?? base.schedule,
    minMs: over.min ?? base.minMs,
    maxMs: over.max ?? base.maxMs,
    scanMs: over.scan ?? base.scanMs,
    rule: over.rule ? over.rule.items : base.rule,
    ruleText: over.rule ? over.rule.text : base.ruleText,
    offsetsMs: over.offsets ? [...over.offsets] : base.offsetsMs,
    lifetimeMs: over.lifetime ?? base.lifetimeMs,
    bounceLifetimeMs: over['bounce-lifetime'] ?? base.bounceLifetimeMs,
    warnAfterMs: over['warn-after'] === undefined ? base.warnAfterMs : typeof over['warn-after'] === 'number' ? over['warn-after'] : null,
    concurrency: over.concurrency ?? base.concurrency,
    concurrencyLimit: over['concurrency-limit'] ?? base.concurrencyLimit,
    processLimit: over['process-limit'] ?? base.processLimit,
    failedCohorts: over['failed-cohorts'] ?? base.failedCohorts,
    connectionCache: over['connection-cache'] ?? base.connectionCache,
    connectionCacheTimeMs: over['connection-cache-time'] ?? base.connectionCacheTimeMs,
  };
}

function mergeTimeouts(base: TimeoutsConfig, over: ParsedTimeouts | undefined): TimeoutsConfig {
  if (!over) return base;
  return {
    connectMs: over.connect ?? base.connectMs,
    greetingMs: over.greeting ?? base.greetingMs,
    heloMs: over.helo ?? base.heloMs,
    mailMs: over.mail ?? base.mailMs,
    rcptMs: over.rcpt ?? base.rcptMs,
    dataInitMs: over['data-init'] ?? base.dataInitMs,
    dataBlockMs: over['data-block'] ?? base.dataBlockMs,
    dataDoneMs: over['data-done'] ?? base.dataDoneMs,
    serverIdleMs: over['server-idle'] ?? base.serverIdleMs,
    pop3IdleMs: over['pop3-idle'] ?? base.pop3IdleMs,
    imapIdleMs: over['imap-idle'] ?? base.imapIdleMs,
  };
}

function mergeLimits(base: LimitsConfig, over: ParsedLimits | undefined): LimitsConfig {
  if (!over) return base;
  return {
    messageSizeBytes: over['message-size'] ?? base.messageSizeBytes,
    recipients: over.recipients ?? base.recipients,
    hops: over.hops ?? base.hops,
    mxAddresses: over['mx-addresses'] ?? base.mxAddresses,
    mxSessions: over['mx-sessions'] ?? base.mxSessions,
    minDataRateBytesPerS: over['min-data-rate'] ?? base.minDataRateBytesPerS,
    imapPreauthCommandBytes: over['imap-preauth-command'] ?? base.imapPreauthCommandBytes,
    smtpSoftErrors: over['smtp-soft-errors'] ?? base.smtpSoftErrors,
    smtpHardErrors: over['smtp-hard-errors'] ?? base.smtpHardErrors,
    smtpErrorDelayMs: over['smtp-error-delay'] ?? base.smtpErrorDelayMs,
    authFailures: over['auth-failures'] ?? base.authFailures,
    authFailureDelayMs: over['auth-failure-delay'] ?? base.authFailureDelayMs,
    lineOctetsMax: over['line-length'] ?? base.lineOctetsMax,
  };
}

type ParsedLatency = number | { min: number; max: number };

function latencySpec(value: ParsedLatency, path: KeyPath, problems: PathProblem[]): LatencySpec {
  if (typeof value === 'number') return { minMs: value, maxMs: value };
  if (value.min > value.max) problems.push({ severity: 'error', path, message: 'latency min is above max' });
  return { minMs: value.min, maxMs: value.max };
}

const mxStringPattern = /^\s*(\d{1,5})\s+(\S+)\s*$/;
const hostNameRegex = /^(?=.{1,254}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function dnsRecordSet(records: ParsedDnsRecords | undefined, path: KeyPath, problems: PathProblem[]): DnsRecordSet {
  const set: DnsRecordSet = { mx: [], a: [], aaaa: [], cname: null, txt: [], ttlMs: ms(defaultDnsTtl) };
  if (!records) return set;
  (records.mx ?? []).forEach((entry, index) => {
    const at = [...path, 'mx', index];
    if (typeof entry !== 'string') {
      set.mx.push({ preference: entry.preference, host: canonicalName(entry.host) });
      return;
    }
    const match = mxStringPattern.exec(entry);
    const preference = Number(match?.[1]);
    const host = match?.[2] ?? '';
    if (!match || preference > 65_535 || !(host === '.' || hostNameRegex.test(host))) {
      problems.push({ severity: 'error', path: at, message: `expected "PREFERENCE HOST" such as "10 mx1.example.org" (preference 0–65535), got ${JSON.stringify(entry)}` });
      return;
    }
    set.mx.push({ preference, host: canonicalName(host) });
  });
  if (set.mx.some((mx) => mx.host === '.') && (set.mx.length > 1 || set.mx[0]?.preference !== 0)) {
    problems.push({ severity: 'error', path: [...path, 'mx'], message: 'a null MX must be the only MX record, written "0 ." (RFC 7505 §3)' });
  }
  const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  set.a = asList(records.a);
  set.aaaa = asList(records.aaaa).map((a) => a.toLowerCase());
  set.txt = asList(records.txt);
  if (records.cname !== undefined) {
    set.cname = canonicalName(records.cname);
    const others = (['mx', 'a', 'aaaa', 'txt'] as const).filter((k) => records[k] !== undefined);
    if (others.length > 0) {
      problems.push({ severity: 'error', path: [...path, 'cname'], message: `a name with a cname can have no other records (RFC 1034 §3.6.2); it also has ${others.join(', ')}` });
    }
  }
  if (records.ttl !== undefined) set.ttlMs = records.ttl;
  return set;
}

function dnsEntries(zone: Record<string, ParsedDnsRecords> | undefined, path: KeyPath, problems: PathProblem[]): DnsEntry[] {
  const entries: DnsEntry[] = [];
  const seen = new Map<string, string>();
  for (const [rawName, records] of Object.entries(zone ?? {})) {
    const name = canonicalName(rawName);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      problems.push({ severity: 'error', path: [...path, rawName], message: `the DNS name ${name} appears twice (as ${earlier} and ${rawName}); names are case-insensitive` });
      continue;
    }
    seen.set(name, rawName);
    entries.push({ name, records: dnsRecordSet(records ?? undefined, [...path, rawName], problems), auto: false });
  }
  return entries;
}

function filterAction(then: unknown): FilterAction {
  if (then === 'discard') return { kind: 'discard' };
  if (then === 'reject') return { kind: 'reject', text: null };
  const action = then as { folder?: string; forward?: string | string[]; discard?: true; reject?: true | string };
  if (action.folder !== undefined) return { kind: 'folder', folder: action.folder };
  if (action.forward !== undefined) {
    const to = Array.isArray(action.forward) ? action.forward : [action.forward];
    return { kind: 'forward', to: to.map(canonicalAddress) };
  }
  if (action.reject !== undefined) return { kind: 'reject', text: typeof action.reject === 'string' ? action.reject : null };
  return { kind: 'discard' };
}

type ParsedUser = NonNullable<ParsedHost['users']>[string];

function userConfig(name: string, value: ParsedUser, domains: string[]): UserConfig {
  const spec = typeof value === 'object' ? value : { password: value };
  const filters: FilterRule[] = (spec.filters ?? []).map((rule) => ({
    condition: {
      header:
        rule.if.header === undefined
          ? null
          : { name: rule.if.header, contains: rule.if.contains ?? null, matches: rule.if.matches === undefined ? null : splitRegexLiteral(rule.if.matches) },
      from: rule.if.from === undefined ? null : canonicalAddress(rule.if.from),
      to: rule.if.to === undefined ? null : canonicalAddress(rule.if.to),
      sizeOverBytes: rule.if['size-over'] ?? null,
    },
    action: filterAction(rule.then),
  }));
  return {
    name,
    password: spec.password === undefined ? null : String(spec.password),
    filters,
    quotaBytes: spec.quota ?? null,
    addresses: domains.map((domain) => `${name}@${domain}`),
  };
}

function dedupe<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function hostConfig(
  rawName: string,
  host: ParsedHost,
  defaults: { queue: QueueConfig; timeouts: TimeoutsConfig; limits: LimitsConfig },
  path: KeyPath,
  problems: PathProblem[],
): HostConfig {
  const roles = dedupe((host.roles ?? [...defaultRoles]) as Role[]);
  if (host.roles && roles.length < host.roles.length) problems.push({ severity: 'warning', path: [...path, 'roles'], message: 'a role is listed twice' });
  const domains = dedupe((host.domains ?? []).map(canonicalName));
  const relayFor = dedupe((host['relay-for'] ?? []).map(canonicalName));
  for (const domain of relayFor) {
    if (domains.includes(domain)) {
      problems.push({ severity: 'error', path: [...path, 'relay-for'], message: `${domain} is in both domains and relay-for; a host is either the destination or a backup MX for a domain` });
    }
  }
  const users = Object.entries(host.users ?? {}).map(([name, value]) => userConfig(name, value, domains));
  if (users.length > 0 && domains.length === 0) {
    problems.push({ severity: 'warning', path: [...path, 'users'], message: 'this host has users but no domains, so its users have no addresses' });
  }
  // Each host gets its own copies, so a runner that adjusts one host never changes another.
  const queue = structuredClone(mergeQueue(defaults.queue, host.queue));
  if (queue.minMs > queue.maxMs) problems.push({ severity: 'error', path: [...path, 'queue'], message: 'queue min is above max' });
  if (queue.schedule === 'offsets' && queue.offsetsMs.length === 0) problems.push({ severity: 'error', path: [...path, 'queue', 'schedule'], message: offsetsMissing });
  return {
    name: canonicalName(rawName),
    roles,
    domains,
    relayFor,
    routes: Object.entries(host.routes ?? {}).map(([domain, target]) => ({ domain: domain === '*' ? '*' : canonicalName(domain), host: canonicalName(target) })),
    users,
    mailbox: host.mailbox === 'mbox' ? 'mbox' : defaultMailbox,
    address: host.address?.toLowerCase() ?? '',
    addressSource: host.address === undefined ? 'assigned' : 'fixed',
    queue,
    timeouts: structuredClone(mergeTimeouts(defaults.timeouts, host.timeouts)),
    limits: structuredClone(mergeLimits(defaults.limits, host.limits)),
    greylistMs: host.greylist ?? null,
    catchAll: catchAllConfig(host['catch-all'], users, [...path, 'catch-all'], problems),
    tls: host.tls ?? defaultTls,
    requireTls: host.requiretls ?? false,
    deliversLocally: roles.includes('mda') || domains.length > 0,
  };
}

/** The host's `catch-all` (docs/reference.md §5): its user must be one of the host's users. */
function catchAllConfig(spec: ParsedHost['catch-all'], users: readonly UserConfig[], path: KeyPath, problems: PathProblem[]): CatchAllConfig | null {
  if (spec === undefined) return null;
  const named = typeof spec === 'string' ? spec : spec.user;
  const user = users.find((candidate) => candidate.name.toLowerCase() === named.toLowerCase());
  if (user === undefined) {
    const known = users.length === 0 ? 'this host has no users' : `its users: ${users.map((u) => u.name).join(', ')}`;
    problems.push({ severity: 'error', path: typeof spec === 'string' ? path : [...path, 'user'], message: `the catch-all mailbox must be a user of this host; ${named} is not (${known})` });
    return null;
  }
  return { user: user.name, anyDomain: typeof spec === 'string' ? false : (spec['any-domain'] ?? false) };
}

/** Gives every host an address and an address record (docs/reference.md §4, §5 `address`). */
function assignAddresses(hosts: HostConfig[], dns: DnsEntry[], hostPaths: Map<string, KeyPath>, problems: PathProblem[]): void {
  const used = new Set<string>();
  for (const entry of dns) for (const a of [...entry.records.a, ...entry.records.aaaa]) used.add(a);
  for (const host of hosts) if (host.addressSource === 'fixed') used.add(host.address);
  let next = 0;
  const nextFree = (): string => {
    while (next < assignedAddressesMax) {
      const n = next++;
      const candidate = `${assignedAddressPrefix}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      if (!used.has(candidate)) {
        used.add(candidate);
        return candidate;
      }
    }
    throw new Error(`more than ${assignedAddressesMax} hosts need an assigned address`);
  };
  for (const host of hosts) {
    const path = hostPaths.get(host.name) ?? ['hosts'];
    let entry = dns.find((e) => e.name === host.name);
    const zoneAddress = entry ? (entry.records.a[0] ?? entry.records.aaaa[0]) : undefined;
    if (host.addressSource === 'fixed') {
      if (zoneAddress !== undefined && ![...(entry?.records.a ?? []), ...(entry?.records.aaaa ?? [])].includes(host.address)) {
        problems.push({ severity: 'warning', path: [...path, 'address'], message: `the host's address ${host.address} differs from its DNS records (${zoneAddress})` });
      }
      if (zoneAddress !== undefined) continue;
    } else if (zoneAddress !== undefined) {
      host.address = zoneAddress;
      host.addressSource = 'dns';
      continue;
    } else {
      host.address = nextFree();
    }
    if (entry?.records.cname != null) {
      problems.push({ severity: 'warning', path, message: `the host name is a CNAME in dns (to ${entry.records.cname}); no address record was added for it` });
      continue;
    }
    if (!entry) {
      entry = { name: host.name, records: { mx: [], a: [], aaaa: [], cname: null, txt: [], ttlMs: ms(defaultDnsTtl) }, auto: true };
      dns.push(entry);
    }
    entry.auto = true;
    if (host.address.includes(':')) entry.records.aaaa.push(host.address);
    else entry.records.a.push(host.address);
  }
}

/** The loader's side of a kind's `normalise`: canonical names, latencies and DNS entries, problems to `problems`. */
function normaliseTools(problems: PathProblem[]): NormaliseTools {
  return {
    name: canonicalName,
    latency: (value, path) => latencySpec(value, [...path], problems),
    dnsEntries: (zone, path) => dnsEntries(zone, [...path], problems),
  };
}

/** The action of a fault item: normalised by the kind whose key it has (the schema let exactly one through). */
function faultAction(fault: NonNullable<ParsedScenario['faults']>[number], path: KeyPath, tools: NormaliseTools): FaultAction {
  const item: Record<string, unknown> = fault;
  const kind = faultKinds.find((candidate) => item[candidate.name] !== undefined);
  if (kind === undefined) throw new Error(`internal: fault ${path.join('.')} has no action key the schema would have let through`);
  return kind.normalise(fault as never, tools, path);
}

/** The `faults` list (§6): each fault's times checked against each other and the run's `until`, its action normalised by its kind. */
export function normaliseFaults(parsed: NonNullable<ParsedScenario['faults']>, untilMs: number, problems: PathProblem[]): FaultSpec[] {
  const tools = normaliseTools(problems);
  return parsed.map((fault, index) => {
    const path: KeyPath = ['faults', index];
    if (fault.until !== undefined && fault.until <= fault.at) {
      problems.push({ severity: 'error', path: [...path, 'until'], message: `until (${fault.until} ms) must be after at (${fault.at} ms)` });
    }
    if (fault.at > untilMs) problems.push({ severity: 'warning', path: [...path, 'at'], message: 'this fault starts after the run ends (until)' });
    return { index, atMs: fault.at, untilMs: fault.until ?? null, action: faultAction(fault, path, tools), ...(fault.chance === undefined ? {} : { chance: fault.chance }) };
  });
}

/** §7 `via` default: the host with role msa whose domains include the sender's domain. */
export function submissionHostFor(hosts: readonly HostConfig[], domain: string): HostConfig | undefined {
  return hosts.find((h) => h.roles.includes('msa') && h.domains.includes(domain));
}

/**
 * §7 fetch `host` default: the host whose domains include the user's domain — preferring one that
 * has the user and serves the protocol, when several list the domain.
 */
export function mailboxHostFor(hosts: readonly HostConfig[], user: string, protocol: 'pop3' | 'imap'): HostConfig | undefined {
  const domain = domainOf(user);
  const local = localPartOf(user);
  const candidates = hosts.filter((h) => h.domains.includes(domain));
  return (
    candidates.find((h) => h.roles.includes(protocol) && h.users.some((u) => u.name === local)) ??
    candidates.find((h) => h.users.some((u) => u.name === local)) ??
    candidates[0]
  );
}

/** A JSON copy of what the user wrote, for the report's `expect` echo (§9). */
function sourceOf(raw: unknown, index: number): Record<string, unknown> {
  const list = (raw as { expect?: unknown })?.expect;
  const item = Array.isArray(list) ? list[index] : undefined;
  return typeof item === 'object' && item !== null ? (JSON.parse(JSON.stringify(item)) as Record<string, unknown>) : {};
}

function expectationOf(item: NonNullable<ParsedScenario['expect']>[number], source: Record<string, unknown>): Expectation {
  if (item.delivered !== undefined) {
    return { kind: 'delivered', address: canonicalAddress(item.delivered), withinMs: item.within ?? null, via: item.via === undefined ? null : canonicalName(item.via), count: item.count ?? null, folder: item.folder ?? null, source };
  }
  if (item.bounced !== undefined) return { kind: 'bounced', address: canonicalAddress(item.bounced), status: item.status ?? null, withinMs: item.within ?? null, source };
  if (item.deferred !== undefined) return { kind: 'deferred', address: canonicalAddress(item.deferred), source };
  if (item.rejected !== undefined) return { kind: 'rejected', address: canonicalAddress(item.rejected), source };
  if (item.fetched !== undefined) return { kind: 'fetched', user: canonicalAddress(item.fetched), count: item.count ?? null, subject: item.subject ?? null, source };
  return { kind: 'no-bounces', source };
}

/**
 * Normalises a parsed scenario. `raw` is the document as written (for `expect` sources); `file` the
 * source name. `via` and the fetch `host` default as §7 says; when no host fits they stay null / ''
 * and cross-check.ts reports it.
 */
export function normaliseScenario(parsed: ParsedScenario, raw: unknown, file: string): { scenario: Scenario; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const defaults = {
    queue: mergeQueue(builtinQueue(), parsed.defaults?.queue),
    timeouts: mergeTimeouts(builtinTimeouts(), parsed.defaults?.timeouts),
    limits: mergeLimits(builtinLimits(), parsed.defaults?.limits),
  };
  if (defaults.queue.minMs > defaults.queue.maxMs) problems.push({ severity: 'error', path: ['defaults', 'queue'], message: 'queue min is above max' });
  if (defaults.queue.schedule === 'offsets' && defaults.queue.offsetsMs.length === 0) {
    problems.push({ severity: 'error', path: ['defaults', 'queue', 'schedule'], message: offsetsMissing });
  }

  const dns = dnsEntries(parsed.dns, ['dns'], problems);
  const hosts = normaliseHosts(parsed, defaults, dns, problems);
  const untilMs = parsed.until ?? ms(defaultUntil);
  const faults = normaliseFaults(parsed.faults ?? [], untilMs, problems);
  const traffic: TrafficItem[] = (parsed.traffic ?? []).map((item, index): TrafficItem => {
    if (item.at > untilMs) problems.push({ severity: 'warning', path: ['traffic', index, 'at'], message: 'this happens after the run ends (until)' });
    if (item.send) return { index, atMs: item.at, kind: 'send', send: sendSpec(item.send, hosts) };
    return { index, atMs: item.at, kind: 'fetch', fetch: fetchSpec(item.fetch ?? { user: '', protocol: 'pop3' as const }, hosts, index, problems) };
  });
  const expect = (parsed.expect ?? []).map((item, index) => expectationOf(item, sourceOf(raw, index)));

  const scenario: Scenario = {
    kind: scenarioKind,
    name: parsed.name,
    description: parsed.description ?? null,
    file,
    seed: parsed.seed ?? defaultSeed,
    untilMs,
    network: {
      latency: latencySpec(parsed.network?.latency ?? ms(defaultLatency), ['network', 'latency'], problems),
      links: (parsed.network?.links ?? []).map((link, index) => ({
        between: link.between.map(canonicalName) as [string, string],
        latency: latencySpec(link.latency, ['network', 'links', index, 'latency'], problems),
      })),
    },
    dns,
    hosts,
    faults,
    traffic,
    expect,
    warnings: [],
  };
  return { scenario, problems };
}

/** The hosts with their defaults merged in, each name once (case-insensitively), addresses assigned. */
function normaliseHosts(parsed: ParsedScenario, defaults: Parameters<typeof hostConfig>[2], dns: DnsEntry[], problems: PathProblem[]): HostConfig[] {
  const hosts: HostConfig[] = [];
  const hostPaths = new Map<string, KeyPath>();
  for (const [rawName, host] of Object.entries(parsed.hosts)) {
    const path: KeyPath = ['hosts', rawName];
    const config = hostConfig(rawName, host ?? {}, defaults, path, problems);
    if (hostPaths.has(config.name)) {
      problems.push({ severity: 'error', path, message: `the host ${config.name} is defined twice; host names are case-insensitive` });
      continue;
    }
    hostPaths.set(config.name, path);
    hosts.push(config);
  }
  if (hosts.length === 0) problems.push({ severity: 'error', path: ['hosts'], message: 'expected at least one host' });
  assignAddresses(hosts, dns, hostPaths, problems);
  return hosts;
}

type ParsedSend = NonNullable<NonNullable<ParsedScenario['traffic']>[number]['send']>;
type ParsedFetch = NonNullable<NonNullable<ParsedScenario['traffic']>[number]['fetch']>;

/** A `send` with its defaults: canonical addresses, the submission host resolved (§7). */
function sendSpec(s: ParsedSend, hosts: readonly HostConfig[]): SendSpec {
  const port = (s.port ?? defaultSendPort) as 25 | 465 | 587;
  return {
    from: canonicalAddress(s.from),
    to: (Array.isArray(s.to) ? s.to : [s.to]).map(canonicalAddress),
    subject: s.subject ?? null,
    body: s.size === undefined ? (s.body ?? '') : null,
    sizeBytes: s.size ?? null,
    headers: Object.entries(s.headers ?? {}).map(([name, value]) => ({ name, value })),
    via: s.via !== undefined ? canonicalName(s.via) : port === 25 ? null : (submissionHostFor(hosts, domainOf(s.from))?.name ?? null),
    port,
    count: s.count ?? defaultSendCount,
    everyMs: s.every ?? ms(defaultSendEvery),
    notify: s.notify === undefined ? null : (Array.isArray(s.notify) ? s.notify : [s.notify]).map((condition) => condition.toUpperCase() as 'SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER'),
    requireTls: s.requiretls ?? false,
  };
}

/** A `fetch` with its defaults: the mailbox's host found, TLS as that host has it (§7). */
function fetchSpec(f: ParsedFetch, hosts: readonly HostConfig[], index: number, problems: PathProblem[]): FetchSpec {
  const fetchHost = f.host === undefined ? mailboxHostFor(hosts, canonicalAddress(f.user), f.protocol) : hosts.find((h) => h.name === canonicalName(f.host ?? ''));
  if (f.keep !== undefined && f.protocol === 'imap') {
    problems.push({ severity: 'warning', path: ['traffic', index, 'fetch', 'keep'], message: 'keep applies to POP3 only; IMAP never deletes' });
  }
  return {
    user: canonicalAddress(f.user),
    protocol: f.protocol,
    keep: f.keep ?? defaultFetchKeep,
    tls: f.tls ?? fetchHost?.tls ?? defaultTls,
    folder: f.folder ?? defaultFetchFolder,
    host: fetchHost?.name ?? (f.host === undefined ? '' : canonicalName(f.host)),
  };
}

export type { MxRecord };
