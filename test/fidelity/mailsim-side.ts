/**
 * mailsim's side of an experiment: the scenario of experiments.ts run with runScenarioWorld, read
 * back from the report (every attempt of the sending MTA, docs/reference.md §9.1) and from the
 * sender's mailbox on the sender's MX (the bounces, parsed as RFC 3464 DSNs like Postfix's).
 */
import { type Report, runScenarioWorld } from '../../src/index.js';
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import { mailbox } from '../nodes/world-harness.js';
import { type Experiment, recipientOf, reportingMta, scenarioFor, senderMx } from './experiments.js';
import { dsnFields, type MessageOutcome, type SideOutcome } from './outcome.js';

export interface MailsimRun {
  outcome: SideOutcome;
  report: Report;
}

export function runMailsim(e: Experiment, submittedMs: readonly number[], zeroMs?: number): MailsimRun {
  const { report, world } = runScenarioWorld(scenarioFor(e, submittedMs, zeroMs) as never);
  const dsns = mailbox(world, senderMx.host, e.id).map((text) => ({ text, fields: dsnFields(parseDsn(new TextEncoder().encode(text))) }));
  const messages: MessageOutcome[] = submittedMs.map((_, k) => {
    const rcpt = recipientOf(e, k + 1);
    const message = report.messages.find((m) => !m.dsn && m.recipients.some((r) => r.address === rcpt));
    const recipient = message?.recipients.find((r) => r.address === rcpt);
    if (message === undefined || recipient === undefined) throw new Error(`mailsim did not submit ${rcpt}: ${JSON.stringify(report.messages.slice(0, 1))}`);
    const zeroMs = message.submittedAtMs;
    const rows = recipient.attempts
      .filter((a) => a.from === reportingMta)
      // A suspended attempt (docs/delivery.md R14) made no connection: no host, as Postfix's "relay=none".
      .map((a) => ({ host: a.result === 'suspended' ? null : a.to, result: a.result, atS: (a.atMs - zeroMs) / 1000, precise: true }));
    const notice = report.messages.find((m) => m.dsn && m.about === message.id);
    const landedMs = notice?.recipients[0]?.finalAtMs ?? null;
    const dsn = dsns.find((d) => d.text.includes(rcpt))?.fields ?? null;
    const accepted = recipient.attempts.find((a) => a.from === reportingMta && a.result === 'accepted');
    const fate = recipient.status === 'delivered' ? 'delivered' : recipient.status === 'bounced' ? 'bounced' : 'pending';
    const fateAtS = accepted ? (accepted.atMs - zeroMs) / 1000 : fate === 'bounced' && landedMs !== null ? (landedMs - zeroMs) / 1000 : null;
    return { message: k + 1, rows, fate, fateAtS, via: accepted?.to ?? null, dsn };
  });
  return { outcome: { messages }, report };
}
