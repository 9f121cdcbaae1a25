/**
 * Reads a Postfix maillog_file into delivery attempts, per recipient.
 *
 * Postfix logs a delivery attempt of the SMTP client as zero or more connection lines —
 * `connect to H[A]:25: Connection refused`, `QID: host H[A] refused to talk to me: 421 …`,
 * `lost connection with H[A] while receiving the initial server greeting` — followed by one status
 * line per recipient from the same process: `QID: to=<r>, relay=H[A]:25 | none, …, dsn=X.Y.Z,
 * status=sent|deferred|bounced (text)`. The connection lines are attributed to the next status line of
 * the same `smtp[pid]`. A status line from any other process with `relay=none` and "delivery
 * temporarily suspended" is qmgr deferring mail for a destination it marked dead, without a
 * connection (issue 22 point 1). `status=expired` is the queue giving up (maximal_queue_lifetime).
 *
 * Log timestamps are whole seconds (`Dec 04 07:18:03`): `second` is the wall ms of that second's
 * start; the harness refines attempt times from the DNS and fake-MX logs where it can.
 */

export type ConnectionResult = 'refused' | 'greeting' | 'lost' | 'sent' | 'deferred' | 'bounced';

export interface LoggedConnection {
  host: string;
  result: ConnectionResult;
  text: string;
}

export interface LoggedAttempt {
  /** Wall ms of the start of the logged second. */
  second: number;
  /** Order in the log, to keep simultaneous lines in order. */
  line: number;
  queueId: string;
  rcpt: string;
  status: 'sent' | 'deferred' | 'bounced' | 'expired';
  /** qmgr deferred it without a connection: the destination is marked dead. */
  suspended: boolean;
  dsn: string | null;
  text: string;
  connections: LoggedConnection[];
}

const monthIndex: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** `Dec 04 07:18:03` in local time → wall ms (the year is the one of `referenceMs`). */
export function logSecond(stamp: string, referenceMs: number): number | null {
  const match = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)/.exec(stamp);
  if (!match) return null;
  const year = new Date(referenceMs).getFullYear();
  return new Date(year, monthIndex[match[1]!] ?? 0, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])).getTime();
}

const lineShape = /^(\w{3} +\d+ \d\d:\d\d:\d\d) \S+ postfix\/([\w-]+)\[(\d+)\]: (.*)$/;
const statusShape = /^([0-9A-F]+): to=<([^>]*)>, (?:orig_to=<[^>]*>, )?relay=([^,]+), .*?(?:dsn=([\d.]+), )?status=(\w+) \((.*)\)$/;

function connectionLine(line: string): LoggedConnection | null {
  const message = line.replace(/^[0-9A-F]+: /, ''); // greeting refusals carry the queue id
  let match = /^connect to ([^[\s]+)\[[^\]]*\]:\d+: (.*)$/.exec(message);
  if (match) return { host: match[1]!.toLowerCase(), result: /refused/i.test(match[2]!) ? 'refused' : 'lost', text: message };
  match = /^host ([^[\s]+)\[[^\]]*\] refused to talk to me: (.*)$/.exec(message);
  if (match) return { host: match[1]!.toLowerCase(), result: 'greeting', text: match[2]! };
  match = /^lost connection with ([^[\s]+)\[[^\]]*\] while (.*)$/.exec(message);
  if (match) return { host: match[1]!.toLowerCase(), result: 'lost', text: message };
  return null;
}

export function parseMaillog(text: string, referenceMs: number): LoggedAttempt[] {
  const attempts: LoggedAttempt[] = [];
  const pendingByPid = new Map<string, LoggedConnection[]>();
  text.split('\n').forEach((raw, line) => {
    const match = lineShape.exec(raw);
    if (!match) return;
    const [, stamp, service, pid, message] = match as unknown as [string, string, string, string, string];
    const second = logSecond(stamp, referenceMs);
    if (second === null) return;
    const connection = service === 'smtp' ? connectionLine(message) : null;
    if (connection) {
      const pending = pendingByPid.get(pid) ?? [];
      pending.push(connection);
      pendingByPid.set(pid, pending);
      return;
    }
    const expired = /^([0-9A-F]+): from=<[^>]*>, status=expired/.exec(message);
    if (expired) {
      attempts.push({ second, line, queueId: expired[1]!, rcpt: '', status: 'expired', suspended: false, dsn: null, text: message, connections: [] });
      return;
    }
    const status = statusShape.exec(message);
    if (!status) return;
    const [, queueId, rcpt, relay, dsn, state, detail] = status as unknown as [string, string, string, string, string | undefined, string, string];
    if (state !== 'sent' && state !== 'deferred' && state !== 'bounced') return;
    const connections = service === 'smtp' ? (pendingByPid.get(pid) ?? []) : [];
    pendingByPid.delete(pid);
    const relayHost = /^([^[\s]+)\[/.exec(relay)?.[1]?.toLowerCase();
    if (relayHost !== undefined) connections.push({ host: relayHost, result: state, text: detail });
    const suspended = relay === 'none' && /delivery temporarily suspended/.test(detail);
    attempts.push({ second, line, queueId, rcpt: rcpt.toLowerCase(), status: state, suspended, dsn: dsn ?? null, text: detail, connections });
  });
  return attempts;
}

/**
 * The seconds (wall ms of each second's start) in which qmgr took back mail it had deferred: a
 * `QID: from=<…>, … (queue active)` line for a queue id that already has a `status=deferred` line. These
 * are its deferred-queue scans (every `queue_run_delay`, phased from qmgr's start).
 */
export function deferredScanSeconds(text: string, referenceMs: number): number[] {
  const deferred = new Set<string>();
  const seconds: number[] = [];
  for (const raw of text.split('\n')) {
    const match = lineShape.exec(raw);
    if (!match) continue;
    const [, stamp, service, , message] = match as unknown as [string, string, string, string, string];
    const queueId = /^([0-9A-F]+): /.exec(message)?.[1];
    const second = logSecond(stamp, referenceMs);
    if (queueId === undefined || second === null) continue;
    if (/ status=deferred /.test(message)) deferred.add(queueId);
    else if (service === 'qmgr' && message.endsWith('(queue active)') && deferred.has(queueId)) seconds.push(second);
  }
  return seconds;
}
