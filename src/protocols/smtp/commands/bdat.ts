/**
 * BDAT (RFC 3030 CHUNKING): "BDAT size [LAST]" is followed by exactly `size` octets of message, with
 * no dot-stuffing and no end marker; LAST ends the message.
 *
 * The chunk's octets are read in `reading-chunk` (the session's input pump hands them to `readChunk`).
 * Even a refused BDAT's octets are read, so the stream stays in step (RFC 3030 §2): the command reads
 * its chunk and throws it away, then refuses and resumes the state it came from. So BDAT runs in most
 * states, and the refusals for state come from here: 503 after HELO (BDAT needs EHLO), 503/554 with
 * no recipient accepted (as DATA, data.ts). Only when CHUNKING is not offered (502) or the command
 * line is malformed (501) is there no chunk to read.
 *
 * The first BDAT of a transaction asks the owner's `onData`; then each chunk is kept in one
 * BoundedBytes; between chunks the session is `chunking`. A body over the size limit is refused with
 * 552 as soon as the chunk that passed it has been read (RFC 3030 §2, RFC 1870), ending the
 * transaction; BDAT LAST ends the message (data.ts finishMessage).
 */
import { parseBdat } from '../command.js';
import { BoundedBytes } from '../data-reader.js';
import { smtpReply } from '../reply.js';
import type { Envelope, SmtpReply } from '../types.js';
import {
  type AwaitingHelo,
  type Chunking,
  type CommandState,
  type HasRecipients,
  type MailGiven,
  type Ready,
  type ReadingChunk,
  readyOf,
  type SmtpContext,
} from './context.js';
import { finishMessage, noRecipients } from './data.js';

interface BdatCommand {
  readonly size: number;
  readonly last: boolean;
}

/** The first BDAT of a transaction, with recipients: the owner decides, then the chunk is kept. */
export function bdat(context: SmtpContext, state: HasRecipients, argument: string): void {
  const command = chunkCommand(context, state, argument);
  if (command === null) return;
  context.decide('data', context.hooks.onData?.(context.view()), (outcome) => {
    if (outcome.kind === 'drop') return context.drop('data');
    // The transaction is over: after the chunk the session is ready again.
    if (outcome.kind === 'failure') return refuseChunk(context, command.size, outcome.reply, state.ready);
    keepChunk(context, command, state.ready, state.envelope, new BoundedBytes(context.limits.messageBytesMax, state.envelope.declaredSize));
  });
}

/** A further BDAT of the transaction. */
export function bdatMore(context: SmtpContext, state: Chunking, argument: string): void {
  const command = chunkCommand(context, state, argument);
  if (command !== null) keepChunk(context, command, state.ready, state.envelope, state.body);
}

/** BDAT with no transaction that has a recipient: its chunk is read, then it is refused. */
export function bdatRefused(context: SmtpContext, state: AwaitingHelo | Ready | MailGiven, argument: string): void {
  const command = chunkCommand(context, state, argument);
  if (command === null) return;
  const reply = state.kind === 'mail-given' ? noRecipients(state) : smtpReply(503, '5.5.1', 'Need MAIL command');
  refuseChunk(context, command.size, reply, state);
}

/** The command, or null when it was refused: at once (502, 501), or after its chunk (before EHLO). */
function chunkCommand(context: SmtpContext, state: CommandState, argument: string): BdatCommand | null {
  if (!context.extensions.chunking) {
    context.refuse(smtpReply(502, '5.5.1', 'BDAT not supported'));
    return null;
  }
  const parsed = parseBdat(argument);
  if (!parsed.ok) {
    context.refuse(parsed.reply);
    return null;
  }
  if (!(readyOf(state)?.extended ?? false)) {
    refuseChunk(context, parsed.size, smtpReply(503, '5.5.1', 'Send EHLO first'), state);
    return null;
  }
  return parsed;
}

function keepChunk(context: SmtpContext, command: BdatCommand, ready: Ready, envelope: Envelope, body: BoundedBytes): void {
  context.enter({ kind: 'reading-chunk', remainingBytes: command.size, keep: true, last: command.last, ready, envelope, body });
}

function refuseChunk(context: SmtpContext, size: number, reply: SmtpReply, resume: CommandState): void {
  context.enter({ kind: 'reading-chunk', remainingBytes: size, keep: false, reply, resume });
}

/** Takes what it can of the chunk from `bytes[start..]`; returns how many octets it took. */
export function readChunk(state: ReadingChunk, bytes: Uint8Array, start: number): number {
  const taken = Math.min(bytes.length - start, state.remainingBytes);
  if (state.keep) state.body.pushAll(bytes.subarray(start, start + taken));
  state.remainingBytes -= taken;
  return taken;
}

/** The chunk's last octet has arrived (or it had none). */
export function finishChunk(context: SmtpContext, state: ReadingChunk): void {
  if (!state.keep) {
    context.enter(state.resume);
    context.refuse(state.reply);
    return;
  }
  const { ready, envelope, body } = state;
  if (body.overflowed) {
    // RFC 3030 §2 / RFC 1870: refuse as soon as the limit is passed; the transaction is over.
    context.enter(ready);
    context.send(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
    return;
  }
  if (!state.last) {
    context.enter({ kind: 'chunking', ready, envelope, body });
    context.send(smtpReply(250, '2.0.0', `${body.total} octets received`));
    return;
  }
  finishMessage(context, ready, envelope, { message: body.bytes(), oversize: false, bareLineFeed: false });
}
