/**
 * EXPUNGE (RFC 3501 §6.4.3, RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1), selected state only:
 * removes the \Deleted messages (those in the UID set, for UID EXPUNGE) and writes an EXPUNGE response
 * for each, after the updates other sessions caused (I4, I5). NO [READ-ONLY] after EXAMINE.
 */
import { DELETED_FLAG, hasFlag } from '../flags.js';
import { sequenceSetHas } from '../sequence-set.js';
import type { CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';

export function expunge(context: CommandContext, state: Selected, command: CommandOf<'EXPUNGE' | 'UID EXPUNGE'>): string {
  const { selection } = state;
  const uidSet = command.name === 'UID EXPUNGE' ? command.set : null;
  if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
  context.flushUpdates(true);
  const infos = selection.snapshot();
  const largestUid = selection.uids[selection.uids.length - 1] ?? 0;
  const doomed = selection.uids.filter(
    (uid) => hasFlag(infos.get(uid)?.flags ?? [], DELETED_FLAG) && (uidSet === null || sequenceSetHas(uidSet, uid, largestUid)),
  );
  for (const line of selection.expungeOwn(doomed)) context.send(line);
  return uidSet ? 'UID EXPUNGE completed' : 'EXPUNGE completed';
}
