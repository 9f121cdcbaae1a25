/**
 * The SMTP service extensions a server advertises in its EHLO reply (RFC 5321 §4.1.1.1), as the
 * client needs them. The first reply line is the server's name; each further line is a keyword with
 * optional parameters. Keywords are case-insensitive (RFC 5321 §2.4). Unknown keywords are kept in
 * `keywords` and otherwise ignored. After HELO (no EHLO) nothing is offered.
 */
import type { SmtpReply } from './types.js';

export interface SmtpCapabilities {
  /** True when EHLO succeeded; false after the HELO fallback (RFC 5321 §3.2). */
  extended: boolean;
  pipelining: boolean; // RFC 2920
  /** SIZE offered (RFC 1870). */
  size: boolean;
  /** The fixed size limit in octets; null when SIZE has no (or a zero) parameter, i.e. no fixed limit. */
  sizeMaxBytes: number | null;
  eightBitMime: boolean; // RFC 6152
  smtpUtf8: boolean; // RFC 6531
  enhancedStatusCodes: boolean; // RFC 2034
  dsn: boolean; // RFC 3461
  startTls: boolean; // RFC 3207
  /** SASL mechanisms offered (RFC 4954), upper case. */
  authMechanisms: string[];
  chunking: boolean; // RFC 3030
  /** Every keyword line as sent, upper-cased keyword first; for the trace. */
  keywords: string[];
}

/** What a server offers when it answered HELO, or before EHLO. */
export function noCapabilities(): SmtpCapabilities {
  return {
    extended: false,
    pipelining: false,
    size: false,
    sizeMaxBytes: null,
    eightBitMime: false,
    smtpUtf8: false,
    enhancedStatusCodes: false,
    dsn: false,
    startTls: false,
    authMechanisms: [],
    chunking: false,
    keywords: [],
  };
}

/** An EHLO line that is one keyword and nothing else (RFC 5321 §4.1.1.1 ehlo-keyword, no params). */
const BARE_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * Parsed keyword lines by their text, oldest first. A server answers every EHLO with the same
 * keywords (only the first line, its name and greeting, varies, and it is not read), so a handful of
 * entries serve a whole run; the bound keeps a run against many different servers from growing it.
 */
const parsedByKeywordLines = new Map<string, SmtpCapabilities>();
export const CAPABILITIES_CACHE_ENTRIES_MAX = 64;

/**
 * Reads the capabilities from a 250 reply to EHLO. The result is the caller's own (a copy of the cached
 * parse), as a fresh parse would be.
 */
export function parseCapabilities(ehloReply: SmtpReply): SmtpCapabilities {
  const key = keywordLinesKey(ehloReply.lines);
  if (key === null) return readCapabilities(ehloReply.lines);
  let parsed = parsedByKeywordLines.get(key);
  if (parsed === undefined) {
    parsed = readCapabilities(ehloReply.lines);
    if (parsedByKeywordLines.size >= CAPABILITIES_CACHE_ENTRIES_MAX) parsedByKeywordLines.delete(parsedByKeywordLines.keys().next().value!);
    parsedByKeywordLines.set(key, parsed);
  }
  return { ...parsed, authMechanisms: [...parsed.authMechanisms], keywords: [...parsed.keywords] };
}

/** The keyword lines (all but the first) joined at LF; null when a line holds an LF, which would make the key ambiguous. */
function keywordLinesKey(lines: readonly string[]): string | null {
  // Lines from the reply parser never hold an LF (it cuts at LF); a hand-made reply might.
  for (let index = 1; index < lines.length; index++) if (lines[index]!.includes('\n')) return null;
  return lines.slice(1).join('\n');
}

/** The parse itself, uncached: every keyword line after the first (RFC 5321 §4.1.1.1). */
export function readCapabilities(ehloLines: readonly string[]): SmtpCapabilities {
  const capabilities = noCapabilities();
  capabilities.extended = true;
  for (const line of ehloLines.slice(1)) {
    let keyword: string;
    let params: string[];
    if (BARE_KEYWORD.test(line)) {
      // Most lines ("PIPELINING", "8BITMIME", …) are a keyword alone: no splitting needed.
      keyword = line.toUpperCase();
      params = [];
    } else {
      const [rawKeyword = '', ...rest] = line.trim().split(/\s+/);
      // "AUTH=PLAIN LOGIN" is the pre-standard form some servers still send next to "AUTH PLAIN LOGIN".
      const [keywordPart = '', firstParam] = rawKeyword.split('=', 2);
      keyword = keywordPart.toUpperCase();
      params = rest;
      if (keyword === '') continue;
      if (firstParam !== undefined && firstParam !== '') params.unshift(firstParam);
    }
    capabilities.keywords.push(params.length === 0 ? keyword : [keyword, ...params].join(' '));
    switch (keyword) {
      case 'PIPELINING':
        capabilities.pipelining = true;
        break;
      case 'SIZE': {
        capabilities.size = true;
        const limit = params[0] !== undefined && /^\d+$/.test(params[0]) ? Number(params[0]) : 0;
        capabilities.sizeMaxBytes = limit > 0 && Number.isSafeInteger(limit) ? limit : null;
        break;
      }
      case '8BITMIME':
        capabilities.eightBitMime = true;
        break;
      case 'SMTPUTF8':
        capabilities.smtpUtf8 = true;
        break;
      case 'ENHANCEDSTATUSCODES':
        capabilities.enhancedStatusCodes = true;
        break;
      case 'DSN':
        capabilities.dsn = true;
        break;
      case 'STARTTLS':
        capabilities.startTls = true;
        break;
      case 'CHUNKING':
        capabilities.chunking = true;
        break;
      case 'AUTH':
        for (const mechanism of params) {
          const upper = mechanism.toUpperCase();
          if (!capabilities.authMechanisms.includes(upper)) capabilities.authMechanisms.push(upper);
        }
        break;
      default:
        break;
    }
  }
  return capabilities;
}
