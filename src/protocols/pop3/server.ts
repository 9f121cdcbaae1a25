/**
 * The POP3 server as a sans-IO machine (RFC 1939; RFC 2449 CAPA and response codes; RFC 2595 §4 STLS;
 * docs/delivery.md §9 P1–P6; the contract in ../machine.ts). This file holds the session, the command
 * table and the dispatch; the handlers are in authorization.ts, transaction.ts and capa.ts.
 *
 * States (RFC 1939 §3) are a discriminated union carrying their data (context.ts):
 *
 *   authorization{pendingUser} ──PASS / APOP──▶ transaction{maildrop} ──QUIT──▶ update{maildrop} ──▶ closed
 *        │ STLS "+OK"   ▲ handshake done                      (QUIT in AUTHORIZATION: closed, no UPDATE)
 *        ▼              │
 *     starttls ─────────┘
 *   any ──EOF / autologout / too many bad commands or failed logins──▶ closed (no UPDATE)
 *
 * A failed login's "-ERR" waits `authFailureDelayMs` (Dovecot `auth_failure_delay`; an OutputHold,
 * ../output-hold.ts): the reply is held and the lines behind it wait, unread, until the machine's clock
 * reaches the release, so a password guesser gets one try per delay and is hung up on after
 * `authFailuresMax`.
 * One table, COMMANDS, gives for each command-reading state and verb either the "-ERR" it gets there
 * (counted towards `badCommandsMax`) or the handler to run and the states it may move the session to;
 * the dispatcher checks that after every handler. A verb the server does not know is "-ERR unknown
 * command". Handlers fail by throwing bad()/no() (context.ts); the dispatcher writes the "-ERR" and
 * hangs up when a limit is reached.
 *
 * The maildrop is the user's INBOX. On entering TRANSACTION the server takes the store's exclusive
 * lock (P4: another session gets `-ERR [IN-USE]`, RFC 2449 §8.1.2) and numbers the messages present at
 * that moment 1..n; mail arriving later waits for the next session (RFC 1939 §4). DELE only marks
 * (P2); RSET unmarks; the marked messages are removed only in UPDATE, reached only by QUIT from
 * TRANSACTION (P1). EOF, autologout (RFC 1939 §3, ≥ 10 min) and QUIT in AUTHORIZATION remove nothing
 * and release the lock. UIDL is "<UIDVALIDITY>.<UID>": stable across sessions and never reused (P5),
 * within RFC 1939 §7's 1–70 characters of 0x21–0x7E.
 *
 * After "+OK" to STLS the rest of the input is discarded: commands pipelined before the handshake must
 * not run after it (the STARTTLS command-injection flaw, CVE-2011-0411).
 */
import type { TlsCapable } from '../machine.js';
import { type SansIoMachine, textBytes } from '../machine.js';
import { apop, pass, signOff, stls, user } from './authorization.js';
import { capa } from './capa.js';
import { type Authorization, type Pop3Context, Pop3Failure, type Pop3State, type Transaction } from './context.js';
import { RequestDeadline } from '../request-deadline.js';
import { type FramedLine, LineFramer } from './lines.js';
import { OutputHold } from '../output-hold.js';
import { dele, list, noop, retr, rset, stat, top, uidl, update } from './transaction.js';
import {
  POP3_SERVER_LIMITS,
  type Pop3CloseReason,
  type Pop3ServerEvent,
  type Pop3ServerLimits,
  type Pop3ServerOptions,
  type Pop3ServerState,
} from './types.js';

// ---- the table ----------------------------------------------------------------------------------

/** Every command the server implements (RFC 1939 §4–§7, RFC 2449 §5, RFC 2595 §4). */
const POP3_VERBS = ['USER', 'PASS', 'APOP', 'CAPA', 'STLS', 'QUIT', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL'] as const;
type Pop3Verb = (typeof POP3_VERBS)[number];

function isPop3Verb(keyword: string): keyword is Pop3Verb {
  return (POP3_VERBS as readonly string[]).includes(keyword);
}

/** The states in which the machine reads commands. */
type CommandState = Authorization | Transaction;
type Handler<S extends CommandState> = (context: Pop3Context, state: S, argument: string) => void;
/** Refuse the verb with this reply; the state does not change. */
type Refuse = { readonly refuse: Pop3Failure };
/** Run the handler; afterwards the session is where it was, in one of `to`, or (a limit) closed. */
type Run<S extends CommandState> = { readonly run: Handler<S>; readonly to: readonly Pop3ServerState[] };
type Rule<S extends CommandState> = Refuse | Run<S>;
type CommandTable = { readonly authorization: Record<Pop3Verb, Rule<Authorization>>; readonly transaction: Record<Pop3Verb, Rule<Transaction>> };

const run = <S extends CommandState>(handler: Handler<S>, ...to: Pop3ServerState[]): Run<S> => ({ run: handler, to });
/** RFC 1939 §3: a command not valid in the state gets -ERR; counted as the client's mistake. */
const notIn = (state: 'AUTHORIZATION' | 'TRANSACTION', verb: Pop3Verb): Refuse => ({
  refuse: new Pop3Failure(`-ERR ${verb} not valid in the ${state} state`, 'bad-commands'),
});
const unknownCommand = new Pop3Failure('-ERR unknown command', 'bad-commands');
/** Lines that may wait behind a delayed reply (each at most 255 octets); one more and the client is hung up on. */
const waitingLinesMax = 1000;

/** RFC 2449 §4: a command line is at most 255 octets. */
const lineTooLong = new Pop3Failure('-ERR command line too long (255 octets max)', 'bad-commands');

/** COMMANDS[state][verb]: refuse it with this -ERR, or run its handler (RFC 1939 §4–§7, RFC 2449 §5, RFC 2595 §4). */
export const COMMANDS: CommandTable = {
  authorization: {
    USER: run(user), PASS: run(pass, 'transaction'), APOP: run(apop, 'transaction'), CAPA: run(capa),
    STLS: run(stls, 'starttls'), QUIT: run(signOff, 'closed'),
    STAT: notIn('AUTHORIZATION', 'STAT'), LIST: notIn('AUTHORIZATION', 'LIST'), RETR: notIn('AUTHORIZATION', 'RETR'),
    DELE: notIn('AUTHORIZATION', 'DELE'), NOOP: notIn('AUTHORIZATION', 'NOOP'), RSET: notIn('AUTHORIZATION', 'RSET'),
    TOP: notIn('AUTHORIZATION', 'TOP'), UIDL: notIn('AUTHORIZATION', 'UIDL'),
  },
  transaction: {
    STAT: run(stat), LIST: run(list), RETR: run(retr), DELE: run(dele), NOOP: run(noop), RSET: run(rset), TOP: run(top),
    UIDL: run(uidl), CAPA: run(capa), QUIT: run(update, 'update', 'closed'),
    USER: notIn('TRANSACTION', 'USER'), PASS: notIn('TRANSACTION', 'PASS'), APOP: notIn('TRANSACTION', 'APOP'),
    STLS: notIn('TRANSACTION', 'STLS'),
  },
};

/** The verbs each state runs, read off the table. */
export const COMMANDS_BY_STATE: Readonly<Record<'authorization' | 'transaction', ReadonlySet<string>>> = {
  authorization: runs(COMMANDS.authorization),
  transaction: runs(COMMANDS.transaction),
};

function runs(row: Readonly<Record<Pop3Verb, object>>): ReadonlySet<string> {
  return new Set(POP3_VERBS.filter((verb) => 'run' in row[verb]));
}

// ---- the session --------------------------------------------------------------------------------

/** One connection's state, output and counters; what handlers see of it is Pop3Context. */
class Pop3Session implements Pop3Context {
  state: Pop3State = { kind: 'authorization', pendingUser: null };
  output: Uint8Array[] = [];
  events: Pop3ServerEvent[] = [];
  tlsActive: boolean;
  readonly banner: string | null;
  readonly limits: Pop3ServerLimits;
  readonly framer: LineFramer;
  /** A failed login's reply, delayed; lines read meanwhile wait in `waiting`. */
  readonly hold = new OutputHold();
  waiting: FramedLine[] = [];
  private badCommands = 0;
  private authFailures = 0;

  constructor(readonly options: Pop3ServerOptions) {
    this.limits = { ...POP3_SERVER_LIMITS, ...options.limits };
    this.framer = new LineFramer(this.limits.commandLineBytesMax);
    this.tlsActive = options.tlsActive;
    // RFC 1939 §7: the greeting carries a timestamp only when APOP is offered.
    this.banner = options.apopSecret ? `<${options.bannerToken}@${options.hostName}>` : null;
  }

  enter(next: Pop3State): void {
    const current = this.state;
    if ((current.kind === 'transaction' || current.kind === 'update') && next.kind !== 'transaction' && next.kind !== 'update') {
      current.maildrop.stopWatching();
      current.maildrop.releaseLock();
    }
    this.state = next;
  }

  reply(line: string): void {
    this.output.push(textBytes(`${line}\r\n`));
  }

  multiline(first: string, body: string): void {
    this.output.push(textBytes(`${first}\r\n`), latin1Bytes(body));
  }

  event(event: Pop3ServerEvent): void {
    this.events.push(event);
  }

  close(reason: Pop3CloseReason): void {
    this.enter({ kind: 'closed' });
    this.events.push({ type: 'closed', reason });
  }

  beginTls(): void {
    this.framer.reset();
    this.enter({ kind: 'starttls' });
    this.events.push({ type: 'starttls' });
  }

  /** The one way a command fails: -ERR, then hang up when it was one too many (a client gone wrong or a scanner). */
  fail(failure: Pop3Failure): void {
    if (failure.counts === 'auth-failures') this.hold.request(this.output.length, this.limits.authFailureDelayMs);
    this.reply(failure.text);
    if (failure.counts === 'bad-commands' && ++this.badCommands >= this.limits.badCommandsMax) {
      this.reply('-ERR too many bad commands, closing');
      this.close('too-many-errors');
    } else if (failure.counts === 'auth-failures' && ++this.authFailures >= this.limits.authFailuresMax) {
      this.reply('-ERR too many failed logins, closing');
      this.close('too-many-auth-failures');
    }
    if (failure.close !== null && this.state.kind !== 'closed') this.close(failure.close);
  }
}

// ---- the machine --------------------------------------------------------------------------------

export class Pop3ServerMachine implements SansIoMachine<Pop3ServerEvent>, TlsCapable {
  private readonly session: Pop3Session;
  /** Autologout: restarted by each reply; bytes without one (a partial line) only earn credit (request-deadline.ts). */
  private readonly deadline: RequestDeadline;

  constructor(options: Pop3ServerOptions) {
    this.session = new Pop3Session(options);
    this.deadline = new RequestDeadline(this.session.limits.autologoutMs, this.session.limits.minDataRateBytesPerS, options.nowMs);
    const { banner } = this.session;
    this.session.reply(`+OK ${options.hostName} POP3 server ready${banner ? ` ${banner}` : ''}`);
  }

  get state(): Pop3ServerState {
    return this.session.state.kind;
  }

  /** Closed once nothing more will be sent: a delayed reply still has to go. */
  get closed(): boolean {
    return this.session.state.kind === 'closed' && !this.session.hold.holding;
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    const session = this.session;
    if (session.state.kind === 'closed' || session.state.kind === 'starttls') return;
    const repliesBefore = session.output.length;
    const lines = session.framer.push(bytes);
    if (session.waiting.length + lines.length > waitingLinesMax) {
      session.reply('-ERR too many commands sent ahead, closing');
      session.close('too-many-errors');
      return;
    }
    session.waiting.push(...lines);
    this.runWaiting(nowMs);
    if (session.output.length > repliesBefore) this.deadline.restart(nowMs);
    else this.deadline.credit(bytes.length);
  }

  receiveEof(_nowMs: number): void {
    // P1: a dropped connection deletes nothing. (A delayed reply still goes out before the close.)
    if (this.session.state.kind !== 'closed') this.session.close('eof');
  }

  takeOutput(): Uint8Array[] {
    const { now, held } = this.session.hold.split(this.session.output);
    this.session.output = held;
    return now;
  }

  takeEvents(): Pop3ServerEvent[] {
    const out = this.session.events;
    this.session.events = [];
    return out;
  }

  /** When a delayed reply is due; else the autologout deadline. */
  nextTimeoutMs(): number | null {
    const releaseAtMs = this.session.hold.releaseAtMs;
    if (releaseAtMs !== null) return releaseAtMs;
    return this.closed ? null : this.deadline.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.session.hold.release(nowMs)) {
      // The delayed reply may go; the lines that waited behind it run now.
      this.deadline.restart(nowMs);
      this.runWaiting(nowMs);
      return;
    }
    if (this.closed || nowMs < this.deadline.deadlineMs) return;
    // RFC 1939 §3: an autologout does not enter UPDATE, so nothing is deleted.
    this.session.reply('-ERR [SYS/TEMP] autologout: idle for too long');
    this.session.close('autologout');
  }

  tlsEstablished(_nowMs: number): void {
    const session = this.session;
    if (session.state.kind !== 'starttls') throw new Error('tlsEstablished without a STLS in progress');
    // RFC 2595 §4: the server stays in AUTHORIZATION; what was said before TLS is forgotten.
    session.tlsActive = true;
    session.framer.reset();
    session.enter({ kind: 'authorization', pendingUser: null });
  }

  /** Runs the lines read so far, in order, until one is answered with a delayed reply. */
  private runWaiting(nowMs: number): void {
    const session = this.session;
    while (session.waiting.length > 0 && !session.hold.holding) {
      // A state change (STLS, QUIT, a hang-up) ends command processing: the lines behind it are dropped.
      const state = session.state;
      if (state.kind !== 'authorization' && state.kind !== 'transaction') {
        session.waiting = [];
        break;
      }
      const line = session.waiting.shift()!;
      if (line.overlong) session.fail(lineTooLong);
      else this.command(state, line.text);
    }
    session.hold.arm(nowMs);
  }

  /** The table decides whether the verb runs in this state; a refusal changes nothing. */
  private command(state: CommandState, line: string): void {
    const space = line.indexOf(' ');
    const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? '' : line.slice(space + 1);
    if (!isPop3Verb(keyword)) {
      this.session.fail(unknownCommand);
      return;
    }
    // The row's cell takes this row's state (TypeScript cannot correlate the two).
    const rule = COMMANDS[state.kind][keyword] as Rule<CommandState>;
    if ('refuse' in rule) {
      this.session.fail(rule.refuse);
      return;
    }
    try {
      rule.run(this.session, state, argument);
    } catch (error) {
      if (!(error instanceof Pop3Failure)) throw error;
      this.session.fail(error);
    }
    const to = this.session.state.kind;
    if (to !== state.kind && to !== 'closed' && !rule.to.includes(to)) throw new Error(`POP3 ${keyword} moved the session ${state.kind} → ${to}, which its table cell does not allow`);
  }
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
