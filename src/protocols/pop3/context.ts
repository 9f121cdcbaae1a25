/**
 * What a POP3 command handler sees (RFC 1939 §3): the session's state as a discriminated union carrying
 * its data, the session operations a handler may use, and the one error idiom.
 *
 * States: authorization{pendingUser} → transaction{maildrop} → update{maildrop} → closed, plus
 * starttls while the owner runs the TLS handshake after STLS's "+OK" (RFC 2595 §4). The maildrop is
 * the locked INBOX, numbered when the session entered TRANSACTION. A handler receives its state already
 * narrowed by the table in server.ts and moves the session with `enter`.
 *
 * A handler fails by throwing: `bad()` for the client's mistake (syntax; counted towards
 * `badCommandsMax`, as the table's wrong-state refusals are), `no()` for a well-formed command that
 * cannot be done (no such message, maildrop locked), and a failed login is counted towards
 * `authFailuresMax`. The dispatcher writes the "-ERR" line (RFC 1939 §3) and enforces the limits.
 */
import type { Folder, UserMailStore } from '../../store/mailstore.js';
import type { Pop3CloseReason, Pop3ServerEvent, Pop3ServerOptions } from './types.js';

export interface MaildropEntry {
  readonly uid: number;
  readonly size: number;
  /** Marked by DELE (P2), removed only in UPDATE. */
  deleted: boolean;
}

/** The user's INBOX as this session numbered and locked it on entering TRANSACTION (P4). */
export interface Maildrop {
  readonly user: string;
  readonly store: UserMailStore;
  readonly inbox: Folder;
  /** Message number − 1 → entry. */
  readonly entries: MaildropEntry[];
  readonly releaseLock: () => void;
  readonly stopWatching: () => void;
  /** UIDs expunged by someone else (an IMAP session) since the snapshot. */
  readonly vanished: Set<number>;
}

export type Authorization = { readonly kind: 'authorization'; readonly pendingUser: string | null };
export type StartTls = { readonly kind: 'starttls' };
export type Transaction = { readonly kind: 'transaction'; readonly maildrop: Maildrop };
export type Update = { readonly kind: 'update'; readonly maildrop: Maildrop };
export type Closed = { readonly kind: 'closed' };
export type Pop3State = Authorization | StartTls | Transaction | Update | Closed;

export interface Pop3Context {
  readonly options: Pop3ServerOptions;
  /** The greeting's APOP timestamp (RFC 1939 §7), or null when APOP is not offered. */
  readonly banner: string | null;
  readonly tlsActive: boolean;
  /** Moves the session to `next`; leaving the maildrop's states releases its lock. */
  enter(next: Pop3State): void;
  reply(line: string): void;
  /** A multi-line response: the status line, then `body` already dot-stuffed and terminated. */
  multiline(first: string, body: string): void;
  event(event: Pop3ServerEvent): void;
  close(reason: Pop3CloseReason): void;
  /** After STLS's "+OK": the rest of the input is discarded and the owner runs the handshake. */
  beginTls(): void;
}

/** A "-ERR" reply and what it counts towards; `close` ends the session after it. */
export class Pop3Failure {
  constructor(
    readonly text: string,
    readonly counts: 'bad-commands' | 'auth-failures' | null,
    readonly close: Pop3CloseReason | null = null,
  ) {}
}

/** A plaintext login (USER/PASS) is refused now: the owner disallowed it and TLS is not on (Dovecot `disable_plaintext_auth`). */
export function plaintextAuthRefused(context: Pop3Context): boolean {
  return context.options.plaintextAuthAllowed === false && !context.tlsActive;
}

/** The client's mistake (syntax, wrong state): -ERR, counted towards `badCommandsMax`. */
export function bad(text: string): never {
  throw new Pop3Failure(text, 'bad-commands');
}

/** A well-formed command that cannot be done: -ERR, not counted; `close` ends the session after it. */
export function no(text: string, close: Pop3CloseReason | null = null): never {
  throw new Pop3Failure(text, null, close);
}
