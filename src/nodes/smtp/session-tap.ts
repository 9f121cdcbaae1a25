/**
 * What an owner outside the simulation (serve's HTTP API: src/bridge/transcripts.ts) hears of each
 * SMTP session the host's SmtpService runs: the server machine's transcript events (command lines as
 * received, SASL data already redacted by the machine; replies as sent; the accepted message) and the
 * queue id each accepted message was committed under, so a stored message can be traced back to the
 * session that delivered it.
 *
 * Theory of operation. The service opens one tap per connection when its `taps` is set, and only
 * then turns the machine's `transcript` events on; the simulator never sets it, so nothing it does
 * (trace, digests) changes. `committed` comes before the `message` event and the reply to the final
 * dot of the same transaction (the commit happens in the dot's hook, R1).
 */
import type { SmtpServerEvent } from '../../protocols/smtp/server-api.js';

export interface SmtpSessionTaps {
  /** A new SMTP session on `port` (25, 587, 465) from `clientAddress`. */
  open(port: number, clientAddress: string): SmtpSessionTap;
}

export interface SmtpSessionTap {
  /** Every event of the session's server machine, in order. */
  event(event: SmtpServerEvent): void;
  /** The current transaction was committed to the queue under this id (before its 250 goes out). */
  committed(queueId: string): void;
}
