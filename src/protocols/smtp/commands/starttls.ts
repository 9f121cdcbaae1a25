/**
 * STARTTLS (RFC 3207): in `ready` only (not inside a transaction, RFC 3207 §4), after EHLO, once.
 * After the 220 the session is `tls-handshake` until the owner reports the handshake done
 * (`tlsEstablished`); then it starts over, awaiting EHLO, with no HELO name and no user (§4.2).
 * Commands pipelined behind STARTTLS are discarded, never run (§4.2, CVE-2011-0411).
 */
import { preformattedReply, smtpReply } from '../reply.js';
import type { Ready, SmtpContext } from './context.js';

/** RFC 3207 §4: the go-ahead, formatted once. */
const READY_FOR_TLS = preformattedReply(smtpReply(220, '2.0.0', 'Ready to start TLS'));

export function startTls(context: SmtpContext, state: Ready, argument: string): void {
  if (!context.extensions.startTls) {
    context.refuse(smtpReply(502, '5.5.1', 'STARTTLS not supported'));
    return;
  }
  if (context.tls) {
    context.refuse(smtpReply(503, '5.5.1', 'TLS already active'));
    return;
  }
  if (!state.extended) {
    context.refuse(smtpReply(503, '5.5.1', 'Send EHLO first'));
    return;
  }
  if (argument !== '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: STARTTLS'));
    return;
  }
  context.send(READY_FOR_TLS);
  context.beginTls();
}
