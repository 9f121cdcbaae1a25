/**
 * CLOSE (RFC 3501 §6.4.2, RFC 9051 §6.4.1) and UNSELECT (RFC 3691; RFC 9051 §6.4.2), selected state
 * only: both return the session to the authenticated state. CLOSE first removes the \Deleted messages,
 * silently (no EXPUNGE responses) and only when the mailbox is read-write (I5); UNSELECT removes nothing.
 */
import { DELETED_FLAG, hasFlag } from '../flags.js';
import type { CommandContext, CommandOf, Selected } from './context.js';

export function closeMailbox(context: CommandContext, state: Selected, command: CommandOf<'CLOSE' | 'UNSELECT'>): null {
  const { selection } = state;
  if (command.name === 'CLOSE' && !selection.readOnly) {
    const infos = selection.snapshot();
    const doomed = selection.uids.filter((uid) => hasFlag(infos.get(uid)?.flags ?? [], DELETED_FLAG));
    selection.own(() => selection.folder.expunge(doomed));
  }
  context.enter({ kind: 'authenticated', user: state.user, store: state.store });
  context.tagged(command.tag, 'OK', `${command.name} completed`, command.name);
  return null;
}
