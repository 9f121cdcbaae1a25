/**
 * Mailbox names as commands carry them (RFC 3501 §5.1, §5.1.3; RFC 9051 §5.1) → the store's names, and
 * the folder a command names. Shared by the bodies that take a mailbox argument.
 */
import type { Folder, UserMailStore } from '../../../store/mailstore.js';
import { decodeMailboxName } from '../../../store/modifiedUtf7.js';
import { no } from './context.js';

/**
 * A mailbox name (or LIST pattern) as a command carries it → the store's name: modified UTF-7 decoded
 * (RFC 3501 §5.1.3, store/modifiedUtf7.ts), and for a name, INBOX spelled canonically. A name that is not
 * valid modified UTF-7 fails the command with NO [CANNOT] (RFC 5530), as Dovecot answers.
 */
export function mailboxFromWire(wire: string, isName = true): string {
  const decoded = decodeMailboxName(wire);
  if (decoded === null) return no('[CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)');
  return isName ? normalizeMailbox(decoded) : decoded;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); other names are case-sensitive. */
function normalizeMailbox(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (name.toUpperCase().startsWith('INBOX/')) return `INBOX${name.slice(5)}`;
  return name;
}

/** The folder a command names (`name`: the store's name, from `mailboxFromWire`), or NO [code] (RFC 5530). */
export function folderOrFail(store: UserMailStore, name: string, code = 'NONEXISTENT'): Folder {
  const folder = store.folder(name);
  return folder ?? no(`[${code}] No such mailbox`);
}
