/**
 * `mail.accept`: a host accepted the message for these recipients with a 2xx — a hop (docs/delivery.md
 * R1): an MSA or MX after the final dot (port 587 / 465 / 25), the MTA itself for a DSN it made, or the
 * MDA for a message a filter forwards (port 0). The hop joins each recipient's `hops`, the first one
 * sets `acceptedAtMs` (no-loss: from then on the recipient must end somewhere), and the reverse-path
 * joins the message's envelope senders (dsn-sanity: a DSN's is always <>). Shown as the lane's
 * `hops` fact, and its hosts are the lane's first rows.
 */
import { defineMailEvent } from './event.js';

export interface Accepted {
  readonly kind: 'mail.accept';
  readonly host: string;
  readonly messageId: string;
  /** The recipients accepted (the trace joins them with commas). */
  readonly to: readonly string[];
  readonly port: number;
  /** The reverse-path it was accepted with ("" for a DSN); not in the trace. */
  readonly from: string;
}

export const accepted = defineMailEvent<Accepted>({
  kind: 'mail.accept',
  trace: (e) => ({ host: e.host, messageId: e.messageId, to: e.to.join(','), port: e.port }),
  fold(records, e, atMs) {
    records.addEnvelopeSender(records.message(e.messageId, atMs, e.from), e.from);
    for (const address of e.to) {
      const recipient = records.recipient(e.messageId, address, atMs);
      records.addHop(recipient, e.host);
      if (recipient.acceptedAtMs === null) recipient.acceptedAtMs = atMs;
    }
  },
  render: {
    fact: {
      heading: 'Hops',
      label: 'hops',
      of: (recipient, text) => (recipient.hops.length === 0 ? null : recipient.hops.map(text).join(' → ')),
    },
  },
});
