/**
 * `mail.dsn`: an MTA made a delivery status notification (RFC 3464; docs/delivery.md D1–D7) about a
 * message, to its sender; the DSN then travels like any mail. Its first sight: the DSN's own message
 * record is made here (`dsn: true`, null sender, pointing at the message it reports on). The reports
 * show it as a journey of its own, tagged DSN.
 */
import { defineMailEvent } from './event.js';

export interface DsnSent {
  readonly kind: 'mail.dsn';
  /** The DSN's Message-ID. */
  readonly messageId: string;
  /** The Message-ID of the message it reports on. */
  readonly about: string;
  /** Its recipient: the original message's sender. */
  readonly to: string;
  readonly reportingMta: string;
  /** RFC 3464 §2.3.3: `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  readonly action: string;
}

export const dsnSent = defineMailEvent<DsnSent>({
  kind: 'mail.dsn',
  trace: (e) => ({ messageId: e.messageId, about: e.about, to: e.to, reportingMta: e.reportingMta, action: e.action }),
  fold(records, e, atMs) {
    records.message(e.messageId, atMs, '', null, e.about);
    records.recipient(e.messageId, e.to, atMs);
  },
  render: {},
});
