/**
 * Calendar arithmetic without the global Date (docs/architecture.md rule 1): the simulation maps virtual
 * time t to the absolute instant SIM_EPOCH_MS + t, and formats it for mail headers (RFC 5322 §3.3),
 * IMAP INTERNALDATE (RFC 3501 §9 date-time), IMAP search dates (date-text) and the mbox From_ line
 * (asctime). Days/civil conversion is Howard Hinnant's public-domain algorithm. All times are UTC.
 */

/** 2026-01-01T00:00:00Z: virtual t = 0 of every run. */
export const SIM_EPOCH_MS = 1_767_225_600_000;

const DAY_MS = 86_400_000;
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'] as const; // 1970-01-01 was a Thursday

export interface CivilTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** Days since 1970-01-01 → proleptic Gregorian (y, m, d). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** (y, m, d) → days since 1970-01-01. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function toCivil(unixMs: number): CivilTime {
  const days = Math.floor(unixMs / DAY_MS);
  const msOfDay = unixMs - days * DAY_MS;
  const [year, month, day] = civilFromDays(days);
  const secondsOfDay = Math.floor(msOfDay / 1000);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondsOfDay / 3600),
    minute: Math.floor((secondsOfDay % 3600) / 60),
    second: secondsOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

export function fromCivil(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const weekdayName = (weekday: number) => WEEKDAYS[(weekday + 3) % 7]!;
const monthName = (month: number) => MONTHS[month - 1]!;

/** RFC 5322 §3.3: "Thu, 01 Jan 2026 00:00:00 +0000". */
export function formatRfc5322Date(unixMs: number): string {
  const c = toCivil(unixMs);
  return `${weekdayName(c.weekday)}, ${pad2(c.day)} ${monthName(c.month)} ${c.year} ${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)} +0000`;
}

/** The last `formatRfc5322Date` text, by its whole second (the text shows no finer). */
let lastRfc5322 = { second: Number.NaN, text: '' };

/**
 * `formatRfc5322Date`, formatted once per whole second: every Date and Received field a run writes in
 * one virtual second shares the text (issue 21; a bulk run writes three per message). Equal to
 * `formatRfc5322Date` for any times in any order (test/sim/calendar-memo.test.ts).
 */
export function rfc5322DateOf(unixMs: number): string {
  const second = Math.floor(unixMs / 1000);
  if (second !== lastRfc5322.second) lastRfc5322 = { second, text: formatRfc5322Date(unixMs) };
  return lastRfc5322.text;
}

/** RFC 3501 §9 date-time (INTERNALDATE): "01-Jan-2026 00:00:00 +0000" (day is space-padded: " 1-Jan-2026"). */
export function formatImapDateTime(unixMs: number): string {
  const c = toCivil(unixMs);
  const day = String(c.day).padStart(2, ' ');
  return `${day}-${monthName(c.month)}-${c.year} ${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)} +0000`;
}

/** RFC 3339 in UTC with milliseconds, as `Date.prototype.toISOString`: "2026-01-01T00:00:00.000Z" (the HTTP API's JSON). */
export function formatIsoDateTime(unixMs: number): string {
  const c = toCivil(unixMs);
  const ms = String(((unixMs % 1000) + 1000) % 1000).padStart(3, '0');
  return `${String(c.year).padStart(4, '0')}-${pad2(c.month)}-${pad2(c.day)}T${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)}.${ms}Z`;
}

/** asctime, as in the mbox From_ line (docs/delivery.md W2): "Thu Jan  1 00:00:00 2026". */
export function formatAsctime(unixMs: number): string {
  const c = toCivil(unixMs);
  return `${weekdayName(c.weekday)} ${monthName(c.month)} ${String(c.day).padStart(2, ' ')} ${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)} ${c.year}`;
}

/**
 * Parses an IMAP date ("1-Feb-1994", RFC 3501 §9 date-text) to the Unix ms of that day's 00:00 UTC,
 * or null when malformed.
 */
export function parseImapDate(text: string): number | null {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase()) + 1;
  const day = Number(match[1]);
  const year = Number(match[3]);
  if (month === 0 || day < 1 || day > 31) return null;
  return fromCivil(year, month, day);
}

/**
 * Parses an IMAP date-time ("17-Jul-1996 02:44:25 -0700", RFC 3501 §9) to Unix ms, or null when
 * malformed.
 */
export function parseImapDateTime(text: string): number | null {
  const match = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase()) + 1;
  if (month === 0) return null;
  const local = fromCivil(Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  const offsetMs = (Number(match[8]) * 60 + Number(match[9])) * 60_000 * (match[7] === '-' ? -1 : 1);
  return local - offsetMs;
}
