/**
 * `bounceWellFormed()` — a bounce is a DSN per RFC 3464 that reaches the sender, once, and says what
 * happened (docs/delivery.md D1, D3–D5, D7, R5, M8). For every recipient of the traffic that bounced:
 *   - it was bounced once (one `mail.bounce`);
 *   - its Status matches the failure: when a remote reply decided a permanent status (the bounce's
 *     Remote-MTA), the reply is a 5xx (D7) and, when it carried an enhanced code, the status is that
 *     code (D5);
 *     a null MX domain bounces with 5.1.10 and no host that looks its MX up connects anywhere (M8);
 *   - a permanent failure is returned at the end of the attempt that met it: no retry of that queue
 *     entry between the failing connection and the bounce (R5);
 *   - a DSN exists (unless the sender is `<>`, D2), travels from `<>` (D1) and is addressed to the
 *     sender; the host that bounced the recipient sent one at that moment (each host that bounces
 *     some of a message's recipients sends its own), and once that one was delivered, the sender's
 *     folder holds a `multipart/report` whose `message/delivery-status` part has Reporting-MTA (D4)
 *     and, for the recipient, Final-Recipient, `Action: failed` and the bounce's Status (D3, D5) —
 *     read with `parseDsn`.
 */
import type { ReportMessage, ReportRecipient } from '../../report/types.js';
import type { MailRun } from '../types.js';
import { at, builtInCheck, domainOf, hostConfigOf, messageName, trafficMessages } from './common.js';
import { reportedRecipients } from './dsn-reports.js';
import { queueEntries } from './trace-views.js';

/** "550 5.1.1 no such user" → { code: '550', enhanced: '5.1.1' } */
function replyCodes(text: string | null): { code: string; enhanced: string | null } | null {
  const match = /^(\d{3})(?:[ -]([245]\.\d{1,3}\.\d{1,3})\b)?/.exec(text ?? '');
  return match === null ? null : { code: match[1]!, enhanced: match[2] ?? null };
}

const nullMxDomains = (run: MailRun) => new Set(run.scenario.dns.filter((e) => e.records.mx.some((r) => r.host === '.')).map((e) => e.name));
const routedElsewhere = (run: MailRun, host: string, domain: string) => (hostConfigOf(run, host)?.routes ?? []).some((r) => r.domain === domain || r.domain === '*');

/** The status against the failure: the reply that decided it (D5, D7), or the null MX (M8). */
function statusViolations(run: MailRun, name: string, r: ReportRecipient, nullMx: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const bounce = r.bounce!;
  const when = at(bounce.atMs);
  // A permanent status that a remote reply decided (an expiry keeps its last 4.x.x, which a softened
  // 5xx greeting may have given: not judged here).
  const reply = bounce.remoteMta !== null && bounce.status.startsWith('5.') ? replyCodes(bounce.diagnostic) : null;
  if (reply !== null && reply.code[0] !== '5') out.push(`${name}: bounced at ${when} with Status ${bounce.status}, not of the class of the reply "${bounce.diagnostic}" (D7)`);
  if (reply?.enhanced != null && bounce.status !== reply.enhanced) out.push(`${name}: bounced at ${when} with Status ${bounce.status} but the reply said ${reply.enhanced} (D5)`);
  const domain = domainOf(r.address);
  if (nullMx.has(domain) && !run.scenario.faults.some((f) => f.action.kind === 'dns-set')) {
    // The null MX is seen by the host that looks the MX up; a host routing the domain to a smarthost
    // that never took the mail bounces it with its own (expiry) status.
    const lookedUp = !routedElsewhere(run, bounce.reportingMta, domain);
    if (lookedUp && bounce.status !== '5.1.10' && r.attempts.every((a) => a.result !== 'failed')) out.push(`${name}: a null MX domain bounced at ${when} with ${bounce.status}, not 5.1.10 (M8)`);
    const tried = r.attempts.filter((a) => a.result !== 'suspended' && !routedElsewhere(run, a.from, domain));
    if (tried.length > 0) out.push(`${name}: a null MX domain, yet ${tried.map((a) => `${a.from} connected to ${a.to} at ${at(a.atMs)}`).join(', ')} (M8)`);
  }
  return out;
}

/** No retry of the entry between the permanent failure and the bounce (R5). */
function promptness(message: ReportMessage, name: string, r: ReportRecipient, entries: ReturnType<typeof queueEntries>): string[] {
  const bounce = r.bounce!;
  if (!bounce.status.startsWith('5.')) return [];
  const failing = r.attempts.filter((a) => a.result === 'failed' && a.from === bounce.reportingMta && a.atMs <= bounce.atMs).at(-1);
  const entry = entries.find((e) => e.host === bounce.reportingMta && e.messageId === message.messageId);
  if (failing === undefined || entry === undefined) return [];
  const retries = entry.attempts.filter((a) => a.startMs > failing.atMs && a.startMs < bounce.atMs).length;
  return retries > 0 ? [`${name}: ${retries} more attempt(s) between the permanent failure at ${at(failing.atMs)} and the bounce at ${at(bounce.atMs)} (R5)`] : [];
}

/**
 * The DSN about `message` that reports this recipient — the one its reporting MTA sent when it bounced
 * it (a message bounced at two hosts gets a DSN from each, and one may arrive while the other cannot) —
 * from <>, to the sender, and, once delivered, an RFC 3464 report naming the recipient.
 */
function dsnViolations(run: MailRun, message: ReportMessage, name: string, r: ReportRecipient): string[] {
  const bounce = r.bounce!;
  const dsns = run.report.messages.filter((m) => m.dsn && m.about === message.id);
  if (dsns.length === 0) return [`${name}: bounced at ${at(bounce.atMs)}, but no DSN was sent to ${message.from} (D1)`];
  const out: string[] = [];
  for (const dsn of dsns) {
    if (dsn.from !== '') out.push(`${messageName(dsn)} (the DSN about ${message.id}) has reverse-path <${dsn.from}>, not <> (D1)`);
    if (!dsn.recipients.some((d) => d.address.toLowerCase() === message.from.toLowerCase())) out.push(`${messageName(dsn)} (the DSN about ${message.id}) is not addressed to the sender ${message.from} (D1)`);
  }
  const own = dsns.filter((dsn) => dsn.submittedAtMs === bounce.atMs && dsn.recipients.some((d) => d.hops[0] === bounce.reportingMta));
  if (own.length === 0) {
    out.push(`${name}: bounced by ${bounce.reportingMta} at ${at(bounce.atMs)}, but that host sent no DSN about ${message.id} then (D1)`);
    return out;
  }
  const delivered = own.filter((dsn) => dsn.recipients.some((d) => d.status === 'delivered'));
  if (delivered.length === 0) return out;
  const reported = reportedRecipients(run, delivered);
  if (reported === null) return out;
  const blocks = reported.get(r.address.toLowerCase()) ?? [];
  if (!blocks.some((b) => b.action === 'failed' && b.status === bounce.status && b.reportingMta !== null)) {
    const said = blocks.length === 0 ? 'none names it' : blocks.map((b) => `Action ${b.action} Status ${b.status} Reporting-MTA ${b.reportingMta}`).join(', ');
    out.push(`${name}: no RFC 3464 report in ${message.from}'s mailbox says Final-Recipient ${r.address}, Action failed, Status ${bounce.status} (bounced at ${at(bounce.atMs)}); ${said} (D3-D5)`);
  }
  return out;
}

/** Checks that every bounce is one well-formed DSN to the sender whose Status matches the failure. */
export function bounceWellFormed() {
  return builtInCheck('bounceWellFormed', (run) => {
    const out: string[] = [];
    const entries = queueEntries(run.trace);
    const nullMx = nullMxDomains(run);
    const bounces = new Map<string, number>();
    for (const e of run.trace) if (e.kind === 'mail.bounce') bounces.set(`${e.messageId}\n${e.to}`, (bounces.get(`${e.messageId}\n${e.to}`) ?? 0) + 1);
    for (const message of trafficMessages(run)) {
      for (const r of message.recipients) {
        const name = `${messageName(message)} → ${r.address}`;
        const count = bounces.get(`${message.messageId}\n${r.address}`) ?? 0;
        if (count > 1) out.push(`${name} was bounced ${count} times, the last at ${at(r.bounce?.atMs ?? run.report.endedAtMs)} (once is owed)`);
        if (r.status !== 'bounced' || r.bounce === null) continue;
        out.push(...statusViolations(run, name, r, nullMx), ...promptness(message, name, r, entries));
        if (message.from !== '') out.push(...dsnViolations(run, message, name, r));
      }
    }
    return out;
  });
}
