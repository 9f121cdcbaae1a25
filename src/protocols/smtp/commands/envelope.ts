/**
 * MAIL and RCPT (RFC 5321 §4.1.1.2, §4.1.1.3) build a transaction's envelope. MAIL opens it
 * (`mail-given`, carrying the envelope) after the submission rule (530 before AUTH, RFC 6409 §4.3),
 * the path and parameter syntax (command.ts, each parameter read by its extension) and the declared
 * size (552, RFC 1870 §6.1), then the owner's `onMail`. RCPT adds a recipient the owner accepts
 * (`has-recipients`); a refused one is counted in `mail-given`, so DATA can tell "none given" (503)
 * from "all refused" (554, RFC 5321 §3.3).
 */
import { parseMail, parseRcpt } from '../command.js';
import type { ParameterContext } from '../parameters.js';
import { smtpReply } from '../reply.js';
import { ReplyMemo } from '../reply-memo.js';
import type { Envelope, EnvelopeRecipient } from '../types.js';
import type { HasRecipients, MailGiven, Ready, SmtpContext } from './context.js';

/** The default 250s of MAIL and RCPT (RFC 5321 §4.1.1.2–3, RFC 3463 X.1.0 / X.1.5), kept per address. */
const SENDER_OK = new ReplyMemo(250, '2.1.0', (from) => `Sender <${from}> OK`);
const RECIPIENT_OK = new ReplyMemo(250, '2.1.5', (to) => `Recipient <${to}> OK`);

function parameterContext(context: SmtpContext, ready: Ready): ParameterContext {
  return { extended: ready.extended, extensions: context.extensions, tls: context.tls };
}

export function mail(context: SmtpContext, state: Ready, argument: string): void {
  // RFC 6409 §4.3 / RFC 4954 §6, docs/delivery.md §8: submission needs AUTH first.
  if (context.options.requireAuth && state.user === null) {
    context.refuse(smtpReply(530, '5.7.0', 'Authentication required'));
    return;
  }
  const parsed = parseMail(argument, context.limits, parameterContext(context, state));
  if (!parsed.ok) {
    context.refuse(parsed.reply);
    return;
  }
  // RFC 1870 §6.1: a declared size over the limit is refused at MAIL.
  if (parsed.declaredSize !== null && parsed.declaredSize > context.limits.messageBytesMax) {
    context.refuse(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
    return;
  }
  const request = { from: parsed.from, body: parsed.body, smtpUtf8: parsed.smtpUtf8, declaredSize: parsed.declaredSize, dsn: parsed.dsn, auth: parsed.auth, requireTls: parsed.requireTls };
  context.ask('mail', context.hooks.onMail?.(context.view(), request), (reply) => {
    const envelope: Envelope = { from: parsed.from, recipients: [], body: parsed.body, smtpUtf8: parsed.smtpUtf8, declaredSize: parsed.declaredSize, dsn: parsed.dsn, requireTls: parsed.requireTls };
    context.enter({ kind: 'mail-given', ready: state, envelope, refusedRecipients: 0 });
    context.send(reply ?? SENDER_OK.reply(parsed.from));
  });
}

export function rcpt(context: SmtpContext, state: MailGiven | HasRecipients, argument: string): void {
  const envelope = state.envelope;
  // One literal, not a spread of parameterContext's: RCPT runs once per recipient.
  const parameters = { extended: state.ready.extended, extensions: context.extensions, tls: context.tls, transactionUtf8: envelope.smtpUtf8 };
  const parsed = parseRcpt(argument, context.limits, parameters);
  if (!parsed.ok) {
    context.refuse(parsed.reply);
    return;
  }
  // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest later (docs/delivery.md R4).
  if (envelope.recipients.length >= context.limits.recipientsMax) {
    context.refuse(smtpReply(452, '4.5.3', 'Too many recipients'));
    return;
  }
  const recipient: EnvelopeRecipient = { address: parsed.to, dsn: parsed.dsn };
  context.decide('rcpt', context.hooks.onRcpt?.(context.view(), { address: recipient.address, dsn: { ...recipient.dsn } }), (outcome) => {
    if (outcome.kind === 'drop') return context.drop('rcpt');
    if (outcome.kind === 'failure') {
      if (state.kind === 'mail-given') context.enter({ kind: 'mail-given', ready: state.ready, envelope, refusedRecipients: state.refusedRecipients + 1 });
      return context.send(outcome.reply);
    }
    envelope.recipients.push(recipient);
    if (state.kind === 'mail-given') context.enter({ kind: 'has-recipients', ready: state.ready, envelope });
    context.send(outcome.reply ?? RECIPIENT_OK.reply(parsed.to));
  });
}
