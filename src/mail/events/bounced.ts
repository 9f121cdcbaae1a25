/**
 * `mail.bounce`: a DSN reported this recipient failed (RFC 3464; docs/delivery.md D1): the status, the
 * reporting MTA, the diagnostic and the remote MTA behind it, and the DSN's Message-ID. The first one
 * counts. Shown as a triangle on the reporting host's row, and as the lane's `bounce` fact.
 */
import { formatDurationMs } from '../../schema/units.js';
import { defineMailEvent } from './event.js';

export interface Bounced {
  readonly kind: 'mail.bounce';
  readonly messageId: string;
  /** The recipient. */
  readonly to: string;
  /** The RFC 3463 status. */
  readonly status: string;
  readonly reportingMta: string;
  readonly diagnostic: string | null;
  readonly remoteMta: string | null;
  readonly dsnMessageId: string | null;
}

export const bounced = defineMailEvent<Bounced>({
  kind: 'mail.bounce',
  trace: (e) => ({
    messageId: e.messageId,
    to: e.to,
    status: e.status,
    reportingMta: e.reportingMta,
    diagnostic: e.diagnostic,
    remoteMta: e.remoteMta,
    dsnMessageId: e.dsnMessageId,
  }),
  fold(records, e, atMs) {
    const recipient = records.recipient(e.messageId, e.to, atMs);
    recipient.bounce ??= { atMs, status: e.status, reportingMta: e.reportingMta, diagnostic: e.diagnostic, remoteMta: e.remoteMta, dsnMessageId: e.dsnMessageId };
  },
  render: {
    legend: '<span><svg width="16" height="14" viewBox="-8 -8 16 14"><path class="mark bounce" d="M0,-7L7,5L-7,5Z"/></svg> bounced</span>',
    journeyMarks(_message, recipient, lane) {
      const b = recipient.bounce;
      if (b === null) return '';
      const y = lane.rowY(b.reportingMta);
      const title = `bounced at ${formatDurationMs(b.atMs)}: ${b.status} reported by ${b.reportingMta}`;
      return `<g ${lane.at(b.atMs)}><path class="mark bounce" data-kind="bounce" d="M0,${y - 8}L8,${y + 6}L-8,${y + 6}Z"><title>${lane.esc(title)}</title></path></g>`;
    },
    fact: {
      heading: 'Bounce',
      label: 'bounce',
      of: (recipient, text) => {
        const b = recipient.bounce;
        return b === null ? null : `${text(b.status)} by ${text(b.reportingMta)} at ${formatDurationMs(b.atMs)}`;
      },
    },
  },
});
