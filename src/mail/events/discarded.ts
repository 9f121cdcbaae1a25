/**
 * `mail.discard`: a recipient dropped on purpose, with the reason — a permanent failure of a message that
 * is never bounced (docs/delivery.md D2: a DSN, or NOTIFY=NEVER), a `discard` filter, or a `forward`
 * filter that re-queued the message to other addresses (docs/reference.md §7.1). The first reason
 * counts. Shown as the cross that ends a discarded recipient's lane.
 */
import { defineMailEvent } from './event.js';
import { endMark } from './render.js';

export interface Discarded {
  readonly kind: 'mail.discard';
  readonly messageId: string;
  /** The recipient. */
  readonly to: string;
  readonly reason: string;
}

export const discarded = defineMailEvent<Discarded>({
  kind: 'mail.discard',
  trace: (e) => ({ messageId: e.messageId, to: e.to, reason: e.reason }),
  fold(records, e, atMs) {
    const recipient = records.recipient(e.messageId, e.to, atMs);
    recipient.discarded ??= { atMs, reason: e.reason };
  },
  render: {
    journeyMarks: (_message, recipient, lane) => (recipient.status === 'discarded' ? endMark(recipient, lane) : ''),
  },
});
