/**
 * The defaults of docs/reference.md §3–§8, in one place. The zod schema shows them to editors (JSON Schema
 * `default`), and the normaliser fills them in. Queue, timeout and limit values merge key by key:
 * built-in ← `defaults.*` ← the host's own block. Sources: docs/delivery.md R8 (Postfix queue), R9 (Exim
 * rule), §3 (Postfix timeouts, RFC 5321 §4.5.3.2), §4 (limits, RFC 5321 §4.5.3.1).
 */
export const defaultSeed = 1;
/** A seed is a whole number in [seedMin, seedMax], in a file (`seed:`) and on the command line (`--seed`) alike. */
export const seedMin = 0;
export const seedMax = Number.MAX_SAFE_INTEGER;
export const defaultUntil = '7d';
export const defaultLatency = '10ms';
export const defaultDnsTtl = '1h';

/**
 * §5.1 — the retry schedules `queue.schedule` names (docs/delivery.md R8–R13): Postfix's (the default),
 * an Exim rule, offsets from arrival, and the presets of Haraka's, sendmail's and Exchange's defaults.
 */
export const queueSchedules = ['postfix', 'exim', 'offsets', 'haraka', 'sendmail', 'exchange'] as const;
export type QueueScheduleName = (typeof queueSchedules)[number];

/**
 * §5.1 — Postfix-like schedule: min/max/scan are `minimal_backoff_time`, `maximal_backoff_time`, `queue_run_delay`;
 * concurrency, concurrency-limit and failed-cohorts are `initial_destination_concurrency`,
 * `default_destination_concurrency_limit` and `default_destination_concurrency_failed_cohort_limit` (R14);
 * connection-cache and connection-cache-time are `smtp_connection_cache_on_demand` and
 * `smtp_connection_cache_time_limit` (R15).
 */
export const defaultQueue = {
  schedule: 'postfix',
  min: '300s',
  max: '4000s',
  scan: '300s',
  rule: 'F,2h,15m; G,16h,1h,1.5; F,4d,6h',
  lifetime: '5d',
  'bounce-lifetime': '5d',
  'warn-after': 'off',
  concurrency: 5,
  'concurrency-limit': 20,
  'process-limit': 100,
  'failed-cohorts': 1,
  'connection-cache': true,
  'connection-cache-time': '2s',
} as const;

/** §5.2 — Postfix `smtp_*_timeout` defaults. */
export const defaultTimeouts = {
  connect: '30s',
  greeting: '300s',
  helo: '300s',
  mail: '300s',
  rcpt: '300s',
  'data-init': '120s',
  'data-block': '180s',
  'data-done': '600s',
  'server-idle': '300s',
  'pop3-idle': '10m',
  'imap-idle': '30m',
} as const;

/** RFC 1939 §3 and RFC 9051 §5.4: the least a POP3 / IMAP server may wait before an autologout. */
export const pop3IdleMinMs = 10 * 60_000;
export const imapIdleMinMs = 30 * 60_000;

/**
 * §5.3 — Postfix `message_size_limit`, `smtpd_recipient_limit`, `hopcount_limit`, `smtp_mx_address_limit`,
 * `smtp_mx_session_limit`, `smtpd_soft_error_limit`, `smtpd_hard_error_limit`, `smtpd_error_sleep_time`;
 * Dovecot `auth_failure_delay`; mailsim's three failed POP3/IMAP logins.
 */
export const defaultLimits = {
  'message-size': 10_240_000,
  recipients: 1000,
  hops: 50,
  'mx-addresses': 5,
  'mx-sessions': 2,
  'min-data-rate': 500,
  'imap-preauth-command': 8192,
  'smtp-soft-errors': 10,
  'smtp-hard-errors': 20,
  'smtp-error-delay': '1s',
  'auth-failures': 3,
  'auth-failure-delay': '2s',
  'line-length': 998,
} as const;

export const defaultRoles = ['mta'] as const;
export const defaultMailbox = 'maildir';
export const defaultTls = true;
export const defaultSendPort = 587;
export const defaultSendCount = 1;
export const defaultSendEvery = '1s';
export const defaultFetchKeep = false;
export const defaultFetchFolder = 'INBOX';
