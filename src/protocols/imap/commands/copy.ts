/**
 * COPY and MOVE, and their UID forms (RFC 3501 §6.4.7, §6.4.8; RFC 6851 MOVE; RFC 9051 §6.4.7–6.4.8),
 * selected state only. The copies keep flags and INTERNALDATE; the OK carries COPYUID (RFC 4315 §3).
 * MOVE then expunges the originals: COPYUID goes in an untagged OK before the EXPUNGE responses (RFC
 * 6851 §4.3). NO [TRYCREATE] for a missing destination, NO [EXPUNGEISSUED] when a message is gone
 * (RFC 5530): one expunged elsewhere stays readable here (RFC 2180 §4.1.1) but is not copied back to life.
 */
import { compactNumbers } from '../sequence-set.js';
import type { CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';
import { folderOrFail, mailboxFromWire } from './mailbox.js';
import { targets } from './targets.js';

export function copy(context: CommandContext, state: Selected, command: CommandOf<'COPY' | 'MOVE'>): string {
  const { selection } = state;
  if (command.name === 'MOVE' && selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
  const destination = folderOrFail(state.store, mailboxFromWire(command.mailbox), 'TRYCREATE');
  const wanted = targets(selection, command.set, command.uid);
  const infos = selection.snapshot();
  const present = wanted.filter((t) => infos.has(t.uid) && !selection.isGhost(t.uid));
  if (present.length < wanted.length) return no('[EXPUNGEISSUED] Some messages were expunged');
  const sourceUids: number[] = [];
  const destinationUids: number[] = [];
  for (const { uid } of present) {
    const info = infos.get(uid)!;
    const bytes = selection.folder.read(uid);
    destinationUids.push(destination.append(bytes, { flags: info.flags, internalDateMs: info.internalDateMs }));
    sourceUids.push(uid);
  }
  const verb = `${command.uid ? 'UID ' : ''}${command.name}`;
  const copyUid =
    sourceUids.length > 0 ? `[COPYUID ${destination.uidValidity} ${compactNumbers(sourceUids)} ${compactNumbers(destinationUids)}] ` : '';
  if (command.name === 'COPY') return `${copyUid}${verb} completed`;
  if (copyUid !== '') context.send(`* OK ${copyUid}Moved`);
  context.flushUpdates(true);
  for (const line of selection.expungeOwn(sourceUids)) context.send(line);
  return `${verb} completed`;
}
