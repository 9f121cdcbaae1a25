/**
 * `expect(run).toBeFetched(address?)` (docs/testing.md, "Matchers"): a POP3 or IMAP fetch of the
 * address's mailbox (of any mailbox, without an address) retrieved at least one message (the report's
 * `fetches`, docs/reference.md §9.1). With `.not`: none did. A failure lists the fetches that ran and
 * shows the journeys of the messages to the address — when they landed against when they were fetched.
 */
import { formatDurationMs } from '../../schema/units.js';
import { journeys, lanesTo } from '../journey.js';
import type { Report, ReportFetch } from '../../report/types.js';
import { type MatcherOutcome, reportOfSubject } from './subject.js';

/** One line per fetch: when, whose, how, and what it got. */
function fetchLines(fetches: readonly ReportFetch[]): string {
  if (fetches.length === 0) return '  (no fetch ran)';
  const timeWidth = Math.max(...fetches.map((f) => formatDurationMs(f.atMs).length));
  return fetches
    .map((f) => {
      const got = f.ok ? `ok, ${f.messages.length} message(s)${f.messages.length === 0 ? '' : `: ${f.messages.map((m) => (m.subject === null ? m.messageId ?? '(no subject)' : `"${m.subject}"`)).join(', ')}`}` : `failed: ${f.error ?? 'unknown error'}`;
      return `  ${formatDurationMs(f.atMs).padEnd(timeWidth)}  ${f.protocol} ${f.user}  ${got}`;
    })
    .join('\n');
}

function journeysTo(report: Report, address: string | null): string {
  if (address === null) return '';
  const lanes = lanesTo(report, address);
  return `\n\nthe messages to ${address}:\n${lanes.length === 0 ? '  (none was sent)' : journeys(report, lanes)}`;
}

export function toBeFetched(subject: unknown, address: string | undefined, isNot: boolean): MatcherOutcome {
  const report = reportOfSubject(subject, 'toBeFetched');
  const who = address ?? null;
  const fetches = report.fetches.filter((f) => who === null || f.user.toLowerCase() === who.toLowerCase());
  const retrieved = fetches.reduce((n, f) => n + f.messages.length, 0);
  const whose = who === null ? 'mail' : `mail for ${who}`;
  const message = () => {
    const why = isNot
      ? `${retrieved} message(s) were fetched`
      : fetches.length === 0
        ? `no fetch${who === null ? '' : ` for ${who}`} ran`
        : `the fetch(es) retrieved nothing${fetches.some((f) => !f.ok) ? ' (some failed)' : ''}`;
    return `expected ${whose} ${isNot ? 'not ' : ''}to be fetched, but ${why}\n\nthe fetches:\n${fetchLines(report.fetches)}${journeysTo(report, who)}`;
  };
  return { pass: retrieved > 0, message };
}
