/**
 * The zod schema of the scenario file format, key for key as docs/reference.md §3–§8 names them.
 *
 * It checks shapes and parses units (durations → ms, sizes → bytes, the Exim rule → items); it does
 * NOT fill in defaults, because a host's `queue`/`timeouts`/`limits` override `defaults.*` key by key
 * (schema-normalise.ts merges them). Rules that tie several keys of one item together ("exactly one
 * action", "contains needs header") run as refinements that always run, so they are reported
 * together with every other problem. The same schema generates the shipped JSON Schema (json-schema.ts).
 */
import { z } from 'zod';
import {
  address,
  domainName,
  duration,
  editorDefaults,
  flag,
  hostName,
  ipAddress,
  list,
  map,
  oneOrList,
  probability,
  size,
  strictObject,
  wholeNumber,
} from '../schema/base.js';
import {
  defaultFetchFolder,
  defaultFetchKeep,
  defaultLimits,
  defaultMailbox,
  defaultQueue,
  defaultRoles,
  defaultSeed,
  defaultSendCount,
  defaultSendEvery,
  defaultSendPort,
  defaultTimeouts,
  imapIdleMinMs,
  pop3IdleMinMs,
  defaultTls,
  defaultUntil,
  queueSchedules,
  seedMax,
  seedMin,
} from '../schema/defaults.js';
import { faultItemShape, faultKindNames, faultKinds } from '../faults/index.js';
import { parseRetryRule } from '../nodes/mta/retry-rule.js';
import { type dnsRecordsSchema, dnsZone, hostPair, latency, scenarioLimits } from '../schema/shared.js';
import { roleNames } from './schema-types.js';


// ---- §1/§3: network ----------------------------------------------------------------------------

export { scenarioLimits };
const L = scenarioLimits;



const network = strictObject(
  {
    latency: latency.optional(),
    links: list(
      strictObject({ between: hostPair, latency }, 'a per-host-pair latency override'),
      'per host pair latency overrides',
      L.namesPerListMax,
    ).optional(),
  },
  'the virtual network: latency and per-link overrides (docs/reference.md §3.1)',
);

// ---- §5.1–§5.3: queue, timeouts, limits --------------------------------------------------------

const retryRule = z
  .string({ error: 'expected an Exim retry rule such as "F,2h,15m; G,16h,1h,1.5; F,4d,6h"' })
  .transform((text, ctx) => {
    const parsed = parseRetryRule(text);
    if (parsed.ok) return { text: text.trim(), items: parsed.items };
    for (const message of parsed.messages) ctx.issues.push({ code: 'custom', message, input: text });
    return z.NEVER;
  })
  .meta({ description: 'Exim retry rule (used when schedule is exim)' });
editorDefaults.set(retryRule, defaultQueue.rule);

const warnAfter = z
  .union([z.literal('off'), z.literal(false), duration('delay before a delayed DSN')], {
    error: 'expected a duration such as 4h, or off',
  })
  .meta({ description: 'send one "Action: delayed" DSN once a message waited this long; off = never' });
editorDefaults.set(warnAfter, defaultQueue['warn-after']);

export const queueSchema = strictObject(
  {
    schedule: z
      .enum(queueSchedules)
      .optional()
      .meta({
        description:
          'postfix: next try = now + clamp(now - arrival, min, max) in whole seconds, taken by a scan up to 1 s early; exim: the retry rule; offsets: tries at arrival + each offset; haraka: 2^(N+5) s after the N-th failure, bounce at the 13th; sendmail: every queue run (scan), return after 5d; exchange: 4 x 1 min, 6 x 5 min, then every 10 min, return after 2d',
        default: defaultQueue.schedule,
      }),
    min: duration('postfix schedule lower bound', defaultQueue.min).optional(),
    max: duration('postfix schedule upper bound', defaultQueue.max).optional(),
    scan: duration('how often the deferred queue is scanned', defaultQueue.scan).optional(),
    rule: retryRule.optional(),
    offsets: list(duration('an attempt this long after arrival'), 'the attempts after the first, as offsets from arrival, ascending (used when schedule is offsets)', L.offsetsMax)
      .superRefine((offsets, ctx) => {
        offsets.forEach((offset, index) => {
          if (offset <= 0 || (index > 0 && offset <= offsets[index - 1]!)) ctx.addIssue({ code: 'custom', message: 'offsets must be greater than 0 and strictly ascending', path: [index] });
        });
      })
      .optional(),
    lifetime: duration('bounce at the first failed attempt at or after arrival + lifetime', defaultQueue.lifetime).optional(),
    'bounce-lifetime': duration('the lifetime of messages with a null sender (DSNs)', defaultQueue['bounce-lifetime']).optional(),
    'warn-after': warnAfter.optional(),
    concurrency: wholeNumber('deliveries to one destination at once at first (Postfix initial_destination_concurrency)', 1, 1000, defaultQueue.concurrency).optional(),
    'concurrency-limit': wholeNumber(
      'deliveries to one destination at once at most (Postfix default_destination_concurrency_limit)',
      1,
      1000,
      defaultQueue['concurrency-limit'],
    ).optional(),
    'process-limit': wholeNumber('SMTP deliveries at once over all destinations (Postfix default_process_limit)', 1, 10_000, defaultQueue['process-limit']).optional(),
    'failed-cohorts': wholeNumber(
      'pseudo-cohorts of failed deliveries after which a destination is dead for min (Postfix default_destination_concurrency_failed_cohort_limit); 0: never',
      0,
      1000,
      defaultQueue['failed-cohorts'],
    ).optional(),
    'connection-cache': flag(
      'reuse an SMTP session for the next message to the same destination when its mail arrives back to back (Postfix smtp_connection_cache_on_demand)',
      defaultQueue['connection-cache'],
    ).optional(),
    'connection-cache-time': duration('how long a session waits in the connection cache (smtp_connection_cache_time_limit)', defaultQueue['connection-cache-time']).optional(),
  },
  'outbound queue, retry schedule and per-destination concurrency (docs/reference.md §5.1)',
);

export const timeoutsSchema = strictObject(
  {
    connect: duration('TCP connect timeout', defaultTimeouts.connect).optional(),
    greeting: duration('wait for the 220 greeting', defaultTimeouts.greeting).optional(),
    helo: duration('wait for the EHLO/HELO reply', defaultTimeouts.helo).optional(),
    mail: duration('wait for the MAIL FROM reply', defaultTimeouts.mail).optional(),
    rcpt: duration('wait for each RCPT TO reply', defaultTimeouts.rcpt).optional(),
    'data-init': duration('wait for the 354 reply to DATA', defaultTimeouts['data-init']).optional(),
    'data-block': duration('time to send each block of message data', defaultTimeouts['data-block']).optional(),
    'data-done': duration('wait for the reply to the final "."', defaultTimeouts['data-done']).optional(),
    'server-idle': duration('server closes an idle session after this', defaultTimeouts['server-idle']).optional(),
    'pop3-idle': duration('POP3 autologout after this without a command (RFC 1939 §3: at least 10m)', defaultTimeouts['pop3-idle'])
      .refine((value) => value >= pop3IdleMinMs, { error: 'RFC 1939 §3: the POP3 autologout timer is at least 10m' })
      .optional(),
    'imap-idle': duration('IMAP autologout after this without a command (RFC 9051 §5.4: at least 30m)', defaultTimeouts['imap-idle'])
      .refine((value) => value >= imapIdleMinMs, { error: 'RFC 9051 §5.4: the IMAP autologout timer is at least 30m' })
      .optional(),
  },
  'SMTP timeouts (docs/reference.md §5.2, Postfix defaults)',
);

export const limitsSchema = strictObject(
  {
    'message-size': size('largest message accepted', defaultLimits['message-size']).optional(),
    recipients: wholeNumber('recipients per inbound transaction', 1, 1_000_000, defaultLimits.recipients).optional(),
    hops: wholeNumber('Received headers allowed before a 5.4.6 bounce', 1, 1000, defaultLimits.hops).optional(),
    'mx-addresses': wholeNumber('addresses tried per delivery attempt', 1, 1000, defaultLimits['mx-addresses']).optional(),
    'mx-sessions': wholeNumber('successful connections per delivery attempt', 1, 1000, defaultLimits['mx-sessions']).optional(),
    'min-data-rate': wholeNumber('bytes/s a request must arrive at to extend its deadline (Postfix smtpd_min_data_rate)', 1, 1_000_000_000, defaultLimits['min-data-rate']).optional(),
    'imap-preauth-command': size('bytes one IMAP command, literals included, may hold before login', defaultLimits['imap-preauth-command']).optional(),
    'smtp-soft-errors': wholeNumber('SMTP errors (bad commands, failed AUTH) after which every reply is delayed', 1, 1000, defaultLimits['smtp-soft-errors']).optional(),
    'smtp-hard-errors': wholeNumber('SMTP errors after which the server says 421 and hangs up', 1, 1000, defaultLimits['smtp-hard-errors']).optional(),
    'smtp-error-delay': duration('delay before each SMTP reply once past smtp-soft-errors', defaultLimits['smtp-error-delay']).optional(),
    'auth-failures': wholeNumber('failed POP3/IMAP logins after which the server hangs up', 1, 1000, defaultLimits['auth-failures']).optional(),
    'auth-failure-delay': duration('delay before the reply to a failed POP3/IMAP login', defaultLimits['auth-failure-delay']).optional(),
    'line-length': wholeNumber('longest line sent when relaying; longer ones are folded (0: never)', 0, 1_000_000, defaultLimits['line-length'])
      .refine((octets) => octets !== 1, { error: 'expected 0 (never fold) or a whole number from 2' })
      .optional(),
  },
  'limits (docs/reference.md §5.3)',
);

// ---- §4: dns -------------------------------------------------------------------------------------


// ---- §7.1: filters -------------------------------------------------------------------------------

/** A JavaScript regular expression, written plainly or as /source/flags. */
const regexText = z
  .string({ error: 'expected a regular expression' })
  .superRefine((text, ctx) => {
    const problem = regexProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'a regular expression (JavaScript syntax), plain or as /pattern/flags' });

export function splitRegexLiteral(text: string): { source: string; flags: string } {
  const literal = /^\/(.*)\/([dgimsuyv]*)$/s.exec(text);
  return literal ? { source: literal[1] ?? '', flags: literal[2] ?? '' } : { source: text, flags: '' };
}

function regexProblem(text: string): string | null {
  const { source, flags } = splitRegexLiteral(text);
  try {
    new RegExp(source, flags);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : 'invalid';
    return `not a valid regular expression: ${reason}`;
  }
}

const filterCondition = strictObject(
  {
    header: z.string().min(1).meta({ description: 'header field name, with contains or matches' }).optional(),
    contains: z.string().meta({ description: 'the header contains this text' }).optional(),
    matches: regexText.optional(),
    from: z.string().min(1).meta({ description: 'the sender address' }).optional(),
    to: z.string().min(1).meta({ description: 'a recipient address' }).optional(),
    'size-over': size('the message is larger than this').optional(),
  },
  'filter condition: header + contains/matches, from, to, size-over (all given must hold)',
).superRefine(
  (parsed, ctx) => {
    const value: unknown = parsed;
    if (!isRecord(value)) return;
    const has = (k: string) => value[k] !== undefined;
    if (has('header') && has('contains') === has('matches')) {
      ctx.addIssue({ code: 'custom', message: 'header needs exactly one of contains or matches', path: ['header'] });
    }
    for (const k of ['contains', 'matches']) {
      if (has(k) && !has('header')) ctx.addIssue({ code: 'custom', message: `${k} needs a header, e.g. { header: Subject, ${k}: ... }`, path: [k] });
    }
    if (!['header', 'contains', 'matches', 'from', 'to', 'size-over'].some(has)) {
      ctx.addIssue({ code: 'custom', message: 'a condition needs at least one of header, from, to or size-over' });
    }
  },
  { when: () => true },
);

const filterActionObject = strictObject(
  {
    folder: z.string().min(1).meta({ description: 'file into this folder' }).optional(),
    forward: oneOrList(address('forward target'), 'an address', L.recipientsPerSendMax).optional(),
    discard: z.literal(true).meta({ description: 'drop the message (counted as discarded, not lost)' }).optional(),
    reject: z.union([z.literal(true), z.string()]).meta({ description: 'bounce the message; a string sets the reason' }).optional(),
  },
  'filter action: folder, forward, discard or reject',
).superRefine(
  (value, ctx) => {
    exactlyOne(value, ['folder', 'forward', 'discard', 'reject'], 'filter action', ctx);
  },
  { when: () => true },
);

const filterAction = z
  .union([z.enum(['discard', 'reject']), filterActionObject], { error: 'expected discard, reject, or { folder | forward | reject: ... }' })
  .meta({ description: 'discard, reject, or { folder: NAME } / { forward: ADDRESS } / { reject: REASON }' });

// biome-ignore lint/suspicious/noThenProperty: docs/reference.md §7.1 names the key `then`; this is a schema shape, never awaited.
const filterRule = strictObject({ if: filterCondition, then: filterAction }, 'a filter rule: { if: CONDITION, then: ACTION }');

// ---- §5: hosts -----------------------------------------------------------------------------------

const password = z.union([z.string(), z.number()], { error: 'expected a password (a string)' }).meta({ description: 'the password' });

const user = z
  .union(
    [
      password,
      strictObject(
        {
          password: password.optional(),
          filters: list(filterRule, 'procmail-like filters, first match wins (docs/reference.md §7.1)', L.filtersMax).optional(),
          quota: size('mailbox size limit; a delivery beyond it gets 452 4.2.2').optional(),
        },
        'a user: { password, filters, quota }',
      ),
    ],
    { error: 'expected a password, or { password, filters, quota }' },
  )
  .meta({ description: 'a password, or { password, filters, quota }' });

const userName = z.string().regex(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/, { error: 'expected a user name (the local part of an address)' });

/** docs/reference.md §5 `catch-all`: a user of this host, or { user, any-domain }. */
const catchAll = z
  .union(
    [
      userName,
      strictObject(
        {
          user: userName,
          'any-domain': flag('take mail for every domain, not only this host\'s own, as a capture server does (nothing is relayed)', false).optional(),
        },
        'a catch-all: { user, any-domain }',
      ),
    ],
    { error: 'expected a user name, or { user, any-domain }' },
  )
  .meta({ description: "the user whose mailbox takes mail for unknown recipients of this host's domains (Postfix luser_relay); { user, any-domain: true } takes every domain's mail" });

export const hostSchema = strictObject(
  {
    roles: list(
      z.enum(roleNames as [string, ...string[]], { error: `expected a role: ${roleNames.join(', ')}` }),
      'msa (587/465), mta (25), mda (local delivery), pop3, imap',
      roleNames.length * 4,
    )
      .optional()
      .meta({ default: [...defaultRoles] }),
    domains: list(domainName('a domain'), 'domains this host is the final destination for', L.namesPerListMax).optional(),
    'relay-for': list(domainName('a domain'), 'domains accepted on port 25 as a backup MX and queued onward', L.namesPerListMax).optional(),
    routes: map(
      z.string().regex(/^(\*|[A-Za-z0-9_.-]+)$/, { error: 'expected a domain or "*"' }),
      hostName('the host mail for this domain goes to'),
      'transport map: { DOMAIN: HOST }, "*" for every remote domain (smarthost)',
    ).optional(),
    users: map(
      userName,
      user,
      'mailboxes: { name: password } or { name: { password, filters, quota } }',
    ).optional(),
    mailbox: z.enum(['maildir', 'mbox']).optional().meta({ description: 'mailbox format', default: defaultMailbox }),
    address: ipAddress('fixed address (else from dns, else assigned)').optional(),
    queue: queueSchema.optional(),
    timeouts: timeoutsSchema.optional(),
    limits: limitsSchema.optional(),
    greylist: duration('greylisting delay: first attempt per (client, sender, recipient) gets 450 4.2.0').optional(),
    'catch-all': catchAll.optional(),
    tls: flag('offer STARTTLS / implicit TLS', defaultTls).optional(),
    requiretls: flag('offer REQUIRETLS (RFC 8689) on TLS sessions', false).optional(),
  },
  'a host (docs/reference.md §5)',
);

// ---- §6: faults ----------------------------------------------------------------------------------

export const faultSchema = strictObject(
  {
    at: duration('when the fault starts (from t = 0)'),
    until: duration('when the fault is undone').optional(),
    chance: probability('the fault happens in a run with this probability, drawn once per run from its own stream (default: it always happens)').optional(),
    ...faultItemShape,
  },
  'a fault: at, optional until, and exactly one action (docs/reference.md §6)',
).superRefine(
  (parsed, ctx) => {
    const value: unknown = parsed;
    if (!isRecord(value)) return;
    exactlyOne(value, faultKindNames, 'fault action', ctx, ' (write one fault per action)');
    for (const kind of faultKinds) kind.refine?.(value, ctx);
  },
  { when: () => true },
);

/** The `faults` list (exported alone for revalidate.ts, which validates a changed fault list by itself). */
export const faultListSchema = list(faultSchema, 'the fault timeline (docs/reference.md §6)', L.faultsMax);

// ---- §7: traffic ---------------------------------------------------------------------------------

const sendSchema = strictObject(
  {
    from: address('envelope sender'),
    to: oneOrList(address('a recipient'), 'an address', L.recipientsPerSendMax),
    subject: z.string().optional().meta({ description: 'Subject header' }),
    body: z.string().optional().meta({ description: 'message body text' }),
    size: size('generate a body of this many bytes (instead of body)').optional(),
    headers: map(z.string().regex(/^[!-9;-~]+$/, { error: 'expected a header field name' }), z.string(), 'extra header fields').optional(),
    via: hostName('submission host (default: the msa whose domains include the sender domain)').optional(),
    port: z
      .union([z.literal(587), z.literal(465), z.literal(25)], { error: 'expected port 587, 465 or 25' })
      .optional()
      .meta({ description: '587 STARTTLS+AUTH, 465 implicit TLS+AUTH, 25 unauthenticated', default: defaultSendPort }),
    count: wholeNumber('send this many times', 1, L.sendCountMax, defaultSendCount).optional(),
    every: duration('interval between repeated sends', defaultSendEvery).optional(),
    notify: oneOrList(
      z.enum(['success', 'failure', 'delay', 'never'], { error: 'expected success, failure, delay or never' }),
      'when to get a delivery status notification (RCPT TO … NOTIFY=, RFC 3461 §4.1): success, failure, delay, or never',
      3,
    ).optional(),
    requiretls: flag('MAIL FROM … REQUIRETLS (RFC 8689): every hop must be TLS to a server that offers REQUIRETLS, or the message is returned', false).optional(),
  },
  'a user submits a message',
).superRefine(
  (parsed, ctx) => {
    const value: unknown = parsed;
    if (isRecord(value) && value.body !== undefined && value.size !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give body or size, not both', path: ['size'] });
    }
    if (isRecord(value) && Array.isArray(value.notify) && value.notify.includes('never') && value.notify.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'never stands alone: NOTIFY=NEVER cannot be combined with other conditions (RFC 3461 §4.1)', path: ['notify'] });
    }
  },
  { when: () => true },
);

const fetchSchema = strictObject(
  {
    user: address('whose mailbox (an address)'),
    protocol: z.enum(['pop3', 'imap'], { error: 'expected pop3 or imap' }).meta({ description: 'pop3 or imap' }),
    keep: flag('POP3: leave messages on the server', defaultFetchKeep).optional(),
    tls: flag("use TLS (default: the host's tls)").optional(),
    folder: z.string().min(1).optional().meta({ description: 'IMAP folder', default: defaultFetchFolder }),
    host: hostName("the server (default: the host whose domains include the user's domain)").optional(),
  },
  'a user fetches mail',
);

const trafficItem = strictObject(
  { at: duration('when (from t = 0)'), send: sendSchema.optional(), fetch: fetchSchema.optional() },
  'at, and send or fetch (docs/reference.md §7)',
).superRefine(
  (value, ctx) => {
    exactlyOne(value, ['send', 'fetch'], 'traffic action', ctx, ' (write one traffic item each)');
  },
  { when: () => true },
);

// ---- §8: expect ----------------------------------------------------------------------------------

export const expectationKinds = ['delivered', 'bounced', 'deferred', 'rejected', 'fetched', 'no-bounces'] as const;
/** Which options each expectation takes (docs/reference.md §8). */
export const expectationOptions: Record<(typeof expectationKinds)[number], readonly string[]> = {
  delivered: ['within', 'via', 'count', 'folder'],
  bounced: ['status', 'within'],
  deferred: [],
  rejected: [],
  fetched: ['count', 'subject'],
  'no-bounces': [],
};

const expectation = strictObject(
  {
    delivered: address('every message sent to ADDR landed in its mailbox').optional(),
    bounced: address("the sender got a DSN about ADDR").optional(),
    deferred: address('messages to ADDR are still queued at the end').optional(),
    rejected: address('the submission of messages to ADDR was refused with a 5xx').optional(),
    fetched: address("USER's fetches retrieved count messages").optional(),
    'no-bounces': z.literal(true, { error: 'expected true' }).meta({ description: 'nobody received a DSN' }).optional(),
    within: duration('after submission').optional(),
    via: hostName('the message passed through this host').optional(),
    count: wholeNumber('exact number of landings (delivered) or messages fetched (fetched)', 0, 1_000_000).optional(),
    folder: z.string().min(1).optional().meta({ description: 'the folder it landed in' }),
    status: z
      .string()
      .regex(/^[245](\.\d{1,3}(\.\d{0,3})?)?\.?$/, { error: 'expected a status code prefix such as 5.1.1 or 5.' })
      .optional()
      .meta({ description: 'DSN status prefix, e.g. 5.1.1 or 5.' }),
    subject: z.string().optional().meta({ description: 'fetched messages have this subject' }),
  },
  'an expectation (docs/reference.md §8)',
).superRefine(
  (parsed, ctx) => {
    const value: unknown = parsed;
    if (!isRecord(value)) return;
    const kind = exactlyOne(value, expectationKinds, 'expectation', ctx, ' (write one list item each)');
    if (kind === null) return;
    const allowed = expectationOptions[kind as (typeof expectationKinds)[number]];
    for (const key of Object.keys(value)) {
      if (key === kind || (expectationKinds as readonly string[]).includes(key)) continue;
      if (!allowed.includes(key)) {
        const takes = allowed.length > 0 ? `; ${kind} takes ${allowed.join(', ')}` : `; ${kind} takes no options`;
        ctx.addIssue({ code: 'custom', message: `${key} does not apply to ${kind}${takes}`, path: [key] });
      }
    }
  },
  { when: () => true },
);

// ---- §3: the file --------------------------------------------------------------------------------

export const scenarioSchema = strictObject(
  {
    $schema: z.string().optional().meta({ description: 'JSON Schema for editors (ignored by mailsim)' }),
    name: z.string({ error: 'expected a name (a short title)' }).min(1, { error: 'the name must not be empty' }).meta({ description: 'human title' }),
    description: z.string().optional().meta({ description: 'free text, copied into the report' }),
    seed: wholeNumber('seed of every random choice; mailsim run --seed overrides', seedMin, seedMax, defaultSeed).optional(),
    until: duration('simulated-time limit; the run ends earlier once nothing is pending', defaultUntil).optional(),
    network: network.optional(),
    defaults: strictObject(
      { queue: queueSchema.optional(), timeouts: timeoutsSchema.optional(), limits: limitsSchema.optional() },
      'queue, timeouts and limits for every host unless the host overrides them (docs/reference.md §3.2)',
    ).optional(),
    dns: dnsZone.optional(),
    hosts: map(hostName('a host name'), hostSchema.nullable(), 'the machines: { HOSTNAME: config }'),
    faults: faultListSchema.optional(),
    traffic: list(trafficItem, 'what users do (docs/reference.md §7)', L.trafficMax).optional(),
    expect: list(expectation, 'what must hold when the run ends (docs/reference.md §8)', L.expectMax).optional(),
  },
  'a mailsim scenario, see docs/reference.md',
);

/** The schema's parsed output: shapes checked, units parsed, defaults NOT yet applied. */
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ParsedHost = z.output<typeof hostSchema>;
export type ParsedQueue = z.output<typeof queueSchema>;
export type ParsedTimeouts = z.output<typeof timeoutsSchema>;
export type ParsedLimits = z.output<typeof limitsSchema>;
export type ParsedDnsRecords = z.output<typeof dnsRecordsSchema>;

// ---- helpers -------------------------------------------------------------------------------------

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports unless exactly one of `keys` is present; returns the one present, or null. */
function exactlyOne(value: unknown, keys: readonly string[], noun: string, ctx: z.RefinementCtx, hint = ''): string | null {
  if (!isRecord(value)) return null;
  const present = keys.filter((k) => value[k] !== undefined);
  if (present.length === 1) return present[0] ?? null;
  if (present.length === 0) {
    ctx.addIssue({ code: 'custom', message: `expected one ${noun}: ${keys.join(', ')}` });
  } else {
    // Point at the second one: the first is most likely the intended one.
    ctx.addIssue({ code: 'custom', message: `expected exactly one ${noun}, found ${present.join(' and ')}${hint}`, path: [present[1] ?? ''] });
  }
  return null;
}
