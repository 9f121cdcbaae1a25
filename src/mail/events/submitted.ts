/**
 * `mail.submit`: a MUA is about to submit a message (docs/reference.md §7 `send`). Its first sight: the
 * message's record is made here (`m1`, `m2` … in submission order), with a record per recipient.
 * Shown as the diamond that starts every lane of its journey.
 */
import { formatDurationMs } from '../../schema/units.js';
import { defineMailEvent } from './event.js';

export interface Submitted {
  readonly kind: 'mail.submit';
  readonly messageId: string;
  readonly from: string;
  /** The envelope recipients (the trace joins them with commas). */
  readonly to: readonly string[];
  readonly subject: string | null;
}

export const submitted = defineMailEvent<Submitted>({
  kind: 'mail.submit',
  trace: (e) => ({ messageId: e.messageId, from: e.from, to: e.to.join(','), subject: e.subject }),
  fold(records, e, atMs) {
    records.message(e.messageId, atMs, e.from, e.subject);
    for (const address of e.to) records.recipient(e.messageId, address, atMs);
  },
  render: {
    legend: '<span><svg width="14" height="14" viewBox="-7 -7 14 14"><path class="mark submit" d="M0,-6L6,0L0,6L-6,0Z"/></svg> submitted</span>',
    journeyMarks(message, _recipient, lane) {
      const y = lane.firstY;
      const title = `submitted at ${formatDurationMs(message.submittedAtMs)} by ${message.from === '' ? '<>' : message.from}`;
      return `<g ${lane.at(message.submittedAtMs)}><path class="mark submit" data-kind="submit" d="M0,${y - 7}L7,${y}L0,${y + 7}L-7,${y}Z"><title>${lane.esc(title)}</title></path></g>`;
    },
  },
});
