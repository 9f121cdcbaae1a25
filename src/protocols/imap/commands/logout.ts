/**
 * LOGOUT (RFC 3501 §6.1.3, RFC 9051 §6.1.3), valid in every state: the untagged BYE, the tagged OK, then
 * the session ends (a selected mailbox is left without an expunge).
 */
import type { CommandContext, CommandOf } from './context.js';

export function logout(context: CommandContext, _state: unknown, command: CommandOf<'LOGOUT'>): null {
  context.send('* BYE IMAP4rev1 server logging out');
  context.tagged(command.tag, 'OK', 'LOGOUT completed', 'LOGOUT');
  context.close('logout');
  return null;
}
