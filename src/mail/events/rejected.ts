/**
 * `mail.reject`: the submission of a message to a recipient was refused for good (a 5xx from the
 * submission server) or could not happen (the MUA gave up after its attempts); nothing was accepted.
 * The first refusal counts. Shown as the cross that ends a rejected recipient's lane.
 */
import { defineMailEvent } from './event.js';
import { endMark } from './render.js';

export interface Rejected {
  readonly kind: 'mail.reject';
  readonly messageId: string;
  /** The recipient. */
  readonly to: string;
  /** The reply line, or why the MUA gave up. */
  readonly reply: string;
  /** The submission server that refused it; null when the MUA gave up without a refusal. Not in the trace. */
  readonly host: string | null;
}

export const rejected = defineMailEvent<Rejected>({
  kind: 'mail.reject',
  trace: (e) => ({ messageId: e.messageId, to: e.to, reply: e.reply }),
  fold(records, e, atMs) {
    const recipient = records.recipient(e.messageId, e.to, atMs);
    recipient.rejected ??= { atMs, reply: e.reply, host: e.host };
  },
  render: {
    journeyMarks: (_message, recipient, lane) => (recipient.status === 'rejected' ? endMark(recipient, lane) : ''),
  },
});
