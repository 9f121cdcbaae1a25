/**
 * Dates IMAP needs beyond src/sim/calendar.ts: the search date form (RFC 3501 §9 date-text, "1-Feb-1994")
 * and the RFC 5322 §3.3 Date header's own date, parsed without the global Date for
 * SENTBEFORE/SENTON/SENTSINCE (RFC 9051 §6.4.4).
 */
import { fromCivil, MONTHS, toCivil } from '../../sim/calendar.js';

const DAY_MS = 86_400_000;

/** The day (00:00 UTC) containing `unixMs`. */
export function dayStartMs(unixMs: number): number {
  return Math.floor(unixMs / DAY_MS) * DAY_MS;
}

/** RFC 3501 §9 date-text: "1-Feb-1994". */
export function formatImapDate(unixMs: number): string {
  const c = toCivil(unixMs);
  return `${c.day}-${MONTHS[c.month - 1]}-${c.year}`;
}

/**
 * The day an RFC 5322 date-time names in its own zone, as 00:00 UTC of that calendar date, or null:
 * "Thu, 1 Jan 2026 23:30:00 -0500" is 1 Jan although it is 2 Jan in UTC (RFC 9051 §6.4.4 SENTON: the
 * Date header's date, "disregarding time and timezone"), so the zone is not read at all.
 */
export function rfc5322DateDayMs(text: string): number | null {
  const match = /^\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+\d{1,2}:\d{2}/.exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase()) + 1;
  if (month === 0) return null;
  let year = Number(match[3]);
  if (match[3]!.length === 2) year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3 obs-year
  return fromCivil(year, month, Number(match[1]), 0, 0, 0);
}
