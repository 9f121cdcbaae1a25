/**
 * `expect(run).toHaveNoLoss()` (docs/testing.md, "Matchers"): every recipient some server accepted with
 * a 2xx was delivered, bounced, discarded for a stated reason, or is still queued and reported as
 * deferred — the report's no-loss invariant (docs/reference.md §9.1, docs/delivery.md R1), read from
 * the report's own recipients (status `lost`). A failure shows the journeys of the lost recipients.
 */
import { journeys, type Lane } from '../journey.js';
import type { Report } from '../../report/types.js';
import { type MatcherOutcome, reportOfSubject } from './subject.js';

/** How many recipients ended in each status: `2 delivered, 1 bounced`. */
function tally(lanes: readonly Lane[]): string {
  const counts = new Map<string, number>();
  for (const { recipient } of lanes) counts.set(recipient.status, (counts.get(recipient.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no recipients';
}

const allLanes = (report: Report): Lane[] => report.messages.flatMap((message) => message.recipients.map((recipient) => ({ message, recipient })));

export function toHaveNoLoss(subject: unknown, isNot: boolean): MatcherOutcome {
  const report = reportOfSubject(subject, 'toHaveNoLoss');
  const lanes = allLanes(report);
  const lost = lanes.filter((lane) => lane.recipient.status === 'lost');
  const invariant = report.invariants.find((i) => i.name === 'no-loss');
  const pass = lost.length === 0 && invariant?.passed !== false;
  const message = () => {
    if (isNot) return `expected a loss, but every accepted recipient was delivered, bounced, discarded or is still queued (${tally(lanes)})`;
    const names = lost.map(({ message, recipient }) => `${message.id} → ${recipient.address}`).join(', ') || (invariant?.detail ?? '');
    return `expected no loss, but ${lost.length || 'some'} recipient(s) accepted with a 2xx were neither delivered, bounced, discarded nor still queued: ${names}\n\n${journeys(report, lost)}`;
  };
  return { pass, message };
}
