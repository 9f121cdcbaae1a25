/**
 * `expect(run).toBounce(address, { status })` (docs/testing.md, "Matchers"): every message sent to the
 * address failed for it and the sender got a DSN about it (RFC 3464) — the DSN was delivered to the
 * sender — with an RFC 3463 status starting with `status` when given ('5.1.1', or a prefix '5.'). The
 * same reading as the scenario's `bounced` expectation (docs/reference.md §8). With `.not`: no message
 * to the address bounced so. A failure shows the journeys of the messages to the address.
 */
import { journeys, type Lane, lanesTo } from '../journey.js';
import type { Report } from '../../report/types.js';
import { type MatcherOutcome, optionWords, reportOfSubject } from './subject.js';
import { sentTo } from './to-deliver.js';

export interface BounceOptions {
  /** The DSN's status code or a prefix of it: '5.1.1', '5.1', '5.', '4.'. */
  status?: string;
}

/** The status prefixes the scenario's `bounced … status` takes (docs/reference.md §8). */
const statusPattern = /^[245](\.\d{1,3}(\.\d{0,3})?)?\.?$/;

/** Why a lane did not bounce as wanted, or null when it did. */
function problemOf(report: Report, { message, recipient }: Lane, status: string | null): string | null {
  const bounce = recipient.bounce;
  if (bounce === null) return `${message.id} did not bounce (${recipient.status}${recipient.reason === null ? '' : `: ${recipient.reason}`})`;
  const dsn = report.messages.find((m) => m.dsn && m.about === message.id);
  const reached = dsn?.recipients.some((r) => r.address.toLowerCase() === message.from.toLowerCase() && r.status === 'delivered') ?? false;
  if (!reached) return `the DSN about ${message.id} did not reach ${message.from === '' ? 'its sender (the null sender <>)' : message.from}`;
  if (status !== null && !bounce.status.startsWith(status)) return `${message.id} bounced with ${bounce.status}, not ${status}`;
  return null;
}

export function toBounce(subject: unknown, address: string, options: BounceOptions, isNot: boolean): MatcherOutcome {
  const report = reportOfSubject(subject, 'toBounce');
  const status = options.status ?? null;
  if (status !== null && !statusPattern.test(status)) throw new TypeError(`toBounce(address, { status }): expected a status code such as 5.1.1 or a prefix such as 5., got ${JSON.stringify(status)}`);
  const lanes = lanesTo(report, address, false);
  const judged = lanes.map((lane) => ({ lane, problem: problemOf(report, lane, status) }));
  const good = judged.filter((j) => j.problem === null).map((j) => j.lane);
  const bad = judged.filter((j) => j.problem !== null);
  const pass = isNot ? good.length > 0 : lanes.length > 0 && bad.length === 0;
  const words = optionWords([status === null ? null : `with status ${status}`]);
  const message = () => {
    if (lanes.length === 0) return `expected ${address} ${isNot ? 'not ' : ''}to bounce${words}, but no message was sent to it${sentTo(report)}`;
    const why = isNot ? good.map(({ message, recipient }) => `${message.id} bounced with ${recipient.bounce?.status}`).join('; ') : bad.map((j) => j.problem).join('; ');
    return `expected ${address} ${isNot ? 'not ' : ''}to bounce${words}, but ${why}\n\n${journeys(report, [...bad.map((j) => j.lane), ...good])}`;
  };
  return { pass, message };
}
