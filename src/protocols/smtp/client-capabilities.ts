/**
 * The SMTP service extensions a server advertises in its EHLO reply (RFC 5321 §4.1.1.1), as the
 * client needs them. The first reply line is the server's name; each further line is a keyword with
 * optional parameters. Keywords are case-insensitive (RFC 5321 §2.4); each is read by the extension
 * that declares it (extensions/). Unknown keywords are kept in `keywords` and otherwise ignored. After HELO (no EHLO) nothing is offered.
 */
import { noCapabilities, type SmtpCapabilities } from './capabilities.js';
import { readKeyword } from './extensions/index.js';

export { noCapabilities, type SmtpCapabilities } from './capabilities.js';
import type { SmtpReply } from './types.js';

/** An EHLO line that is one keyword and nothing else (RFC 5321 §4.1.1.1 ehlo-keyword, no params). */
const BARE_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * Parsed keyword lines by their text, oldest first. A server answers every EHLO with the same
 * keywords (only the first line, its name and greeting, varies, and it is not read), so a handful of
 * entries serve a whole run; the bound keeps a run against many different servers from growing it.
 */
const parsedByKeywordLines = new Map<string, SmtpCapabilities>();
export const CAPABILITIES_CACHE_ENTRIES_MAX = 64;

/** The same parses by reply object (a reply is never changed once parsed; weak, so a reply let go drops its entry). */
const parsedByReply = new WeakMap<SmtpReply, SmtpCapabilities>();

/**
 * Reads the capabilities from a 250 reply to EHLO. The result is the caller's own (a copy of the cached
 * parse), as a fresh parse would be.
 */
export function parseCapabilities(ehloReply: SmtpReply): SmtpCapabilities {
  // The reply parser hands out one reply object for an EHLO answer it has seen (reply-parser.ts): no key to build.
  let parsed = parsedByReply.get(ehloReply);
  if (parsed !== undefined) return { ...parsed, authMechanisms: [...parsed.authMechanisms], keywords: [...parsed.keywords] };
  const key = keywordLinesKey(ehloReply.lines);
  if (key === null) return readCapabilities(ehloReply.lines);
  parsed = parsedByKeywordLines.get(key);
  if (parsed === undefined) {
    parsed = readCapabilities(ehloReply.lines);
    if (parsedByKeywordLines.size >= CAPABILITIES_CACHE_ENTRIES_MAX) parsedByKeywordLines.delete(parsedByKeywordLines.keys().next().value!);
    parsedByKeywordLines.set(key, parsed);
  }
  parsedByReply.set(ehloReply, parsed);
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
    readKeyword(capabilities, keyword, params);
  }
  return capabilities;
}
