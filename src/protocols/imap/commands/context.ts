/**
 * What an IMAP command body sees (RFC 3501 / RFC 9051 §3, §6): the session's state as a discriminated
 * union carrying its data, the session operations a body may use, and the one error idiom.
 *
 * States (RFC 3501 §3, docs/delivery.md I1): not-authenticated → authenticated{user, store} →
 * selected{user, store, selection} → logout. The selection carries the mailbox's name and whether it
 * is read-only (EXAMINE). A body receives its state already narrowed by the dispatch table in
 * ../server.ts, and moves the session with `enter` (the table says where it may go).
 *
 * A body returns the text of its tagged OK, or null when it wrote its completion itself (SELECT,
 * LOGIN, LOGOUT, STARTTLS, CLOSE, or a wait for a continuation line). It fails by throwing: `no()` or
 * `bad()` (RFC 3501 §7.1.2, §7.1.3); the dispatcher writes the tagged reply. A failure never changes the
 * state (I1) unless the body entered a new one before failing (SELECT leaves the old mailbox first,
 * RFC 3501 §6.3.1).
 */
import type { Folder, UserMailStore } from '../../../store/mailstore.js';
import type { ImapCommand, ImapCommandName } from '../command.js';
import type { RecentRegistry } from '../recent.js';
import type { Selection } from '../selection.js';

export type NotAuthenticated = { readonly kind: 'not-authenticated' };
export type Authenticated = { readonly kind: 'authenticated'; readonly user: string; readonly store: UserMailStore };
export type Selected = {
  readonly kind: 'selected';
  readonly user: string;
  readonly store: UserMailStore;
  /** The mailbox (its `name`, `readOnly`, sequence numbers and pending updates). */
  readonly selection: Selection;
};
export type Logout = { readonly kind: 'logout' };
export type ImapState = NotAuthenticated | Authenticated | Selected | Logout;
export type ImapServerState = ImapState['kind'];

/** The command of one name, with that name's arguments. */
export type CommandOf<N extends ImapCommandName> = ImapCommand extends infer C
  ? C extends { name: infer M }
    ? N extends M
      ? C & { name: N }
      : never
    : never
  : never;

/** A line the session waits for instead of a command: an AUTHENTICATE response or IDLE's DONE. */
export type Continuation = (context: CommandContext, line: string) => string | null;

export interface CommandContext {
  readonly state: ImapState;
  /** Moves the session to `next`; leaving a selection stops watching its mailbox. */
  enter(next: ImapState): void;
  send(line: string): void;
  sendBytes(bytes: Uint8Array): void;
  /** Writes a tagged completion now (a body that answers itself). */
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, name: string): void;
  /** Writes the pending updates of the selected mailbox (EXPUNGE ones only when `allowExpunge`). */
  flushUpdates(allowExpunge: boolean): void;
  /** Ends the session (the body writes its `* BYE` first). */
  close(reason: 'logout' | 'protocol-error'): void;
  /** The CAPABILITY list for the current state (RFC 3501 §7.2.1). */
  capabilities(): string[];
  /** LOGIN and AUTHENTICATE are refused until TLS (RFC 3501 §6.2.3 LOGINDISABLED). */
  loginDisabled(): boolean;
  /** STARTTLS is offered and TLS is not on yet. */
  startTlsPossible(): boolean;
  /** After STARTTLS's tagged OK: input is discarded until the owner reports the handshake (RFC 3501 §6.2.1). */
  beginTls(): void;
  /** The next input line goes to `continuation` (raw, not parsed as a command). */
  awaitLine(tag: string, name: 'AUTHENTICATE' | 'IDLE', continuation: Continuation): void;
  /** The owner's check of a user name and password: the user's mailboxes, or null. */
  authenticate(user: string, password: string): UserMailStore | null;
  /** Records a successful login (the `authenticated` event). */
  authenticated(user: string): void;
  /** Records a failed login; true when it was the last one allowed. */
  authenticationFailed(user: string): boolean;
  /** Opens a view of `folder` for this session (\Recent is claimed unless read-only). */
  openSelection(folder: Folder, name: string, readOnly: boolean, user: string): Selection;
  /** \Recent bookkeeping shared by the server's sessions (I6; STATUS counts from it). */
  readonly recent: RecentRegistry;
  /** Absolute Unix ms of virtual time 0 (APPEND's INTERNALDATE). */
  readonly epochMs: number;
}

/** A command's negative completion (RFC 3501 §7.1.2 NO, §7.1.3 BAD); `bye` ends the session after it. */
export class CommandFailure {
  constructor(
    readonly status: 'NO' | 'BAD',
    readonly text: string,
    readonly bye: string | null = null,
  ) {}
}

/** Fails the command with NO (RFC 3501 §7.1.2): it was valid but could not be done. */
export function no(text: string, bye: string | null = null): never {
  throw new CommandFailure('NO', text, bye);
}

/** Fails the command with BAD (RFC 3501 §7.1.3): the client erred; counted towards `badCommandsMax`. */
export function bad(text: string): never {
  throw new CommandFailure('BAD', text);
}
