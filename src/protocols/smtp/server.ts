/**
 * The SMTP server machine (RFC 5321), sans-IO (machine.ts): bytes in, replies and events out, time as
 * an argument. This file is its public face: options resolved once, the API checked against misuse,
 * the idle timer — a deadline per request (request-deadline.ts): it restarts when the server answers,
 * and bytes that get no answer (a partial line, DATA content) only earn credit at `minDataRateBytesPerS`,
 * so a client trickling bytes is closed with 421 4.4.2 after about `idleTimeoutMs`. The session behind it (server-session.ts) holds the state, reads the input and
 * dispatches commands through the one table (server-states.ts) to their handlers (commands/, one file
 * per verb or family); command parsing is in command.ts, the DATA reader in data-reader.ts, reply
 * formatting in reply.ts, limits in limits.ts.
 *
 * Input is processed strictly in order, one command at a time, so pipelined commands (RFC 2920) get
 * their replies in order whatever the chunking. When a policy hook answers PENDING the machine stops
 * reading (later bytes are buffered, bounded by `pendingInputBytesMax`) until `resolve()`. The same
 * when a reply is delayed after too many errors (`errorDelayMs`): the reply waits until the deadline
 * `nextTimeoutMs()` reports, and the machine does not say it is closed while a reply is held.
 *
 * Usage:
 *   const server = new SmtpServer({ hostname: 'mx.example.org', clientAddress: '10.0.0.1', hooks });
 *   server.start(nowMs);                       // greeting (onConnect)
 *   server.receive(bytes, nowMs);              // then send server.takeOutput(), read server.takeEvents()
 *   server.resolve({ kind: 'accept' }, nowMs); // after a hook returned PENDING
 *   server.tlsEstablished(nowMs);              // after the `starttls` event and the handshake
 */
import { NOTHING, type SansIoMachine, type TlsCapable, textBytes } from '../machine.js';
import { RequestDeadline } from '../request-deadline.js';
import { resolveLimits } from './limits.js';
import type { SmtpDecision, SmtpServerEvent, SmtpServerExtensions, SmtpServerLimits, SmtpServerOptions, SmtpServerStage } from './server-api.js';
import { validateDecision } from './server-decision.js';
import { SmtpSession } from './server-session.js';
import type { SmtpServerState } from './server-states.js';

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

/** The cache key of "no overrides". */
const NO_OVERRIDES = {};

function resolvedOnce<In extends object, Out>(cache: WeakMap<object, Out>, input: In | undefined, resolve: (input: In | undefined) => Out): Out {
  // No overrides: the defaults, resolved once too (a session's EHLO answer is kept per resolved object).
  const key = input ?? NO_OVERRIDES;
  let resolved = cache.get(key);
  if (resolved === undefined) {
    resolved = resolve(input);
    cache.set(key, resolved);
  }
  return resolved;
}

export class SmtpServer implements SansIoMachine<SmtpServerEvent>, TlsCapable {
  readonly limits: SmtpServerLimits;
  private readonly session: SmtpSession;
  private started = false;
  /** A session method that may call a hook is running: the hook must not call back in. */
  private busy = false;
  private deadline: RequestDeadline;

  constructor(readonly options: SmtpServerOptions) {
    this.limits = resolvedOnce(resolvedLimits, options.limits, resolveLimits);
    this.deadline = new RequestDeadline(this.limits.idleTimeoutMs, this.limits.minDataRateBytesPerS, 0);
    const extensions = resolvedOnce(resolvedExtensions, options.extensions, (overrides) => ({ ...EXTENSIONS_DEFAULT, ...overrides }));
    this.session = new SmtpSession(options, this.limits, extensions);
  }

  /** The kind of the session's state (server-states.ts). */
  get state(): SmtpServerState {
    return this.session.state.kind;
  }

  /** Closed once nothing more will be sent: a reply held by the error delay still has to go. */
  get closed(): boolean {
    return this.session.closed && !this.session.hold.holding;
  }

  /** The session's identity, the same object as every hook's `SmtpSessionView.connection`. */
  get connection(): object {
    return this.session.connection;
  }

  /** True while a hook's PENDING decision is awaited. */
  get awaitingDecision(): SmtpServerStage | null {
    return this.session.pending?.stage ?? null;
  }

  /** Sends the greeting (after onConnect). Call once, before any `receive`. */
  start(nowMs: number): void {
    if (this.started) throw new Error('SmtpServer.start called twice');
    this.started = true;
    this.deadline.restart(nowMs);
    this.busy = true;
    try {
      this.session.greet();
    } finally {
      this.busy = false;
    }
    this.session.hold.arm(nowMs);
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    this.assertUsable('receive');
    const session = this.session;
    if (session.closed || session.eofReceived || bytes.length === 0) return;
    const repliesBefore = session.output.length;
    this.busy = true;
    try {
      session.receive(bytes);
    } finally {
      this.busy = false;
    }
    if (session.output.length > repliesBefore) this.deadline.restart(nowMs);
    else this.deadline.credit(bytes.length);
    session.hold.arm(nowMs);
  }

  receiveEof(_nowMs: number): void {
    this.assertUsable('receiveEof');
    if (!this.session.closed) this.session.receiveEof();
  }

  /**
   * The replies that may go now, encoded together as one array: the answers to a pipelined group
   * (RFC 2920 §3.1) are one write, encoded once. The bytes equal each reply's own encoding, joined
   * (every reply text ends in CRLF, so no character straddles two).
   */
  takeOutput(): readonly Uint8Array[] {
    const session = this.session;
    const out = session.output;
    if (out.length === 0) return NOTHING;
    let now: string[] = out;
    if (session.hold.holding) {
      const split = session.hold.split(out);
      now = split.now;
      session.output = split.held;
      if (now.length === 0) return NOTHING;
    } else {
      session.output = [];
    }
    return [textBytes(now.length === 1 ? now[0]! : now.join(''))];
  }

  takeEvents(): readonly SmtpServerEvent[] {
    const session = this.session;
    const out = session.events;
    if (out.length === 0) return NOTHING;
    if (!session.hold.holding) {
      session.events = [];
      return out;
    }
    const { now, held } = session.hold.splitEvents(out);
    session.events = held;
    return now.length === 0 ? NOTHING : now;
  }

  /** When a held reply is due; else the request's deadline (RFC 5321 §4.5.3.2.7, request-deadline.ts); none while the owner owes a decision. */
  nextTimeoutMs(): number | null {
    const session = this.session;
    if (session.hold.releaseAtMs !== null) return session.hold.releaseAtMs;
    if (!this.started || session.closed || session.pending !== null) return null;
    return this.deadline.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    const session = this.session;
    if (session.hold.release(nowMs)) {
      // The delayed reply may go now; the input that waited behind it is read now.
      this.deadline.restart(nowMs);
      this.busy = true;
      try {
        if (!session.closed) session.resume();
      } finally {
        this.busy = false;
      }
      session.hold.arm(nowMs);
      return;
    }
    const deadline = this.nextTimeoutMs();
    if (deadline === null || nowMs < deadline) return;
    session.timeout();
  }

  /** RFC 3207 §4.2: after the handshake the session starts over; the client must EHLO again. */
  tlsEstablished(nowMs: number): void {
    const state = this.session.state;
    if (state.kind !== 'tls-handshake') throw new Error(`tlsEstablished called in state ${state.kind}`);
    this.deadline.restart(nowMs);
    this.busy = true;
    try {
      this.session.tlsEstablished(state);
    } finally {
      this.busy = false;
    }
    this.session.hold.arm(nowMs);
  }

  /** The owner's answer to a hook that returned PENDING. Ignored once the machine has closed. */
  resolve(decision: SmtpDecision, nowMs: number): void {
    this.assertUsable('resolve');
    const session = this.session;
    if (session.closed) return;
    const pending = session.pending;
    if (pending === null) throw new Error('SmtpServer.resolve called with no decision pending');
    const outcome = validateDecision(pending.stage, decision);
    this.deadline.restart(nowMs);
    this.busy = true;
    try {
      session.resolve(outcome);
    } finally {
      this.busy = false;
    }
    session.hold.arm(nowMs);
  }

  private assertUsable(what: string): void {
    if (!this.started) throw new Error(`SmtpServer.${what} before start()`);
    if (this.busy) throw new Error(`SmtpServer.${what} called re-entrantly from a hook`);
  }
}
