/**
 * STATUS (RFC 3501 §6.3.10, RFC 9051 §6.3.11), authenticated or selected state: the requested counters
 * of a mailbox without selecting it. RECENT counts the unclaimed \Recent messages and claims none (I6).
 */
import { encodeMailboxName } from '../../../store/modifiedUtf7.js';
import { hasFlag, SEEN_FLAG } from '../flags.js';
import { ResponseWriter } from '../wire.js';
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { folderOrFail, mailboxFromWire } from './mailbox.js';

export function status(context: CommandContext, state: Authenticated | Selected, command: CommandOf<'STATUS'>): string {
  const name = mailboxFromWire(command.mailbox);
  const folder = folderOrFail(state.store, name);
  const messages = folder.messages();
  const values: string[] = [];
  for (const item of command.items) {
    if (item === 'MESSAGES') values.push(`MESSAGES ${messages.length}`);
    if (item === 'UIDNEXT') values.push(`UIDNEXT ${folder.uidNext}`);
    if (item === 'UIDVALIDITY') values.push(`UIDVALIDITY ${folder.uidValidity}`);
    if (item === 'UNSEEN') values.push(`UNSEEN ${messages.filter((m) => !hasFlag(m.flags, SEEN_FLAG)).length}`);
    if (item === 'RECENT') {
      const uids = messages.map((m) => m.uid);
      values.push(`RECENT ${context.recent.unclaimed(state.user, name, folder.uidValidity, uids).length}`);
    }
  }
  context.sendBytes(new ResponseWriter().raw('* STATUS ').string(encodeMailboxName(name)).raw(` (${values.join(' ')})\r\n`).bytes());
  return 'STATUS completed';
}
