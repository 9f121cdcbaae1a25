/**
 * How a mail event shows in the reports: what an event declares (`MailEventRender`) and what the reports
 * hand it (the views and the journey lane).
 *
 * Theory of operation. The reports (src/report/markdown.ts, html-journey.ts, html.ts) ask every event of
 * the registry, in its order, for its legend entry, its marks on a recipient's journey lane, what it
 * adds under the lane, and its fact — a column of the Markdown recipients table (docs/reference.md
 * §9.2) and a part of the lane's line in the HTML page (§9.3). So an event that declares them shows
 * without a change in the reports. The views are the report's messages and recipients as the mail
 * layer sees them (src/report/types.ts's are these with more fields). Every outside string — an
 * address, a reply line, a host name — goes through the escaper the report passes in (`lane.esc`, or
 * the `text` of a fact), never into markup as it is.
 */
import { formatDurationMs } from '../../schema/units.js';
import type { AttemptRecord, DeliveryRecord, MessageRecord } from '../records.js';

/** A message as the reports show it (§9.1, without its recipients): the record's fields, `about` as an id. */
export type MessageView = Pick<MessageRecord, 'id' | 'messageId' | 'from' | 'subject' | 'submittedAtMs' | 'dsn'> & { readonly about: string | null };

/** A recipient as the reports show it (§9.1): what the events folded into, and its verdict. */
export interface RecipientView {
  readonly address: string;
  readonly status: string;
  readonly finalAtMs: number | null;
  readonly deliveries: readonly DeliveryRecord[];
  readonly hops: readonly string[];
  readonly attempts: readonly AttemptRecord[];
  readonly bounce: { readonly atMs: number; readonly status: string; readonly reportingMta: string } | null;
  readonly reason: string | null;
}

/** One recipient's lane of a journey in the HTML report: a row per host on a shared time axis. */
export interface JourneyLane {
  /** The y of a host's row (the first row's for a host the lane has no row for). */
  rowY(host: string): number;
  hasRow(host: string): boolean;
  readonly firstY: number;
  readonly lastY: number;
  /** The attributes of a `<g>` that places a point at `ms` on both time scales. */
  at(ms: number): string;
  /** Escapes text for element content and quoted attribute values. */
  esc(text: string): string;
  /** The connection id of the session an attempt opened, when the page shows that session; else null. */
  sessionOf(attempt: AttemptRecord): string | null;
  /** Attempt marks drawn per lane, at most (the HTML limit attemptMarksPerLaneMax). */
  readonly attemptMarksMax: number;
}

/** A fact about a recipient in words: a column of the Markdown table, a part of the lane's line. */
export interface RecipientFact {
  /** The Markdown column's heading. */
  readonly heading: string;
  /** The word before it on the lane's line. */
  readonly label: string;
  /** The fact, with every outside string passed through `text`; null when there is none. */
  of(recipient: RecipientView, text: (raw: string) => string): string | null;
}

export interface MailEventRender {
  /** Its entries of the journeys' legend: constant markup, one `<span>` each. */
  readonly legend?: string;
  /** Its marks on a recipient's journey lane (SVG, inside the lane's timeline). */
  journeyMarks?(message: MessageView, recipient: RecipientView, lane: JourneyLane): string;
  /** What it adds under the lane's timeline (HTML). */
  journeyDetails?(recipient: RecipientView, lane: JourneyLane): string;
  readonly fact?: RecipientFact;
}

/** The cross that ends a lane whose recipient was dropped, refused or lost, at its final time. */
export function endMark(recipient: RecipientView, lane: JourneyLane): string {
  if (recipient.finalAtMs === null) return '';
  const y = lane.lastY;
  const status = lane.esc(recipient.status);
  const title = `${recipient.status} at ${formatDurationMs(recipient.finalAtMs)}${recipient.reason === null ? '' : `: ${recipient.reason}`}`;
  return `<g ${lane.at(recipient.finalAtMs)}><path class="mark end end-${status}" data-kind="${status}" d="M-6,${y - 6}L6,${y + 6}M6,${y - 6}L-6,${y + 6}"><title>${lane.esc(title)}</title></path></g>`;
}
