/**
 * STORE and UID STORE (RFC 3501 §6.4.6, §6.4.8; RFC 9051 §6.4.6), selected state only: set, add or
 * remove flags; an untagged FETCH FLAGS per message unless .SILENT. NO [READ-ONLY] after EXAMINE. A
 * message expunged elsewhere but not yet announced here is still in this session's view (RFC 2180
 * §4.1.1): the STORE changes only the session's copy, reports it and completes OK, as Dovecot does.
 * No EXPUNGE responses are written during it (I4).
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
  for (const { seq, uid } of wanted) {
    const info = infos.get(uid);
    if (!info) throw new Error(`UID ${uid} is in the view but neither stored nor kept`); // a bug: the view holds only these
    const flags = applyStore(info.flags, command.mode, command.flags);
    if (flags.join(' ') !== info.flags.join(' ')) selection.setFlags(uid, flags);
    if (!command.silent) {
      const shown = selection.displayFlags({ ...info, flags });
      context.send(`* ${seq} FETCH (FLAGS (${shown.join(' ')})${command.uid ? ` UID ${uid}` : ''})`);
    }
  }
  return `${command.uid ? 'UID STORE' : 'STORE'} completed`;
}
