/**
 * The typed form of an IMAP command (RFC 3501 §6, §9; RFC 4315 UID EXPUNGE; RFC 6851 MOVE; RFC 2177 IDLE;
 * RFC 2342 NAMESPACE; RFC 5161 ENABLE; RFC 3691 UNSELECT). The parser produces it, the serializer writes
 * it, and the server acts on it. Strings are Unicode (UTF-8 on the wire); APPEND's message stays bytes.
 */
import type { SequenceSet } from './sequence-set.js';

export type SimpleCommandName =
  | 'CAPABILITY'
  | 'NOOP'
  | 'LOGOUT'
  | 'STARTTLS'
  | 'CHECK'
  | 'CLOSE'
  | 'EXPUNGE'
  | 'UNSELECT'
  | 'IDLE'
  | 'NAMESPACE';

export const SIMPLE_COMMANDS: readonly SimpleCommandName[] = [
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'CHECK',
  'CLOSE',
  'EXPUNGE',
  'UNSELECT',
  'IDLE',
  'NAMESPACE',
];

export type MailboxCommandName = 'SELECT' | 'EXAMINE' | 'CREATE' | 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE';
export const MAILBOX_COMMANDS: readonly MailboxCommandName[] = [
  'SELECT',
  'EXAMINE',
  'CREATE',
  'DELETE',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
];

export const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

/** RFC 3501 §6.4.5 section-spec: a part path and what of it. */
export interface Section {
  /** "1.2" → [1, 2]; [] is the whole message. */
  part: number[];
  specifier: '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';
  /** Header field names for HEADER.FIELDS / HEADER.FIELDS.NOT, as given. */
  fields: string[];
}

export interface Partial {
  start: number;
  count: number;
}

export type SimpleFetchAttribute =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'UID'
  | 'ENVELOPE'
  | 'BODYSTRUCTURE'
  | 'BODY'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT';

export const SIMPLE_FETCH_ATTRIBUTES: readonly SimpleFetchAttribute[] = [
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'UID',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
];

export type FetchAttribute =
  | { kind: SimpleFetchAttribute }
  | { kind: 'BODY[]'; peek: boolean; section: Section; partial: Partial | null };

export type FetchMacro = 'ALL' | 'FAST' | 'FULL';

/** RFC 3501 §6.4.5 macros. */
export const FETCH_MACROS: Record<FetchMacro, readonly SimpleFetchAttribute[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

export type FlagSearchKey =
  | 'ALL'
  | 'ANSWERED'
  | 'DELETED'
  | 'DRAFT'
  | 'FLAGGED'
  | 'NEW'
  | 'OLD'
  | 'RECENT'
  | 'SEEN'
  | 'UNANSWERED'
  | 'UNDELETED'
  | 'UNDRAFT'
  | 'UNFLAGGED'
  | 'UNSEEN';

export const FLAG_SEARCH_KEYS: readonly FlagSearchKey[] = [
  'ALL',
  'ANSWERED',
  'DELETED',
  'DRAFT',
  'FLAGGED',
  'NEW',
  'OLD',
  'RECENT',
  'SEEN',
  'UNANSWERED',
  'UNDELETED',
  'UNDRAFT',
  'UNFLAGGED',
  'UNSEEN',
];

export type StringSearchKey = 'BCC' | 'BODY' | 'CC' | 'FROM' | 'SUBJECT' | 'TEXT' | 'TO' | 'KEYWORD' | 'UNKEYWORD';
export const STRING_SEARCH_KEYS: readonly StringSearchKey[] = [
  'BCC',
  'BODY',
  'CC',
  'FROM',
  'SUBJECT',
  'TEXT',
  'TO',
  'KEYWORD',
  'UNKEYWORD',
];

export type DateSearchKey = 'BEFORE' | 'ON' | 'SINCE' | 'SENTBEFORE' | 'SENTON' | 'SENTSINCE';
export const DATE_SEARCH_KEYS: readonly DateSearchKey[] = ['BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE'];

export type SearchKey =
  | { key: FlagSearchKey }
  | { key: StringSearchKey; value: string }
  | { key: 'HEADER'; field: string; value: string }
  /** `date` is the Unix ms of 00:00 UTC of the day given. */
  | { key: DateSearchKey; date: number }
  | { key: 'LARGER' | 'SMALLER'; size: number }
  | { key: 'UID'; set: SequenceSet }
  | { key: 'SEQ'; set: SequenceSet }
  | { key: 'NOT'; operand: SearchKey }
  | { key: 'OR'; left: SearchKey; right: SearchKey }
  /** A parenthesised list: all must match. */
  | { key: 'AND'; operands: SearchKey[] };

export type StoreMode = 'set' | 'add' | 'remove';

export type ImapCommand =
  | { tag: string; name: SimpleCommandName }
  | { tag: string; name: 'LOGIN'; user: string; password: string }
  | { tag: string; name: 'AUTHENTICATE'; mechanism: string; initialResponse: string | null }
  | { tag: string; name: MailboxCommandName; mailbox: string }
  | { tag: string; name: 'RENAME'; from: string; to: string }
  | { tag: string; name: 'LIST' | 'LSUB'; reference: string; pattern: string }
  | { tag: string; name: 'STATUS'; mailbox: string; items: StatusItem[] }
  | {
      tag: string;
      name: 'APPEND';
      mailbox: string;
      flags: string[] | null;
      /** The date-time string as given (RFC 3501 §9 date-time), or null. */
      date: string | null;
      message: Uint8Array;
    }
  | { tag: string; name: 'ENABLE'; capabilities: string[] }
  | { tag: string; name: 'SEARCH'; uid: boolean; charset: string | null; criteria: SearchKey[] }
  | {
      tag: string;
      name: 'FETCH';
      uid: boolean;
      set: SequenceSet;
      macro: FetchMacro | null;
      attributes: FetchAttribute[];
    }
  | { tag: string; name: 'STORE'; uid: boolean; set: SequenceSet; mode: StoreMode; silent: boolean; flags: string[] }
  | { tag: string; name: 'COPY' | 'MOVE'; uid: boolean; set: SequenceSet; mailbox: string }
  | { tag: string; name: 'UID EXPUNGE'; set: SequenceSet };

export type ImapCommandName = ImapCommand['name'];
