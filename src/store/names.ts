/**
 * Folder names and flags as the stores see them (RFC 3501 §5.1, §2.3.2).
 *
 * Folder names: "INBOX" is case-insensitive and always spelled "INBOX"; other names are case-sensitive,
 * use "/" as the hierarchy delimiter, and have no empty level. On disk a name is encoded into one path
 * segment as Dovecot does it: each level in modified UTF-7 (`Entwürfe` → `Entw&APw-rfe`), levels joined
 * by "." (Maildir++ style, `.Lists.work`), and "." and "%" inside a level written %2E and %25, so any
 * valid name round-trips and Dovecot lists a folder mailsim made under its own name.
 *
 * Flags: system flags are matched case-insensitively and spelled as in SYSTEM_FLAGS; `\Recent` is per
 * session (RFC 3501 §2.3.2) and never stored; keywords are atoms (no space, no control characters, none
 * of `(){%*"\]`), kept as given. A flag list is stored sorted, without duplicates.
 */
import { SYSTEM_FLAGS } from './mailstore.js';
import { decodeMailboxName, encodeMailboxName } from './modifiedUtf7.js';

/** Longest folder name, in UTF-16 code units (Dovecot's default mailbox_list_name_max_length is 255). */
export const FOLDER_NAME_LENGTH_MAX = 255;
/** Keywords one message may carry (a sanity limit; Maildir filenames give Dovecot only 26). */
export const KEYWORDS_PER_MESSAGE_MAX = 64;

/** The canonical spelling of a folder name, or null if it is not a valid name. */
export function canonicalFolderName(name: string): string | null {
  if (name.length === 0 || name.length > FOLDER_NAME_LENGTH_MAX) return null;
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  const levels = name.split('/');
  if (levels.some((level) => level === '')) return null;
  if (/[\x00-\x1f\x7f]/.test(name)) return null;
  if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  return levels.join('/');
}

/** The parents of a folder name, outermost first ("a/b/c" → ["a", "a/b"]). */
export function parentFolderNames(name: string): string[] {
  const levels = name.split('/');
  const parents: string[] = [];
  for (let i = 1; i < levels.length; i++) parents.push(levels.slice(0, i).join('/'));
  return parents;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * One hierarchy level → a path segment without "." or "/": its modified UTF-7 (RFC 3501 §5.1.3), which
 * is how Dovecot names Maildir++ folders and mbox files on disk, with "%" and "." then written %25 and
 * %2E ("." separates Maildir++ levels; escaping "%" keeps the escapes unambiguous).
 */
function encodeLevel(level: string): string {
  return encodeMailboxName(level).replace(/[%.]/g, (char) => (char === '%' ? '%25' : '%2E'));
}

/**
 * The inverse of encodeLevel: %XX escapes undone (as UTF-8 bytes), the rest read as modified UTF-7. A
 * level that is not valid modified UTF-7 was written by an earlier mailsim, which kept "&" as itself
 * and wrote other characters as %XX escapes of their UTF-8 bytes: it is taken as it stands, so folders
 * made then keep their names.
 */
function decodeLevel(encoded: string): string {
  const unescaped = percentDecode(encoded);
  return decodeMailboxName(unescaped) ?? unescaped;
}

function percentDecode(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '%' && /^[0-9A-F]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...utf8.encode(encoded[i]!));
    }
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}

/** A (non-INBOX) folder name → one path segment ("Lists/work" → "Lists.work"). */
export function encodeFolderName(name: string): string {
  return name.split('/').map(encodeLevel).join('.');
}

/** The inverse of encodeFolderName. */
export function decodeFolderName(encoded: string): string {
  return encoded.split('.').map(decodeLevel).join('/');
}

const systemFlagByLowerCase = new Map(SYSTEM_FLAGS.map((flag) => [flag.toLowerCase(), flag as string]));

/** Canonical, sorted, deduplicated flags; `\Recent` dropped; throws on a malformed keyword (caller misuse). */
export function normalizeFlags(flags: readonly string[]): string[] {
  const out = new Set<string>();
  let keywords = 0;
  for (const flag of flags) {
    if (flag.toLowerCase() === '\\recent') continue;
    const system = systemFlagByLowerCase.get(flag.toLowerCase());
    if (system) {
      out.add(system);
      continue;
    }
    if (flag.length === 0 || flag.startsWith('\\') || /[\x00-\x20\x7f(){%*"\\\]]/.test(flag)) {
      throw new Error(`not a flag or keyword: ${JSON.stringify(flag)}`);
    }
    if (!out.has(flag)) keywords++;
    if (keywords > KEYWORDS_PER_MESSAGE_MAX) throw new Error(`more than ${KEYWORDS_PER_MESSAGE_MAX} keywords`);
    out.add(flag);
  }
  return [...out].sort();
}

export function isSystemFlag(flag: string): boolean {
  return systemFlagByLowerCase.get(flag.toLowerCase()) === flag;
}
