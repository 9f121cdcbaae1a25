/**
 * What the built-in checks share: making their one-line violations, and the small views of a run they all need — the
 * traffic's messages (not the DSNs), a host's configuration, an address's domain.
 *
 * A violation line names the message (the report's id and its Message-ID), the address and the
 * simulated time, so it can be found in the HTML report and in the trace.
 */
import type { ReportMessage } from '../../report/types.js';
import type { HostConfig } from '../../scenario/schema-types.js';
import { formatDurationMs } from '../../schema/units.js';
import type { MailCheck, MailRun, Violation } from '../types.js';

/** A built-in check: `lines(run)` gives the violation lines; the name goes on each. */
export function builtInCheck(name: string, lines: (run: MailRun) => string[]): MailCheck {
  const run = (mailRun: MailRun): Violation[] => lines(mailRun).map((message) => ({ check: name, message }));
  return Object.assign(run, { checkName: name });
}

/** A simulated time as a violation shows it: `t=1h 2m 0.5s`. */
export const at = (ms: number): string => `t=${formatDurationMs(ms)}`;

/** "m1 <id@host>": the report's id of a message and its Message-ID. */
export const messageName = (message: Pick<ReportMessage, 'id' | 'messageId'>): string => `${message.id} ${message.messageId}`;

/** The domain of an address, lower case (RFC 5321 §2.4: only the local part is case-sensitive). */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The messages the traffic sent (and forwards), without the DSNs the MTAs wrote. */
export function trafficMessages(run: MailRun): ReportMessage[] {
  return run.report.messages.filter((m) => !m.dsn);
}

/** A host's configuration in the validated scenario. */
export function hostConfigOf(run: MailRun, host: string): HostConfig | undefined {
  return run.scenario.hosts.find((h) => h.name === host);
}
