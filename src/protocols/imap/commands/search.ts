/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4, §6.4.8), selected state only: one untagged SEARCH line of
 * sequence numbers (or UIDs). Charsets UTF-8 and US-ASCII; any other is NO [BADCHARSET] (RFC 5530). The
 * matching itself is ../search.ts. No EXPUNGE responses are written during it (I4).
 */
import { searchMatches } from '../search.js';
import type { CommandContext, CommandOf, Selected } from './context.js';
import { no } from './context.js';

export function search(context: CommandContext, state: Selected, command: CommandOf<'SEARCH'>): string {
  const { selection } = state;
  if (command.charset !== null && !['UTF-8', 'US-ASCII'].includes(command.charset.toUpperCase())) {
    return no('[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset');
  }
  const infos = selection.snapshot();
  const numbering = { largestSeq: selection.uids.length, largestUid: selection.uids[selection.uids.length - 1] ?? 0 };
  const found: number[] = [];
  selection.uids.forEach((uid, i) => {
    const info = infos.get(uid);
    if (!info) return;
    const candidate = {
      seq: i + 1,
      uid,
      flags: selection.displayFlags(info),
      internalDateMs: info.internalDateMs,
      size: info.size,
      bytes: () => selection.read(uid),
    };
    if (searchMatches(command.criteria, candidate, numbering)) found.push(command.uid ? uid : i + 1);
  });
  context.send(`* SEARCH${found.map((n) => ` ${n}`).join('')}`);
  return `${command.uid ? 'UID SEARCH' : 'SEARCH'} completed`;
}
