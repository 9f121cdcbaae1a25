/**
 * `expect(run).toDeliver(address, { within, via, count })` (docs/testing.md, "Matchers"): every message
 * sent to the address landed in a mailbox — within `within` of its submission, having passed through
 * `via` (a host that accepted it: the MX or relay that handed it over), and with `count` landings in
 * all when given (`count: 0`: none landed). The same reading as the scenario's `delivered` expectation
 * (docs/reference.md §8). With `.not`: no message to the address landed so (with `count`: the number
 * of landings is not `count`). A failure shows the journeys of the messages to the address.
 */
import { formatDurationMs } from '../../schema/units.js';
import { type Duration, durationMs } from '../duration.js';
import { journeys, type Lane, lanesTo } from '../journey.js';
import type { Report } from '../../report/types.js';
import { type MatcherOutcome, optionWords, reportOfSubject } from './subject.js';

export interface DeliverOptions {
  /** The longest time from submission to the first landing: a duration string ('10m') or ms. */
  within?: Duration;
  /** A host the message passed through (one that accepted it: an MX, a relay). */
  via?: string;
  /** The exact number of landings in all (a message filed twice counts twice). */
  count?: number;
}

interface Wanted {
  withinMs: number | null;
  via: string | null;
  count: number | null;
}

function wantedOf(options: DeliverOptions): Wanted {
  const count = options.count ?? null;
  if (count !== null && !(Number.isSafeInteger(count) && count >= 0)) throw new TypeError(`toDeliver(address, { count }): expected a whole number ≥ 0, got ${String(count)}`);
  return {
    withinMs: options.within === undefined ? null : durationMs(options.within, 'toDeliver(address, { within })'),
    via: options.via === undefined ? null : options.via.toLowerCase(),
    count,
  };
}

/** Why a lane does not meet what is wanted, or null when it does. */
function problemOf({ message, recipient }: Lane, wanted: Wanted): string | null {
  const first = recipient.deliveries[0];
  if (first === undefined) return `${message.id} did not land (${recipient.status}${recipient.reason === null ? '' : `: ${recipient.reason}`})`;
  const latencyMs = first.atMs - message.submittedAtMs;
  if (wanted.withinMs !== null && latencyMs > wanted.withinMs) return `${message.id} landed after ${formatDurationMs(latencyMs)}, more than ${formatDurationMs(wanted.withinMs)}`;
  if (wanted.via !== null && !recipient.hops.includes(wanted.via)) return `${message.id} did not pass through ${wanted.via} (hops: ${recipient.hops.join(' → ') || 'none'})`;
  return null;
}

const landed = ({ message, recipient }: Lane): string => {
  const first = recipient.deliveries[0];
  return first === undefined ? `${message.id} did not land` : `${message.id} landed on ${first.host} after ${formatDurationMs(first.atMs - message.submittedAtMs)}`;
};

export function toDeliver(subject: unknown, address: string, options: DeliverOptions, isNot: boolean): MatcherOutcome {
  const report = reportOfSubject(subject, 'toDeliver');
  const wanted = wantedOf(options);
  const lanes = lanesTo(report, address);
  const judged = lanes.map((lane) => ({ lane, problem: problemOf(lane, wanted) }));
  const good = judged.filter((j) => j.problem === null).map((j) => j.lane);
  const bad = judged.filter((j) => j.problem !== null);
  const landings = lanes.reduce((n, lane) => n + lane.recipient.deliveries.length, 0);
  const countHolds = wanted.count === null || landings === wanted.count;
  const pass =
    wanted.count === 0 ? landings === 0 : isNot && wanted.count !== null ? countHolds : isNot ? good.length > 0 : lanes.length > 0 && bad.length === 0 && countHolds;
  const words = optionWords([
    wanted.withinMs === null ? null : `within ${formatDurationMs(wanted.withinMs)}`,
    wanted.via === null ? null : `via ${wanted.via}`,
    wanted.count === null ? null : `exactly ${wanted.count} landing(s)`,
  ]);
  const message = () => {
    if (lanes.length === 0) return `expected ${address} ${isNot ? 'not ' : ''}to be delivered${words}, but no message was sent to it${sentTo(report)}`;
    const shown = [...bad.map((j) => j.lane), ...good];
    const why = isNot
      ? wanted.count !== null ? `${landings} landing(s) in all` : good.map(landed).join('; ')
      : [...bad.map((j) => j.problem), ...(countHolds ? [] : [`${landings} landing(s) in all`])].join('; ');
    return `expected ${address} ${isNot ? 'not ' : ''}to be delivered${words}, but ${why}\n\n${journeys(report, shown)}`;
  };
  return { pass, message };
}

/** `; the messages went to a@…, b@…`: where the mail did go, for a mistyped address. */
export function sentTo(report: Report): string {
  const addresses = [...new Set(report.messages.filter((m) => !m.dsn).flatMap((m) => m.recipients.map((r) => r.address)))];
  if (addresses.length === 0) return '; no message was sent at all';
  const shown = addresses.slice(0, 8).join(', ');
  return `; the messages went to ${shown}${addresses.length > 8 ? ` and ${addresses.length - 8} more` : ''}`;
}
