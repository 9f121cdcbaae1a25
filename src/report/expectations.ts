/**
 * The scenario's `expect` items (docs/reference.md §8) and the three invariants that are always checked:
 * no-loss, dsn-sanity and no-open-relay. Each check returns passed + a detail sentence that says what
 * was found, so a failing report explains itself.
 */
import { describeRelayViolation } from '../mail/events/index.js';
import type { MailRecords } from '../mail/records.js';
import { formatDurationMs as fmtMs } from '../schema/units.js';
import type { ReportExpectation, ReportFetch, ReportInvariant, ReportMessage, ReportRecipient } from './types.js';
import type { Expectation, Scenario } from '../scenario/schema-types.js';

interface Context {
  scenario: Scenario;
  messages: readonly ReportMessage[];
  fetches: readonly ReportFetch[];
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Every (message, recipient) pair addressed to `address`. */
function addressedTo(messages: readonly ReportMessage[], address: string, includeDsn = true): Array<{ message: ReportMessage; recipient: ReportRecipient }> {
  const out: Array<{ message: ReportMessage; recipient: ReportRecipient }> = [];
  for (const message of messages) {
    if (message.dsn && !includeDsn) continue;
    for (const recipient of message.recipients) if (sameAddress(recipient.address, address)) out.push({ message, recipient });
  }
  return out;
}

export function evaluateExpectation(expectation: Expectation, ctx: Context): ReportExpectation {
  const result = (passed: boolean, detail: string): ReportExpectation => ({ expect: expectation.source, passed, detail });
  switch (expectation.kind) {
    case 'delivered': {
      const pairs = addressedTo(ctx.messages, expectation.address);
      if (pairs.length === 0) return result(false, `no message was sent to ${expectation.address}`);
      const ownHosts = new Set(ctx.scenario.hosts.filter((h) => h.domains.includes(domainOf(expectation.address))).map((h) => h.name));
      const problems: string[] = [];
      let landings = 0;
      for (const { message, recipient } of pairs) {
        const landed = recipient.deliveries.filter((d) => ownHosts.has(d.host) && (expectation.folder === null || d.folder === expectation.folder));
        landings += landed.length;
        const first = landed[0];
        if (first === undefined) {
          problems.push(`${message.id} did not land${expectation.folder ? ` in ${expectation.folder}` : ''} (status ${recipient.status})`);
          continue;
        }
        const latencyMs = first.atMs - message.submittedAtMs;
        if (expectation.withinMs !== null && latencyMs > expectation.withinMs) problems.push(`${message.id} landed after ${fmtMs(latencyMs)}, more than ${fmtMs(expectation.withinMs)}`);
        if (expectation.via !== null && !recipient.hops.includes(expectation.via)) problems.push(`${message.id} did not pass through ${expectation.via} (hops: ${recipient.hops.join(' → ')})`);
      }
      if (expectation.count !== null && landings !== expectation.count) problems.push(`${landings} landing(s) in total, expected exactly ${expectation.count}`);
      return problems.length === 0
        ? result(true, `${pairs.length} message(s) to ${expectation.address} landed (${landings} landing(s))`)
        : result(false, problems.join('; '));
    }
    case 'bounced': {
      const pairs = addressedTo(ctx.messages, expectation.address, false);
      if (pairs.length === 0) return result(false, `no message was sent to ${expectation.address}`);
      const problems: string[] = [];
      for (const { message, recipient } of pairs) {
        const bounce = recipient.bounce;
        if (bounce === null) {
          problems.push(`no DSN about ${message.id} (status ${recipient.status})`);
          continue;
        }
        const dsn = ctx.messages.find((m) => m.dsn && m.about === message.id && m.recipients.some((r) => sameAddress(r.address, message.from)));
        const received = dsn?.recipients.some((r) => sameAddress(r.address, message.from) && r.status === 'delivered') ?? false;
        if (!received) problems.push(`the DSN about ${message.id} did not reach ${message.from}`);
        if (expectation.status !== null && !bounce.status.startsWith(expectation.status)) problems.push(`${message.id} bounced with ${bounce.status}, expected ${expectation.status}`);
        const afterMs = bounce.atMs - message.submittedAtMs;
        if (expectation.withinMs !== null && afterMs > expectation.withinMs) problems.push(`${message.id} bounced after ${fmtMs(afterMs)}, more than ${fmtMs(expectation.withinMs)}`);
      }
      return problems.length === 0 ? result(true, `${pairs.length} message(s) to ${expectation.address} bounced to their senders`) : result(false, problems.join('; '));
    }
    case 'deferred':
    case 'rejected': {
      const pairs = addressedTo(ctx.messages, expectation.address, false);
      if (pairs.length === 0) return result(false, `no message was sent to ${expectation.address}`);
      const wrong = pairs.filter(({ recipient }) => recipient.status !== expectation.kind);
      return wrong.length === 0
        ? result(true, `${pairs.length} message(s) to ${expectation.address} are ${expectation.kind}`)
        : result(false, wrong.map(({ message, recipient }) => `${message.id} is ${recipient.status}`).join('; '));
    }
    case 'fetched': {
      const fetches = ctx.fetches.filter((f) => sameAddress(f.user, expectation.user));
      if (fetches.length === 0) return result(false, `no fetch for ${expectation.user} ran`);
      const failed = fetches.filter((f) => !f.ok);
      const messages = fetches.flatMap((f) => f.messages).filter((m) => expectation.subject === null || m.subject === expectation.subject);
      const problems: string[] = failed.map((f) => `the ${f.protocol} fetch at ${fmtMs(f.atMs)} failed: ${f.error ?? 'unknown error'}`);
      if (expectation.count !== null ? messages.length !== expectation.count : messages.length === 0) {
        problems.push(`${messages.length} message(s)${expectation.subject !== null ? ` with subject "${expectation.subject}"` : ''} fetched, expected ${expectation.count ?? 'at least 1'}`);
      }
      return problems.length === 0 ? result(true, `${messages.length} message(s) fetched by ${expectation.user}`) : result(false, problems.join('; '));
    }
    case 'no-bounces': {
      const dsns = ctx.messages.filter((m) => m.dsn);
      return dsns.length === 0 ? result(true, 'no DSN was sent') : result(false, `${dsns.length} DSN(s) were sent: ${dsns.map((m) => `${m.id} (about ${m.about ?? '?'})`).join(', ')}`);
    }
  }
}

export function evaluateInvariants(messages: readonly ReportMessage[], records: MailRecords): ReportInvariant[] {
  const lost: string[] = [];
  for (const message of messages) {
    for (const recipient of message.recipients) if (recipient.status === 'lost') lost.push(`${message.id} → ${recipient.address}`);
  }
  const insane: string[] = [];
  for (const message of records.messages.values()) {
    if (!message.dsn) continue;
    const senders = message.envelopeSenders.filter((sender) => sender !== '');
    if (senders.length > 0) insane.push(`${message.id} travelled with reverse-path <${senders[0]}> (D1 wants <>)`);
    for (const recipient of message.recipients) {
      if (recipient.bounce !== null) insane.push(`${message.id} (a DSN) was itself bounced to ${recipient.address} (D2)`);
    }
  }
  const relays = records.relayViolations.map(describeRelayViolation);
  return [
    { name: 'no-loss', passed: lost.length === 0, detail: lost.length === 0 ? '' : `lost: ${lost.join(', ')}` },
    { name: 'dsn-sanity', passed: insane.length === 0, detail: insane.join('; ') },
    { name: 'no-open-relay', passed: relays.length === 0, detail: relays.join('; ') },
  ];
}
