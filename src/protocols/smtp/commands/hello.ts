/**
 * EHLO and HELO (RFC 5321 §4.1.1.1): the client names itself; the session is ready for a transaction.
 * Either one ends an open transaction, as RSET does (RFC 5321 §4.1.4), and keeps who AUTH
 * authenticated. EHLO's reply lists the extensions offered now (extensions/, RFC 5321 §4.1.1.1) and,
 * when ENHANCEDSTATUSCODES is among them, later replies carry RFC 3463 codes (RFC 2034 §3); the
 * EHLO/HELO reply itself never does.
 *
 * An EHLO answer is the same for every session of one server setup with the same TLS and AUTH
 * standing, and usually the same client name: the last one built for each such standing is kept,
 * formatted (reply.ts `preformattedReply`), and sent again when its first line matches.
 */
import { ehloKeywords } from '../extensions/index.js';
import { preformattedReply, smtpReply } from '../reply.js';
import type { SmtpReply } from '../types.js';
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
    context.send(extended ? ehloReply(context, first) : smtpReply(250, null, first), false);
  });
}

/** The last EHLO answer built for one standing (TLS on or off × AUTH offered or not) of a setup. */
interface EhloMemo {
  readonly messageBytesMax: number;
  readonly reply: SmtpReply;
}

/** Per server setup (its extensions object), four standings: index `tls * 2 + authOffered`. */
const ehloMemos = new WeakMap<object, (EhloMemo | undefined)[]>();

/** The EHLO answer: first line, then the keywords for what is implemented and enabled now (RFC 5321 §4.1.1.1). */
export function ehloReply(context: SmtpContext, first: string): SmtpReply {
  const offered = authOffered(context);
  const messageBytesMax = context.limits.messageBytesMax;
  let memos = ehloMemos.get(context.extensions);
  if (memos === undefined) {
    memos = [undefined, undefined, undefined, undefined];
    ehloMemos.set(context.extensions, memos);
  }
  const slot = (context.tls ? 2 : 0) + (offered ? 1 : 0);
  const memo = memos[slot];
  if (memo !== undefined && memo.messageBytesMax === messageBytesMax && memo.reply.lines[0] === first) return memo.reply;
  const keywords = ehloKeywords({ extensions: context.extensions, tls: context.tls, messageBytesMax, authOffered: offered });
  const reply = preformattedReply(smtpReply(250, null, first, ...keywords));
  memos[slot] = { messageBytesMax, reply };
  return reply;
}
