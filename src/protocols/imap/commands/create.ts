/**
 * CREATE (RFC 3501 §6.3.3, RFC 9051 §6.3.4), authenticated or selected state. A trailing delimiter
 * announces a hierarchy name; the folder is created without it. Refusals carry RFC 5530 codes.
 */
import { canonicalFolderName } from '../../../store/names.js';
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';
import { mailboxFromWire } from './mailbox.js';

export function create(_context: CommandContext, state: Authenticated | Selected, command: CommandOf<'CREATE'>): string {
  let name = mailboxFromWire(command.mailbox);
  if (name.endsWith('/')) name = name.slice(0, -1);
  // Empty levels, control characters, over-long names (store/names.ts): never creatable (RFC 5530 CANNOT).
  if (canonicalFolderName(name) === null) return no('[CANNOT] Invalid mailbox name');
  if (name === 'INBOX' || state.store.folder(name)) return no('[ALREADYEXISTS] Mailbox already exists');
  // A valid new name the store still refuses: its cap on folders per user (RFC 5530 LIMIT).
  if (!state.store.createFolder(name)) return no('[LIMIT] Too many mailboxes');
  return 'CREATE completed';
}
