/**
 * The messages a sequence set names in the selected mailbox (RFC 3501 §6.4.8, §9 sequence-set; RFC 9051
 * §6.4.9): by UID for the UID forms, otherwise by this session's sequence numbers. Shared by FETCH,
 * STORE, COPY and MOVE.
 */
import type { Selection } from '../selection.js';
import { type SequenceSet, sequenceSetHas } from '../sequence-set.js';
import { bad } from './context.js';

/** The (seq, uid) pairs a set names; a sequence number past the last message is BAD. */
export function targets(selection: Selection, set: SequenceSet, byUid: boolean): Array<{ seq: number; uid: number }> {
  const uids = selection.uids;
  if (!byUid) {
    for (const range of set) {
      for (const end of [range.start, range.end]) {
        if (end !== null && end > uids.length) bad('Invalid sequence number');
      }
      if ((range.start === null || range.end === null) && uids.length === 0) bad('No messages');
    }
  }
  const largest = byUid ? (uids[uids.length - 1] ?? 0) : uids.length;
  const out: Array<{ seq: number; uid: number }> = [];
  uids.forEach((uid, i) => {
    if (sequenceSetHas(set, byUid ? uid : i + 1, largest)) out.push({ seq: i + 1, uid });
  });
  return out;
}
