/**
 * DATA (RFC 5321 §4.1.1.4) and the end of a message, however it came (DATA or BDAT LAST).
 *
 * DATA runs with recipients: the owner's `onData`, then 354 and `reading-data`, where the session's
 * input goes to the DataReader (data-reader.ts) until <CRLF>.<CRLF>. After MAIL with no recipient
 * accepted, DATA is refused: 554 when RCPTs were given but all refused, 503 when none was (RFC 5321
 * §3.3, RFC 2920 §3.1).
 *
 * At the end of a message the transaction is over whatever the reply (RFC 5321 §4.1.1.4): the session
 * is `ready` again. What the limits refuse is refused here (552 size, RFC 1870; 500 line length, RFC
 * 5321 §4.5.3.1.6; 550 bare LF and 554 NUL, docs/delivery.md E4) — replies to the message, so never
 * counted as the client's mistakes; the rest goes to the owner's `onMessage`, which commits it
 * (docs/delivery.md R1). NUL octets are refused, stripped or kept as `nulBytes` says.
 */
import type { DataOutcome } from '../data-reader.js';
import { DataReader } from '../data-reader.js';
import { preformattedReply, smtpReply } from '../reply.js';
import type { Envelope, SmtpReply } from '../types.js';
import { copyEnvelope, type HasRecipients, type MailGiven, type Ready, type ReadingData, type SmtpContext } from './context.js';

/** RFC 5321 §4.3.2: the 354 of every DATA, formatted once. */
const GO_AHEAD = preformattedReply(smtpReply(354, null, 'End data with <CR><LF>.<CR><LF>'));

export function data(context: SmtpContext, state: HasRecipients, argument: string): void {
  if (argument !== '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: DATA'));
    return;
  }
  context.ask('data', context.hooks.onData?.(context.view()), (reply) => {
    const { limits, options } = context;
    const reader = new DataReader(limits.messageBytesMax, options.bareLineFeed ?? 'normalize', state.envelope.declaredSize);
    context.enter({ kind: 'reading-data', ready: state.ready, envelope: state.envelope, reader });
    // RFC 5321 §4.3.2: 354; 3xx replies carry no enhanced code (RFC 3463 has classes 2, 4, 5).
    context.send(reply ?? GO_AHEAD);
  });
}

/** DATA after MAIL with no recipient accepted (yet). */
export function dataWithoutRecipients(context: SmtpContext, state: MailGiven, argument: string): void {
  if (argument !== '') {
    context.refuse(smtpReply(501, '5.5.4', 'Syntax: DATA'));
    return;
  }
  context.refuse(noRecipients(state));
}

/** RFC 5321 §3.3 and RFC 2920 §3.1: 554 when RCPTs were given but all refused; 503 when none was. */
export function noRecipients(state: MailGiven): SmtpReply {
  return state.refusedRecipients > 0 ? smtpReply(554, '5.5.1', 'No valid recipients') : smtpReply(503, '5.5.1', 'Need RCPT command');
}

/** The reader found the end of data. */
export function finishData(context: SmtpContext, state: ReadingData, outcome: DataOutcome): void {
  finishMessage(context, state.ready, state.envelope, outcome);
}

/** After the final dot or BDAT LAST: refuse what the limits refuse, else ask onMessage (R1). */
export function finishMessage(context: SmtpContext, ready: Ready, envelope: Envelope, outcome: Pick<DataOutcome, 'message' | 'oversize' | 'bareLineFeed'>): void {
  // RFC 5321 §4.1.1.4: the transaction ends with the end of data, whatever the reply.
  context.enter(ready);
  if (outcome.oversize) {
    context.send(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
    return;
  }
  if (outcome.bareLineFeed) {
    context.event({ type: 'protocol-error', detail: 'bare LF in message data' });
    context.send(smtpReply(550, '5.5.2', 'Bare <LF> received; message refused (use CRLF line ends)'));
    return;
  }
  const message = withoutNulBytes(context, outcome.message);
  if (message === null) {
    context.event({ type: 'protocol-error', detail: 'NUL in message data' });
    // RFC 5321 §4.3.2: 554 to the final dot; RFC 3463 X.6.0: other or undefined media error.
    context.send(smtpReply(554, '5.6.0', 'Message contains NUL characters; message refused'));
    return;
  }
  const view = { ...context.view(), transaction: copyEnvelope(envelope) };
  context.decide('dot', context.hooks.onMessage?.(view, copyEnvelope(envelope), message), (decision) => {
    if (decision.kind === 'failure') return context.send(decision.reply);
    // A drop after the dot is an accepted message whose 250 is lost (RFC 1047, docs/delivery.md E3).
    context.event({ type: 'message', envelope, message });
    if (decision.kind === 'drop') return context.drop('dot');
    context.send(decision.reply ?? smtpReply(250, '2.0.0', 'OK: message accepted'));
  });
}

/** The message as `nulBytes` wants it (docs/delivery.md E4): unchanged, without its NULs, or null to refuse it. */
function withoutNulBytes(context: SmtpContext, message: Uint8Array): Uint8Array | null {
  const policy = context.options.nulBytes ?? 'reject';
  if (policy === 'keep' || message.indexOf(0) < 0) return message;
  if (policy === 'reject') return null;
  return message.filter((byte) => byte !== 0);
}
