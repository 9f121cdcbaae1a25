/**
 * EHLO and HELO (RFC 5321 §4.1.1.1): the client names itself; the session is ready for a transaction.
 * Either one ends an open transaction, as RSET does (RFC 5321 §4.1.4), and keeps who AUTH
 * authenticated. EHLO's reply lists the extensions offered now (extensions/, RFC 5321 §4.1.1.1) and,
 * when ENHANCEDSTATUSCODES is among them, later replies carry RFC 3463 codes (RFC 2034 §3); the
 * EHLO/HELO reply itself never does.
 */
import { ehloKeywords } from '../extensions/index.js';
import { smtpReply } from '../reply.js';
import { authOffered } from './auth.js';
import { type AwaitingHelo, type Chunking, type HasRecipients, type MailGiven, type Ready, readyOf, type SmtpContext } from './context.js';

/** The states in which EHLO and HELO run. */
type HelloState = AwaitingHelo | Ready | MailGiven | HasRecipients | Chunking;

export function ehlo(context: SmtpContext, state: HelloState, argument: string): void {
  hello(context, state, argument, true);
}

export function helo(context: SmtpContext, state: HelloState, argument: string): void {
  hello(context, state, argument, false);
}

function hello(context: SmtpContext, state: HelloState, argument: string, extended: boolean): void {
  const name = argument.trim();
  if (name === '' || /[\x00-\x1f\x7f]/.test(name)) {
    context.refuse(smtpReply(501, '5.5.4', `Syntax: ${extended ? 'EHLO' : 'HELO'} hostname`));
    return;
  }
  context.ask('ehlo', context.hooks.onHelo?.(context.view(), name, extended), (reply) => {
    const ready: Ready = { kind: 'ready', heloName: name, extended, user: readyOf(state)?.user ?? null };
    context.enter(ready);
    context.useEnhancedCodes(extended && context.extensions.enhancedStatusCodes);
    context.event({ type: 'helo', name, extended });
    const first = reply?.lines[0] ?? `${context.options.hostname} greets ${name}`;
    // RFC 2034 §3: no enhanced code on the HELO/EHLO answer (its lines are keywords).
    context.send(smtpReply(250, null, first, ...(extended ? keywords(context) : [])), false);
  });
}

/** EHLO keywords for what is implemented and enabled now (RFC 5321 §4.1.1.1), from extensions/. */
function keywords(context: SmtpContext): string[] {
  return ehloKeywords({ extensions: context.extensions, tls: context.tls, messageBytesMax: context.limits.messageBytesMax, authOffered: authOffered(context) });
}
