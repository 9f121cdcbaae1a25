/**
 * `mail.deliver`: the MDA committed the message to a user's folder (docs/delivery.md §9: the Maildir
 * rename into new/, or the mbox append). More than one landing for a recipient is a duplicate (E3).
 * Shown as a square on the delivering host's row.
 */
import { formatDurationMs } from '../../schema/units.js';
import { defineMailEvent } from './event.js';

export interface Delivered {
  readonly kind: 'mail.deliver';
  readonly messageId: string;
  /** The recipient. */
  readonly to: string;
  readonly host: string;
  readonly user: string;
  readonly folder: string;
}

export const delivered = defineMailEvent<Delivered>({
  kind: 'mail.deliver',
  trace: (e) => ({ messageId: e.messageId, to: e.to, host: e.host, user: e.user, folder: e.folder }),
  fold(records, e, atMs) {
    records.addDelivery(records.recipient(e.messageId, e.to, atMs), { host: e.host, user: e.user, folder: e.folder, atMs });
  },
  render: {
    legend: '<span><svg width="14" height="14" viewBox="-7 -7 14 14"><rect class="mark deliver" x="-5" y="-5" width="10" height="10"/></svg> delivered</span>',
    journeyMarks(_message, recipient, lane) {
      let out = '';
      for (const d of recipient.deliveries) {
        const y = lane.rowY(d.host);
        const title = `delivered at ${formatDurationMs(d.atMs)} to ${d.user} / ${d.folder} on ${d.host}`;
        out += `<g ${lane.at(d.atMs)}><rect class="mark deliver" data-kind="deliver" x="-6" y="${y - 6}" width="12" height="12"><title>${lane.esc(title)}</title></rect></g>`;
      }
      return out;
    },
  },
});
