/**
 * The verb of a command line, read without building a string when it is one of the common verbs.
 *
 * `splitCommand`'s general way slices the verb and upper-cases it (verbs are case-insensitive, RFC 5321
 * §2.4): two new strings per command, and a new string as a property key makes the command-table
 * lookup hash it. Here the line's first characters are compared, letter by letter in either case, with
 * the verbs below; on a match the shared constant is the verb. Anything else (an unknown verb, a
 * character whose upper case is a letter of a verb only by Unicode casing, such as "ſ" → "S") gets
 * `null`, and the caller takes the general way, so the verb is always what that way gives.
 */

/**
 * The verbs the server knows: RFC 5321 §4.1.1 and the extensions' (BDAT, STARTTLS, AUTH); upper case
 * letters only. Declared here, in a file that imports nothing, so that the command parser and the
 * server's state table (server-states.ts) share it without an import cycle.
 */
export const SMTP_VERBS = ['EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS', 'AUTH'] as const;

const LOWER_CASE_OFFSET = 0x20;

/** The verb in `SMTP_VERBS` that `line.slice(0, end)` upper-cases to, or null. */
export function knownVerb(line: string, end: number): string | null {
  for (const verb of SMTP_VERBS) {
    if (verb.length === end && sameLetters(line, verb)) return verb;
  }
  return null;
}

/** Whether `line` starts with `verb` (upper-case ASCII letters), each letter in either case. */
function sameLetters(line: string, verb: string): boolean {
  for (let index = 0; index < verb.length; index++) {
    const char = line.charCodeAt(index);
    const upper = verb.charCodeAt(index);
    if (char !== upper && char !== upper + LOWER_CASE_OFFSET) return false;
  }
  return true;
}
