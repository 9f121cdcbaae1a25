/**
 * The IMAP4rev1 server machine (RFC 3501; extensions listed in capabilities.ts), sans-IO.
 *
 * States (RFC 3501 §3, docs/delivery.md I1): not-authenticated → authenticated → selected → logout. One
 * table, COMMAND_STATES, says where each command is valid (I2); anything else gets a tagged BAD and
 * never changes state. Three waits interrupt normal command reading: an AUTHENTICATE exchange (the
 * next line is a SASL response), IDLE (the next line must be DONE, RFC 2177) and STARTTLS (nothing is
 * read until the owner reports the handshake done; pipelined plaintext is discarded, RFC 3501 §6.2.1).
 *
 * Mailbox work goes through the UserMailStore contract only. The selected mailbox is a `Selection`
 * (sequence numbers, \Recent, pending updates from other sessions). Updates from other sessions may
 * arrive outside receive(); during IDLE they are written at once and the owner is told through
 * `onAsyncOutput` so it can drain takeOutput().
 *
 * Autologout (RFC 3501 §5.4): after `autologoutMs` (≥ 30 min) without input, `* BYE` and closed.
 */
import { SIM_EPOCH_MS, parseImapDateTime } from '../../sim/calendar.js';
import { type Folder, MailboxBusyError, type UserMailStore } from '../../store/mailstore.js';
import { canonicalFolderName } from '../../store/names.js';
import { type SansIoMachine, type TlsCapable, textBytes } from '../machine.js';
import { capabilities } from './capabilities.js';
import { FETCH_MACROS, type FetchAttribute, type ImapCommand, type ImapCommandName } from './command.js';
import { writeFetchItems, fetchSetsSeen } from './fetch.js';
import { DELETED_FLAG, SEEN_FLAG, applyStore, hasFlag, normalizeFlags } from './flags.js';
import { decodeMailboxName, encodeMailboxName } from '../../store/modifiedUtf7.js';
import { ImapCommandReader, type ReaderLimits } from './parser.js';
import { RecentRegistry } from './recent.js';
import { searchMatches } from './search.js';
import { Selection } from './selection.js';
import { compactNumbers, type SequenceSet, sequenceSetHas } from './sequence-set.js';
import { ResponseWriter } from './wire.js';

export type ImapServerState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/** RFC 3501 §5.4: the autologout timer must be at least 30 minutes. */
export const AUTOLOGOUT_MS_MIN = 30 * 60_000;

export interface ImapServerLimits extends ReaderLimits {
  /** Failed LOGIN/AUTHENTICATE attempts before the server says BYE. */
  authFailuresMax: number;
  /** BAD replies in one session before the server gives up on the client. */
  badCommandsMax: number;
}

export const DEFAULT_SERVER_LIMITS: Omit<ImapServerLimits, keyof ReaderLimits> = {
  authFailuresMax: 3,
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

const ANY: readonly ImapServerState[] = ['not-authenticated', 'authenticated', 'selected'];
const NOT_AUTH: readonly ImapServerState[] = ['not-authenticated'];
const AUTH: readonly ImapServerState[] = ['authenticated', 'selected'];
const SELECTED: readonly ImapServerState[] = ['selected'];

/** I2: the states in which each command is valid (RFC 3501 §6.1–6.4 and the extension RFCs). */
export const COMMAND_STATES: Record<ImapCommandName, readonly ImapServerState[]> = {
  CAPABILITY: ANY,
  NOOP: ANY,
  LOGOUT: ANY,
  STARTTLS: NOT_AUTH,
  LOGIN: NOT_AUTH,
  AUTHENTICATE: NOT_AUTH,
  SELECT: AUTH,
  EXAMINE: AUTH,
  CREATE: AUTH,
  DELETE: AUTH,
  RENAME: AUTH,
  SUBSCRIBE: AUTH,
  UNSUBSCRIBE: AUTH,
  LIST: AUTH,
  LSUB: AUTH,
  STATUS: AUTH,
  APPEND: AUTH,
  NAMESPACE: AUTH,
  IDLE: AUTH, // RFC 2177 §3: any time after authentication
  ENABLE: ['authenticated'], // RFC 5161 §3.1
  CHECK: SELECTED,
  CLOSE: SELECTED,
  EXPUNGE: SELECTED,
  SEARCH: SELECTED,
  FETCH: SELECTED,
  STORE: SELECTED,
  COPY: SELECTED,
  MOVE: SELECTED,
  'UID EXPUNGE': SELECTED,
  UNSELECT: SELECTED,
};

type Wait = { kind: 'authenticate'; tag: string } | { kind: 'idle'; tag: string } | { kind: 'starttls' } | null;

/** Commands during which EXPUNGE responses must not be sent (RFC 3501 §7.4.1). */
const NO_EXPUNGE_DURING: ReadonlySet<ImapCommandName> = new Set(['FETCH', 'STORE', 'SEARCH']);

class CommandFailure {
  constructor(
    readonly status: 'NO' | 'BAD',
    readonly text: string,
  ) {}
}

const no = (text: string): never => {
  throw new CommandFailure('NO', text);
};
const bad = (text: string): never => {
  throw new CommandFailure('BAD', text);
};

export class ImapServer implements SansIoMachine<ImapServerEvent>, TlsCapable {
  private stateValue: ImapServerState = 'not-authenticated';
  private readonly reader: ImapCommandReader;
  private readonly limits: ImapServerLimits;
  private readonly recentRegistry: RecentRegistry;
  private readonly autologoutMs: number;
  private readonly startTlsAvailable: boolean;
  private tlsActive: boolean;
  private output: Uint8Array[] = [];
  private events: ImapServerEvent[] = [];
  private wait: Wait = null;
  private store: UserMailStore | null = null;
  private user = '';
  private selection: Selection | null = null;
  private lastActivityMs: number;
  private authFailures = 0;
  private badCommands = 0;
  private insideReceive = false;
  private closedValue = false;

  constructor(
    private readonly options: ImapServerOptions,
    nowMs: number,
  ) {
    this.autologoutMs = Math.max(options.autologoutMs ?? AUTOLOGOUT_MS_MIN, AUTOLOGOUT_MS_MIN);
    this.tlsActive = options.tlsActive ?? false;
    this.startTlsAvailable = options.startTlsAvailable ?? !this.tlsActive;
    this.recentRegistry = options.recent ?? new RecentRegistry();
    this.reader = new ImapCommandReader(options.limits);
    this.limits = { ...DEFAULT_SERVER_LIMITS, ...this.readerLimitsOf(options.limits) };
    this.lastActivityMs = nowMs;
    this.send(`* OK [CAPABILITY ${this.capabilityList().join(' ')}] ${options.hostname} IMAP4rev1 service ready`);
  }

  private readerLimitsOf(limits: Partial<ImapServerLimits> | undefined): ImapServerLimits {
    return { ...DEFAULT_SERVER_LIMITS, ...(limits ?? {}) } as ImapServerLimits;
  }

  get state(): ImapServerState {
    return this.stateValue;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** The CAPABILITY list as it stands now (RFC 3501 §7.2.1). */
  capabilityList(): string[] {
    return capabilities({
      authenticated: this.stateValue !== 'not-authenticated',
      tlsActive: this.tlsActive,
      startTlsAvailable: this.startTlsAvailable,
      loginDisabled: this.loginDisabled(),
    });
  }

  private loginDisabled(): boolean {
    return (this.options.loginDisabledWithoutTls ?? false) && !this.tlsActive;
  }

  // ---- SansIoMachine ----------------------------------------------------------------------------

  receive(bytes: Uint8Array, nowMs: number): void {
    if (this.closedValue || this.wait?.kind === 'starttls') return;
    this.lastActivityMs = nowMs;
    this.insideReceive = true;
    try {
      this.reader.push(bytes);
      this.drainReader(nowMs);
    } finally {
      this.insideReceive = false;
    }
  }

  receiveEof(_nowMs: number): void {
    if (this.closedValue) return;
    this.close('eof');
  }

  takeOutput(): Uint8Array[] {
    const out = this.output;
    this.output = [];
    return out;
  }

  takeEvents(): ImapServerEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  nextTimeoutMs(): number | null {
    return this.closedValue ? null : this.lastActivityMs + this.autologoutMs;
  }

  onTimeout(nowMs: number): void {
    if (this.closedValue || nowMs < this.lastActivityMs + this.autologoutMs) return;
    this.send('* BYE Autologout; idle for too long');
    this.close('autologout');
  }

  tlsEstablished(_nowMs: number): void {
    if (this.wait?.kind !== 'starttls') throw new Error('tlsEstablished without a STARTTLS in progress');
    this.tlsActive = true;
    this.wait = null;
    this.reader.reset();
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private send(line: string): void {
    this.output.push(textBytes(`${line}\r\n`));
  }

  private sendBytes(bytes: Uint8Array): void {
    this.output.push(bytes);
  }

  private close(reason: 'logout' | 'autologout' | 'eof' | 'protocol-error'): void {
    this.deselect();
    this.stateValue = 'logout';
    this.closedValue = true;
    this.wait = null;
    this.events.push({ type: 'closed', reason });
  }

  private deselect(): void {
    this.selection?.close();
    this.selection = null;
    if (this.stateValue === 'selected') this.stateValue = 'authenticated';
  }

  private tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, name: string): void {
    this.send(`${tag} ${status} ${text}`);
    this.events.push({ type: 'command', tag, name, status });
    if (status === 'BAD') {
      this.badCommands += 1;
      if (this.badCommands >= this.limits.badCommandsMax && !this.closedValue) {
        this.send('* BYE Too many invalid commands');
        this.close('protocol-error');
      }
    }
  }

  private drainReader(nowMs: number): void {
    for (;;) {
      if (this.closedValue || this.wait?.kind === 'starttls') return;
      const item = this.reader.next();
      if (!item) return;
      switch (item.type) {
        case 'continue':
          this.send('+ Ready for literal data');
          break;
        case 'refused':
          if (item.fatal) {
            this.send('* BYE [LIMIT] Command line too long');
            this.close('protocol-error');
            return;
          }
          if (item.reason === 'literal-too-big') this.tagged(item.tag, item.tag === '*' ? 'BAD' : 'NO', '[TOOBIG] Literal too big', '');
          else this.tagged(item.tag, 'BAD', '[LIMIT] Too many literals', '');
          break;
        case 'bad':
          this.tagged(item.tag, 'BAD', `Error in command: ${item.reason}`, '');
          break;
        case 'raw':
          this.handleRawLine(item.line);
          break;
        case 'command':
          this.dispatch(item.command, nowMs);
          break;
      }
    }
  }

  private handleRawLine(line: string): void {
    const wait = this.wait;
    this.wait = null;
    this.reader.rawMode = false;
    if (wait?.kind === 'idle') {
      if (line.toUpperCase() === 'DONE') this.finish(wait.tag, 'IDLE', 'OK', 'IDLE terminated');
      else this.tagged(wait.tag, 'BAD', 'Expected DONE', 'IDLE');
      return;
    }
    if (wait?.kind === 'authenticate') {
      if (line === '*') this.tagged(wait.tag, 'BAD', 'AUTHENTICATE cancelled', 'AUTHENTICATE');
      else this.authenticatePlain(wait.tag, line);
    }
  }

  /** Sends pending updates, then the tagged completion. */
  private finish(tag: string, name: ImapCommandName, status: 'OK' | 'NO', text: string): void {
    this.flushUpdates(!NO_EXPUNGE_DURING.has(name));
    this.tagged(tag, status, text, name);
  }

  private flushUpdates(allowExpunge: boolean): void {
    if (!this.selection) return;
    for (const line of this.selection.takeUpdates(allowExpunge)) this.send(line);
  }

  private onSelectionChange(): void {
    if (this.wait?.kind !== 'idle') return;
    this.flushUpdates(true);
    if (!this.insideReceive) this.options.onAsyncOutput?.();
  }

  private dispatch(command: ImapCommand, nowMs: number): void {
    const allowed = COMMAND_STATES[command.name];
    if (!allowed.includes(this.stateValue)) {
      const why =
        this.stateValue === 'not-authenticated'
          ? 'Not authenticated'
          : command.name === 'ENABLE'
            ? 'ENABLE only in the authenticated state'
            : allowed.includes('selected')
              ? 'No mailbox selected'
              : 'Already authenticated';
      this.tagged(command.tag, 'BAD', `${why}`, command.name);
      return;
    }
    try {
      const text = this.execute(command, nowMs);
      if (text !== null) this.finish(command.tag, command.name, 'OK', text);
    } catch (error) {
      if (error instanceof MailboxBusyError) {
        // A delivery holds the mbox append lock: a temporary failure (RFC 5530 INUSE), retry later.
        this.finish(command.tag, command.name, 'NO', '[INUSE] Mailbox is busy; try again');
        return;
      }
      if (!(error instanceof CommandFailure)) throw error;
      if (error.status === 'NO') this.finish(command.tag, command.name, 'NO', error.text);
      else this.tagged(command.tag, 'BAD', error.text, command.name);
    }
  }

  /** Runs a command; returns the tagged OK text, or null when the command answered itself. */
  private execute(command: ImapCommand, nowMs: number): string | null {
    switch (command.name) {
      case 'CAPABILITY':
        this.send(`* CAPABILITY ${this.capabilityList().join(' ')}`);
        return 'CAPABILITY completed';
      case 'NOOP':
        return 'NOOP completed';
      case 'CHECK':
        return 'CHECK completed';
      case 'LOGOUT':
        return this.logout(command.tag);
      case 'STARTTLS':
        return this.startTls(command.tag);
      case 'LOGIN':
        if (this.loginDisabled()) return no('[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS');
        this.login(command.tag, command.user, command.password, 'LOGIN');
        return null;
      case 'AUTHENTICATE':
        return this.authenticate(command.tag, command.mechanism, command.initialResponse);
      case 'SELECT':
      case 'EXAMINE':
        return this.select(command.tag, command.mailbox, command.name === 'EXAMINE');
      case 'CREATE':
        return this.create(command.mailbox);
      case 'DELETE':
        return this.deleteMailbox(mailboxFromWire(command.mailbox));
      case 'RENAME':
        return this.renameMailbox(mailboxFromWire(command.from), mailboxFromWire(command.to));
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        this.requireStore().setSubscribed(mailboxFromWire(command.mailbox), command.name === 'SUBSCRIBE');
        return `${command.name} completed`;
      case 'LIST':
      case 'LSUB':
        this.list(command.name, command.reference, command.pattern);
        return `${command.name} completed`;
      case 'STATUS':
        return this.status(command.mailbox, command.items);
      case 'APPEND':
        return this.append(command, nowMs);
      case 'NAMESPACE':
        this.send('* NAMESPACE (("" "/")) NIL NIL');
        return 'NAMESPACE completed';
      case 'ENABLE':
        // RFC 5161 §3.1: ENABLED lists only what was enabled; no extension here needs enabling.
        this.send('* ENABLED');
        return 'ENABLE completed';
      case 'IDLE':
        return this.idle(command.tag);
      case 'CLOSE':
      case 'UNSELECT':
        return this.closeSelection(command.tag, command.name);
      case 'EXPUNGE':
      case 'UID EXPUNGE':
        return this.expunge(command.name === 'UID EXPUNGE' ? command.set : null);
      case 'SEARCH':
        return this.search(command);
      case 'FETCH':
        return this.fetch(command);
      case 'STORE':
        return this.storeFlags(command);
      case 'COPY':
      case 'MOVE':
        return this.copy(command);
    }
  }

  private logout(tag: string): null {
    this.send('* BYE IMAP4rev1 server logging out');
    this.tagged(tag, 'OK', 'LOGOUT completed', 'LOGOUT');
    this.close('logout');
    return null;
  }

  /** RFC 3501 §6.2.1: the tagged OK, then the owner runs the handshake; input until then is discarded. */
  private startTls(tag: string): null {
    if (!this.startTlsAvailable || this.tlsActive) return bad('STARTTLS not available');
    this.tagged(tag, 'OK', 'Begin TLS negotiation now', 'STARTTLS');
    this.reader.reset();
    this.wait = { kind: 'starttls' };
    this.events.push({ type: 'starttls' });
    return null;
  }

  /** AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4959 SASL-IR for the initial response). */
  private authenticate(tag: string, mechanism: string, initialResponse: string | null): string | null {
    if (mechanism !== 'PLAIN') return no('Unsupported authentication mechanism');
    if (this.loginDisabled()) return no('[PRIVACYREQUIRED] AUTHENTICATE is disabled before STARTTLS');
    if (initialResponse !== null) {
      this.authenticatePlain(tag, initialResponse);
      return null;
    }
    this.send('+ ');
    this.wait = { kind: 'authenticate', tag };
    this.reader.rawMode = true;
    return null;
  }

  private deleteMailbox(name: string): string {
    if (name === 'INBOX') return no('Cannot delete INBOX');
    if (this.selection?.name === name) return no('Cannot delete the selected mailbox');
    if (!this.requireStore().folder(name)) return no('[NONEXISTENT] No such mailbox');
    if (!this.requireStore().deleteFolder(name)) return no('Cannot delete mailbox');
    return 'DELETE completed';
  }

  private renameMailbox(from: string, to: string): string {
    const store = this.requireStore();
    if (!store.folder(from)) return no('[NONEXISTENT] No such mailbox');
    if (store.folder(to)) return no('[ALREADYEXISTS] Mailbox already exists');
    if (!store.renameFolder(from, to)) return no('Cannot rename mailbox');
    return 'RENAME completed';
  }

  /** RFC 2177: updates flow as untagged responses until DONE. */
  private idle(tag: string): null {
    this.send('+ idling');
    this.wait = { kind: 'idle', tag };
    this.reader.rawMode = true;
    this.flushUpdates(true);
    return null;
  }

  /** CLOSE (RFC 3501 §6.4.2) also expunges \Deleted messages, silently (I5); UNSELECT (RFC 3691) does not. */
  private closeSelection(tag: string, name: 'CLOSE' | 'UNSELECT'): null {
    const selection = this.requireSelection();
    if (name === 'CLOSE' && !selection.readOnly) {
      const infos = selection.snapshot();
      const doomed = selection.uids.filter((uid) => hasFlag(infos.get(uid)?.flags ?? [], DELETED_FLAG));
      selection.own(() => selection.folder.expunge(doomed));
    }
    this.deselect();
    this.tagged(tag, 'OK', `${name} completed`, name);
    return null;
  }

  private requireStore(): UserMailStore {
    if (!this.store) throw new Error('no store in an authenticated state');
    return this.store;
  }

  private requireSelection(): Selection {
    if (!this.selection) throw new Error('no selection in the selected state');
    return this.selection;
  }

  // ---- authentication ---------------------------------------------------------------------------

  private login(tag: string, user: string, password: string, name: 'LOGIN' | 'AUTHENTICATE'): void {
    const store = this.options.authenticate(user, password);
    if (!store) {
      this.authFailures += 1;
      this.events.push({ type: 'auth-failed', user });
      this.tagged(tag, 'NO', '[AUTHENTICATIONFAILED] Invalid credentials', name);
      if (this.authFailures >= this.limits.authFailuresMax) {
        this.send('* BYE Too many authentication failures');
        this.close('protocol-error');
      }
      return;
    }
    this.store = store;
    this.user = user;
    this.stateValue = 'authenticated';
    this.events.push({ type: 'authenticated', user });
    this.tagged(tag, 'OK', `[CAPABILITY ${this.capabilityList().join(' ')}] ${name} completed`, name);
  }

  /** RFC 4616: base64 of authzid NUL authcid NUL passwd; authzid empty or equal to authcid. */
  private authenticatePlain(tag: string, response: string): void {
    const decoded = decodeBase64(response);
    const fields = decoded?.split('\u0000');
    if (fields?.length !== 3) {
      this.tagged(tag, 'BAD', 'Invalid SASL PLAIN response', 'AUTHENTICATE');
      return;
    }
    const [authzid, authcid, password] = fields as [string, string, string];
    if (authzid !== '' && authzid !== authcid) {
      this.tagged(tag, 'NO', '[AUTHORIZATIONFAILED] Proxy authorization not supported', 'AUTHENTICATE');
      return;
    }
    this.login(tag, authcid, password, 'AUTHENTICATE');
  }

  // ---- mailboxes --------------------------------------------------------------------------------

  /** The folder a command names (`name`: the store's name, from `mailboxFromWire`). */
  private folderOrFail(name: string, code = 'NONEXISTENT'): Folder {
    const folder = this.requireStore().folder(name);
    return folder ?? no(`[${code}] No such mailbox`);
  }

  private select(tag: string, mailbox: string, readOnly: boolean): string | null {
    // RFC 3501 §6.3.1: a SELECT ends the current selection, even if it fails.
    this.deselect();
    const name = mailboxFromWire(mailbox);
    const folder = this.folderOrFail(name);
    const selection = new Selection(folder, name, readOnly, this.user, this.recentRegistry, () => this.onSelectionChange());
    this.selection = selection;
    this.stateValue = 'selected';
    const infos = selection.snapshot();
    const keywords = new Set<string>();
    for (const info of infos.values()) for (const flag of info.flags) if (!flag.startsWith('\\')) keywords.add(flag);
    const flags = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', ...keywords].join(' ');
    // I7: FLAGS, EXISTS, RECENT, [UNSEEN], [PERMANENTFLAGS], [UIDNEXT], [UIDVALIDITY] (RFC 3501 §6.3.1).
    this.send(`* FLAGS (${flags})`);
    this.send(`* ${selection.uids.length} EXISTS`);
    this.send(`* ${selection.recent.size} RECENT`);
    const firstUnseen = selection.uids.findIndex((uid) => !hasFlag(infos.get(uid)?.flags ?? [], SEEN_FLAG));
    if (firstUnseen !== -1) this.send(`* OK [UNSEEN ${firstUnseen + 1}] First unseen`);
    const permanent = readOnly ? '' : '\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*';
    this.send(`* OK [PERMANENTFLAGS (${permanent})] Flags permitted`);
    this.send(`* OK [UIDNEXT ${folder.uidNext}] Predicted next UID`);
    this.send(`* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid`);
    this.tagged(tag, 'OK', `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${readOnly ? 'EXAMINE' : 'SELECT'} completed`, readOnly ? 'EXAMINE' : 'SELECT');
    return null;
  }

  private create(mailbox: string): string {
    let name = mailboxFromWire(mailbox);
    // RFC 3501 §6.3.3: a trailing delimiter announces a hierarchy name; the folder is created without it.
    if (name.endsWith('/')) name = name.slice(0, -1);
    // Empty levels, control characters, over-long names (store/names.ts): never creatable (RFC 5530 CANNOT).
    if (canonicalFolderName(name) === null) return no('[CANNOT] Invalid mailbox name');
    if (name === 'INBOX' || this.requireStore().folder(name)) return no('[ALREADYEXISTS] Mailbox already exists');
    // A valid new name the store still refuses: its cap on folders per user (RFC 5530 LIMIT).
    if (!this.requireStore().createFolder(name)) return no('[LIMIT] Too many mailboxes');
    return 'CREATE completed';
  }

  private list(kind: 'LIST' | 'LSUB', reference: string, pattern: string): void {
    if (kind === 'LIST' && pattern === '') {
      // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter.
      this.send('* LIST (\\Noselect) "/" ""');
      return;
    }
    const matcher = listPattern(mailboxFromWire(reference + pattern, false));
    const store = this.requireStore();
    const names = kind === 'LIST' ? store.folderNames() : store.subscriptions();
    for (const name of names) {
      if (!matcher(name)) continue;
      const out = new ResponseWriter().raw(`* ${kind} () "/" `).string(encodeMailboxName(name)).raw('\r\n');
      this.sendBytes(out.bytes());
    }
  }

  private status(mailbox: string, items: readonly string[]): string {
    const name = mailboxFromWire(mailbox);
    const folder = this.folderOrFail(name);
    const messages = folder.messages();
    const values: string[] = [];
    for (const item of items) {
      if (item === 'MESSAGES') values.push(`MESSAGES ${messages.length}`);
      if (item === 'UIDNEXT') values.push(`UIDNEXT ${folder.uidNext}`);
      if (item === 'UIDVALIDITY') values.push(`UIDVALIDITY ${folder.uidValidity}`);
      if (item === 'UNSEEN') values.push(`UNSEEN ${messages.filter((m) => !hasFlag(m.flags, SEEN_FLAG)).length}`);
      if (item === 'RECENT') {
        const uids = messages.map((m) => m.uid);
        values.push(`RECENT ${this.recentRegistry.unclaimed(this.user, name, folder.uidValidity, uids).length}`);
      }
    }
    this.sendBytes(new ResponseWriter().raw('* STATUS ').string(encodeMailboxName(name)).raw(` (${values.join(' ')})\r\n`).bytes());
    return 'STATUS completed';
  }

  private append(command: Extract<ImapCommand, { name: 'APPEND' }>, nowMs: number): string {
    const folder = this.folderOrFail(mailboxFromWire(command.mailbox), 'TRYCREATE');
    let internalDateMs = (this.options.epochMs ?? SIM_EPOCH_MS) + nowMs;
    if (command.date !== null) {
      const parsed = parseImapDateTime(command.date);
      if (parsed === null) return bad('Invalid date-time');
      internalDateMs = parsed;
    }
    if (command.message.length === 0) return no('Empty message');
    const uid = folder.append(command.message, { flags: normalizeFlags(command.flags ?? []), internalDateMs });
    // RFC 4315 §3 APPENDUID.
    return `[APPENDUID ${folder.uidValidity} ${uid}] APPEND completed`;
  }

  // ---- selected state ---------------------------------------------------------------------------

  /** The (seq, uid) pairs a set names (§6.4.8: UID sets by UID, otherwise by sequence number). */
  private targets(set: SequenceSet, byUid: boolean): Array<{ seq: number; uid: number }> {
    const selection = this.requireSelection();
    const uids = selection.uids;
    if (!byUid) {
      for (const range of set) {
        for (const end of [range.start, range.end]) {
          if (end !== null && end > uids.length) bad('Invalid sequence number');
        }
        if ((range.start === null || range.end === null) && uids.length === 0) bad('No messages');
      }
    }
    const largest = byUid ? (uids[uids.length - 1] ?? 0) : uids.length;
    const out: Array<{ seq: number; uid: number }> = [];
    uids.forEach((uid, i) => {
      if (sequenceSetHas(set, byUid ? uid : i + 1, largest)) out.push({ seq: i + 1, uid });
    });
    return out;
  }

  private fetch(command: Extract<ImapCommand, { name: 'FETCH' }>): string {
    const selection = this.requireSelection();
    const attributes: FetchAttribute[] = command.macro
      ? FETCH_MACROS[command.macro].map((kind) => ({ kind }))
      : command.attributes;
    const targets = this.targets(command.set, command.uid);
    const setsSeen = !selection.readOnly && fetchSetsSeen(attributes);
    const infos = selection.snapshot();
    let missing = 0;
    for (const { seq, uid } of targets) {
      let info = infos.get(uid);
      if (!info) {
        missing += 1; // expunged by another session, not yet announced (RFC 2180 §4.1.2)
        continue;
      }
      let flagsChanged = false;
      if (setsSeen && !hasFlag(info.flags, SEEN_FLAG)) {
        const flags = normalizeFlags([...info.flags, SEEN_FLAG]);
        selection.own(() => selection.folder.setFlags(uid, flags));
        info = { ...info, flags };
        flagsChanged = true;
      }
      const current = info;
      const out = new ResponseWriter().raw(`* ${seq} FETCH `);
      writeFetchItems(
        out,
        {
          uid,
          flags: selection.displayFlags(current),
          internalDateMs: current.internalDateMs,
          size: current.size,
          bytes: () => selection.folder.read(uid),
        },
        attributes,
        { extraUid: command.uid, extraFlags: flagsChanged },
      );
      out.raw('\r\n');
      this.sendBytes(out.bytes());
    }
    if (missing > 0) return no('[EXPUNGEISSUED] Some messages were expunged');
    return `${command.uid ? 'UID FETCH' : 'FETCH'} completed`;
  }

  private storeFlags(command: Extract<ImapCommand, { name: 'STORE' }>): string {
    const selection = this.requireSelection();
    if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
    const targets = this.targets(command.set, command.uid);
    const infos = selection.snapshot();
    let missing = 0;
    for (const { seq, uid } of targets) {
      const info = infos.get(uid);
      if (!info) {
        missing += 1;
        continue;
      }
      const flags = applyStore(info.flags, command.mode, command.flags);
      if (flags.join(' ') !== info.flags.join(' ')) selection.own(() => selection.folder.setFlags(uid, flags));
      if (!command.silent) {
        const shown = selection.displayFlags({ ...info, flags });
        this.send(`* ${seq} FETCH (FLAGS (${shown.join(' ')})${command.uid ? ` UID ${uid}` : ''})`);
      }
    }
    if (missing > 0) return no('[EXPUNGEISSUED] Some messages were expunged');
    return `${command.uid ? 'UID STORE' : 'STORE'} completed`;
  }

  private search(command: Extract<ImapCommand, { name: 'SEARCH' }>): string {
    const selection = this.requireSelection();
    if (command.charset !== null && !['UTF-8', 'US-ASCII'].includes(command.charset.toUpperCase())) {
      return no('[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset');
    }
    const infos = selection.snapshot();
    const context = { largestSeq: selection.uids.length, largestUid: selection.uids[selection.uids.length - 1] ?? 0 };
    const found: number[] = [];
    selection.uids.forEach((uid, i) => {
      const info = infos.get(uid);
      if (!info) return;
      const candidate = {
        seq: i + 1,
        uid,
        flags: selection.displayFlags(info),
        internalDateMs: info.internalDateMs,
        size: info.size,
        bytes: () => selection.folder.read(uid),
      };
      if (searchMatches(command.criteria, candidate, context)) found.push(command.uid ? uid : i + 1);
    });
    this.send(`* SEARCH${found.map((n) => ` ${n}`).join('')}`);
    return `${command.uid ? 'UID SEARCH' : 'SEARCH'} completed`;
  }

  private expunge(uidSet: SequenceSet | null): string {
    const selection = this.requireSelection();
    if (selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
    this.flushUpdates(true);
    const infos = selection.snapshot();
    const largestUid = selection.uids[selection.uids.length - 1] ?? 0;
    const doomed = selection.uids.filter(
      (uid) =>
        hasFlag(infos.get(uid)?.flags ?? [], DELETED_FLAG) && (uidSet === null || sequenceSetHas(uidSet, uid, largestUid)),
    );
    for (const line of selection.expungeOwn(doomed)) this.send(line);
    return uidSet ? 'UID EXPUNGE completed' : 'EXPUNGE completed';
  }

  private copy(command: Extract<ImapCommand, { name: 'COPY' | 'MOVE' }>): string {
    const selection = this.requireSelection();
    if (command.name === 'MOVE' && selection.readOnly) return no('[READ-ONLY] Mailbox is read-only');
    const destination = this.folderOrFail(mailboxFromWire(command.mailbox), 'TRYCREATE');
    const targets = this.targets(command.set, command.uid);
    const infos = selection.snapshot();
    const present = targets.filter((t) => infos.has(t.uid));
    if (present.length < targets.length) return no('[EXPUNGEISSUED] Some messages were expunged');
    const sourceUids: number[] = [];
    const destinationUids: number[] = [];
    for (const { uid } of present) {
      const info = infos.get(uid)!;
      const bytes = selection.folder.read(uid);
      destinationUids.push(destination.append(bytes, { flags: info.flags, internalDateMs: info.internalDateMs }));
      sourceUids.push(uid);
    }
    const verb = `${command.uid ? 'UID ' : ''}${command.name}`;
    const copyUid =
      sourceUids.length > 0
        ? `[COPYUID ${destination.uidValidity} ${compactNumbers(sourceUids)} ${compactNumbers(destinationUids)}] `
        : '';
    if (command.name === 'COPY') return `${copyUid}${verb} completed`;
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGE responses.
    if (copyUid !== '') this.send(`* OK ${copyUid}Moved`);
    this.flushUpdates(true);
    for (const line of selection.expungeOwn(sourceUids)) this.send(line);
    return `${verb} completed`;
  }
}

/**
 * A mailbox name (or LIST pattern) as a command carries it → the store's name: modified UTF-7 decoded
 * (RFC 3501 §5.1.3, store/modifiedUtf7.ts), and for a name, INBOX spelled canonically. A name that is not
 * valid modified UTF-7 fails the command with NO [CANNOT] (RFC 5530), as Dovecot answers.
 */
function mailboxFromWire(wire: string, isName = true): string {
  const decoded = decodeMailboxName(wire);
  if (decoded === null) return no('[CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)');
  return isName ? normalizeMailbox(decoded) : decoded;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); other names are case-sensitive. */
function normalizeMailbox(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (name.toUpperCase().startsWith('INBOX/')) return `INBOX${name.slice(5)}`;
  return name;
}

/** RFC 3501 §6.3.8: "*" matches anything, "%" anything but the delimiter "/". */
export function listPattern(pattern: string): (name: string) => boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '%' ? '[^/]*' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const exact = new RegExp(`^${source}$`);
  const inboxInsensitive = new RegExp(`^${source}$`, 'i');
  return (name) => exact.test(name) || ((name === 'INBOX' || name.startsWith('INBOX/')) && inboxInsensitive.test(name));
}

function decodeBase64(text: string): string | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    return null;
  }
}
