/**
 * DELETE (RFC 3501 §6.3.4, RFC 9051 §6.3.5), authenticated or selected state. INBOX and the mailbox this
 * session has selected cannot be deleted.
 */
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';
import { mailboxFromWire } from './mailbox.js';

export function deleteMailbox(_context: CommandContext, state: Authenticated | Selected, command: CommandOf<'DELETE'>): string {
  const name = mailboxFromWire(command.mailbox);
  if (name === 'INBOX') return no('Cannot delete INBOX');
  if (state.kind === 'selected' && state.selection.name === name) return no('Cannot delete the selected mailbox');
  if (!state.store.folder(name)) return no('[NONEXISTENT] No such mailbox');
  if (!state.store.deleteFolder(name)) return no('Cannot delete mailbox');
  return 'DELETE completed';
}
