/**
 * SMTP client machine, sans-IO (RFC 5321; docs/architecture.md "Sans-IO protocol machines").
 *
 * Theory of operation. The owner connects, calls `start(nowMs)`, and from then on feeds what arrives
 * (`receive`, `receiveEof`), the time (`onTimeout`) and the end of a TLS handshake (`tlsEstablished`).
 * The machine answers with bytes (`takeOutput`) and events (`takeEvents`).
 *
 * Session: greeting 220 → EHLO (HELO when EHLO gets 500/501/502/504/550, RFC 5321 §3.2) → STARTTLS
 * when asked and offered (RFC 3207; EHLO again after the handshake, §4.2) → AUTH PLAIN or LOGIN when
 * asked (RFC 4954) → `ready`. Then each enqueued message in turn: MAIL, RCPT per recipient, DATA,
 * content, final dot. With PIPELINING (RFC 2920 §3.1) MAIL, the RCPTs and DATA go in one write and
 * the replies are matched in order; without it one command at a time. RSET goes between transactions
 * when the previous one stopped after an accepted MAIL. QUIT when `finish()` was called and the queue
 * is empty.
 *
 * Every command sent pushes what it expects onto `awaiting`; each reply takes the head. The deadline is
 * always that of the head's stage (docs/delivery.md §3), renewed on each reply.
 *
 * Outcomes (docs/delivery.md R2, R4, R5, E3): 5xx to RCPT fails that recipient; 452 to RCPT puts it in a
 * further transaction on the same connection (R4); other 4xx to RCPT defers it; 4xx/5xx to MAIL, DATA
 * or the dot defer/fail every recipient it covers. A timeout, a lost connection or a malformed reply
 * stops the session at once (nothing more is sent) and defers what is open, except recipients whose
 * content and dot were sent and whose dot reply never came: those are 'unknown' (RFC 1047). What a
 * reply means is `replyOutcome` (reply.ts), the reading src/mail/status.ts builds a recipient's
 * DeliveryStatus on, so the client and the status never disagree.
 */
import { NOTHING, type SansIoMachine, type TlsCapable, textBytes } from '../machine.js';
import { noCapabilities, parseCapabilities, type SmtpCapabilities } from './client-capabilities.js';
import { authLoginResponse, authPlainCommand, isSafePath, mailCommand, needsUtf8, rcptCommand } from './client-commands.js';
import {
  SMTP_CLIENT_LINE_OCTETS_DEFAULT,
  SMTP_CLIENT_RECIPIENTS_PER_TRANSACTION_DEFAULT,
  SMTP_CLIENT_TIMEOUTS_DEFAULT,
  SMTP_CLIENT_TRANSACTIONS_PER_MESSAGE_MAX,
  type SmtpClientCloseReason,
  type SmtpClientEvent,
  type SmtpClientOptions,
  type SmtpClientStage,
  type SmtpClientTimeouts,
  type SmtpClientTransaction,
  type SmtpRecipientOutcome,
  type SmtpRecipientResult,
} from './client-types.js';
import { type DataContent, messageHas8BitBytes, prepareDataContent } from './dot-stuffing.js';
import { replyClass, replyOutcome } from './reply.js';
import { SmtpReplyParser } from './reply-parser.js';
import type { SmtpReply } from './types.js';

export * from './client-capabilities.js';
export * from './client-types.js';

/** The machine's phases. `transaction` covers MAIL through the dot; `awaiting` says what exactly. */
export type SmtpClientState =
  | 'not-started'
  | 'greeting'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'tls-handshake'
  | 'auth'
  | 'ready'
  | 'transaction'
  | 'rset'
  | 'quit'
  | 'closed';

/** The expectations without fields, shared (an Awaiting is never changed). */
const AWAIT_MAIL: Awaiting = { kind: 'mail' };
const AWAIT_DATA: Awaiting = { kind: 'data' };
const NO_AWAITING: readonly Awaiting[] = [];

/** A null for each index: a round's replies, none yet (sized at once: a push onto [] reserves 17). */
function nullsFor(indexes: readonly number[]): (SmtpReply | null)[] {
  return new Array<SmtpReply | null>(indexes.length).fill(null);
}

/** How many recipients have a result (counted, not filtered into an array: once per round). */
function settledCount(results: readonly unknown[]): number {
  let count = 0;
  for (const result of results) if (result !== null) count++;
  return count;
}

/** The expectation of the RCPT at each position, shared like AWAIT_MAIL (built on first use). */
const awaitRcptAt: Awaiting[] = [];
function awaitRcpt(position: number): Awaiting {
  for (let next = awaitRcptAt.length; next <= position; next++) awaitRcptAt.push({ kind: 'rcpt', position: next });
  return awaitRcptAt[position]!;
}

/**
 * The indexes of the recipients without a result yet, the first `max` of them, in order. Counted
 * first, then written into an array of that size: a push onto [] reserves room for 17.
 */
function openIndexes(results: readonly unknown[], max: number): number[] {
  let count = 0;
  for (let index = 0; index < results.length && count < max; index++) if (results[index] === null) count++;
  const indexes = new Array<number>(count);
  let written = 0;
  for (let index = 0; written < count; index++) if (results[index] === null) indexes[written++] = index;
  return indexes;
}

/** One expected reply, in the order the commands went out. */
type Awaiting =
  | { kind: 'greeting' }
  | { kind: 'ehlo' }
  | { kind: 'helo' }
  | { kind: 'starttls' }
  | { kind: 'auth'; step: 'plain' | 'login-start' | 'login-user' | 'login-password' }
  | { kind: 'mail' }
  | { kind: 'rcpt'; position: number }
  | { kind: 'data' }
  /** `lone`: a bare "." closing a pipelined DATA that got 354 with no recipient accepted (RFC 2920 §3.1). */
  | { kind: 'dot'; lone: boolean }
  | { kind: 'rset' }
  | { kind: 'quit' };

/** An enqueued message and what has become of each recipient so far (null: still open). */
interface Job {
  transaction: SmtpClientTransaction;
  results: Array<SmtpRecipientResult | null>;
  /** The last 452 each open recipient got (R4), to report if no further transaction can be tried. */
  tooManyReplies: Array<SmtpReply | null>;
  /** The DATA content and the SIZE= figure, made once, when the SIZE check or the first MAIL needs them. */
  data: DataContent | null;
  transactionsStarted: number;
  lastReply: SmtpReply | null;
}

/** One MAIL transaction: a batch of a job's recipients. */
interface Round {
  job: Job;
  /** Recipient indexes in this transaction, in RCPT order. */
  indexes: number[];
  pipelined: boolean;
  mailReply: SmtpReply | null;
  rcptReplies: Array<SmtpReply | null>;
  /** Without pipelining: the next position to send; stops at a 452 (the rest waits for R4). */
  nextRcptPosition: number;
  dataReply: SmtpReply | null;
  /** The content and its dot were sent: from here a lost reply makes the outcome 'unknown'. */
  contentSent: boolean;
  /** A reply to the dot (ours, or the lone one) arrived: the server closed the transaction. */
  dotReply: SmtpReply | null;
}

interface AbortCause {
  reason: SmtpClientCloseReason;
  /** For the open recipients: 4xx-like or 5xx-like. */
  outcome: 'deferred' | 'failed';
  reply: SmtpReply | null;
  stage: SmtpClientStage;
  detail: string | null;
  /** Say QUIT first (the server still talks); false after a timeout, a loss or garbage. */
  sendQuit: boolean;
}

const EHLO_REFUSED_CODES: ReadonlySet<number> = new Set([500, 501, 502, 504, 550]);
const SERVER_CLOSING_CODE = 421;
/**
 * Why the client refused to send a message to this server (a recipient's `detail` with stage
 * 'local'): larger than its SIZE (RFC 1870 §6), SMTPUTF8 needed and not offered (RFC 6531 §3.2), or a
 * REQUIRETLS message and the server is not TLS or does not offer REQUIRETLS (RFC 8689 §4.2.1).
 */
export const localRefusal = {
  tooLarge: 'message-too-large',
  smtpUtf8: 'smtputf8-not-offered',
  requireTls: 'requiretls-not-offered',
} as const;

/**
 * What a reply that stopped the session or transaction means for the recipients it covers (R2, R5):
 * failed when it is permanent, else deferred — a 2xx where 354 was due delivers nothing.
 */
function refusalOutcome(reply: SmtpReply): 'deferred' | 'failed' {
  return replyOutcome(reply) === 'failed' ? 'failed' : 'deferred';
}

function stageOf(awaiting: Awaiting): SmtpClientStage {
  switch (awaiting.kind) {
    case 'greeting':
      return 'greeting';
    case 'ehlo':
    case 'helo':
      return 'helo';
    case 'starttls':
      return 'starttls';
    case 'auth':
      return 'auth';
    case 'mail':
      return 'mail';
    case 'rcpt':
      return 'rcpt';
    case 'data':
      return 'data-init';
    case 'dot':
      return 'data-done';
    case 'rset':
      return 'rset';
    case 'quit':
      return 'quit';
  }
}

/** The caller's timeouts over the defaults; without overrides the frozen defaults serve as they are. */
function withDefaultTimeouts(overrides: Partial<SmtpClientTimeouts> | undefined): Readonly<SmtpClientTimeouts> {
  return overrides === undefined ? SMTP_CLIENT_TIMEOUTS_DEFAULT : { ...SMTP_CLIENT_TIMEOUTS_DEFAULT, ...overrides };
}

export class SmtpClient implements SansIoMachine<SmtpClientEvent>, TlsCapable {
  private readonly options: SmtpClientOptions;
  private readonly timeouts: Readonly<SmtpClientTimeouts>;
  private readonly recipientsPerTransactionMax: number;
  private readonly parser = new SmtpReplyParser();

  private state: SmtpClientState = 'not-started';
  private awaiting: Awaiting[] = [];
  private deadlineMs: number | null = null;
  private nowMs = 0;
  private output: Uint8Array[] = [];
  private events: SmtpClientEvent[] = [];

  private capabilities: SmtpCapabilities = noCapabilities();
  private secure: boolean;
  private authenticated = false;
  private readyAnnounced = false;
  private jobs: Job[] = [];
  private round: Round | null = null;
  /** The previous transaction stopped after an accepted MAIL: RSET before the next (RFC 5321 §4.1.1.5). */
  private resetNeeded = false;
  private finishing = false;
  private closeCause: AbortCause | null = null;

  constructor(options: SmtpClientOptions) {
    if (/[\s<>]/.test(options.heloName) || options.heloName === '') throw new TypeError(`invalid heloName: ${JSON.stringify(options.heloName)}`);
    if (options.auth && /[\r\n]/.test(options.auth.user + options.auth.password)) throw new TypeError('credentials must not contain CR or LF');
    const lineOctetsMax = options.lineOctetsMax ?? SMTP_CLIENT_LINE_OCTETS_DEFAULT;
    if (!Number.isSafeInteger(lineOctetsMax) || lineOctetsMax === 1 || lineOctetsMax < 0) throw new RangeError(`lineOctetsMax must be 0 or at least 2, got ${lineOctetsMax}`);
    this.options = options;
    this.timeouts = withDefaultTimeouts(options.timeouts);
    this.recipientsPerTransactionMax = options.recipientsPerTransactionMax ?? SMTP_CLIENT_RECIPIENTS_PER_TRANSACTION_DEFAULT;
    if (!Number.isSafeInteger(this.recipientsPerTransactionMax) || this.recipientsPerTransactionMax < 1) {
      throw new RangeError('recipientsPerTransactionMax must be a positive integer');
    }
    this.secure = options.implicitTls === true;
  }

  // ---- SansIoMachine -------------------------------------------------------------------------

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The current phase, for traces and tests. */
  get currentState(): SmtpClientState {
    return this.state;
  }

  /** The connection is up (TCP, or TLS for implicit TLS): wait for the greeting. */
  start(nowMs: number): void {
    if (this.state !== 'not-started') throw new Error('SmtpClient.start called twice');
    this.nowMs = nowMs;
    this.state = 'greeting';
    this.expect({ kind: 'greeting' });
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    if (this.state === 'not-started') throw new Error('SmtpClient.receive before start');
    if (this.state === 'closed' || bytes.length === 0) return;
    this.nowMs = nowMs;
    if (this.state === 'tls-handshake') {
      this.plainTextAfterStartTls();
      return;
    }
    // Indexed, not for-of: the results may be a kept, frozen array (reply-chunk-cache.ts), whose iterator is not optimised away.
    const results = this.parser.push(bytes);
    for (let index = 0; index < results.length; index++) {
      const result = results[index]!;
      if (this.closed) return;
      if (this.awaitingTlsHandshake()) {
        this.plainTextAfterStartTls();
        return;
      }
      if (result.kind === 'error') {
        this.protocolError(`${result.error}: ${result.detail}`);
        return;
      }
      this.onReply(result.reply);
    }
    if (this.awaitingTlsHandshake() && this.parser.bufferedBytes > 0) this.plainTextAfterStartTls();
  }

  /** Read through a method: a reply handled in the loop above may have moved the state on. */
  private awaitingTlsHandshake(): boolean {
    return this.state === 'tls-handshake';
  }

  /**
   * RFC 3207 §5 (the CVE-2011-0411 class of "STARTTLS command injection"): nothing may arrive in
   * plain text between the 220 to STARTTLS and the handshake, however the bytes were chunked.
   */
  private plainTextAfterStartTls(): void {
    this.protocolError('bytes received between the STARTTLS 220 and the TLS handshake');
  }

  receiveEof(nowMs: number): void {
    if (this.state === 'not-started' || this.state === 'closed') return;
    this.nowMs = nowMs;
    if (this.state === 'quit') {
      this.close();
      return;
    }
    this.abort({ reason: 'connection-lost', outcome: 'deferred', reply: null, stage: this.currentStage(), detail: 'connection-lost', sendQuit: false });
  }

  takeOutput(): readonly Uint8Array[] {
    const output = this.output;
    if (output.length === 0) return NOTHING;
    this.output = [];
    return output;
  }

  takeEvents(): readonly SmtpClientEvent[] {
    const events = this.events;
    if (events.length === 0) return NOTHING;
    this.events = [];
    return events;
  }

  nextTimeoutMs(): number | null {
    return this.state === 'closed' ? null : this.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.state === 'closed' || this.deadlineMs === null || nowMs < this.deadlineMs) return;
    this.nowMs = nowMs;
    this.abort({ reason: 'timeout', outcome: 'deferred', reply: null, stage: this.currentStage(), detail: 'timeout', sendQuit: false });
  }

  tlsEstablished(nowMs: number): void {
    if (this.state !== 'tls-handshake') throw new Error(`tlsEstablished in state ${this.state}`);
    this.nowMs = nowMs;
    if (this.parser.bufferedBytes > 0) {
      this.protocolError('plain-text bytes buffered across the STARTTLS handshake');
      return;
    }
    this.secure = true;
    // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
    this.capabilities = noCapabilities();
    this.state = 'ehlo';
    this.send(`EHLO ${this.options.heloName}\r\n`, [{ kind: 'ehlo' }]);
  }

  // ---- Owner API -----------------------------------------------------------------------------

  /** Adds a message to deliver on this connection. `nowMs` defaults to the last time the machine saw. */
  enqueue(transaction: SmtpClientTransaction, nowMs?: number): void {
    if (this.state === 'closed') throw new Error('SmtpClient.enqueue after the session closed');
    if (this.finishing) throw new Error('SmtpClient.enqueue after finish()');
    if (this.jobs.some((job) => job.transaction.id === transaction.id)) throw new Error(`duplicate transaction id ${transaction.id}`);
    this.jobs.push({
      transaction,
      results: transaction.envelope.recipients.map(() => null),
      tooManyReplies: transaction.envelope.recipients.map(() => null),
      data: null,
      transactionsStarted: 0,
      lastReply: null,
    });
    if (nowMs !== undefined) this.nowMs = nowMs;
    if (this.state === 'ready') this.pump();
  }

  /** Ready, with no message waiting and no reply awaited: a session its owner may keep for later. */
  get idle(): boolean {
    return this.state === 'ready' && this.jobs.length === 0 && this.awaiting.length === 0;
  }

  /**
   * Sends RSET before the next enqueued message, to learn whether an idle session is still good before
   * reusing it (Postfix's "RSET probe" on a cached connection, smtp_reuse.c). A refused or unanswered
   * RSET ends the session (`rset-failed`): the messages waiting are deferred at stage `rset`.
   */
  probeBeforeNext(): void {
    if (this.state === 'closed') throw new Error('SmtpClient.probeBeforeNext after the session closed');
    this.resetNeeded = true;
  }

  /**
   * Closes an idle session without QUIT, as Postfix's connection cache does when a cached session
   * expires (scache closes the socket). Only when `idle`; the close reason is `quit` (nothing was open).
   */
  hangUp(nowMs?: number): void {
    if (!this.idle) throw new Error('SmtpClient.hangUp on a session that is not idle');
    if (nowMs !== undefined) this.nowMs = nowMs;
    this.abort({ reason: 'quit', outcome: 'deferred', reply: null, stage: 'idle', detail: 'idle session closed', sendQuit: false });
  }

  /** QUIT once every enqueued message is done. */
  finish(nowMs?: number): void {
    if (this.state === 'closed') return;
    this.finishing = true;
    if (nowMs !== undefined) this.nowMs = nowMs;
    if (this.state === 'ready') this.pump();
  }

  // ---- Replies -------------------------------------------------------------------------------

  private onReply(reply: SmtpReply): void {
    const awaiting = this.awaiting.shift();
    if (awaiting === undefined) {
      if (reply.code === SERVER_CLOSING_CODE) this.serverClosing(reply, this.currentStage());
      else this.protocolError(`unsolicited reply ${reply.code}`);
      return;
    }
    this.deadlineMs = this.awaiting[0] === undefined ? null : this.nowMs + this.timeoutFor(stageOf(this.awaiting[0]));
    if (this.isUnexpected(awaiting, reply)) {
      this.protocolError(`unexpected reply ${reply.code} at ${stageOf(awaiting)}`, stageOf(awaiting));
      return;
    }
    switch (awaiting.kind) {
      case 'greeting':
        this.onGreeting(reply);
        return;
      case 'ehlo':
        this.onEhlo(reply);
        return;
      case 'helo':
        this.onHelo(reply);
        return;
      case 'starttls':
        this.onStartTls(reply);
        return;
      case 'auth':
        this.onAuth(reply, awaiting.step);
        return;
      case 'mail':
      case 'rcpt':
      case 'data':
      case 'dot':
        this.onTransactionReply(awaiting, reply);
        return;
      case 'rset':
        this.onRset(reply);
        return;
      case 'quit':
        this.close();
        return;
    }
  }

  /** Replies of a class the command never gets (RFC 5321 §4.3.2) are a protocol error. */
  private isUnexpected(awaiting: Awaiting, reply: SmtpReply): boolean {
    const cls = replyClass(reply);
    if (awaiting.kind === 'quit') return false;
    if (awaiting.kind === 'data') return cls === 2;
    if (awaiting.kind === 'auth' && (awaiting.step === 'login-start' || awaiting.step === 'login-user')) return cls === 2;
    return cls === 3;
  }

  private onGreeting(reply: SmtpReply): void {
    if (replyClass(reply) !== 2) {
      // RFC 5321 §3.1: after 554 the client should QUIT; after 421 the server is already leaving.
      if (reply.code === SERVER_CLOSING_CODE) {
        this.serverClosing(reply, 'greeting');
        return;
      }
      this.abort({ reason: 'greeting-rejected', outcome: refusalOutcome(reply), reply, stage: 'greeting', detail: null, sendQuit: true });
      return;
    }
    this.state = 'ehlo';
    this.send(`EHLO ${this.options.heloName}\r\n`, [{ kind: 'ehlo' }]);
  }

  private onEhlo(reply: SmtpReply): void {
    if (replyClass(reply) === 2) {
      this.capabilities = parseCapabilities(reply);
      this.afterHello();
      return;
    }
    if (reply.code === SERVER_CLOSING_CODE) {
      this.serverClosing(reply, 'helo');
      return;
    }
    if (EHLO_REFUSED_CODES.has(reply.code) && !this.secure) {
      this.state = 'helo';
      this.send(`HELO ${this.options.heloName}\r\n`, [{ kind: 'helo' }]);
      return;
    }
    this.abort({ reason: 'helo-rejected', outcome: refusalOutcome(reply), reply, stage: 'helo', detail: null, sendQuit: true });
  }

  private onHelo(reply: SmtpReply): void {
    if (replyClass(reply) === 2) {
      this.capabilities = noCapabilities();
      this.afterHello();
      return;
    }
    if (reply.code === SERVER_CLOSING_CODE) {
      this.serverClosing(reply, 'helo');
      return;
    }
    this.abort({ reason: 'helo-rejected', outcome: refusalOutcome(reply), reply, stage: 'helo', detail: null, sendQuit: true });
  }

  private afterHello(): void {
    if (!this.secure && this.options.tls !== 'none') {
      if (this.capabilities.startTls) {
        this.state = 'starttls';
        this.send('STARTTLS\r\n', [{ kind: 'starttls' }]);
        return;
      }
      if (this.options.tls === 'required') {
        this.abort({ reason: 'tls-unavailable', outcome: 'deferred', reply: null, stage: 'starttls', detail: 'TLS is required, but was not offered', sendQuit: true });
        return;
      }
    }
    this.afterTls();
  }

  private onStartTls(reply: SmtpReply): void {
    if (replyClass(reply) === 2) {
      this.state = 'tls-handshake';
      this.deadlineMs = null;
      this.events.push({ type: 'starttls' });
      return;
    }
    if (reply.code === SERVER_CLOSING_CODE) {
      this.serverClosing(reply, 'starttls');
      return;
    }
    if (this.options.tls === 'required') {
      this.abort({ reason: 'tls-rejected', outcome: 'deferred', reply, stage: 'starttls', detail: 'TLS is required, but STARTTLS was refused', sendQuit: true });
      return;
    }
    // Opportunistic TLS: carry on in plain text with what the EHLO offered (Postfix "may").
    this.afterTls();
  }

  private afterTls(): void {
    const auth = this.options.auth;
    if (!auth || this.authenticated) {
      this.becomeReady();
      return;
    }
    const offered = this.capabilities.authMechanisms;
    const mechanism = auth.mechanism ?? (offered.includes('PLAIN') ? 'PLAIN' : 'LOGIN');
    if (!offered.includes(mechanism)) {
      const detail = offered.length === 0 ? 'AUTH not offered' : `AUTH ${mechanism} not offered`;
      this.abort({ reason: 'auth-unavailable', outcome: 'deferred', reply: null, stage: 'auth', detail, sendQuit: true });
      return;
    }
    this.state = 'auth';
    if (mechanism === 'PLAIN') this.send(authPlainCommand(auth.user, auth.password), [{ kind: 'auth', step: 'plain' }]);
    else this.send('AUTH LOGIN\r\n', [{ kind: 'auth', step: 'login-start' }]);
  }

  private onAuth(reply: SmtpReply, step: 'plain' | 'login-start' | 'login-user' | 'login-password'): void {
    const auth = this.options.auth!;
    if (reply.code === SERVER_CLOSING_CODE) {
      this.serverClosing(reply, 'auth');
      return;
    }
    if (replyClass(reply) === 4 || replyClass(reply) === 5) {
      // 535 5.7.8 bad credentials fails the mail (RFC 4954 §6); 454 4.7.0 is temporary.
      this.abort({ reason: 'auth-failed', outcome: refusalOutcome(reply), reply, stage: 'auth', detail: null, sendQuit: true });
      return;
    }
    if (step === 'login-start') {
      this.send(authLoginResponse(auth.user), [{ kind: 'auth', step: 'login-user' }]);
      return;
    }
    if (step === 'login-user') {
      this.send(authLoginResponse(auth.password), [{ kind: 'auth', step: 'login-password' }]);
      return;
    }
    this.authenticated = true;
    this.events.push({ type: 'authenticated', mechanism: step === 'plain' ? 'PLAIN' : 'LOGIN' });
    this.becomeReady();
  }

  private becomeReady(): void {
    this.state = 'ready';
    if (!this.readyAnnounced) {
      this.readyAnnounced = true;
      this.events.push({ type: 'ready', capabilities: this.capabilities, secure: this.secure, authenticated: this.authenticated });
    }
    this.pump();
  }

  private onRset(reply: SmtpReply): void {
    if (replyClass(reply) === 2) {
      this.resetNeeded = false;
      this.state = 'ready';
      this.pump();
      return;
    }
    if (reply.code === SERVER_CLOSING_CODE) {
      this.serverClosing(reply, 'rset');
      return;
    }
    this.abort({ reason: 'rset-failed', outcome: 'deferred', reply, stage: 'rset', detail: null, sendQuit: true });
  }

  // ---- Transactions --------------------------------------------------------------------------

  /** In state 'ready' with nothing outstanding: start the next transaction, RSET, QUIT or wait. */
  private pump(): void {
    // Each pass settles at least one job or sends a command; jobs are finite, so this ends.
    while (this.state === 'ready') {
      const job = this.jobs[0];
      if (job === undefined) {
        if (this.finishing) {
          this.state = 'quit';
          this.send('QUIT\r\n', [{ kind: 'quit' }]);
        } else {
          this.deadlineMs = null;
        }
        return;
      }
      if (this.resetNeeded) {
        this.state = 'rset';
        this.send('RSET\r\n', [{ kind: 'rset' }]);
        return;
      }
      if (this.startRound(job)) return;
    }
  }

  /** Starts a transaction for the job's open recipients; false when the job was settled instead. */
  private startRound(job: Job): boolean {
    const { envelope, message } = job.transaction;
    if (job.transactionsStarted === 0 && !this.checkJobLocally(job)) return false;
    const indexes = openIndexes(job.results, this.recipientsPerTransactionMax);
    if (indexes.length === 0 || job.transactionsStarted >= SMTP_CLIENT_TRANSACTIONS_PER_MESSAGE_MAX) {
      this.settleOpen(job, 'deferred', null, 'rcpt', 'too many transactions');
      this.finishJob(job);
      return false;
    }
    job.transactionsStarted += 1;
    const pipelined = this.capabilities.pipelining && this.options.usePipelining !== false;
    const round: Round = {
      job,
      indexes,
      pipelined,
      mailReply: null,
      rcptReplies: nullsFor(indexes),
      nextRcptPosition: pipelined ? indexes.length : 1,
      dataReply: null,
      contentSent: false,
      dotReply: null,
    };
    this.round = round;
    this.state = 'transaction';
    const mailLine = mailCommand(
      {
        from: envelope.from,
        sizeBytes: this.dataOf(job).canonicalSize,
        eightBit: messageHas8BitBytes(message),
        body: envelope.body,
        smtpUtf8: this.needsSmtpUtf8(job),
        ret: envelope.dsn.ret,
        envid: envelope.dsn.envid,
        requireTls: envelope.requireTls,
      },
      this.capabilities,
    );
    if (pipelined) {
      // RFC 2920 §3.1: MAIL, every RCPT and DATA in one group; the replies come back in order.
      // Built by plain loops: this runs once per message.
      // The expectations go straight onto `awaiting`, in the order `send` would have pushed them.
      let group = mailLine;
      for (let position = 0; position < indexes.length; position++) {
        group += rcptCommand(envelope.recipients[indexes[position]!]!, this.capabilities);
      }
      this.send(`${group}DATA\r\n`, NO_AWAITING);
      this.expect(AWAIT_MAIL);
      for (let position = 0; position < indexes.length; position++) this.expect(awaitRcpt(position));
      this.expect(AWAIT_DATA);
    } else {
      this.send(mailLine, [AWAIT_MAIL]);
    }
    return true;
  }

  /** One encoding per message, however many transactions and checks read it. */
  private dataOf(job: Job): DataContent {
    job.data ??= prepareDataContent(job.transaction.message, this.options.lineOctetsMax ?? SMTP_CLIENT_LINE_OCTETS_DEFAULT);
    return job.data;
  }

  private needsSmtpUtf8(job: Job): boolean {
    const { envelope } = job.transaction;
    return envelope.smtpUtf8 || needsUtf8(envelope.from) || envelope.recipients.some((r) => needsUtf8(r.address));
  }

  /** Decisions before the first MAIL: bad addresses, SIZE, SMTPUTF8, REQUIRETLS. False when the job is settled. */
  private checkJobLocally(job: Job): boolean {
    const { envelope } = job.transaction;
    if (!isSafePath(envelope.from)) {
      this.settleOpen(job, 'failed', null, 'local', 'invalid sender address');
    } else if (this.capabilities.sizeMaxBytes !== null && this.dataOf(job).canonicalSize > this.capabilities.sizeMaxBytes) {
      // RFC 1870 §6: do not send what the server said it will refuse (Postfix: "message size exceeds fixed limit").
      this.settleOpen(job, 'failed', null, 'local', localRefusal.tooLarge);
    } else if (this.needsSmtpUtf8(job) && !this.capabilities.smtpUtf8) {
      // RFC 6531 §3.2: an internationalised message cannot go to a server without SMTPUTF8.
      this.settleOpen(job, 'failed', null, 'local', localRefusal.smtpUtf8);
    } else if (envelope.requireTls && !(this.secure && this.capabilities.requireTls)) {
      // RFC 8689 §4.2.1: a REQUIRETLS message goes only over TLS to a server that offers REQUIRETLS.
      this.settleOpen(job, 'failed', null, 'local', localRefusal.requireTls);
    } else {
      envelope.recipients.forEach((recipient, index) => {
        if (!isSafePath(recipient.address)) this.settle(job, index, 'failed', null, 'local', 'invalid recipient address');
      });
      return true;
    }
    this.finishJob(job);
    return false;
  }

  private onTransactionReply(awaiting: Awaiting, reply: SmtpReply): void {
    const round = this.round!;
    const { envelope } = round.job.transaction;
    switch (awaiting.kind) {
      case 'mail':
        round.mailReply = reply;
        if (reply.code === SERVER_CLOSING_CODE) {
          this.serverClosing(reply, 'mail');
          return;
        }
        if (round.pipelined) return;
        if (replyClass(reply) !== 2) {
          this.endRound();
          return;
        }
        this.send(rcptCommand(envelope.recipients[round.indexes[0]!]!, this.capabilities), [awaitRcpt(0)]);
        return;
      case 'rcpt': {
        round.rcptReplies[awaiting.position] = reply;
        if (reply.code === SERVER_CLOSING_CODE) {
          this.serverClosing(reply, 'rcpt');
          return;
        }
        if (round.pipelined) return;
        // R4: after a 452 the server takes no more in this transaction; the rest go in the next one.
        const next = round.nextRcptPosition;
        if (reply.code !== 452 && next < round.indexes.length) {
          round.nextRcptPosition += 1;
          this.send(rcptCommand(envelope.recipients[round.indexes[next]!]!, this.capabilities), [awaitRcpt(next)]);
          return;
        }
        if (!this.anyRecipientAccepted(round)) {
          this.endRound();
          return;
        }
        this.send('DATA\r\n', [AWAIT_DATA]);
        return;
      }
      case 'data':
        round.dataReply = reply;
        if (reply.code === SERVER_CLOSING_CODE) {
          this.serverClosing(reply, 'data-init');
          return;
        }
        if (replyClass(reply) !== 3) {
          this.endRound();
          return;
        }
        if (round.mailReply !== null && replyClass(round.mailReply) === 2 && this.anyRecipientAccepted(round)) {
          round.contentSent = true;
          this.send(this.dataOf(round.job).content, [{ kind: 'dot', lone: false }]);
          return;
        }
        // RFC 2920 §3.1: DATA was accepted although no recipient was; end it with a lone dot.
        this.send('.\r\n', [{ kind: 'dot', lone: true }]);
        return;
      case 'dot':
        round.dotReply = reply;
        if (reply.code === SERVER_CLOSING_CODE) {
          this.serverClosing(reply, 'data-done');
          return;
        }
        this.endRound();
        return;
      default:
        throw new Error(`bug: ${awaiting.kind} is not a transaction reply`);
    }
  }

  /** Whether any RCPT of the round got 2xx (a test, not the list: it runs per reply). */
  private anyRecipientAccepted(round: Round): boolean {
    for (const reply of round.rcptReplies) if (reply !== null && replyClass(reply) === 2) return true;
    return false;
  }

  /** The transaction's replies are all in: settle what they decide, then go on. */
  private endRound(): void {
    const round = this.round!;
    const { job } = round;
    this.round = null;
    const settledBefore = settledCount(job.results);
    this.settleRound(round, null);
    const mailAccepted = round.mailReply !== null && replyClass(round.mailReply) === 2;
    this.resetNeeded = mailAccepted && round.dotReply === null;
    const progressed = settledCount(job.results) > settledBefore;
    const open = job.results.some((result) => result === null);
    if (open && !progressed) {
      // Every recipient of this transaction got 452 again: no point in another one now (R4 → defer).
      job.results.forEach((result, index) => {
        if (result === null) this.settle(job, index, 'deferred', job.tooManyReplies[index] ?? null, 'rcpt', null);
      });
    }
    if (!job.results.some((result) => result === null)) this.finishJob(job);
    this.state = 'ready';
    this.pump();
  }

  /**
   * Settles the recipients of a transaction from the replies it got. With `cause` (the session is
   * ending) the ones still open get the cause's outcome — or 'unknown' when the content and dot were
   * sent and no dot reply came (RFC 1047, docs/delivery.md E3).
   */
  private settleRound(round: Round, cause: AbortCause | null): void {
    const { job } = round;
    const { mailReply, dataReply, dotReply } = round;
    if (mailReply !== null && replyClass(mailReply) !== 2) {
      // R5: MAIL refused covers every recipient of the message, in this and any later transaction.
      job.lastReply = mailReply;
      this.settleOpen(job, refusalOutcome(mailReply), mailReply, 'mail', null);
      return;
    }
    const accepted: number[] = [];
    round.indexes.forEach((index, position) => {
      const reply = round.rcptReplies[position] ?? null;
      if (reply === null) return;
      if (replyClass(reply) === 2) accepted.push(index);
      else if (reply.code === 452 && cause === null) job.tooManyReplies[index] = reply;
      else this.settle(job, index, refusalOutcome(reply), reply, 'rcpt', null);
    });
    if (dotReply !== null && round.contentSent) {
      job.lastReply = dotReply;
      const outcome: SmtpRecipientOutcome = replyOutcome(dotReply);
      for (const index of accepted) this.settle(job, index, outcome, dotReply, 'data-done', null);
    } else if (dataReply !== null && replyClass(dataReply) !== 3) {
      job.lastReply = dataReply;
      for (const index of accepted) this.settle(job, index, refusalOutcome(dataReply), dataReply, 'data-init', null);
    } else if (cause !== null && round.contentSent) {
      for (const index of accepted) this.settle(job, index, 'unknown', null, 'data-done', cause.detail ?? cause.reason);
    }
  }

  // ---- Ending --------------------------------------------------------------------------------

  private serverClosing(reply: SmtpReply, stage: SmtpClientStage): void {
    // RFC 5321 §3.8: 421 means the server closes the channel; nothing more is sent.
    this.abort({ reason: 'server-closing', outcome: 'deferred', reply, stage, detail: null, sendQuit: false });
  }

  private protocolError(detail: string, stage: SmtpClientStage = this.currentStage()): void {
    this.abort({ reason: 'protocol-error', outcome: 'deferred', reply: null, stage, detail, sendQuit: false });
  }

  /** Ends the session early: settles every open recipient of every queued message, then QUIT or close. */
  private abort(cause: AbortCause): void {
    if (this.round !== null) {
      this.settleRound(this.round, cause);
      this.round = null;
    }
    for (const job of this.jobs.slice()) {
      job.lastReply ??= cause.reply;
      this.settleOpen(job, cause.outcome, cause.reply, cause.stage, cause.detail);
      this.finishJob(job);
    }
    this.closeCause = cause;
    this.awaiting = [];
    if (cause.sendQuit) {
      this.state = 'quit';
      this.send('QUIT\r\n', [{ kind: 'quit' }]);
    } else {
      this.close();
    }
  }

  private close(): void {
    const cause = this.closeCause;
    // Messages enqueued while a refused session was saying QUIT share its fate.
    for (const job of this.jobs.slice()) {
      job.lastReply ??= cause?.reply ?? null;
      this.settleOpen(job, cause?.outcome ?? 'deferred', cause?.reply ?? null, cause?.stage ?? 'quit', cause?.detail ?? 'session closed');
      this.finishJob(job);
    }
    this.state = 'closed';
    this.awaiting = [];
    this.deadlineMs = null;
    this.events.push(
      cause === null
        ? { type: 'closed', reason: 'quit', stage: 'quit', reply: null, detail: null }
        : { type: 'closed', reason: cause.reason, stage: cause.stage, reply: cause.reply, detail: cause.detail },
    );
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private settle(job: Job, index: number, outcome: SmtpRecipientOutcome, reply: SmtpReply | null, stage: SmtpClientStage, detail: string | null): void {
    if (job.results[index] !== null) return;
    const address = job.transaction.envelope.recipients[index]!.address;
    job.results[index] = { address, outcome, reply, stage, detail };
  }

  private settleOpen(job: Job, outcome: SmtpRecipientOutcome, reply: SmtpReply | null, stage: SmtpClientStage, detail: string | null): void {
    job.results.forEach((_, index) => {
      this.settle(job, index, outcome, reply, stage, detail);
    });
  }

  private finishJob(job: Job): void {
    const at = this.jobs.indexOf(job);
    if (at === -1) throw new Error('bug: finishing a job that is not queued');
    this.jobs.splice(at, 1);
    this.events.push({
      type: 'transaction-done',
      id: job.transaction.id,
      recipients: job.results.map((result) => result!),
      reply: job.lastReply,
      transactions: job.transactionsStarted,
    });
  }

  private currentStage(): SmtpClientStage {
    const head = this.awaiting[0];
    if (head !== undefined) return stageOf(head);
    if (this.state === 'tls-handshake') return 'starttls';
    if (this.state === 'not-started' || this.state === 'greeting') return 'greeting';
    return 'idle';
  }

  private timeoutFor(stage: SmtpClientStage): number {
    switch (stage) {
      case 'greeting':
        return this.timeouts.greetingTimeoutMs;
      case 'helo':
      case 'starttls':
      case 'auth':
        return this.timeouts.heloTimeoutMs;
      case 'mail':
        return this.timeouts.mailTimeoutMs;
      case 'rcpt':
        return this.timeouts.rcptTimeoutMs;
      case 'data-init':
        return this.timeouts.dataInitTimeoutMs;
      case 'data-done':
        return this.timeouts.dataDoneTimeoutMs;
      case 'rset':
        return this.timeouts.rsetTimeoutMs;
      case 'quit':
        return this.timeouts.quitTimeoutMs;
      case 'idle':
      case 'local':
        throw new Error(`bug: no timeout for stage ${stage}`);
    }
  }

  private expect(awaiting: Awaiting): void {
    if (this.awaiting.length === 0) this.deadlineMs = this.nowMs + this.timeoutFor(stageOf(awaiting));
    this.awaiting.push(awaiting);
  }

  private send(data: string | Uint8Array, expected: readonly Awaiting[]): void {
    const bytes = typeof data === 'string' ? textBytes(data) : data;
    // A one-element literal, not a push onto the empty array: a push allocates room for 17.
    if (this.output.length === 0) this.output = [bytes];
    else this.output.push(bytes);
    for (const awaiting of expected) this.expect(awaiting);
  }
}
