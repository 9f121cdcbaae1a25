/**
 * One SMTP server session, behind the public face in server.ts: the state, the input pump, the
 * dispatch through the command table (server-states.ts), the replies and events, and the owner's
 * decisions. Command handlers (commands/) see it as their SmtpContext.
 *
 * Input is processed strictly in order, one command at a time, so pipelined commands (RFC 2920) get
 * their replies in order whatever the chunking. What the pump does with the next bytes depends on the
 * state: a command-reading state takes a line and dispatches it, auth-exchange takes a line as a SASL
 * response, reading-data and reading-chunk hand the bytes to the DATA reader or the chunk, and in
 * greeting-pending and tls-handshake nothing is read. When a policy hook answers PENDING the pump stops
 * (later bytes are buffered, bounded by `pendingInputBytesMax`) until `resolve()`.
 *
 * Errors (the client's mistakes and failed AUTH attempts) are counted as Postfix counts them: past
 * `softErrorsMax` every reply waits `errorDelayMs` (an OutputHold, ../output-hold.ts: the reply is held
 * and nothing more is read until the machine's clock reaches it), and at `badCommandsMax` the session
 * ends with 421 4.7.0 — so a password guesser gets ten quick tries, ten slow ones, and the door.
 *
 * The dispatcher looks the verb up in COMMANDS: a refusal is written (and counted) and changes
 * nothing; otherwise the handler runs, and afterwards — and again once a decision the handler left
 * PENDING is applied — the session must be where it was, in a state the cell lists, or closed. Anything
 * else is a bug in the handler, and throws.
 */
import { finishChunk, readChunk } from './commands/bdat.js';
import { saslLineTooLong, saslResponse } from './commands/auth.js';
import {
  type AuthExchange,
  type AwaitingHelo,
  type Closed,
  type CommandState,
  copyEnvelope,
  envelopeOf,
  type GreetingPending,
  type GreetingRefused,
  type Outcome,
  readyOf,
  type SmtpContext,
  type SmtpState,
  type TlsHandshake,
} from './commands/context.js';
import { finishData } from './commands/data.js';
import { splitCommand } from './command.js';
import { formatReplyText, replyClass, smtpReply } from './reply.js';
import { validateDecision } from './server-decision.js';
import { InputBuffer, LINE_TOO_LONG } from './server-input.js';
import { OutputHold } from '../output-hold.js';
import { ReplyMemo } from './reply-memo.js';
import {
  PENDING,
  type SmtpDecision,
  type SmtpHookResult,
  type SmtpServerCloseReason,
  type SmtpServerEvent,
  type SmtpServerExtensions,
  type SmtpServerHooks,
  type SmtpServerLimits,
  type SmtpServerOptions,
  type SmtpServerStage,
  type SmtpSessionView,
} from './server-api.js';
import { COMMANDS, isSmtpVerb, type Rule, type Run, type SmtpServerState, type SmtpVerb, UNKNOWN_VERB } from './server-states.js';
import type { SmtpReply } from './types.js';

/** RFC 5321 §4.2 / §3.1: the default 220 greeting, kept per server name. */
const GREETING = new ReplyMemo(220, null, (hostname) => `${hostname} ESMTP mailsim`);

// The states without data, shared by every session.

const GREETING_PENDING: GreetingPending = { kind: 'greeting-pending' };
const GREETING_REFUSED: GreetingRefused = { kind: 'greeting-refused' };
const AWAITING_HELO: AwaitingHelo = { kind: 'awaiting-helo' };
const CLOSED: Closed = { kind: 'closed' };

/** Reply codes that count as errors (Postfix's error count): the client's mistakes and a failed AUTH (RFC 4954 §6: 535). */
const ERROR_CODES = new Set([500, 501, 502, 503, 504, 535, 555]);

/** No hook: accept with the default reply. */
const ACCEPT: SmtpDecision = { kind: 'accept' };

/** The table cell whose handler is waiting for a decision, to check once the decision is applied. */
interface WaitingCell {
  readonly from: SmtpServerState;
  readonly verb: SmtpVerb;
  readonly rule: Run<CommandState>;
}

/** A decision the owner will give through `resolve()`: `apply` takes it, or `ask`'s `accepted`. */
interface PendingDecision {
  readonly stage: SmtpServerStage;
  readonly apply: ((outcome: Outcome) => void) | null;
  readonly accepted: ((reply: SmtpReply | null) => void) | null;
  /** The cell of the command that asked; null for the greeting and the continuations. */
  cell: WaitingCell | null;
}

export class SmtpSession implements SmtpContext {
  readonly hooks: SmtpServerHooks;
  state: SmtpState = GREETING_PENDING;
  tls: boolean;
  /** Replies not yet taken, as wire text (reply.ts formatReplyText); server.ts encodes them together when taken. */
  output: string[] = [];
  events: SmtpServerEvent[] = [];
  readonly input = new InputBuffer();
  eofReceived = false;
  pending: PendingDecision | null = null;
  /** A reply delayed after too many errors: nothing more is read until the machine releases it. */
  readonly hold = new OutputHold();
  /** RFC 2034: enhanced codes are printed once ENHANCEDSTATUSCODES was advertised (after EHLO). */
  private enhancedActive = false;
  private errors = 0;
  /** This session's identity in every view (SmtpSessionView.connection): one empty object per session. */
  readonly connection: object = Object.freeze({});

  constructor(
    readonly options: SmtpServerOptions,
    readonly limits: SmtpServerLimits,
    readonly extensions: SmtpServerExtensions,
  ) {
    this.hooks = options.hooks ?? {};
    this.tls = options.implicitTls ?? false;
  }

  get closed(): boolean {
    return this.state.kind === 'closed';
  }

  // ── What server.ts drives ──────────────────────────────────────────────────────────────────────

  /** Asks onConnect, then greets (or refuses, RFC 5321 §3.1). */
  greet(): void {
    this.decide('connect', this.hooks.onConnect?.(this.view()), (outcome) => this.applyGreeting(outcome));
  }

  receive(bytes: Uint8Array): void {
    const state = this.state;
    if (state.kind === 'tls-handshake') {
      // RFC 3207 §4.2 / CVE-2011-0411: nothing sent before the handshake may be taken as a command.
      state.discardedBytes += bytes.length;
      return;
    }
    const input = this.input;
    input.append(bytes);
    try {
      if (this.pending === null && !this.hold.holding) {
        this.pump();
      } else if (input.size > this.limits.pendingInputBytesMax) {
        this.pending = null;
        this.send(smtpReply(421, '4.7.0', `${this.options.hostname} Too much pipelined input, closing connection`));
        this.close('input-overflow');
      }
    } finally {
      // The caller may reuse its array once receive() returns, even if an owner's hook threw.
      input.settle();
    }
  }

  receiveEof(): void {
    this.eofReceived = true;
    // Finish what is pending first: a client may half-close right after "." and still read the 250.
    if (this.pending === null && !this.hold.holding) this.close('eof');
  }

  /** The held reply went out: read on (called by the machine when its clock reached the release). */
  resume(): void {
    this.pump();
  }

  /** The idle deadline passed (RFC 5321 §4.5.3.2.7). */
  timeout(): void {
    this.send(smtpReply(421, '4.4.2', `${this.options.hostname} Error: timeout exceeded`));
    this.close('timeout');
  }

  /** RFC 3207 §4.2: after the handshake the session starts over; the client must EHLO again. */
  tlsEstablished(state: TlsHandshake): void {
    this.reportDiscardedBytes(state);
    this.tls = true;
    this.enhancedActive = false;
    this.state = AWAITING_HELO;
    this.pump();
  }

  /** Applies the owner's decision for the pending stage, checks the move against its cell, reads on. */
  resolve(outcome: Outcome): void {
    const pending = this.pending!;
    this.pending = null;
    if (pending.apply !== null) pending.apply(outcome);
    else this.applyAsked(pending.stage, outcome, pending.accepted!);
    const cell = pending.cell;
    if (cell !== null) this.checkMove(cell.from, cell.verb, cell.rule);
    this.pump();
  }

  // ── SmtpContext ────────────────────────────────────────────────────────────────────────────────

  enter(next: SmtpState): void {
    this.state = next;
  }

  send(reply: SmtpReply, enhancedAllowed = true): void {
    // Postfix smtpd_chat_reply: once the error count reached the soft limit, every reply waits.
    // The events are held with it: the owner must not act on a `starttls` before the 220 is out.
    if (this.errors >= this.limits.softErrorsMax) this.hold.request(this.output.length, this.limits.errorDelayMs, this.events.length);
    const text = formatReplyText(reply, enhancedAllowed && this.enhancedActive);
    // A one-element literal, not a push onto the empty array: a push allocates room for 17.
    if (this.output.length === 0) this.output = [text];
    else this.output.push(text);
    if (this.options.transcript) this.events.push({ type: 'reply', reply });
  }

  /** A reply to the client's mistake, counted as an error when its code says so. */
  refuse(reply: SmtpReply): void {
    this.send(reply);
    if (ERROR_CODES.has(reply.code)) this.countError();
  }

  /** One more error; at `badCommandsMax` the session ends (Postfix `smtpd_hard_error_limit`: 421 4.7.0). */
  private countError(): void {
    this.errors++;
    if (this.errors >= this.limits.badCommandsMax) {
      this.events.push({ type: 'protocol-error', detail: `${this.errors} errors` });
      this.send(smtpReply(421, '4.7.0', `${this.options.hostname} Too many errors, closing connection`));
      this.close('too-many-errors');
    }
  }

  event(event: SmtpServerEvent): void {
    this.events.push(event);
  }

  useEnhancedCodes(on: boolean): void {
    this.enhancedActive = on;
  }

  beginTls(): void {
    // RFC 3207 §4.2 (CVE-2011-0411): commands pipelined behind STARTTLS are discarded, never run. They
    // are counted with whatever else arrives before the handshake and reported once (when it completes
    // or the session ends), so the events do not depend on how the bytes were chunked.
    const discardedBytes = this.input.discardAll();
    this.state = { kind: 'tls-handshake', discardedBytes };
    this.events.push({ type: 'starttls' });
  }

  view(): SmtpSessionView {
    const ready = readyOf(this.state);
    const envelope = envelopeOf(this.state);
    return {
      connection: this.connection,
      clientAddress: this.options.clientAddress,
      heloName: ready === null ? null : ready.heloName,
      extended: ready?.extended ?? false,
      authenticatedUser: ready === null ? null : ready.user,
      tls: this.tls,
      transaction: envelope === null ? null : copyEnvelope(envelope),
    };
  }

  ask(stage: SmtpServerStage, result: SmtpHookResult | undefined, accepted: (reply: SmtpReply | null) => void): void {
    if (result === PENDING) {
      this.pending = { stage, apply: null, accepted, cell: null };
      return;
    }
    this.applyAsked(stage, validateDecision(stage, result ?? ACCEPT), accepted);
  }

  decide(stage: SmtpServerStage, result: SmtpHookResult | undefined, apply: (outcome: Outcome) => void): void {
    if (result === PENDING) {
      this.pending = { stage, apply, accepted: null, cell: null };
      return;
    }
    apply(validateDecision(stage, result ?? ACCEPT));
  }

  drop(stage: SmtpServerStage): void {
    this.events.push({ type: 'drop', stage });
    this.close('drop');
  }

  close(reason: SmtpServerCloseReason): void {
    const state = this.state;
    if (state.kind === 'closed') return;
    if (state.kind === 'tls-handshake') this.reportDiscardedBytes(state);
    this.state = CLOSED;
    this.pending = null;
    this.input.clear();
    this.events.push({ type: 'closed', reason });
  }

  // ── Decisions ──────────────────────────────────────────────────────────────────────────────────

  private applyAsked(stage: SmtpServerStage, outcome: Outcome, accepted: (reply: SmtpReply | null) => void): void {
    if (outcome.kind === 'drop') this.drop(stage);
    // The owner refused: written as given and not counted (the client did nothing wrong) — except a
    // refused AUTH, which is a failed login whatever its code (Postfix counts every failed AUTH).
    else if (outcome.kind === 'failure') {
      this.send(outcome.reply);
      if (stage === 'auth') this.countError();
      // RFC 5321 §3.8: 421 says the server is closing the channel (a rate limit, a shutdown).
      if (outcome.reply.code === 421) this.close('service-closing');
    }
    else accepted(outcome.reply);
  }

  private applyGreeting(outcome: Outcome): void {
    if (outcome.kind === 'drop') {
      this.drop('connect');
      return;
    }
    if (outcome.kind === 'success') {
      this.send(outcome.reply ?? GREETING.reply(this.options.hostname), false);
      this.state = AWAITING_HELO;
      return;
    }
    this.send(outcome.reply, false);
    // RFC 5321 §3.1: after 554 the server waits for QUIT, answering 503 to anything else; after 421
    // (or any 4xx) it closes.
    if (replyClass(outcome.reply) === 5) this.state = GREETING_REFUSED;
    else this.close('greeting-refused');
  }

  /** One protocol-error event for every byte discarded between STARTTLS and the handshake's end. */
  private reportDiscardedBytes(state: TlsHandshake): void {
    if (state.discardedBytes === 0) return;
    this.events.push({ type: 'protocol-error', detail: `discarded ${state.discardedBytes} bytes sent after STARTTLS, before the TLS handshake completed` });
    state.discardedBytes = 0;
  }

  // ── Input ──────────────────────────────────────────────────────────────────────────────────────

  /** Processes buffered input until it runs out, a decision is pending, or the session closes. */
  private pump(): void {
    const input = this.input;
    while (this.pending === null && !this.hold.holding) {
      const state = this.state;
      // A chunk with nothing left to read (BDAT 0, or its last byte arrived) finishes without input.
      if (state.kind === 'reading-chunk' && state.remainingBytes === 0) finishChunk(this, state);
      else if (input.size === 0 || !this.step(state)) break;
    }
    input.settle();
    if (this.eofReceived && this.pending === null && !this.hold.holding && !this.closed) this.close('eof');
  }

  /** Takes from the input what the state reads; false when it cannot go on now. */
  private step(state: SmtpState): boolean {
    const input = this.input;
    switch (state.kind) {
      case 'reading-data': {
        const reader = state.reader;
        input.start += reader.consume(input.bytes, input.start);
        if (reader.done) finishData(this, state, reader.outcome());
        return true;
      }
      case 'reading-chunk':
        input.start += readChunk(state, input.bytes, input.start);
        return true;
      case 'auth-exchange':
        return this.takeSaslLine(state);
      case 'greeting-pending': // waits for start's decision
      case 'tls-handshake': // STARTTLS emptied the input; what comes now is counted in receive()
      case 'closed':
        return false;
      default:
        return this.takeCommandLine(state);
    }
  }

  private takeCommandLine(state: CommandState): boolean {
    const line = this.input.nextLine(this.limits.commandLineBytesMax);
    if (line === null) return false;
    if (line === LINE_TOO_LONG) {
      this.events.push({ type: 'protocol-error', detail: 'line too long' });
      this.refuse(smtpReply(500, '5.5.6', 'Line too long'));
    } else {
      this.command(state, line);
    }
    return true;
  }

  private takeSaslLine(state: AuthExchange): boolean {
    const line = this.input.nextLine(this.limits.authLineBytesMax);
    if (line === null) return false;
    if (line === LINE_TOO_LONG) {
      this.events.push({ type: 'protocol-error', detail: 'line too long' });
      saslLineTooLong(this, state);
    } else {
      saslResponse(this, state, line);
    }
    return true;
  }

  // ── Dispatch ───────────────────────────────────────────────────────────────────────────────────

  /** The table decides whether the verb runs in this state; a refusal changes nothing. */
  private command(state: CommandState, line: string): void {
    const { verb, argument } = splitCommand(line);
    if (this.options.transcript) this.events.push({ type: 'command', line: verb === 'AUTH' ? redactAuth(line) : line });
    if (!isSmtpVerb(verb)) {
      this.refuse(UNKNOWN_VERB[state.kind]);
      return;
    }
    // The row's cell takes this row's state (TypeScript cannot correlate the two).
    const rule = COMMANDS[state.kind][verb] as Rule<CommandState>;
    if ('refuse' in rule) {
      this.refuse(rule.refuse);
      return;
    }
    rule.run(this, state, argument);
    // A decision left PENDING moves the session later: its cell is checked when it is applied.
    const pending = this.pending;
    if (pending === null) this.checkMove(state.kind, verb, rule);
    else pending.cell = { from: state.kind, verb, rule };
  }

  private checkMove(from: SmtpServerState, verb: SmtpVerb, rule: Run<CommandState>): void {
    const to = this.state.kind;
    if (to !== from && to !== 'closed' && !rule.to.includes(to)) throw new Error(`SMTP ${verb} moved the session ${from} → ${to}, which its table cell does not allow`);
  }
}

function redactAuth(line: string): string {
  const parts = line.split(' ');
  return parts.length > 2 ? `${parts[0]} ${parts[1]} <initial response>` : line;
}
