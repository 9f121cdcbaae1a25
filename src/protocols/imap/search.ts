/**
 * SEARCH evaluation (RFC 3501 §6.4.4): keys are ANDed; NOT, OR and parenthesised lists combine them.
 * String keys match case-insensitive substrings (§6.4.4: "case-insensitive substring"); header values
 * are compared after RFC 2047 decoding (libmime.decodeWords) so a search for "Jürgen" finds
 * `=?utf-8?q?J=C3=BCrgen?=`. BEFORE/ON/SINCE compare the internal date's day in UTC (the simulation
 * has one zone), SENT* the Date header's own date in its own zone (RFC 9051 §6.4.4). An empty HEADER value matches any message that has
 * the field (§6.4.4).
 */
import { libmime } from './lazy-libmime.js';
import { SEEN_FLAG } from './flags.js';
import type { SearchKey } from './command.js';
import { listedMailboxes } from './addresses.js';
import { dayStartMs, rfc5322DateDayMs } from './dates.js';
import { headerValue, type MimePart, parseMime } from './mime.js';
import { sequenceSetHas } from './sequence-set.js';

export interface SearchCandidate {
  seq: number;
  uid: number;
  flags: readonly string[];
  internalDateMs: number;
  size: number;
  bytes(): Uint8Array;
}

export interface SearchContext {
  largestSeq: number;
  largestUid: number;
}

const utf8 = new TextDecoder();

class CandidateView {
  private root: MimePart | null = null;
  private text: string | null = null;
  private cachedBytes: Uint8Array | null = null;
  constructor(readonly candidate: SearchCandidate) {}
  get bytes(): Uint8Array {
    this.cachedBytes ??= this.candidate.bytes();
    return this.cachedBytes;
  }
  get mime(): MimePart {
    this.root ??= parseMime(this.bytes);
    return this.root;
  }
  get wholeText(): string {
    this.text ??= utf8.decode(this.bytes).toLowerCase();
    return this.text;
  }
  headerValues(name: string): string[] {
    return (this.mime.headers[name.toLowerCase()] ?? []).map((value) => safeDecodeWords(value));
  }
}

function safeDecodeWords(value: string): string {
  try {
    return libmime().decodeWords(value);
  } catch {
    return value;
  }
}

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

function hasFlag(flags: readonly string[], flag: string): boolean {
  const lower = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === lower);
}

/** The searches for one system flag (RFC 3501 §6.4.4): the flag, and whether it must be set. */
const flagSearches: Partial<Record<SearchKey['key'], readonly [flag: string, set: boolean]>> = {
  ANSWERED: ['\\Answered', true],
  UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true],
  UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true],
  UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true],
  UNFLAGGED: ['\\Flagged', false],
  SEEN: [SEEN_FLAG, true],
  UNSEEN: [SEEN_FLAG, false],
  RECENT: ['\\Recent', true],
  OLD: ['\\Recent', false],
};

function matches(key: SearchKey, view: CandidateView, context: SearchContext): boolean {
  const c = view.candidate;
  const flagSearch = flagSearches[key.key];
  if (flagSearch !== undefined) return hasFlag(c.flags, flagSearch[0]) === flagSearch[1];
  switch (key.key) {
    case 'ALL':
      return true;
    case 'NEW':
      return hasFlag(c.flags, '\\Recent') && !hasFlag(c.flags, SEEN_FLAG);
    case 'KEYWORD':
      return hasFlag(c.flags, key.value);
    case 'UNKEYWORD':
      return !hasFlag(c.flags, key.value);
    case 'FROM':
    case 'TO':
    case 'CC':
    case 'BCC':
      return view.headerValues(key.key).some((value) => addressFieldMatches(value, key.value));
    case 'SUBJECT':
      return view.headerValues(key.key).some((value) => contains(value, key.value));
    case 'HEADER': {
      const values = view.headerValues(key.field);
      return key.value === '' ? values.length > 0 : values.some((value) => contains(value, key.value));
    }
    case 'BODY': {
      const body = view.bytes.subarray(view.mime.bodyStart);
      return contains(utf8.decode(body), key.value);
    }
    case 'TEXT':
      return view.wholeText.includes(key.value.toLowerCase());
    case 'BEFORE':
      return dayStartMs(c.internalDateMs) < key.date;
    case 'ON':
      return dayStartMs(c.internalDateMs) === key.date;
    case 'SINCE':
      return dayStartMs(c.internalDateMs) >= key.date;
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE':
      return sentDateMatches(key.key, key.date, view);
    case 'LARGER':
      return c.size > key.size;
    case 'SMALLER':
      return c.size < key.size;
    case 'UID':
      return sequenceSetHas(key.set, c.uid, context.largestUid);
    case 'SEQ':
      return sequenceSetHas(key.set, c.seq, context.largestSeq);
    case 'NOT':
      return !matches(key.operand, view, context);
    case 'OR':
      return matches(key.left, view, context) || matches(key.right, view, context);
    case 'AND':
      return key.operands.every((operand) => matches(operand, view, context));
    default:
      return false; // every flag search was answered above
  }
}

/**
 * FROM/TO/CC/BCC: the header as written, or any of its mailboxes as addresses.ts reads them —
 * `name <local@domain>`, comments and folding gone — so `user-from@domain.org` finds
 * `<user-from (comment)@ (comment) domain.org>` (RFC 9051 §6.4.4 substring, as Dovecot matches addresses).
 */
function addressFieldMatches(value: string, needle: string): boolean {
  if (contains(value, needle)) return true;
  return listedMailboxes(value).some(({ name, address }) => contains(name === '' ? address : `${name} <${address}>`, needle));
}

/**
 * SENTBEFORE/SENTON/SENTSINCE compare the Date: header's own date, in its own zone (RFC 9051 §6.4.4:
 * "disregarding time and timezone"), not its UTC day; no (parsable) Date: never matches.
 */
function sentDateMatches(which: 'SENTBEFORE' | 'SENTON' | 'SENTSINCE', date: number, view: CandidateView): boolean {
  const header = headerValue(view.mime, 'date');
  const day = header === null ? null : rfc5322DateDayMs(header);
  if (day === null) return false;
  return which === 'SENTBEFORE' ? day < date : which === 'SENTON' ? day === date : day >= date;
}

/** True when the candidate matches every criterion (RFC 3501 §6.4.4: the keys are ANDed). */
export function searchMatches(criteria: readonly SearchKey[], candidate: SearchCandidate, context: SearchContext): boolean {
  const view = new CandidateView(candidate);
  return criteria.every((key) => matches(key, view, context));
}
