/**
 * Postfix's side of an experiment, put together from three logs:
 *   - the maillog (maillog.ts): which hosts each delivery attempt tried, with what result, and the
 *     deferrals qmgr made without a connection — to the second only;
 *   - dnsmasq's query log (dnsmasq.ts): the smtp client looks the destination's MX up at the start of
 *     every delivery attempt, so each logged attempt is given the time of an MX query for its domain,
 *     taken in log order among the queries from one second before to one second after its log
 *     second (concurrent attempts of one second get near-equal times either way);
 *   - the fake MX hosts' connection logs (fake-mx.ts): the exact time of every connection that
 *     reached a fake (matched by recipient, else by host and time), and the bounces caught by the
 *     sender's MX.
 * A refused connection reaches no fake; it keeps its attempt's DNS time (a refusal on loopback takes
 * well under a millisecond).
 */
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import type { DnsQuery } from './dnsmasq.js';
import type { Experiment } from './experiments.js';
import { recipientOf } from './experiments.js';
import type { FakeConnection, ReceivedMessage } from './fake-mx.js';
import type { LoggedAttempt } from './maillog.js';
import { type AttemptRow, dsnFields, type MessageOutcome, type SideOutcome } from './outcome.js';

export interface PostfixObservations {
  /** Wall ms of each message's injection (the 250 to its final dot), message 1 first. */
  injectedAtMs: number[];
  attempts: LoggedAttempt[];
  queries: DnsQuery[];
  connections: FakeConnection[];
  /** What the sender's fake MX received (the bounces). */
  bounces: ReceivedMessage[];
}

/** Postfix's words for a connection's result, in mailsim's (docs/reference.md §9.1 `attempts[].result`). */
function resultName(result: string, text: string): string {
  if (result === 'sent') return 'accepted';
  if (result === 'bounced') return 'failed';
  if (result === 'greeting') return text.startsWith('5') ? 'failed' : 'deferred';
  return result;
}

/** Gives each non-suspended attempt of the domain the time of "its" MX query (see the header). */
function attemptTimes(attempts: LoggedAttempt[], queries: DnsQuery[], domain: string): Map<LoggedAttempt, number> {
  const free = queries.filter((q) => q.type === 'MX' && q.name === domain).sort((a, b) => a.atMs - b.atMs);
  const times = new Map<LoggedAttempt, number>();
  for (const attempt of [...attempts].sort((a, b) => a.line - b.line)) {
    if (attempt.suspended || attempt.status === 'expired') continue;
    const index = free.findIndex((q) => q.atMs >= attempt.second - 1000 && q.atMs < attempt.second + 1000);
    if (index < 0) continue;
    times.set(attempt, free[index]!.atMs);
    free.splice(index, 1);
  }
  return times;
}

function rowsOf(attempts: LoggedAttempt[], times: Map<LoggedAttempt, number>, fakes: FakeConnection[], rcpt: string, zeroMs: number): AttemptRow[] {
  const rows: AttemptRow[] = [];
  for (const attempt of attempts) {
    if (attempt.status === 'expired') continue;
    const dnsMs = times.get(attempt);
    const baseMs = dnsMs ?? attempt.second;
    if (attempt.suspended) {
      rows.push({ host: null, result: 'suspended', atS: (attempt.second - zeroMs) / 1000, precise: false });
      continue;
    }
    for (const connection of attempt.connections) {
      // A refused connection never reached a fake; any other did, within its log second.
      const fakeIndex =
        connection.result === 'refused'
          ? -1
          : fakes.findIndex(
              (f) => f.host === connection.host && (f.rcpts.length === 0 || f.rcpts.includes(rcpt)) && f.atMs >= attempt.second - 1000 && f.atMs < attempt.second + 1100,
            );
      const fake = fakeIndex >= 0 ? fakes.splice(fakeIndex, 1)[0] : undefined;
      const atMs = fake?.atMs ?? baseMs;
      rows.push({ host: connection.host, result: resultName(connection.result, connection.text), atS: (atMs - zeroMs) / 1000, precise: fake !== undefined || dnsMs !== undefined });
    }
  }
  return rows;
}

export function postfixOutcome(e: Experiment, observed: PostfixObservations): SideOutcome {
  const domainAttempts = observed.attempts.filter((a) => a.rcpt.endsWith(`@${e.domain}`));
  const times = attemptTimes(domainAttempts, observed.queries, e.domain);
  const hosts = new Set(e.mx.map((mx) => mx.host));
  const fakes = observed.connections.filter((c) => hosts.has(c.host)).sort((a, b) => a.atMs - b.atMs);
  const messages: MessageOutcome[] = observed.injectedAtMs.map((zeroMs, k) => {
    const rcpt = recipientOf(e, k + 1);
    const mine = domainAttempts.filter((a) => a.rcpt === rcpt).sort((a, b) => a.line - b.line);
    const rows = rowsOf(mine, times, fakes, rcpt, zeroMs);
    const accepted = rows.find((row) => row.result === 'accepted');
    const bounce = observed.bounces.find((b) => new RegExp(`Final-Recipient: rfc822; ?${rcpt.replace(/[.]/g, '\\.')}\\b`, 'i').test(b.data));
    const dsn = bounce ? dsnFields(parseDsn(new TextEncoder().encode(bounce.data))) : null;
    const fate = accepted ? 'delivered' : bounce ? 'bounced' : 'pending';
    const fateAtS = accepted ? accepted.atS : bounce ? (bounce.atMs - zeroMs) / 1000 : null;
    return { message: k + 1, rows, fate, fateAtS, via: accepted?.host ?? null, dsn };
  });
  return { messages };
}
