/**
 * STORE and UID STORE (RFC 3501 §6.4.6, §6.4.8; RFC 9051 §6.4.6), selected state only: set, add or
 * remove flags; an untagged FETCH FLAGS per message unless .SILENT. NO [READ-ONLY] after EXAMINE, NO
 * [EXPUNGEISSUED] when a message was expunged elsewhere (RFC 2180 §4.2.1, RFC 5530). No EXPUNGE
 * responses are written during it (I4).
 */
import { applyStore } from '../flags.js';
import type { CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';
import { targets } from './targets.js';

export function store(context: CommandContext, state: Selected, command: CommandOf<'STORE'>): string {
  const { selection } = state;
  if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
  const wanted = targets(selection, command.set, command.uid);
  const infos = selection.snapshot();
  let missing = 0;
  for (const { seq, uid } of wanted) {
    const info = infos.get(uid);
    if (!info) {
      missing += 1;
      continue;
    }
    const flags = applyStore(info.flags, command.mode, command.flags);
    if (flags.join(' ') !== info.flags.join(' ')) selection.own(() => selection.folder.setFlags(uid, flags));
    if (!command.silent) {
      const shown = selection.displayFlags({ ...info, flags });
      context.send(`* ${seq} FETCH (FLAGS (${shown.join(' ')})${command.uid ? ` UID ${uid}` : ''})`);
    }
  }
  if (missing > 0) return no('[EXPUNGEISSUED] Some messages were expunged');
  return `${command.uid ? 'UID STORE' : 'STORE'} completed`;
}
