/**
 * SELECT and EXAMINE (RFC 3501 §6.3.1–6.3.2, RFC 9051 §6.3.2–6.3.3), authenticated or selected state.
 * The current selection ends first, even when the new one fails (so a failed SELECT leaves the session
 * authenticated). The untagged data of I7, then OK [READ-WRITE] or, for EXAMINE, [READ-ONLY] (no
 * \Recent claimed, no flags permanent).
 */
import { hasFlag, SEEN_FLAG } from '../flags.js';
import type { Selection } from '../selection.js';
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { folderOrFail, mailboxFromWire } from './mailbox.js';

export function select(context: CommandContext, state: Authenticated | Selected, command: CommandOf<'SELECT' | 'EXAMINE'>): null {
  const { user, store } = state;
  const readOnly = command.name === 'EXAMINE';
  context.enter({ kind: 'authenticated', user, store });
  const name = mailboxFromWire(command.mailbox);
  const folder = folderOrFail(store, name);
  const selection = context.openSelection(folder, name, readOnly, user);
  context.enter({ kind: 'selected', user, store, selection });
  for (const line of selectedData(selection)) context.send(line);
  context.tagged(command.tag, 'OK', `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${command.name} completed`, command.name);
  return null;
}

/** I7: FLAGS, EXISTS, RECENT, [UNSEEN], [PERMANENTFLAGS], [UIDNEXT], [UIDVALIDITY] (RFC 3501 §6.3.1). */
function selectedData(selection: Selection): string[] {
  const { folder } = selection;
  const infos = selection.snapshot();
  const [flags, permanentFlags] = selection.flagsLines(true) as [string, string];
  const lines = [flags, `* ${selection.uids.length} EXISTS`, `* ${selection.recent.size} RECENT`];
  const firstUnseen = selection.uids.findIndex((uid) => !hasFlag(infos.get(uid)?.flags ?? [], SEEN_FLAG));
  if (firstUnseen !== -1) lines.push(`* OK [UNSEEN ${firstUnseen + 1}] First unseen`);
  lines.push(
    permanentFlags,
    `* OK [UIDNEXT ${folder.uidNext}] Predicted next UID`,
    `* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid`,
  );
  return lines;
}
