/**
 * The POP3 server as a sans-IO machine (RFC 1939; RFC 2449 CAPA and response codes; RFC 2595 §4 STLS;
 * docs/delivery.md §9 P1–P6; the contract in ../machine.ts).
 *
 * States (RFC 1939 §3): AUTHORIZATION → TRANSACTION → UPDATE → closed, plus STARTTLS while the owner
 * runs the TLS handshake after "+OK" to STLS. Which commands each state accepts is one table
 * (COMMANDS_BY_STATE); anything else gets -ERR and counts towards `badCommandsMax`.
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
import { createHash } from 'node:crypto';
import type { TlsCapable } from '../machine.js';
import { bytesLatin1, type SansIoMachine, textBytes } from '../machine.js';
import type { Folder, FolderChange, UserMailStore } from '../../store/mailstore.js';
import { MailboxBusyError } from '../../store/mailstore.js';
import { dotStuff, LineFramer } from './lines.js';
import {
  POP3_SERVER_LIMITS,
  type Pop3CloseReason,
  type Pop3ServerEvent,
  type Pop3ServerLimits,
  type Pop3ServerOptions,
  type Pop3ServerState,
} from './types.js';

/** The commands each state accepts (RFC 1939 §4–§7, RFC 2449 §5, RFC 2595 §4). */
export const COMMANDS_BY_STATE: Readonly<Record<'authorization' | 'transaction', ReadonlySet<string>>> = {
  authorization: new Set(['USER', 'PASS', 'APOP', 'CAPA', 'STLS', 'QUIT']),
  transaction: new Set(['STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL', 'CAPA', 'QUIT']),
};

/** Every command the server implements (for "unknown command" versus "not in this state"). */
const KNOWN_COMMANDS = new Set([...COMMANDS_BY_STATE.authorization, ...COMMANDS_BY_STATE.transaction]);

interface MaildropEntry {
  readonly uid: number;
  readonly size: number;
  deleted: boolean;
}

interface Session {
  readonly user: string;
  readonly store: UserMailStore;
  readonly inbox: Folder;
  readonly entries: MaildropEntry[];
  readonly releaseLock: () => void;
  readonly stopWatching: () => void;
  /** UIDs expunged by someone else (an IMAP session) since the snapshot. */
  readonly vanished: Set<number>;
}

export class Pop3ServerMachine implements SansIoMachine<Pop3ServerEvent>, TlsCapable {
  private stateValue: Pop3ServerState = 'authorization';
  private readonly limits: Pop3ServerLimits;
  private readonly framer: LineFramer;
  private output: Uint8Array[] = [];
  private events: Pop3ServerEvent[] = [];
  private tlsActive: boolean;
  private readonly banner: string | null;
  private pendingUser: string | null = null;
  private session: Session | null = null;
  private badCommands = 0;
  private authFailures = 0;
  private deadlineMs: number;

  constructor(private readonly options: Pop3ServerOptions) {
    this.limits = { ...POP3_SERVER_LIMITS, ...options.limits };
    this.framer = new LineFramer(this.limits.commandLineBytesMax);
    this.tlsActive = options.tlsActive;
    this.deadlineMs = options.nowMs + this.limits.autologoutMs;
    // RFC 1939 §7: the greeting carries a timestamp only when APOP is offered.
    this.banner = options.apopSecret ? `<${options.bannerToken}@${options.hostName}>` : null;
    this.reply(`+OK ${options.hostName} POP3 server ready${this.banner ? ` ${this.banner}` : ''}`);
  }

  get state(): Pop3ServerState {
    return this.stateValue;
  }

  get closed(): boolean {
    return this.stateValue === 'closed';
  }

  receive(bytes: Uint8Array, nowMs: number): void {
    if (this.stateValue === 'closed' || this.stateValue === 'starttls') return;
    this.deadlineMs = nowMs + this.limits.autologoutMs;
    for (const line of this.framer.push(bytes)) {
      // A state change inside the loop (STLS, QUIT, a hang-up) ends command processing for this input.
      if (this.stateValue !== 'authorization' && this.stateValue !== 'transaction') break;
      if (line.overlong) this.bad('-ERR command line too long (255 octets max)');
      else this.command(line.text);
    }
  }

  receiveEof(_nowMs: number): void {
    // P1: a dropped connection deletes nothing.
    if (this.stateValue !== 'closed') this.close('eof');
  }

  takeOutput(): Uint8Array[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  takeEvents(): Pop3ServerEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  nextTimeoutMs(): number | null {
    return this.stateValue === 'closed' ? null : this.deadlineMs;
  }

  onTimeout(nowMs: number): void {
    if (this.stateValue === 'closed' || nowMs < this.deadlineMs) return;
    // RFC 1939 §3: an autologout does not enter UPDATE, so nothing is deleted.
    this.reply('-ERR [SYS/TEMP] autologout: idle for too long');
    this.close('autologout');
  }

  tlsEstablished(_nowMs: number): void {
    if (this.stateValue !== 'starttls') throw new Error('tlsEstablished without a STLS in progress');
    // RFC 2595 §4: the server stays in AUTHORIZATION; what was said before TLS is forgotten.
    this.tlsActive = true;
    this.pendingUser = null;
    this.framer.reset();
    this.stateValue = 'authorization';
  }

  private reply(line: string): void {
    this.output.push(textBytes(`${line}\r\n`));
  }

  private multiline(first: string, body: string): void {
    this.output.push(textBytes(`${first}\r\n`), latin1Bytes(body));
  }

  /** A peer mistake: -ERR, and hang up when there were too many (a client gone wrong or a scanner). */
  private bad(message: string): void {
    this.reply(message);
    this.badCommands++;
    if (this.badCommands >= this.limits.badCommandsMax) {
      this.reply('-ERR too many bad commands, closing');
      this.close('too-many-errors');
    }
  }

  private close(reason: Pop3CloseReason): void {
    if (this.session) {
      this.session.stopWatching();
      this.session.releaseLock();
      this.session = null;
    }
    this.stateValue = 'closed';
    this.events.push({ type: 'closed', reason });
  }

  /** One handler per command; the state check happened before. */
  private readonly handlers: Record<string, (argument: string) => void> = {
    USER: (a) => this.user(a),
    PASS: (a) => this.pass(a),
    APOP: (a) => this.apop(a),
    CAPA: (a) => (a === '' ? this.capa() : this.bad('-ERR CAPA takes no argument')),
    STLS: (a) => this.stls(a),
    QUIT: (a) => (a === '' ? this.quit() : this.bad('-ERR QUIT takes no argument')),
    STAT: (a) => this.stat(a),
    LIST: (a) => this.list(a),
    RETR: (a) => this.retr(a),
    DELE: (a) => this.dele(a),
    NOOP: (a) => (a === '' ? this.reply('+OK') : this.bad('-ERR NOOP takes no argument')),
    RSET: (a) => this.rset(a),
    TOP: (a) => this.top(a),
    UIDL: (a) => this.uidl(a),
  };

  private command(line: string): void {
    const space = line.indexOf(' ');
    const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? '' : line.slice(space + 1);
    const state = this.stateValue as 'authorization' | 'transaction';
    if (!KNOWN_COMMANDS.has(keyword)) {
      this.bad('-ERR unknown command');
      return;
    }
    if (!COMMANDS_BY_STATE[state].has(keyword)) {
      this.bad(`-ERR ${keyword} not valid in the ${state.toUpperCase()} state`);
      return;
    }
    this.handlers[keyword]!(argument);
  }

  // AUTHORIZATION (RFC 1939 §7, RFC 2449 §5, RFC 2595 §4)

  private user(argument: string): void {
    if (argument === '' || argument.includes(' ')) {
      this.bad('-ERR USER needs one mailbox name');
      return;
    }
    this.pendingUser = argument;
    this.reply('+OK send PASS');
  }

  private pass(argument: string): void {
    const user = this.pendingUser;
    this.pendingUser = null;
    if (user === null) {
      this.bad('-ERR USER first');
      return;
    }
    // RFC 1939 §7: the password may contain spaces; it is the rest of the line.
    if (!this.options.checkPassword(user, argument)) {
      this.authFailed(user);
      return;
    }
    this.enterTransaction(user, 'USER');
  }

  private apop(argument: string): void {
    const match = /^(\S+) ([0-9a-fA-F]{32})$/.exec(argument);
    if (!this.banner || !this.options.apopSecret) {
      this.bad('-ERR APOP not available');
      return;
    }
    if (!match) {
      this.bad('-ERR APOP needs a name and an MD5 digest');
      return;
    }
    const user = match[1]!;
    const secret = this.options.apopSecret(user);
    const expected = secret === null ? null : createHash('md5').update(`${this.banner}${secret}`, 'latin1').digest('hex');
    if (expected === null || expected !== match[2]!.toLowerCase()) {
      this.authFailed(user);
      return;
    }
    this.enterTransaction(user, 'APOP');
  }

  private authFailed(user: string): void {
    this.authFailures++;
    this.events.push({ type: 'authFailed', user, reason: 'credentials' });
    // RFC 2449 §8.1.2 / RFC 3206 §4: [AUTH] means the credentials were wrong.
    this.reply('-ERR [AUTH] invalid user name or password');
    if (this.authFailures >= this.limits.authFailuresMax) {
      this.reply('-ERR too many failed logins, closing');
      this.close('too-many-auth-failures');
    }
  }

  private enterTransaction(user: string, mechanism: 'USER' | 'APOP'): void {
    const store = this.options.openMaildrop(user);
    const inbox = store?.folder('INBOX') ?? null;
    if (!store || !inbox) {
      this.events.push({ type: 'authFailed', user, reason: 'no-maildrop' });
      this.reply('-ERR [SYS/PERM] no maildrop for this user');
      return;
    }
    const releaseLock = store.tryLock(this.options.sessionId);
    if (!releaseLock) {
      this.events.push({ type: 'authFailed', user, reason: 'in-use' });
      // P4, RFC 2449 §8.1.2.
      this.reply('-ERR [IN-USE] maildrop already locked by another session');
      return;
    }
    const entries = inbox.messages().map((message) => ({ uid: message.uid, size: message.size, deleted: false }));
    const vanished = new Set<number>();
    const stopWatching = inbox.watch((change: FolderChange) => {
      if (change.kind === 'expunged') for (const uid of change.uids) vanished.add(uid);
    });
    this.session = { user, store, inbox, entries, releaseLock, stopWatching, vanished };
    this.stateValue = 'transaction';
    this.events.push({ type: 'authenticated', user, mechanism, messages: entries.length });
    const [count, octets] = this.totals();
    this.reply(`+OK ${user} has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
  }

  private capa(): void {
    const lines = ['TOP', 'UIDL', 'USER', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (this.options.tlsOffered && !this.tlsActive && this.stateValue === 'authorization') lines.push('STLS');
    lines.push(`IMPLEMENTATION ${this.options.implementation ?? 'mailsim'}`);
    this.multiline('+OK capability list follows', dotStuff(lines.map((l) => `${l}\r\n`).join('')));
  }

  private stls(argument: string): void {
    if (argument !== '') {
      this.bad('-ERR STLS takes no argument');
      return;
    }
    if (!this.options.tlsOffered || this.tlsActive) {
      this.bad('-ERR TLS not available (or already active)');
      return;
    }
    this.reply('+OK begin TLS negotiation');
    this.framer.reset();
    this.stateValue = 'starttls';
    this.events.push({ type: 'starttls' });
  }

  private quit(): void {
    const session = this.session;
    if (!session) {
      // P1: QUIT in AUTHORIZATION ends the session without UPDATE.
      this.reply(`+OK ${this.options.hostName} POP3 server signing off`);
      this.close('quit');
      return;
    }
    this.stateValue = 'update';
    const marked = session.entries.filter((entry) => entry.deleted && !session.vanished.has(entry.uid)).map((entry) => entry.uid);
    let ok = true;
    try {
      session.inbox.expunge(marked);
    } catch (error) {
      if (!(error instanceof MailboxBusyError)) throw error;
      ok = false;
    }
    this.events.push({ type: 'updated', user: session.user, deletedUids: ok ? marked : [], ok });
    const left = session.inbox.messages().length;
    // RFC 1939 §6: "-ERR some deleted messages not removed" when UPDATE could not finish.
    if (ok) this.reply(`+OK ${this.options.hostName} POP3 server signing off (${left} message${left === 1 ? '' : 's'} left)`);
    else this.reply('-ERR [SYS/TEMP] some deleted messages not removed');
    this.close('quit');
  }

  // TRANSACTION (RFC 1939 §5, §7)

  private totals(): [number, number] {
    let count = 0;
    let octets = 0;
    for (const entry of this.session!.entries) {
      if (entry.deleted) continue;
      count++;
      octets += entry.size;
    }
    return [count, octets];
  }

  /** The entry a message-number argument names, or an -ERR already sent (null). */
  private entryFor(argument: string): MaildropEntry | null {
    if (!/^[1-9][0-9]{0,9}$/.test(argument)) {
      this.bad('-ERR invalid message number');
      return null;
    }
    const number = Number(argument);
    const entry = this.session!.entries[number - 1];
    if (!entry) {
      this.reply(`-ERR no such message, only ${this.session!.entries.length} in maildrop`);
      return null;
    }
    if (entry.deleted) {
      // P2: a marked message cannot be used any more.
      this.reply(`-ERR message ${number} already deleted`);
      return null;
    }
    return entry;
  }

  private stat(argument: string): void {
    if (argument !== '') {
      this.bad('-ERR STAT takes no argument');
      return;
    }
    const [count, octets] = this.totals();
    this.reply(`+OK ${count} ${octets}`);
  }

  private list(argument: string): void {
    if (argument !== '') {
      const entry = this.entryFor(argument);
      if (entry) this.reply(`+OK ${argument} ${entry.size}`);
      return;
    }
    const [count, octets] = this.totals();
    const lines = this.session!.entries.map((entry, i) => (entry.deleted ? '' : `${i + 1} ${entry.size}\r\n`)).join('');
    this.multiline(`+OK ${count} messages (${octets} octets)`, dotStuff(lines));
  }

  private uidl(argument: string): void {
    const session = this.session!;
    const id = (entry: MaildropEntry) => `${session.inbox.uidValidity}.${entry.uid}`;
    if (argument !== '') {
      const entry = this.entryFor(argument);
      if (entry) this.reply(`+OK ${argument} ${id(entry)}`);
      return;
    }
    const lines = session.entries.map((entry, i) => (entry.deleted ? '' : `${i + 1} ${id(entry)}\r\n`)).join('');
    this.multiline('+OK unique-id listing follows', dotStuff(lines));
  }

  /** The message's bytes as a latin1 string, or null (and -ERR sent) if another session expunged it. */
  private content(entry: MaildropEntry): string | null {
    if (this.session!.vanished.has(entry.uid)) {
      this.reply('-ERR [SYS/TEMP] message was removed by another session');
      return null;
    }
    return bytesLatin1(this.session!.inbox.read(entry.uid));
  }

  private retr(argument: string): void {
    const entry = this.entryFor(argument);
    if (!entry) return;
    const message = this.content(entry);
    if (message === null) return;
    this.events.push({ type: 'retrieved', user: this.session!.user, uid: entry.uid });
    this.multiline(`+OK ${entry.size} octets`, dotStuff(message));
  }

  private top(argument: string): void {
    const match = /^(\S+) ([0-9]{1,9})$/.exec(argument);
    if (!match) {
      this.bad('-ERR TOP needs a message number and a line count');
      return;
    }
    const entry = this.entryFor(match[1]!);
    if (!entry) return;
    const message = this.content(entry);
    if (message === null) return;
    // RFC 1939 §7: the header, the blank line, then the first n lines of the body.
    const separator = message.indexOf('\r\n\r\n');
    const headerEnd = separator < 0 ? message.length : separator + 4;
    const bodyLines = message.slice(headerEnd).split('\r\n');
    const wanted = Number(match[2]);
    const body = bodyLines.slice(0, Math.min(wanted, bodyLines.length - 1)).map((l) => `${l}\r\n`).join('');
    this.multiline('+OK top of message follows', dotStuff(message.slice(0, headerEnd) + body));
  }

  private dele(argument: string): void {
    const entry = this.entryFor(argument);
    if (!entry) return;
    entry.deleted = true;
    this.reply(`+OK message ${argument} deleted`);
  }

  private rset(argument: string): void {
    if (argument !== '') {
      this.bad('-ERR RSET takes no argument');
      return;
    }
    for (const entry of this.session!.entries) entry.deleted = false;
    const [count, octets] = this.totals();
    this.reply(`+OK maildrop has ${count} messages (${octets} octets)`);
  }
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
