/**
 * RENAME (RFC 3501 §6.3.5, RFC 9051 §6.3.6), authenticated or selected state; refusals carry RFC 5530
 * codes.
 */
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';
import { mailboxFromWire } from './mailbox.js';

export function rename(_context: CommandContext, state: Authenticated | Selected, command: CommandOf<'RENAME'>): string {
  const from = mailboxFromWire(command.from);
  const to = mailboxFromWire(command.to);
  const { store } = state;
  if (!store.folder(from)) return no('[NONEXISTENT] No such mailbox');
  if (store.folder(to)) return no('[ALREADYEXISTS] Mailbox already exists');
  if (!store.renameFolder(from, to)) return no('Cannot rename mailbox');
  return 'RENAME completed';
}
