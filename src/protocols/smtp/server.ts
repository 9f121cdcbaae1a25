/**
 * The SMTP server machine (RFC 5321), sans-IO (machine.ts): bytes in, replies and events out, time as
 * an argument. States and the command-sequence table are in server-states.ts; command parsing in
 * command.ts; the DATA reader in data-reader.ts; reply formatting in reply.ts; limits in limits.ts.
 *
 * Input is processed strictly in order, one command at a time, so pipelined commands (RFC 2920) get
 * their replies in order whatever the chunking. When a policy hook answers PENDING the machine stops
 * reading (later bytes are buffered, bounded by `pendingInputBytesMax`) until `resolve()`.
 *
 * Usage:
 *   const server = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '10.0.0.1', hooks });
 *   server.start(nowMs);                       // greeting (onConnect)
 *   server.receive(bytes, nowMs);              // then send server.takeOutput(), read server.takeEvents()
 *   server.resolve({ kind: 'accept' }, nowMs); // after a hook returned PENDING
 *   server.tlsEstablished(nowMs);              // after the `starttls` event and the handshake
 */
import { bytesLatin1Range, NOTHING, type SansIoMachine, type TlsCapable } from '../machine.js';
import { parseBdat, parseMail, parseRcpt, splitCommand } from './command.js';
import { ehloKeywords } from './extensions/index.js';
import type { ParameterContext } from './parameters.js';
import { BoundedBytes, type DataOutcome, DataReader } from './data-reader.js';
import { resolveLimits } from './limits.js';
import { formatReply, normalizeOwnerReply, replyClass, smtpReply } from './reply.js';
import { decodeBase64Strict, LOGIN_PASSWORD_PROMPT, LOGIN_USERNAME_PROMPT, parseLoginField, parsePlainMessage } from './sasl.js';
import {
  PENDING,
  type SmtpAuthCredentials,
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
import { isCommandState, isSmtpVerb, SEQUENCE, SmtpServerState } from './server-states.js';
import type { Envelope, EnvelopeRecipient, SmtpReply } from './types.js';

/** The empty input buffer, shared: a zero-length array cannot be written to. */
const NO_BYTES = new Uint8Array(0);

export * from './server-api.js';
export { SMTP_SERVER_LIMITS_DEFAULT } from './limits.js';
export { SmtpServerState } from './server-states.js';

const EXTENSIONS_DEFAULT: SmtpServerExtensions = {
  pipelining: true,
  size: true,
  eightBitMime: true,
  smtpUtf8: true,
  enhancedStatusCodes: true,
  dsn: true,
  startTls: true,
  auth: ['PLAIN', 'LOGIN'],
  chunking: true,
  requireTls: false,
};

/**
 * Limits and extensions resolved from an owner's overrides, per overrides object: an owner that
 * passes the same object to every session (one per port) has them resolved and checked once.
 */
const resolvedLimits = new WeakMap<object, SmtpServerLimits>();
const resolvedExtensions = new WeakMap<object, SmtpServerExtensions>();

function resolvedOnce<In extends object, Out>(cache: WeakMap<object, Out>, input: In | undefined, resolve: (input: In | undefined) => Out): Out {
  if (input === undefined) return resolve(input);
  let resolved = cache.get(input);
  if (resolved === undefined) {
    resolved = resolve(input);
    cache.set(input, resolved);
  }
  return resolved;
}

/** Reply codes that count as the client's mistakes toward `badCommandsMax`. */
const BAD_COMMAND_CODES = new Set([500, 501, 502, 503, 504, 555]);

/** A hook decision after validation. */
type Outcome = { kind: 'success'; reply: SmtpReply | null } | { kind: 'failure'; reply: SmtpReply } | { kind: 'drop' };

interface PendingDecision {
  stage: SmtpServerStage;
  apply: (outcome: Outcome) => void;
}

/** A SASL exchange in progress (RFC 4954 §4). */
type SaslStep = { mechanism: 'PLAIN' } | { mechanism: 'LOGIN'; user: string | null };

/** A BDAT chunk being read: kept for the message, or read and thrown away before a refusal. */
type ChunkTarget = { keep: true; last: boolean } | { keep: false; reply: SmtpReply; next: SmtpServerState };

export class SmtpServer implements SansIoMachine<SmtpServerEvent>, TlsCapable {
  readonly limits: SmtpServerLimits;
  private readonly extensions: SmtpServerExtensions;
  private readonly hooks: SmtpServerHooks;

  private stateValue: SmtpServerState = SmtpServerState.GreetingPending;
  private started = false;
  private busy = false;
  private output: Uint8Array[] = [];
  private events: SmtpServerEvent[] = [];

  // Input not yet processed: `inbox[inboxStart..]`.
  private inbox = NO_BYTES;
  private inboxStart = 0;
  /** A command line grew past its limit: bytes are dropped until the next LF, then 500 5.5.6. */
  private discardingLongLine = false;
  private eofReceived = false;
  private lastActivityMs = 0;
  /** Plaintext that arrived between STARTTLS's 220 and the handshake's end: counted, never read. */
  private bytesBeforeHandshake = 0;
  private pending: PendingDecision | null = null;

  // Session.
  private tls: boolean;
  private heloName: string | null = null;
  private extended = false;
  /** RFC 2034: enhanced codes are printed once ENHANCEDSTATUSCODES was advertised (after EHLO). */
  private enhancedActive = false;
  private authenticatedUser: string | null = null;
  private badCommands = 0;

  // Transaction.
  private transaction: Envelope | null = null;
  private recipientAttempts = 0;
  private dataReader: DataReader | null = null;
  private chunkBody: BoundedBytes | null = null;
  private chunkRemainingBytes = 0;
  private chunkTarget: ChunkTarget | null = null;
  private sasl: SaslStep | null = null;

  constructor(readonly options: SmtpServerOptions) {
    this.limits = resolvedOnce(resolvedLimits, options.limits, resolveLimits);
    this.extensions = resolvedOnce(resolvedExtensions, options.extensions, (extensions) => ({ ...EXTENSIONS_DEFAULT, ...extensions }));
    this.hooks = options.hooks ?? {};
    this.tls = options.implicitTls ?? false;
  }

  get state(): SmtpServerState {
    return this.stateValue;
  }

  get closed(): boolean {
    return this.stateValue === SmtpServerState.Closed;
  }

  /** True while a hook's PENDING decision is awaited. */
  get awaitingDecision(): SmtpServerStage | null {
    return this.pending?.stage ?? null;
  }

  /** Sends the greeting (after onConnect). Call once, before any `receive`. */
  start(nowMs: number): void {
    if (this.started) throw new Error('SmtpServer.start called twice');
    this.started = true;
    this.lastActivityMs = nowMs;
    this.guarded(() => this.decide('connect', this.hooks.onConnect?.(this.view()), (outcome) => this.applyGreeting(outcome)));
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    this.assertUsable('receive');
    if (this.closed || this.eofReceived || bytes.length === 0) return;
    this.lastActivityMs = nowMs;
    if (this.stateValue === SmtpServerState.TlsHandshake) {
      // RFC 3207 §4.2 / CVE-2011-0411: nothing sent before the handshake may be taken as a command.
      this.bytesBeforeHandshake += bytes.length;
      return;
    }
    this.append(bytes);
    if (this.pending !== null) {
      if (this.inbox.length - this.inboxStart > this.limits.pendingInputBytesMax) {
        this.pending = null;
        this.send(smtpReply(421, '4.7.0', `${this.options.hostname} Too much pipelined input, closing connection`));
        this.close('input-overflow');
      }
      return;
    }
    this.guarded(() => this.pump());
  }

  receiveEof(_nowMs: number): void {
    this.assertUsable('receiveEof');
    if (this.closed) return;
    this.eofReceived = true;
    // Finish what is pending first: a client may half-close right after "." and still read the 250.
    if (this.pending === null) this.close('eof');
  }

  takeOutput(): readonly Uint8Array[] {
    const out = this.output;
    if (out.length === 0) return NOTHING;
    this.output = [];
    return out;
  }

  takeEvents(): readonly SmtpServerEvent[] {
    const out = this.events;
    if (out.length === 0) return NOTHING;
    this.events = [];
    return out;
  }

  /** The idle deadline (RFC 5321 §4.5.3.2.7); none while the owner owes a decision. */
  nextTimeoutMs(): number | null {
    if (!this.started || this.closed || this.pending !== null) return null;
    return this.lastActivityMs + this.limits.idleTimeoutMs;
  }

  onTimeout(nowMs: number): void {
    const deadline = this.nextTimeoutMs();
    if (deadline === null || nowMs < deadline) return;
    this.send(smtpReply(421, '4.4.2', `${this.options.hostname} Error: timeout exceeded`));
    this.close('timeout');
  }

  /** RFC 3207 §4.2: after the handshake the session starts over; the client must EHLO again. */
  tlsEstablished(nowMs: number): void {
    if (this.stateValue !== SmtpServerState.TlsHandshake) throw new Error(`tlsEstablished called in state ${this.stateValue}`);
    this.lastActivityMs = nowMs;
    this.reportBytesBeforeHandshake();
    this.tls = true;
    this.heloName = null;
    this.extended = false;
    this.enhancedActive = false;
    this.authenticatedUser = null;
    this.clearTransaction();
    this.stateValue = SmtpServerState.AwaitingHelo;
    this.guarded(() => this.pump());
  }

  /** The owner's answer to a hook that returned PENDING. Ignored once the machine has closed. */
  resolve(decision: SmtpDecision, nowMs: number): void {
    this.assertUsable('resolve');
    if (this.closed) return;
    const pending = this.pending;
    if (pending === null) throw new Error('SmtpServer.resolve called with no decision pending');
    const outcome = validateDecision(pending.stage, decision);
    this.pending = null;
    this.lastActivityMs = nowMs;
    this.guarded(() => {
      pending.apply(outcome);
      this.pump();
    });
  }

  // ── Input ────────────────────────────────────────────────────────────────────────────────────────

  private assertUsable(what: string): void {
    if (!this.started) throw new Error(`SmtpServer.${what} before start()`);
    if (this.busy) throw new Error(`SmtpServer.${what} called re-entrantly from a hook`);
  }

  private guarded(work: () => void): void {
    this.busy = true;
    try {
      work();
    } finally {
      this.busy = false;
    }
  }

  private append(bytes: Uint8Array): void {
    const remaining = this.inbox.length - this.inboxStart;
    if (remaining === 0) {
      this.inbox = new Uint8Array(bytes); // a copy, even of a Buffer (whose slice is a view)
    } else {
      const merged = new Uint8Array(remaining + bytes.length);
      merged.set(this.inbox.subarray(this.inboxStart));
      merged.set(bytes, remaining);
      this.inbox = merged;
    }
    this.inboxStart = 0;
  }

  /** Processes buffered input until it runs out, a decision is pending, or the machine closes. */
  private pump(): void {
    while (!this.closed && this.pending === null) {
      const state = this.stateValue;
      // A chunk with nothing left to read (BDAT 0, or its last byte arrived) finishes without input.
      if (state === SmtpServerState.ReadingChunk && this.chunkRemainingBytes === 0) {
        this.finishChunk();
        continue;
      }
      if (this.inboxStart >= this.inbox.length) break;
      if (state === SmtpServerState.ReadingData) {
        const reader = this.dataReader!;
        this.inboxStart += reader.consume(this.inbox, this.inboxStart);
        if (reader.done) this.finishData(reader.outcome());
      } else if (state === SmtpServerState.ReadingChunk) {
        this.readChunk();
      } else if (state === SmtpServerState.TlsHandshake || state === SmtpServerState.GreetingPending) {
        break; // TlsHandshake: the inbox was emptied by STARTTLS; GreetingPending: waits for start's decision.
      } else if (!this.takeLine()) {
        break;
      }
    }
    if (this.inboxStart >= this.inbox.length) {
      this.inbox = NO_BYTES;
      this.inboxStart = 0;
    }
    if (this.eofReceived && this.pending === null && !this.closed) this.close('eof');
  }

  /** Takes one line from the inbox and handles it; false when no complete line is there yet. */
  private takeLine(): boolean {
    const lineBytesMax = this.stateValue === SmtpServerState.AuthExchange ? this.limits.authLineBytesMax : this.limits.commandLineBytesMax;
    const lf = this.inbox.indexOf(0x0a, this.inboxStart);
    if (lf < 0) {
      if (this.inbox.length - this.inboxStart > lineBytesMax) {
        this.discardingLongLine = true;
        this.inboxStart = this.inbox.length;
      }
      return false;
    }
    const start = this.inboxStart;
    this.inboxStart = lf + 1;
    // RFC 5321 §4.5.3.1.4: the limit counts the CRLF. A line ended by a bare LF is taken as if it
    // ended in CRLF (Postfix `smtpd_forbid_bare_newline = normalize`); commands cannot smuggle data.
    const endsInCr = lf > start && this.inbox[lf - 1] === 0x0d;
    const lineBytes = lf - start + (endsInCr ? 1 : 2);
    if (this.discardingLongLine || lineBytes > lineBytesMax) {
      this.discardingLongLine = false;
      this.lineTooLong();
      return true;
    }
    const line = bytesLatin1Range(this.inbox, start, endsInCr ? lf - 1 : lf);
    if (this.stateValue === SmtpServerState.AuthExchange) this.saslResponse(line);
    else this.command(line);
    return true;
  }

  private lineTooLong(): void {
    this.events.push({ type: 'protocol-error', detail: 'line too long' });
    if (this.stateValue === SmtpServerState.AuthExchange) {
      this.sasl = null;
      this.stateValue = SmtpServerState.Ready;
      this.errorReply(smtpReply(500, '5.5.6', 'Authentication Exchange line is too long'));
      return;
    }
    this.errorReply(smtpReply(500, '5.5.6', 'Line too long'));
  }

  // ── Output ───────────────────────────────────────────────────────────────────────────────────────

  private send(reply: SmtpReply, enhancedAllowed = true): void {
    this.output.push(formatReply(reply, enhancedAllowed && this.enhancedActive));
    if (this.options.transcript) this.events.push({ type: 'reply', reply });
  }

  /** A reply to the client's mistake; too many of them end the session (Postfix soft error limit). */
  private errorReply(reply: SmtpReply): void {
    this.send(reply);
    if (!BAD_COMMAND_CODES.has(reply.code)) return;
    this.badCommands++;
    if (this.badCommands >= this.limits.badCommandsMax) {
      this.events.push({ type: 'protocol-error', detail: `${this.badCommands} bad commands` });
      this.send(smtpReply(421, '4.7.0', `${this.options.hostname} Too many errors, closing connection`));
      this.close('too-many-errors');
    }
  }

  /** One protocol-error event for every byte discarded between STARTTLS and the handshake's end. */
  private reportBytesBeforeHandshake(): void {
    if (this.bytesBeforeHandshake === 0) return;
    this.events.push({ type: 'protocol-error', detail: `discarded ${this.bytesBeforeHandshake} bytes sent after STARTTLS, before the TLS handshake completed` });
    this.bytesBeforeHandshake = 0;
  }

  private close(reason: SmtpServerCloseReason): void {
    if (this.closed) return;
    this.reportBytesBeforeHandshake();
    this.stateValue = SmtpServerState.Closed;
    this.pending = null;
    this.dataReader = null;
    this.chunkBody = null;
    this.inbox = NO_BYTES;
    this.inboxStart = 0;
    this.events.push({ type: 'closed', reason });
  }

  private drop(stage: SmtpServerStage): void {
    this.events.push({ type: 'drop', stage });
    this.close('drop');
  }

  // ── Hooks ────────────────────────────────────────────────────────────────────────────────────────

  private view(): SmtpSessionView {
    return {
      clientAddress: this.options.clientAddress,
      heloName: this.heloName,
      extended: this.extended,
      authenticatedUser: this.authenticatedUser,
      tls: this.tls,
      transaction: this.transaction === null ? null : copyEnvelope(this.transaction),
    };
  }

  /** Applies a hook's result now, or parks `apply` until `resolve()`. No hook means accept. */
  private decide(stage: SmtpServerStage, result: SmtpHookResult | undefined, apply: (outcome: Outcome) => void): void {
    if (result === PENDING) {
      this.pending = { stage, apply };
      return;
    }
    apply(validateDecision(stage, result ?? { kind: 'accept' }));
  }

  // ── Greeting ─────────────────────────────────────────────────────────────────────────────────────

  private applyGreeting(outcome: Outcome): void {
    if (outcome.kind === 'drop') {
      this.drop('connect');
      return;
    }
    if (outcome.kind === 'success') {
      this.send(outcome.reply ?? smtpReply(220, null, `${this.options.hostname} ESMTP mailsim`), false);
      this.stateValue = SmtpServerState.AwaitingHelo;
      return;
    }
    this.send(outcome.reply, false);
    // RFC 5321 §3.1: after 554 the server waits for QUIT, answering 503 to anything else; after 421
    // (or any 4xx) it closes.
    if (replyClass(outcome.reply) === 5) this.stateValue = SmtpServerState.GreetingRefused;
    else this.close('greeting-refused');
  }

  // ── Commands ─────────────────────────────────────────────────────────────────────────────────────

  private command(line: string): void {
    const { verb, argument } = splitCommand(line);
    if (this.options.transcript) this.events.push({ type: 'command', line: verb === 'AUTH' ? redactAuth(line) : line });
    const state = this.stateValue;
    if (!isCommandState(state)) throw new Error(`command() in state ${state}`);
    if (!isSmtpVerb(verb)) {
      if (state === SmtpServerState.GreetingRefused) {
        this.errorReply(smtpReply(503, '5.5.1', 'Only QUIT is accepted now (RFC 5321 section 3.1)'));
        return;
      }
      this.errorReply(smtpReply(500, '5.5.2', 'Command unrecognized'));
      return;
    }
    const rule = SEQUENCE[state][verb];
    if (rule !== 'run') {
      this.errorReply(rule);
      return;
    }
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        this.helo(argument, verb === 'EHLO');
        return;
      case 'MAIL':
        this.mail(argument);
        return;
      case 'RCPT':
        this.rcpt(argument);
        return;
      case 'DATA':
        this.data(argument);
        return;
      case 'BDAT':
        this.bdat(argument);
        return;
      case 'RSET':
        this.rset(argument);
        return;
      case 'NOOP':
        this.send(smtpReply(250, '2.0.0', 'OK'));
        return;
      case 'QUIT':
        this.quit(argument);
        return;
      case 'VRFY':
        // RFC 5321 §3.5.3: 252 when the server will not verify but will accept.
        if (argument.trim() === '') {
          this.errorReply(smtpReply(501, '5.5.4', 'Syntax: VRFY address'));
          return;
        }
        this.send(smtpReply(252, '2.0.0', 'Cannot VRFY user, but will accept message and attempt delivery'));
        return;
      case 'EXPN':
        // RFC 5321 §3.5.2: EXPN may be disabled; 502.
        this.errorReply(smtpReply(502, '5.5.1', 'EXPN not supported'));
        return;
      case 'HELP':
        this.send(
          smtpReply(214, '2.0.0', 'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH', 'See RFC 5321'),
        );
        return;
      case 'STARTTLS':
        this.startTls(argument);
        return;
      case 'AUTH':
        this.auth(argument);
        return;
    }
  }

  private helo(argument: string, extended: boolean): void {
    const name = argument.trim();
    if (name === '' || /[\x00-\x1f\x7f]/.test(name)) {
      this.errorReply(smtpReply(501, '5.5.4', `Syntax: ${extended ? 'EHLO' : 'HELO'} hostname`));
      return;
    }
    this.decide('ehlo', this.hooks.onHelo?.(this.view(), name, extended), (outcome) => {
      if (outcome.kind === 'drop') return this.drop('ehlo');
      if (outcome.kind === 'failure') return this.send(outcome.reply);
      // RFC 5321 §4.1.4: EHLO/HELO reset the transaction, like RSET.
      this.clearTransaction();
      this.heloName = name;
      this.extended = extended;
      this.enhancedActive = extended && this.extensions.enhancedStatusCodes;
      this.stateValue = SmtpServerState.Ready;
      this.events.push({ type: 'helo', name, extended });
      const first = outcome.reply?.lines[0] ?? `${this.options.hostname} greets ${name}`;
      // RFC 2034 §3: no enhanced code on the HELO/EHLO answer (its lines are keywords).
      this.send(smtpReply(250, null, first, ...(extended ? this.ehloKeywords() : [])), false);
    });
  }

  /** EHLO keywords for what is implemented and enabled now (RFC 5321 §4.1.1.1), from extensions/. */
  private ehloKeywords(): string[] {
    return ehloKeywords({ extensions: this.extensions, tls: this.tls, messageBytesMax: this.limits.messageBytesMax, authOffered: this.authOffered() });
  }

  private authOffered(): boolean {
    return this.extensions.auth.length > 0 && (this.tls || !this.options.authRequiresTls);
  }

  private parameterContext(): ParameterContext {
    return { extended: this.extended, extensions: this.extensions, tls: this.tls };
  }

  private mail(argument: string): void {
    // RFC 6409 §4.3 / RFC 4954 §6, docs/delivery.md §8: submission needs AUTH first.
    if (this.options.requireAuth && this.authenticatedUser === null) {
      this.send(smtpReply(530, '5.7.0', 'Authentication required'));
      return;
    }
    const parsed = parseMail(argument, this.limits, this.parameterContext());
    if (!parsed.ok) {
      this.errorReply(parsed.reply);
      return;
    }
    // RFC 1870 §6.1: a declared size over the limit is refused at MAIL.
    if (parsed.declaredSize !== null && parsed.declaredSize > this.limits.messageBytesMax) {
      this.send(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
      return;
    }
    const request = { from: parsed.from, body: parsed.body, smtpUtf8: parsed.smtpUtf8, declaredSize: parsed.declaredSize, dsn: parsed.dsn, auth: parsed.auth, requireTls: parsed.requireTls };
    this.decide('mail', this.hooks.onMail?.(this.view(), request), (outcome) => {
      if (outcome.kind === 'drop') return this.drop('mail');
      if (outcome.kind === 'failure') return this.send(outcome.reply);
      this.transaction = { from: parsed.from, recipients: [], body: parsed.body, smtpUtf8: parsed.smtpUtf8, declaredSize: parsed.declaredSize, dsn: parsed.dsn, requireTls: parsed.requireTls };
      this.recipientAttempts = 0;
      this.stateValue = SmtpServerState.MailGiven;
      this.send(outcome.reply ?? smtpReply(250, '2.1.0', `Sender <${parsed.from}> OK`));
    });
  }

  private rcpt(argument: string): void {
    const transaction = this.transaction!;
    const parsed = parseRcpt(argument, this.limits, { ...this.parameterContext(), transactionUtf8: transaction.smtpUtf8 });
    if (!parsed.ok) {
      this.errorReply(parsed.reply);
      return;
    }
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest later (docs/delivery.md R4).
    if (transaction.recipients.length >= this.limits.recipientsMax) {
      this.send(smtpReply(452, '4.5.3', 'Too many recipients'));
      return;
    }
    this.recipientAttempts++;
    const recipient: EnvelopeRecipient = { address: parsed.to, dsn: parsed.dsn };
    this.decide('rcpt', this.hooks.onRcpt?.(this.view(), { address: recipient.address, dsn: { ...recipient.dsn } }), (outcome) => {
      if (outcome.kind === 'drop') return this.drop('rcpt');
      if (outcome.kind === 'failure') return this.send(outcome.reply);
      transaction.recipients.push(recipient);
      this.stateValue = SmtpServerState.HasRecipients;
      this.send(outcome.reply ?? smtpReply(250, '2.1.5', `Recipient <${parsed.to}> OK`));
    });
  }

  /** The refusal for DATA/BDAT without an accepted recipient, or null if there is one. */
  private noRecipientsReply(): SmtpReply | null {
    if (this.stateValue === SmtpServerState.HasRecipients) return null;
    // RFC 5321 §3.3 and RFC 2920 §3.1: 554 when RCPTs were given but all refused; 503 when none was.
    if (this.stateValue === SmtpServerState.MailGiven && this.recipientAttempts > 0) return smtpReply(554, '5.5.1', 'No valid recipients');
    return smtpReply(503, '5.5.1', this.stateValue === SmtpServerState.MailGiven ? 'Need RCPT command' : 'Need MAIL command');
  }

  private data(argument: string): void {
    if (argument !== '') {
      this.errorReply(smtpReply(501, '5.5.4', 'Syntax: DATA'));
      return;
    }
    const refusal = this.noRecipientsReply();
    if (refusal !== null) {
      this.errorReply(refusal);
      return;
    }
    this.decide('data', this.hooks.onData?.(this.view()), (outcome) => {
      if (outcome.kind === 'drop') return this.drop('data');
      if (outcome.kind === 'failure') return this.send(outcome.reply);
      this.dataReader = new DataReader(this.limits.messageBytesMax, this.limits.textLineBytesMax, this.options.bareLineFeed ?? 'normalize', this.transaction!.declaredSize);
      this.stateValue = SmtpServerState.ReadingData;
      // RFC 5321 §4.3.2: 354; 3xx replies carry no enhanced code (RFC 3463 has classes 2, 4, 5).
      this.send(outcome.reply ?? smtpReply(354, null, 'End data with <CR><LF>.<CR><LF>'));
    });
  }

  private finishData(outcome: DataOutcome): void {
    this.dataReader = null;
    this.finishMessage(outcome);
  }

  /** After the final dot or BDAT LAST: refuse what the limits refuse, else ask onMessage (R1). */
  private finishMessage(outcome: Pick<DataOutcome, 'message' | 'oversize' | 'lineTooLong' | 'bareLineFeed'>): void {
    const envelope = this.transaction!;
    // RFC 5321 §4.1.1.4: the transaction ends with the end of data, whatever the reply.
    this.clearTransaction();
    this.stateValue = SmtpServerState.Ready;
    if (outcome.oversize) {
      this.send(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
      return;
    }
    if (outcome.lineTooLong) {
      this.send(smtpReply(500, '5.5.6', 'Message line too long (RFC 5321 section 4.5.3.1.6)'));
      return;
    }
    if (outcome.bareLineFeed) {
      this.events.push({ type: 'protocol-error', detail: 'bare LF in message data' });
      this.send(smtpReply(550, '5.5.2', 'Bare <LF> received; message refused (use CRLF line ends)'));
      return;
    }
    const view = { ...this.view(), transaction: copyEnvelope(envelope) };
    this.decide('dot', this.hooks.onMessage?.(view, copyEnvelope(envelope), outcome.message), (decision) => {
      if (decision.kind === 'failure') return this.send(decision.reply);
      // A drop after the dot is an accepted message whose 250 is lost (RFC 1047, docs/delivery.md E3).
      this.events.push({ type: 'message', envelope, message: outcome.message });
      if (decision.kind === 'drop') return this.drop('dot');
      this.send(decision.reply ?? smtpReply(250, '2.0.0', 'OK: message accepted'));
    });
  }

  private bdat(argument: string): void {
    if (!this.extensions.chunking) {
      this.errorReply(smtpReply(502, '5.5.1', 'BDAT not supported'));
      return;
    }
    const parsed = parseBdat(argument);
    if (!parsed.ok) {
      this.errorReply(parsed.reply);
      return;
    }
    this.chunkRemainingBytes = parsed.size;
    // RFC 3030 §2: a refused BDAT's chunk is still read, so the stream stays in step.
    const discard = (reply: SmtpReply, next: SmtpServerState = this.stateValue) => {
      this.chunkTarget = { keep: false, reply, next };
      this.stateValue = SmtpServerState.ReadingChunk;
    };
    if (!this.extended) {
      discard(smtpReply(503, '5.5.1', 'Send EHLO first'));
      return;
    }
    if (this.stateValue === SmtpServerState.Chunking) {
      this.chunkTarget = { keep: true, last: parsed.last };
      this.stateValue = SmtpServerState.ReadingChunk;
      return;
    }
    const refusal = this.noRecipientsReply();
    if (refusal !== null) {
      discard(refusal);
      return;
    }
    this.decide('data', this.hooks.onData?.(this.view()), (outcome) => {
      if (outcome.kind === 'drop') return this.drop('data');
      if (outcome.kind === 'failure') {
        this.clearTransaction();
        return discard(outcome.reply, SmtpServerState.Ready);
      }
      this.chunkBody = new BoundedBytes(this.limits.messageBytesMax, this.transaction!.declaredSize);
      this.chunkTarget = { keep: true, last: parsed.last };
      this.stateValue = SmtpServerState.ReadingChunk;
    });
  }

  private readChunk(): void {
    const available = this.inbox.length - this.inboxStart;
    const taken = Math.min(available, this.chunkRemainingBytes);
    const target = this.chunkTarget!;
    if (target.keep) this.chunkBody!.pushAll(this.inbox.subarray(this.inboxStart, this.inboxStart + taken));
    this.inboxStart += taken;
    this.chunkRemainingBytes -= taken;
  }

  private finishChunk(): void {
    const target = this.chunkTarget!;
    this.chunkTarget = null;
    if (!target.keep) {
      this.stateValue = target.next;
      this.errorReply(target.reply);
      return;
    }
    const body = this.chunkBody!;
    if (body.overflowed) {
      // RFC 3030 §2 / RFC 1870: refuse as soon as the limit is passed; the transaction is over.
      this.clearTransaction();
      this.stateValue = SmtpServerState.Ready;
      this.send(smtpReply(552, '5.3.4', 'Message size exceeds fixed maximum message size'));
      return;
    }
    if (!target.last) {
      this.stateValue = SmtpServerState.Chunking;
      this.send(smtpReply(250, '2.0.0', `${body.total} octets received`));
      return;
    }
    this.chunkBody = null;
    this.finishMessage({ message: body.bytes(), oversize: false, lineTooLong: false, bareLineFeed: false });
  }

  private rset(argument: string): void {
    if (argument !== '') {
      this.errorReply(smtpReply(501, '5.5.4', 'Syntax: RSET'));
      return;
    }
    this.clearTransaction();
    if (this.heloName !== null) this.stateValue = SmtpServerState.Ready;
    this.events.push({ type: 'reset' });
    this.send(smtpReply(250, '2.0.0', 'OK'));
  }

  private quit(argument: string): void {
    if (argument !== '') {
      this.errorReply(smtpReply(501, '5.5.4', 'Syntax: QUIT'));
      return;
    }
    this.events.push({ type: 'quit' });
    this.send(smtpReply(221, '2.0.0', `${this.options.hostname} closing connection`));
    this.close('quit');
  }

  private startTls(argument: string): void {
    if (!this.extensions.startTls) {
      this.errorReply(smtpReply(502, '5.5.1', 'STARTTLS not supported'));
      return;
    }
    if (this.tls) {
      this.errorReply(smtpReply(503, '5.5.1', 'TLS already active'));
      return;
    }
    if (!this.extended) {
      this.errorReply(smtpReply(503, '5.5.1', 'Send EHLO first'));
      return;
    }
    if (argument !== '') {
      this.errorReply(smtpReply(501, '5.5.4', 'Syntax: STARTTLS'));
      return;
    }
    this.send(smtpReply(220, '2.0.0', 'Ready to start TLS'));
    // RFC 3207 §4.2 (CVE-2011-0411): commands pipelined behind STARTTLS are discarded, never run. They
    // are counted with whatever else arrives before the handshake and reported once (when it completes
    // or the session ends), so the events do not depend on how the bytes were chunked.
    this.bytesBeforeHandshake += this.inbox.length - this.inboxStart;
    this.inboxStart = this.inbox.length;
    this.stateValue = SmtpServerState.TlsHandshake;
    this.events.push({ type: 'starttls' });
  }

  // ── AUTH (RFC 4954) ──────────────────────────────────────────────────────────────────────────────

  private auth(argument: string): void {
    if (this.extensions.auth.length === 0) {
      this.errorReply(smtpReply(502, '5.5.1', 'AUTH not supported'));
      return;
    }
    if (!this.extended) {
      this.errorReply(smtpReply(503, '5.5.1', 'Send EHLO first'));
      return;
    }
    if (this.authenticatedUser !== null) {
      this.errorReply(smtpReply(503, '5.5.1', 'Already authenticated'));
      return;
    }
    // RFC 4954 §6: 538 when the mechanism needs an encrypted channel.
    if (!this.authOffered()) {
      this.send(smtpReply(538, '5.7.11', 'Encryption required for requested authentication mechanism'));
      return;
    }
    const match = /^([A-Za-z0-9_-]+)(?: ([^ ]+))?$/.exec(argument);
    if (!match) {
      this.errorReply(smtpReply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]'));
      return;
    }
    const mechanism = match[1]!.toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') {
      this.errorReply(smtpReply(504, '5.5.4', 'Unrecognized authentication type'));
      return;
    }
    if (!this.extensions.auth.includes(mechanism)) {
      this.errorReply(smtpReply(504, '5.5.4', 'Unrecognized authentication type'));
      return;
    }
    const initial = match[2];
    this.sasl = mechanism === 'PLAIN' ? { mechanism } : { mechanism, user: null };
    this.stateValue = SmtpServerState.AuthExchange;
    // RFC 4954 §4: "=" is an empty initial response.
    if (initial !== undefined) {
      this.saslResponse(initial === '=' ? '' : initial, true);
      return;
    }
    this.challenge(mechanism === 'PLAIN' ? '' : LOGIN_USERNAME_PROMPT);
  }

  private challenge(base64: string): void {
    // A 334 carries the challenge only, never an enhanced code.
    this.send(smtpReply(334, null, base64), false);
  }

  private endSasl(): void {
    this.sasl = null;
    this.stateValue = SmtpServerState.Ready;
  }

  private saslResponse(line: string, initial = false): void {
    if (!initial && this.options.transcript) this.events.push({ type: 'command', line: '<SASL response>' });
    const step = this.sasl!;
    if (line === '*' && !initial) {
      this.endSasl();
      this.errorReply(smtpReply(501, '5.7.0', 'Authentication cancelled'));
      return; // RFC 4954 §4
    }
    const bytes = decodeBase64Strict(line);
    if (bytes === null) {
      this.endSasl();
      this.errorReply(smtpReply(501, '5.5.2', 'Cannot decode base64 response'));
      return; // RFC 4954 §4
    }
    if (step.mechanism === 'PLAIN') {
      // An empty initial response ("=") means "send it after an empty challenge".
      if (initial && bytes.length === 0) {
        this.challenge('');
        return;
      }
      const plain = parsePlainMessage(bytes);
      if (plain === null) {
        this.endSasl();
        this.send(smtpReply(535, '5.7.8', 'Authentication credentials invalid'));
        return;
      }
      this.checkCredentials({ mechanism: 'PLAIN', ...plain });
      return;
    }
    const field = parseLoginField(bytes);
    if (field === null || field === '') {
      this.endSasl();
      this.send(smtpReply(535, '5.7.8', 'Authentication credentials invalid'));
      return;
    }
    if (step.user === null) {
      step.user = field;
      this.challenge(LOGIN_PASSWORD_PROMPT);
      return;
    }
    this.checkCredentials({ mechanism: 'LOGIN', authzid: '', user: step.user, password: field });
  }

  private checkCredentials(credentials: SmtpAuthCredentials): void {
    this.endSasl();
    const hook = this.hooks.onAuth;
    // Without a credentials check nobody can authenticate.
    const result: SmtpHookResult = hook ? hook(this.view(), credentials) : { kind: 'reject', reply: smtpReply(535, '5.7.8', 'Authentication credentials invalid') };
    this.decide('auth', result, (outcome) => {
      if (outcome.kind === 'drop') return this.drop('auth');
      if (outcome.kind === 'failure') return this.send(outcome.reply);
      this.authenticatedUser = credentials.user;
      this.events.push({ type: 'authenticated', user: credentials.user, mechanism: credentials.mechanism });
      this.send(outcome.reply ?? smtpReply(235, '2.7.0', 'Authentication successful'));
    });
  }

  private clearTransaction(): void {
    this.transaction = null;
    this.recipientAttempts = 0;
    this.dataReader = null;
    this.chunkBody = null;
  }
}

/** Checks a decision against the stage; a reply of the wrong class is the owner's bug (throw). */
function validateDecision(stage: SmtpServerStage, decision: SmtpDecision): Outcome {
  if (decision.kind === 'drop') return { kind: 'drop' };
  if (decision.kind === 'reject') {
    const reply = normalizeOwnerReply(decision.reply);
    if (replyClass(reply) < 4) throw new TypeError(`a reject decision needs a 4xx/5xx reply, got ${reply.code}`);
    return { kind: 'failure', reply };
  }
  if (decision.kind !== 'accept') throw new TypeError(`unknown decision ${JSON.stringify(decision)}`);
  if (decision.reply === undefined) return { kind: 'success', reply: null };
  const reply = normalizeOwnerReply(decision.reply);
  const cls = replyClass(reply);
  // An accept carrying 4xx/5xx is the scenario's `reply` fault: the command fails with that reply.
  if (cls >= 4) return { kind: 'failure', reply };
  const successClass = stage === 'data' ? 3 : 2;
  if (cls !== successClass) throw new TypeError(`an accept at stage ${stage} needs a ${successClass}xx reply, got ${reply.code}`);
  return { kind: 'success', reply };
}

function copyEnvelope(envelope: Envelope): Envelope {
  return {
    ...envelope,
    recipients: envelope.recipients.map((r) => ({ address: r.address, dsn: { notify: r.dsn.notify === null ? null : [...r.dsn.notify], orcpt: r.dsn.orcpt } })),
    dsn: { ...envelope.dsn },
  };
}

function redactAuth(line: string): string {
  const parts = line.split(' ');
  return parts.length > 2 ? `${parts[0]} ${parts[1]} <initial response>` : line;
}
