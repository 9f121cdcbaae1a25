/**
 * The IMAP4rev1 server machine (RFC 3501; RFC 9051 where they agree; extensions listed in
 * capabilities.ts), sans-IO: this file holds the session, the command table and the dispatch; the
 * command bodies live in commands/, one file per verb or small family.
 *
 * States (RFC 3501 §3, docs/delivery.md I1) are a discriminated union carrying their data
 * (commands/context.ts):
 *
 *   not-authenticated ──LOGIN / AUTHENTICATE──▶ authenticated{user, store} ──SELECT / EXAMINE──▶ selected{…, selection}
 *                                                    ▲                                              │
 *                                                    └──── CLOSE / UNSELECT / a failed SELECT ◀─────┘
 *   any ──LOGOUT / EOF / autologout / too many BADs or failed logins──▶ logout
 *
 * One table, COMMANDS (I2), gives for each state and command either the tagged BAD the command gets
 * there (RFC 3501 §7.1.3; never a state change, I1) or the body to run and the states it may move the
 * session to; the dispatcher checks that after every body. Bodies fail by throwing no()/bad(); the
 * dispatcher writes the completion — a NO or OK after the pending mailbox updates, a BAD at once.
 *
 * Three waits interrupt command reading: an AUTHENTICATE exchange (the next line is a SASL response),
 * IDLE (the next line must be DONE, RFC 2177) and STARTTLS (nothing is read until the owner reports the
 * handshake done; pipelined plaintext is discarded, RFC 3501 §6.2.1). The first two hand the line to a
 * continuation from the command's file, completed by the same dispatcher.
 *
 * Mailbox work goes through the UserMailStore contract only. The selected mailbox is a `Selection`
 * (sequence numbers, \Recent, pending updates from other sessions). Updates from other sessions may
 * arrive outside receive(); during IDLE they are written at once and the owner is told through
 * `onAsyncOutput` so it can drain takeOutput().
 *
 * Autologout (RFC 3501 §5.4): after `autologoutMs` (≥ 30 min) without a command, `* BYE` and closed;
 * the timer restarts when the server answers, and bytes that get no answer (a partial line, a literal)
 * only earn credit (request-deadline.ts), so trickling bytes does not keep a session alive.
 *
 * A failed login's NO waits `authFailureDelayMs` (Dovecot `auth_failure_delay`; an OutputHold,
 * ../output-hold.ts): the reply is held and nothing more is read until the machine's clock reaches the
 * release; after `authFailuresMax` failures the server says BYE.
 */
import { SIM_EPOCH_MS } from '../../sim/calendar.js';
import { type Folder, MailboxBusyError, type UserMailStore } from '../../store/mailstore.js';
import { type SansIoMachine, type TlsCapable, textBytes } from '../machine.js';
import { capabilities } from './capabilities.js';
import type { ImapCommand, ImapCommandName } from './command.js';
import { append } from './commands/append.js';
import { authenticate } from './commands/authenticate.js';
import { capability } from './commands/capability.js';
import { closeMailbox } from './commands/close.js';
import {
  type CommandContext,
  CommandFailure,
  type CommandOf,
  type Continuation,
  type ImapServerState,
  type ImapState,
} from './commands/context.js';
import { copy } from './commands/copy.js';
import { create } from './commands/create.js';
import { deleteMailbox } from './commands/delete.js';
import { enable } from './commands/enable.js';
import { expunge } from './commands/expunge.js';
import { fetch } from './commands/fetch.js';
import { idle } from './commands/idle.js';
import { list } from './commands/list.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { namespace } from './commands/namespace.js';
import { noop } from './commands/noop.js';
import { rename } from './commands/rename.js';
import { search } from './commands/search.js';
import { select } from './commands/select.js';
import { startTls } from './commands/starttls.js';
import { status } from './commands/status.js';
import { store } from './commands/store.js';
import { subscribe } from './commands/subscribe.js';
import { DEFAULT_FRAMER_LIMITS } from './framer.js';
import { ImapCommandReader, type ReaderLimits } from './parser.js';
import { MIN_DATA_RATE_BYTES_PER_S_DEFAULT, RequestDeadline } from '../request-deadline.js';
import { RecentRegistry } from './recent.js';
import { Selection } from './selection.js';
import { OutputHold } from '../output-hold.js';

export type { ImapServerState } from './commands/context.js';

/** RFC 3501 §5.4: the autologout timer must be at least 30 minutes. */
export const AUTOLOGOUT_MS_MIN = 30 * 60_000;

export interface ImapServerLimits extends ReaderLimits {
  /**
   * `commandBytesMax` before authentication: a command's text and literals together (Dovecot's
   * imap-login reads a command into an 8 KiB line buffer, MAX_IMAP_LINE; docs/reference.md §12 Limits).
   */
  preauthCommandBytesMax: number;
  /** Bytes/s that extend the deadline of a command not yet answered (request-deadline.ts). */
  minDataRateBytesPerS: number;
  /** Failed LOGIN/AUTHENTICATE attempts before the server says BYE. */
  authFailuresMax: number;
  /** Before the NO to a failed login (Dovecot `auth_failure_delay`, 2 s); 0: none. */
  authFailureDelayMs: number;
  /** BAD replies in one session before the server gives up on the client. */
  badCommandsMax: number;
}

export const DEFAULT_SERVER_LIMITS: Omit<ImapServerLimits, keyof ReaderLimits> = {
  preauthCommandBytesMax: 8 * 1024,
  minDataRateBytesPerS: MIN_DATA_RATE_BYTES_PER_S_DEFAULT,
  authFailuresMax: 3,
  authFailureDelayMs: 2000,
  badCommandsMax: 50,
};

export interface ImapServerOptions {
  /** Used in the greeting. */
  hostname: string;
  /** Checks a user name and password; returns the user's mailboxes, or null to refuse. */
  authenticate(user: string, password: string): UserMailStore | null;
  /** Shared by all sessions of one server so \Recent reaches one session only (I6). */
  recent?: RecentRegistry;
  /** The connection is already TLS (port 993). */
  tlsActive?: boolean;
  /** Offer STARTTLS (default: when not already TLS). */
  startTlsAvailable?: boolean;
  /** Refuse LOGIN and AUTHENTICATE until TLS (RFC 3501 §6.2.3 LOGINDISABLED). */
  loginDisabledWithoutTls?: boolean;
  /** Defaults to 30 min, the RFC 3501 §5.4 minimum. */
  autologoutMs?: number;
  limits?: Partial<ImapServerLimits>;
  /** Absolute Unix ms of virtual time 0, for INTERNALDATE of APPENDed mail (default SIM_EPOCH_MS). */
  epochMs?: number;
  /** Output was queued outside receive()/onTimeout() (IDLE updates): drain takeOutput(). */
  onAsyncOutput?: () => void;
}

export type ImapServerEvent =
  | { type: 'starttls' }
  | { type: 'authenticated'; user: string }
  | { type: 'auth-failed'; user: string }
  | { type: 'command'; tag: string; name: string; status: 'OK' | 'NO' | 'BAD' }
  | { type: 'closed'; reason: 'logout' | 'autologout' | 'eof' | 'protocol-error' };

// ---- the table ----------------------------------------------------------------------------------

/** The states in which the session reads commands. */
type CommandState = Exclude<ImapServerState, 'logout'>;
type StateOf<K extends ImapServerState> = Extract<ImapState, { kind: K }>;

/** A command body (commands/): the tagged OK text, or null when it answered itself; fails by throwing. */
type Body<S extends ImapState, N extends ImapCommandName> = (context: CommandContext, state: S, command: CommandOf<N>, nowMs: number) => string | null;
/** Refuse the command with this tagged reply; the state does not change. */
type Refuse = { readonly refuse: CommandFailure };
/** Run the body; afterwards the session is where it was, in one of `to`, or (a limit, LOGOUT) in logout. */
type Run<S extends ImapState, N extends ImapCommandName> = { readonly run: Body<S, N>; readonly to: readonly ImapServerState[] };
type Rule<S extends ImapState, N extends ImapCommandName> = Refuse | Run<S, N>;
type CommandTable = { readonly [K in CommandState]: { readonly [N in ImapCommandName]: Rule<StateOf<K>, N> } };

const run = <S extends ImapState, N extends ImapCommandName>(body: Body<S, N>, ...to: ImapServerState[]): Run<S, N> => ({ run: body, to });
/** Every refusal by state is a BAD, a protocol-level error (RFC 3501 §7.1.3, RFC 9051 §7.1.3). */
const refuse = (text: string): Refuse => ({ refuse: new CommandFailure('BAD', text) });

/** RFC 3501 / RFC 9051 §6.3–6.4: these need a LOGIN or AUTHENTICATE first. */
const beforeLogin = refuse('Not authenticated');
/** RFC 3501 / RFC 9051 §6.2: these are valid only in the not-authenticated state. */
const afterLogin = refuse('Already authenticated');
/** RFC 3501 / RFC 9051 §6.4: these need a selected mailbox. */
const noMailbox = refuse('No mailbox selected');
/** RFC 5161 §3.1: ENABLE is valid in the authenticated state only. */
const enableTooLate = refuse('ENABLE only in the authenticated state');

/** RFC 3501 / RFC 9051 §6.1: valid in any state. */
const anyState = { CAPABILITY: run(capability), NOOP: run(noop), LOGOUT: run(logout, 'logout') };
/** RFC 3501 §6.3 (and RFC 2342, RFC 2177 IDLE): valid once authenticated, with or without a mailbox. */
const mailboxCommands = {
  CREATE: run(create), DELETE: run(deleteMailbox), RENAME: run(rename), SUBSCRIBE: run(subscribe), UNSUBSCRIBE: run(subscribe),
  LIST: run(list), LSUB: run(list), STATUS: run(status), APPEND: run(append), NAMESPACE: run(namespace), IDLE: run(idle),
};

/** I2: COMMANDS[state][command] — refuse it with a BAD, or run its body (RFC 3501 §6.1–6.4 and the extension RFCs). */
export const COMMANDS: CommandTable = {
  'not-authenticated': {
    ...anyState,
    STARTTLS: run(startTls), LOGIN: run(login, 'authenticated'), AUTHENTICATE: run(authenticate, 'authenticated'),
    SELECT: beforeLogin, EXAMINE: beforeLogin, CREATE: beforeLogin, DELETE: beforeLogin, RENAME: beforeLogin,
    SUBSCRIBE: beforeLogin, UNSUBSCRIBE: beforeLogin, LIST: beforeLogin, LSUB: beforeLogin, STATUS: beforeLogin,
    APPEND: beforeLogin, NAMESPACE: beforeLogin, IDLE: beforeLogin, ENABLE: beforeLogin,
    CHECK: beforeLogin, CLOSE: beforeLogin, UNSELECT: beforeLogin, EXPUNGE: beforeLogin, 'UID EXPUNGE': beforeLogin,
    SEARCH: beforeLogin, FETCH: beforeLogin, STORE: beforeLogin, COPY: beforeLogin, MOVE: beforeLogin,
  },
  authenticated: {
    ...anyState,
    STARTTLS: afterLogin, LOGIN: afterLogin, AUTHENTICATE: afterLogin,
    ...mailboxCommands, SELECT: run(select, 'selected'), EXAMINE: run(select, 'selected'), ENABLE: run(enable),
    CHECK: noMailbox, CLOSE: noMailbox, UNSELECT: noMailbox, EXPUNGE: noMailbox, 'UID EXPUNGE': noMailbox,
    SEARCH: noMailbox, FETCH: noMailbox, STORE: noMailbox, COPY: noMailbox, MOVE: noMailbox,
  },
  // A SELECT here leaves the current mailbox first, so a failed one ends in the authenticated state.
  selected: {
    ...anyState,
    STARTTLS: afterLogin, LOGIN: afterLogin, AUTHENTICATE: afterLogin,
    ...mailboxCommands, SELECT: run(select, 'authenticated'), EXAMINE: run(select, 'authenticated'), ENABLE: enableTooLate,
    CHECK: run(noop), CLOSE: run(closeMailbox, 'authenticated'), UNSELECT: run(closeMailbox, 'authenticated'),
    EXPUNGE: run(expunge), 'UID EXPUNGE': run(expunge), SEARCH: run(search), FETCH: run(fetch), STORE: run(store),
    COPY: run(copy), MOVE: run(copy),
  },
};

// ---- the session --------------------------------------------------------------------------------

type Wait = { kind: 'line'; tag: string; name: 'AUTHENTICATE' | 'IDLE'; continuation: Continuation } | { kind: 'starttls' } | null;

/** Commands during which EXPUNGE responses must not be sent (RFC 3501 §7.4.1). */
const NO_EXPUNGE_DURING: ReadonlySet<ImapCommandName> = new Set(['FETCH', 'STORE', 'SEARCH']);

/** One connection's state, output and counters; what command bodies see of it is CommandContext. */
class ImapSession implements CommandContext {
  state: ImapState = { kind: 'not-authenticated' };
  wait: Wait = null;
  output: Uint8Array[] = [];
  events: ImapServerEvent[] = [];
  tlsActive: boolean;
  insideReceive = false;
  readonly reader: ImapCommandReader;
  readonly recent: RecentRegistry;
  readonly epochMs: number;
  private readonly limits: ImapServerLimits;
  private readonly startTlsAvailable: boolean;
  /** A failed login's reply, delayed: nothing more is read until the machine releases it. */
  readonly hold = new OutputHold();
  private authFailures = 0;
  private badCommands = 0;

  constructor(private readonly options: ImapServerOptions) {
    this.tlsActive = options.tlsActive ?? false;
    this.startTlsAvailable = options.startTlsAvailable ?? !this.tlsActive;
    this.recent = options.recent ?? new RecentRegistry();
    this.epochMs = options.epochMs ?? SIM_EPOCH_MS;
    this.limits = { ...DEFAULT_SERVER_LIMITS, ...DEFAULT_FRAMER_LIMITS, ...options.limits } as ImapServerLimits;
    // Until LOGIN/AUTHENTICATE succeeds a command may hold only the pre-authentication budget.
    this.reader = new ImapCommandReader({ ...options.limits, commandBytesMax: Math.min(this.limits.preauthCommandBytesMax, this.limits.commandBytesMax) });
  }

  get closed(): boolean {
    return this.state.kind === 'logout';
  }

  enter(next: ImapState): void {
    const current = this.state;
    if (current.kind === 'selected' && (next.kind !== 'selected' || next.selection !== current.selection)) current.selection.close();
    this.state = next;
  }

  send(line: string): void {
    this.output.push(textBytes(`${line}\r\n`));
  }

  sendBytes(bytes: Uint8Array): void {
    this.output.push(bytes);
  }

  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, name: string): void {
    this.send(`${tag} ${status} ${text}`);
    this.events.push({ type: 'command', tag, name, status });
    if (status === 'BAD') {
      this.badCommands += 1;
      if (this.badCommands >= this.limits.badCommandsMax && !this.closed) {
        this.send('* BYE Too many invalid commands');
        this.close('protocol-error');
      }
    }
  }

  /** Sends pending updates, then the tagged completion. */
  finish(tag: string, name: ImapCommandName, status: 'OK' | 'NO', text: string): void {
    this.flushUpdates(!NO_EXPUNGE_DURING.has(name));
    this.tagged(tag, status, text, name);
  }

  /** The one way a command fails: NO after the pending updates, BAD at once; then BYE if the failure ends the session. */
  fail(tag: string, name: ImapCommandName, failure: CommandFailure): void {
    if (failure.status === 'NO') this.finish(tag, name, 'NO', failure.text);
    else this.tagged(tag, 'BAD', failure.text, name);
    if (failure.bye !== null && !this.closed) {
      this.send(`* BYE ${failure.bye}`);
      this.close('protocol-error');
    }
  }

  flushUpdates(allowExpunge: boolean): void {
    if (this.state.kind !== 'selected') return;
    for (const line of this.state.selection.takeUpdates(allowExpunge)) this.send(line);
  }

  close(reason: 'logout' | 'autologout' | 'eof' | 'protocol-error'): void {
    this.enter({ kind: 'logout' });
    this.wait = null;
    this.events.push({ type: 'closed', reason });
  }

  capabilities(): string[] {
    return capabilities({
      authenticated: this.state.kind !== 'not-authenticated',
      tlsActive: this.tlsActive,
      startTlsAvailable: this.startTlsAvailable,
      loginDisabled: this.loginDisabled(),
    });
  }

  loginDisabled(): boolean {
    return (this.options.loginDisabledWithoutTls ?? false) && !this.tlsActive;
  }

  startTlsPossible(): boolean {
    return this.startTlsAvailable && !this.tlsActive;
  }

  beginTls(): void {
    this.reader.reset();
    this.wait = { kind: 'starttls' };
    this.events.push({ type: 'starttls' });
  }

  awaitLine(tag: string, name: 'AUTHENTICATE' | 'IDLE', continuation: Continuation): void {
    this.wait = { kind: 'line', tag, name, continuation };
    this.reader.rawMode = true;
  }

  authenticate(user: string, password: string): UserMailStore | null {
    return this.options.authenticate(user, password);
  }

  authenticated(user: string): void {
    this.reader.setCommandBytesMax(this.limits.commandBytesMax);
    this.events.push({ type: 'authenticated', user });
  }

  authenticationFailed(user: string): boolean {
    this.authFailures += 1;
    this.events.push({ type: 'auth-failed', user });
    // The NO (and a BYE after it) is written next: it waits auth_failure_delay.
    this.hold.request(this.output.length, this.limits.authFailureDelayMs);
    return this.authFailures >= this.limits.authFailuresMax;
  }

  openSelection(folder: Folder, name: string, readOnly: boolean, user: string): Selection {
    return new Selection(folder, name, readOnly, user, this.recent, () => this.onSelectionChange());
  }

  /** Another session changed the selected mailbox: during IDLE the client hears of it at once. */
  private onSelectionChange(): void {
    if (this.wait?.kind !== 'line' || this.wait.name !== 'IDLE') return;
    this.flushUpdates(true);
    if (!this.insideReceive) this.options.onAsyncOutput?.();
  }
}

// ---- the machine --------------------------------------------------------------------------------

export class ImapServer implements SansIoMachine<ImapServerEvent>, TlsCapable {
  private readonly session: ImapSession;
  private readonly deadline: RequestDeadline;

  constructor(options: ImapServerOptions, nowMs: number) {
    this.session = new ImapSession(options);
    const autologoutMs = Math.max(options.autologoutMs ?? AUTOLOGOUT_MS_MIN, AUTOLOGOUT_MS_MIN);
    this.deadline = new RequestDeadline(autologoutMs, options.limits?.minDataRateBytesPerS ?? MIN_DATA_RATE_BYTES_PER_S_DEFAULT, nowMs);
    this.session.send(`* OK [CAPABILITY ${this.capabilityList().join(' ')}] ${options.hostname} IMAP4rev1 service ready`);
  }

  get state(): ImapServerState {
    return this.session.state.kind;
  }

  /** Closed once nothing more will be sent: a delayed reply still has to go. */
  get closed(): boolean {
    return this.session.closed && !this.session.hold.holding;
  }

  /** The CAPABILITY list as it stands now (RFC 3501 §7.2.1). */
  capabilityList(): string[] {
    return this.session.capabilities();
  }

  // ---- SansIoMachine ----------------------------------------------------------------------------

  receive(bytes: Uint8Array, nowMs: number): void {
    const session = this.session;
    if (session.closed || session.wait?.kind === 'starttls') return;
    const repliesBefore = session.output.length;
    session.insideReceive = true;
    try {
      session.reader.push(bytes);
      this.drainReader(nowMs);
    } finally {
      session.insideReceive = false;
    }
    if (session.output.length > repliesBefore) this.deadline.restart(nowMs);
    else this.deadline.credit(bytes.length);
    session.hold.arm(nowMs);
  }

  receiveEof(_nowMs: number): void {
    if (this.session.closed) return;
    this.session.close('eof');
  }

  takeOutput(): Uint8Array[] {
    const { now, held } = this.session.hold.split(this.session.output);
    this.session.output = held;
    return now;
  }

  takeEvents(): ImapServerEvent[] {
    const out = this.session.events;
    this.session.events = [];
    return out;
  }

  /** When a delayed reply is due; else the autologout deadline. */
  nextTimeoutMs(): number | null {
    const releaseAtMs = this.session.hold.releaseAtMs;
    if (releaseAtMs !== null) return releaseAtMs;
    return this.session.closed ? null : this.deadline.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.session.hold.release(nowMs)) {
      // The delayed reply may go; what the client sent meanwhile is read now.
      this.deadline.restart(nowMs);
      this.receive(new Uint8Array(0), nowMs);
      return;
    }
    if (this.session.closed || nowMs < this.deadline.deadlineMs) return;
    this.session.send('* BYE Autologout; idle for too long');
    this.session.close('autologout');
  }

  tlsEstablished(_nowMs: number): void {
    const session = this.session;
    if (session.wait?.kind !== 'starttls') throw new Error('tlsEstablished without a STARTTLS in progress');
    session.tlsActive = true;
    session.wait = null;
    session.reader.reset();
  }

  // ---- reading and dispatch ---------------------------------------------------------------------

  private drainReader(nowMs: number): void {
    const session = this.session;
    for (;;) {
      if (session.closed || session.wait?.kind === 'starttls' || session.hold.holding) return;
      const item = session.reader.next();
      if (!item) return;
      switch (item.type) {
        case 'continue':
          session.send('+ Ready for literal data');
          break;
        case 'refused':
          if (item.reason === 'command-too-big') {
            this.refuseTooBig(item.tag, item.fatal);
            if (item.fatal) return;
            break;
          }
          if (item.fatal) {
            session.send('* BYE [LIMIT] Command line too long');
            session.close('protocol-error');
            return;
          }
          // Not a command yet, so no pending updates go before these.
          if (item.reason === 'literal-too-big') session.tagged(item.tag, item.tag === '*' ? 'BAD' : 'NO', '[TOOBIG] Literal too big', '');
          else session.tagged(item.tag, 'BAD', '[LIMIT] Too many literals', '');
          break;
        case 'bad':
          session.tagged(item.tag, 'BAD', `Error in command: ${item.reason}`, '');
          break;
        case 'raw':
          this.continueWith(item.line);
          break;
        case 'command':
          this.dispatch(item.command, nowMs);
          break;
      }
    }
  }

  /**
   * A literal that would take the command over its byte budget, refused before it is read (RFC 9051
   * §7.1 TOOBIG): a synchronising one gets NO instead of `+`; a non-synchronising one is on its way
   * anyway, so BAD and BYE (RFC 7888 §4; Dovecot disconnects too).
   */
  private refuseTooBig(tag: string, fatal: boolean): void {
    const session = this.session;
    const status = fatal || tag === '*' ? 'BAD' : 'NO';
    session.tagged(tag, status, '[TOOBIG] Command too big', '');
    if (!fatal || session.closed) return;
    session.send('* BYE [TOOBIG] Literal too big; closing');
    session.close('protocol-error');
  }

  /** Bytes the session holds for the command it is reading (the measure of its input limits). */
  get bufferedBytes(): number {
    return this.session.reader.bufferedBytes;
  }

  /** I1, I2: the table decides whether the command runs here; a refusal is a BAD and changes nothing. */
  private dispatch(command: ImapCommand, nowMs: number): void {
    const state = this.session.state;
    if (state.kind === 'logout') throw new Error('IMAP command dispatched after logout');
    // The row's cell for this name takes this name's command in this state (TypeScript cannot correlate the two).
    const rule = COMMANDS[state.kind][command.name] as Rule<ImapState, ImapCommandName>;
    if ('refuse' in rule) {
      this.session.fail(command.tag, command.name, rule.refuse);
      return;
    }
    this.perform(command.tag, command.name, rule, () => rule.run(this.session, state, command, nowMs));
  }

  /** The line an AUTHENTICATE or IDLE waited for: its continuation completes the command. */
  private continueWith(line: string): void {
    const session = this.session;
    const wait = session.wait;
    session.wait = null;
    session.reader.rawMode = false;
    if (wait?.kind !== 'line' || session.state.kind === 'logout') return;
    const rule = COMMANDS[session.state.kind][wait.name] as Rule<ImapState, ImapCommandName>;
    if ('refuse' in rule) throw new Error(`IMAP ${wait.name} continued in the ${session.state.kind} state`);
    this.perform(wait.tag, wait.name, rule, () => wait.continuation(session, line));
  }

  /** Runs a body of `rule`, writes its completion, and checks it left the session where the table allows. */
  private perform(tag: string, name: ImapCommandName, rule: Run<ImapState, ImapCommandName>, body: () => string | null): void {
    const session = this.session;
    const from = session.state.kind;
    try {
      const text = body();
      if (text !== null) session.finish(tag, name, 'OK', text);
    } catch (error) {
      session.fail(tag, name, failureOf(error));
    }
    const to = session.state.kind;
    if (to !== from && to !== 'logout' && !rule.to.includes(to)) throw new Error(`IMAP ${name} moved the session ${from} → ${to}, which its table cell does not allow`);
  }
}

/** A body's exception as the command's failure; anything else is a bug and propagates. */
function failureOf(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  // A delivery holds the mbox append lock: a temporary failure (RFC 5530 INUSE), retry later.
  if (error instanceof MailboxBusyError) return new CommandFailure('NO', '[INUSE] Mailbox is busy; try again');
  throw error;
}
