/**
 * The mailbox access contract shared by the MDA (which delivers), the POP3 server and the IMAP server
 * (which read and change), whatever the on-disk format (Maildir or mbox, docs/delivery.md W1/W2).
 *
 * One `UserMailStore` per mailbox owner; it holds folders ("INBOX" always exists, case-insensitive
 * per RFC 3501 §5.1; other names use "/" as the hierarchy delimiter). Messages in a folder are
 * identified by UID (RFC 3501 §2.3.1.1): strictly ascending, never reused while `uidValidity` stays
 * the same (docs/delivery.md I3). Sequence numbers are a per-session view and live in the IMAP server.
 *
 * Changes are announced synchronously to listeners so concurrent sessions on the same folder can send
 * untagged EXISTS / EXPUNGE / FETCH FLAGS (RFC 3501 §7.3.1, §7.4.1, §7.4.2).
 *
 * Times are absolute Unix milliseconds (`SIM_EPOCH_MS + virtual ms` in the simulator).
 */

/** The system flags of RFC 3501 §2.3.2; keywords are any other atom. `\Recent` is per session, not stored. */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;

export interface MessageInfo {
  readonly uid: number;
  /** Stored flags, system flags spelled as in SYSTEM_FLAGS, keywords as given. Sorted, no duplicates. */
  readonly flags: readonly string[];
  readonly internalDateMs: number;
  /** RFC822.SIZE: the exact byte length of the message as stored (CRLF line ends). */
  readonly size: number;
}

/** A message as it was when it was expunged: what an IMAP session still shows until it tells its client (RFC 2180 §4.1.1). */
export interface ExpungedMessage {
  readonly info: MessageInfo;
  readonly bytes: Uint8Array;
}

export type FolderChange =
  | { kind: 'appended'; uids: number[] }
  /** `removed` holds the messages' last state, ascending by UID (empty when nobody was listening). */
  | { kind: 'expunged'; uids: number[]; removed: readonly ExpungedMessage[] }
  | { kind: 'flags'; uid: number; flags: readonly string[] };

export interface Folder {
  readonly name: string;
  readonly uidValidity: number;
  /** The UID the next appended message will get. */
  readonly uidNext: number;
  /** Every message, ascending by UID. */
  messages(): readonly MessageInfo[];
  /** One message's info, or undefined (no copy of the list: a reader of one message costs O(1)). */
  info(uid: number): MessageInfo | undefined;
  /** The message's bytes exactly as stored (CRLF line ends); throws for an unknown UID (caller misuse). */
  read(uid: number): Uint8Array;
  /**
   * Stores a message and returns its UID. The store normalises line ends to CRLF (bare LF → CRLF, a
   * final CRLF added), so `read` may return more bytes than given. Throws MailboxBusyError while an
   * mbox delivery holds the folder's append lock (the IMAP server answers NO, RFC 3501 §6.3.11).
   */
  append(bytes: Uint8Array, options?: { flags?: readonly string[]; internalDateMs?: number }): number;
  /** Replaces a message's flags. */
  setFlags(uid: number, flags: readonly string[]): void;
  /**
   * Removes the messages with these UIDs (those that exist). Throws MailboxBusyError while an mbox
   * delivery holds the folder's append lock (the file cannot be rewritten then); nothing is removed.
   */
  expunge(uids: readonly number[]): void;
  /** Registers a listener for changes made by anyone; returns the function that removes it. */
  watch(listener: (change: FolderChange) => void): () => void;
}

export interface UserMailStore {
  readonly user: string;
  /** Folder names, INBOX first, then in creation order. */
  folderNames(): string[];
  folder(name: string): Folder | null;
  /** Creates a folder (and its missing parents); false if it exists. */
  createFolder(name: string): boolean;
  /** Deletes a folder; INBOX cannot be deleted (false). */
  deleteFolder(name: string): boolean;
  /** Renames a folder; renaming INBOX moves its messages to the new folder (RFC 3501 §6.3.5). */
  renameFolder(from: string, to: string): boolean;
  subscriptions(): string[];
  setSubscribed(name: string, subscribed: boolean): void;
  /**
   * The exclusive maildrop lock of POP3 (RFC 1939 §8, docs/delivery.md P4). Returns a release function, or
   * null if another session holds it.
   */
  tryLock(owner: string): (() => void) | null;
}

/**
 * A folder is momentarily locked by a delivery in progress (mbox: the append lock of docs/delivery.md W2).
 * A temporary condition: the caller answers with a temporary failure and may retry.
 */
export class MailboxBusyError extends Error {
  constructor(folder: string) {
    super(`mailbox ${folder} is locked by a delivery in progress`);
    this.name = 'MailboxBusyError';
  }
}
