/**
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8; RFC 9051 §6.4.6), selected state only: one untagged
 * FETCH per message (the items are written by ../fetch.ts). Fetching a body of a message without \Seen
 * sets it, unless read-only or .PEEK, and reports the new FLAGS. A message another session expunged
 * but this one has not been told of is still fetched as it was (RFC 2180 §4.1.1, the Selection's
 * ghosts), and the command completes OK [EXPUNGEISSUED] (RFC 5530: a hint to NOOP soon), as Dovecot's
 * does. No EXPUNGE responses are written during it (I4).
 */
import { FETCH_MACROS, type FetchAttribute } from '../command.js';
import { fetchSetsSeen, writeFetchItems } from '../fetch.js';
import { hasFlag, normalizeFlags, SEEN_FLAG } from '../flags.js';
import { ResponseWriter } from '../wire.js';
import type { CommandContext, CommandOf, Selected } from './context.js';
import { targets } from './targets.js';

export function fetch(context: CommandContext, state: Selected, command: CommandOf<'FETCH'>): string {
  const { selection } = state;
  const attributes: FetchAttribute[] = command.macro ? FETCH_MACROS[command.macro].map((kind) => ({ kind })) : command.attributes;
  const wanted = targets(selection, command.set, command.uid);
  const setsSeen = !selection.readOnly && fetchSetsSeen(attributes);
  const infos = selection.snapshot();
  let expungedElsewhere = false;
  for (const { seq, uid } of wanted) {
    expungedElsewhere ||= selection.isGhost(uid);
    let info = infos.get(uid);
    if (!info) throw new Error(`UID ${uid} is in the view but neither stored nor kept`); // a bug: the view holds only these
    let flagsChanged = false;
    if (setsSeen && !hasFlag(info.flags, SEEN_FLAG)) {
      const flags = normalizeFlags([...info.flags, SEEN_FLAG]);
      selection.setFlags(uid, flags);
      info = { ...info, flags };
      flagsChanged = true;
    }
    const current = info;
    const out = new ResponseWriter().raw(`* ${seq} FETCH `);
    writeFetchItems(
      out,
      {
        uid,
        flags: selection.displayFlags(current),
        internalDateMs: current.internalDateMs,
        size: current.size,
        bytes: () => selection.read(uid),
      },
      attributes,
      { extraUid: command.uid, extraFlags: flagsChanged },
    );
    out.raw('\r\n');
    context.sendBytes(out.bytes());
  }
  if (expungedElsewhere) return '[EXPUNGEISSUED] Some messages were already expunged';
  return `${command.uid ? 'UID FETCH' : 'FETCH'} completed`;
}
