/**
 * The diagnostic of a session that failed without a reply, in Postfix's words (docs/delivery.md R3):
 * what the mail log, the report and the DSN's `Diagnostic-Code: X-Postfix; …` say when no SMTP reply
 * settled a recipient (RFC 3464 §2.3.6 keeps the `smtp` type for replies).
 *
 * Theory of operation. Postfix's smtp(8) writes a connection that could not be made as
 * `connect to HOST[ADDR]:PORT: Connection refused` (or `Connection timed out`; smtp_connect.c), and a
 * line that broke after connecting, by smtp_stream_except() in smtp_trouble.c, as
 * `lost connection with HOST[ADDR] while WHERE` or, for a reply that did not come in time,
 * `conversation with HOST[ADDR] timed out while WHERE`, WHERE naming the step it was in
 * (smtp_proto.c: the `where` of smtp_helo() and `xfer_states[]`). The SMTP client's stage gives the
 * step. A reply the client could not read (not SMTP, too long) has no Postfix counterpart — Postfix's
 * reader is lenient — and is written as a lost connection with the parser's complaint after it.
 */
import type { SmtpClientStage } from '../../protocols/smtp/client-types.js';

/** What Postfix says the client was doing, per SMTP client stage (smtp_proto.c). */
const whereOf: Readonly<Record<SmtpClientStage, string>> = {
  greeting: 'receiving the initial server greeting',
  // Postfix authenticates inside smtp_helo(), whose `where` is still the EHLO handshake's.
  helo: 'performing the EHLO handshake',
  auth: 'performing the EHLO handshake',
  starttls: 'receiving the STARTTLS response',
  mail: 'sending MAIL FROM',
  rcpt: 'sending RCPT TO',
  'data-init': 'sending DATA command',
  'data-done': 'sending end of data -- message may be sent more than once',
  rset: 'sending final RSET',
  quit: 'sending QUIT',
  idle: 'waiting for the next command',
  local: 'preparing the transaction',
};

/** `connect to mx1.example.org[10.0.0.10]:25: Connection refused` (or `… Connection timed out`). */
export function connectFailureText(host: string, address: string, port: number, refused: boolean): string {
  return `connect to ${host}[${address}]:${port}: ${refused ? 'Connection refused' : 'Connection timed out'}`;
}

/**
 * `lost connection with mx1.example.org[10.0.0.10] while sending RCPT TO`, or `conversation with … timed
 * out while …` when `why` is 'timeout'; any other `why` (a reply that was not SMTP) follows in brackets.
 */
export function lostLineText(host: string, address: string, stage: SmtpClientStage, why: string): string {
  const where = whereOf[stage];
  if (why === 'timeout') return `conversation with ${host}[${address}] timed out while ${where}`;
  const text = `lost connection with ${host}[${address}] while ${where}`;
  return why === 'connection-lost' ? text : `${text} (${why})`;
}
