/**
 * Dates IMAP needs beyond src/sim/calendar.ts: the search date form (RFC 3501 §9 date-text, "1-Feb-1994")
 * and the RFC 5322 §3.3 Date header, parsed without the global Date for SENTBEFORE/SENTON/SENTSINCE
 * (RFC 3501 §6.4.4). Obsolete zone names (RFC 5322 §4.3) are read; unknown zones count as +0000.
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

const OBSOLETE_ZONES: Record<string, number> = {
  UT: 0,
  GMT: 0,
  Z: 0,
  EST: -500,
  EDT: -400,
  CST: -600,
  CDT: -500,
  MST: -700,
  MDT: -600,
  PST: -800,
  PDT: -700,
};

/** Parses an RFC 5322 date-time ("Thu, 1 Jan 2026 10:00:00 +0100") to Unix ms, or null. */
export function parseRfc5322Date(text: string): number | null {
  const match =
    /^\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,3})?/.exec(
      text,
    );
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase()) + 1;
  if (month === 0) return null;
  let year = Number(match[3]);
  if (match[3]!.length === 2) year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3 obs-year
  const local = fromCivil(year, month, Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0));
  const zone = match[7] ?? '+0000';
  let offset = 0;
  if (/^[+-]\d{4}$/.test(zone)) offset = Number(zone.slice(1));
  else offset = Math.abs(OBSOLETE_ZONES[zone.toUpperCase()] ?? 0);
  const sign = zone.startsWith('-') || (OBSOLETE_ZONES[zone.toUpperCase()] ?? 0) < 0 ? -1 : 1;
  const offsetMs = (Math.floor(offset / 100) * 60 + (offset % 100)) * 60_000 * sign;
  return local - offsetMs;
}
