/**
 * The commands RFC 5321 §4.1.4 allows at any time once the client may speak: RSET (§4.1.1.5), NOOP
 * (§4.1.1.9), QUIT (§4.1.1.10), VRFY (§3.5.3), EXPN (§3.5.2) and HELP (§4.1.1.8). Only RSET and QUIT
 * move the session: RSET back to `ready` (or it stays awaiting HELO), QUIT to closed.
 */
import { preformattedReply, smtpReply } from '../reply.js';
import { ReplyMemo } from '../reply-memo.js';
import type { AwaitingHelo, Chunking, CommandState, HasRecipients, MailGiven, Ready, SmtpContext } from './context.js';

/** The 250 of RSET and NOOP (RFC 5321 §4.1.1.5, §4.1.1.9), formatted once. */
const OK = preformattedReply(smtpReply(250, '2.0.0', 'OK'));
/** RFC 5321 §4.1.1.10: the 221 to QUIT, kept per server name. */
const CLOSING = new ReplyMemo(221, '2.0.0', (hostname) => `${hostname} closing connection`);

/** RFC 5321 §4.1.1.5: the transaction, if any, is over; HELO/EHLO and AUTH stay. */
export function rset(context: SmtpContext, state: AwaitingHelo | Ready | MailGiven | HasRecipients | Chunking, argument: string): void {
  if (argument !== '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: RSET'));
    return;
  }
  if (state.kind !== 'awaiting-helo' && state.kind !== 'ready') context.enter(state.ready);
  context.event({ type: 'reset' });
  context.send(OK);
}

export function noop(context: SmtpContext): void {
  context.send(OK);
}

export function quit(context: SmtpContext, _state: CommandState, argument: string): void {
  if (argument !== '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: QUIT'));
    return;
  }
  context.event({ type: 'quit' });
  context.send(CLOSING.reply(context.options.hostname));
  context.close('quit');
}

/** RFC 5321 §3.5.3: 252 when the server will not verify but will accept. */
export function vrfy(context: SmtpContext, _state: CommandState, argument: string): void {
  if (argument.trim() === '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: VRFY address'));
    return;
  }
  context.send(smtpReply(252, '2.0.0', 'Cannot VRFY user, but will accept message and attempt delivery'));
}

/** RFC 5321 §3.5.2: EXPN may be disabled; 502. */
export function expn(context: SmtpContext): void {
  context.refuse(smtpReply(502, '5.5.1', 'EXPN not supported'));
}

export function help(context: SmtpContext): void {
  context.send(smtpReply(214, '2.0.0', 'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH', 'See RFC 5321'));
}
