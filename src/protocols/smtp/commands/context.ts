/**
 * What an SMTP command handler sees (RFC 5321 §4.1.4): the session's state as a discriminated union
 * carrying its data, the session operations a handler may use, and the one error idiom.
 *
 * Data lives in the states where it is valid, never in a nullable field of the session:
 *   - `ready{heloName, extended, user}` is what HELO/EHLO established and AUTH added (RFC 4954); it
 *     lasts until STARTTLS starts the session over (RFC 3207 §4.2);
 *   - the states of a mail transaction (`mail-given`, `has-recipients`, `reading-data`, `chunking`,
 *     a kept `reading-chunk`) carry its envelope and `ready`, the state the transaction returns to at
 *     RSET, at EHLO/HELO and at its end (RFC 5321 §4.1.1.4, §4.1.1.5);
 *   - `mail-given` counts the RCPTs refused so far (all refused → DATA gets 554, RFC 5321 §3.3);
 *   - `reading-data` holds the DATA reader, `chunking` the BDAT body so far (RFC 3030);
 *   - a `reading-chunk` either keeps its octets or reads them only to refuse the BDAT, and then
 *     resumes the state it came from (RFC 3030 §2);
 *   - `auth-exchange` the SASL mechanism and LOGIN's user name once given (RFC 4954 §4);
 *   - `tls-handshake` the plaintext bytes discarded before the handshake ended (RFC 3207 §4.2).
 * A handler receives its state already narrowed by the table in ../server-states.ts and moves the
 * session with `enter` (the table says where it may go; the dispatcher checks).
 *
 * The one error idiom: a handler refuses a command with `refuse(reply)` and returns. The reply is
 * written and, when its code says the client erred (500–504, 555), counted towards `badCommandsMax`
 * (Postfix's soft error limit); one too many ends the session with 421. What the owner decides goes
 * through `ask` (or `decide` where a refusal needs more than its reply written): the owner's refusal
 * is written as given and never counted, since the client did nothing wrong.
 */
import type {
  SmtpHookResult,
  SmtpServerCloseReason,
  SmtpServerEvent,
  SmtpServerExtensions,
  SmtpServerHooks,
  SmtpServerLimits,
  SmtpServerOptions,
  SmtpServerStage,
  SmtpSessionView,
} from '../server-api.js';
import type { BoundedBytes, DataReader } from '../data-reader.js';
import type { Envelope, SmtpReply } from '../types.js';

export interface GreetingPending {
  readonly kind: 'greeting-pending';
}
/** RFC 5321 §3.1: after a 554 greeting only QUIT is served. */
export interface GreetingRefused {
  readonly kind: 'greeting-refused';
}
export interface AwaitingHelo {
  readonly kind: 'awaiting-helo';
}
export interface Ready {
  readonly kind: 'ready';
  readonly heloName: string;
  /** EHLO (extensions negotiated) rather than HELO. */
  readonly extended: boolean;
  /** Who AUTH authenticated (RFC 4954), or null. */
  readonly user: string | null;
}
export interface MailGiven {
  readonly kind: 'mail-given';
  readonly ready: Ready;
  readonly envelope: Envelope;
  /** RCPT commands refused so far: with none accepted, DATA gets 554 rather than 503 (RFC 5321 §3.3). */
  readonly refusedRecipients: number;
}
export interface HasRecipients {
  readonly kind: 'has-recipients';
  readonly ready: Ready;
  /** Its recipients grow with every accepted RCPT. */
  readonly envelope: Envelope;
}
export interface ReadingData {
  readonly kind: 'reading-data';
  readonly ready: Ready;
  readonly envelope: Envelope;
  readonly reader: DataReader;
}
/** Between BDAT chunks of one transaction (RFC 3030). */
export interface Chunking {
  readonly kind: 'chunking';
  readonly ready: Ready;
  readonly envelope: Envelope;
  readonly body: BoundedBytes;
}
/** Inside a BDAT chunk's octets, kept for the message. */
export interface ReadingKeptChunk {
  readonly kind: 'reading-chunk';
  /** Octets of the chunk still to come; counts down as they arrive. */
  remainingBytes: number;
  readonly keep: true;
  readonly last: boolean;
  readonly ready: Ready;
  readonly envelope: Envelope;
  readonly body: BoundedBytes;
}
/** Inside the octets of a refused BDAT: read and thrown away, then the refusal (RFC 3030 §2). */
export interface ReadingRefusedChunk {
  readonly kind: 'reading-chunk';
  remainingBytes: number;
  readonly keep: false;
  readonly reply: SmtpReply;
  /** Where the session goes back to when the chunk has been read. */
  readonly resume: CommandState;
}
export type ReadingChunk = ReadingKeptChunk | ReadingRefusedChunk;
/** A SASL exchange in progress (RFC 4954 §4): the next line is a response, not a command. */
export interface AuthExchange {
  readonly kind: 'auth-exchange';
  readonly ready: Ready;
  readonly mechanism: 'PLAIN' | 'LOGIN';
  /** LOGIN's user name once the client sent it (the password comes next). */
  readonly loginUser: string | null;
}
/** After STARTTLS's 220, until the owner reports the handshake done. */
export interface TlsHandshake {
  readonly kind: 'tls-handshake';
  /** Plaintext received since the 220: counted, never read (RFC 3207 §4.2, CVE-2011-0411). */
  discardedBytes: number;
}
export interface Closed {
  readonly kind: 'closed';
}

/** The states in which the machine reads command lines: the rows of the command table. */
export type CommandState = GreetingRefused | AwaitingHelo | Ready | MailGiven | HasRecipients | Chunking;
export type SmtpState = GreetingPending | CommandState | ReadingData | ReadingChunk | AuthExchange | TlsHandshake | Closed;

/** A hook decision after validation. */
export type Outcome = { kind: 'success'; reply: SmtpReply | null } | { kind: 'failure'; reply: SmtpReply } | { kind: 'drop' };

export interface SmtpContext {
  readonly options: SmtpServerOptions;
  readonly limits: SmtpServerLimits;
  readonly extensions: SmtpServerExtensions;
  readonly hooks: SmtpServerHooks;
  /** The transport is TLS (implicit, or after STARTTLS). */
  readonly tls: boolean;
  readonly state: SmtpState;
  /** Moves the session to `next`. */
  enter(next: SmtpState): void;
  /** Writes a reply; `enhancedAllowed` false for the greeting, EHLO and 334 (RFC 2034 §3). */
  send(reply: SmtpReply, enhancedAllowed?: boolean): void;
  /** The one way a handler refuses a command (see above). */
  refuse(reply: SmtpReply): void;
  event(event: SmtpServerEvent): void;
  /** After EHLO/HELO: whether replies carry RFC 3463 codes from now on (RFC 2034 §3). */
  useEnhancedCodes(on: boolean): void;
  /** After STARTTLS's 220: the rest of the input is discarded and the owner runs the handshake. */
  beginTls(): void;
  /** What a hook may read about the session now (a snapshot). */
  view(): SmtpSessionView;
  /**
   * Takes the owner's decision at `stage` (now, or at `resolve()` after PENDING; no hook means accept):
   * on accept calls `accepted` with the owner's reply, if any; a refusal is written, a drop closes.
   */
  ask(stage: SmtpServerStage, result: SmtpHookResult | undefined, accepted: (reply: SmtpReply | null) => void): void;
  /** Like `ask`, but `apply` handles every outcome itself. */
  decide(stage: SmtpServerStage, result: SmtpHookResult | undefined, apply: (outcome: Outcome) => void): void;
  /** A `drop` decision: the reply is not sent and the session closes. */
  drop(stage: SmtpServerStage): void;
  close(reason: SmtpServerCloseReason): void;
}

/** The `ready` state a state holds (or is), or null before HELO/EHLO. */
export function readyOf(state: SmtpState): Ready | null {
  switch (state.kind) {
    case 'ready':
      return state;
    case 'mail-given':
    case 'has-recipients':
    case 'reading-data':
    case 'chunking':
    case 'auth-exchange':
      return state.ready;
    case 'reading-chunk':
      return state.keep ? state.ready : readyOf(state.resume);
    default:
      return null;
  }
}

/** The open transaction's envelope, or null outside one. */
export function envelopeOf(state: SmtpState): Envelope | null {
  switch (state.kind) {
    case 'mail-given':
    case 'has-recipients':
    case 'reading-data':
    case 'chunking':
      return state.envelope;
    case 'reading-chunk':
      return state.keep ? state.envelope : envelopeOf(state.resume);
    default:
      return null;
  }
}

/** A copy of an envelope for a hook: what the owner does to it changes nothing here. */
export function copyEnvelope(envelope: Envelope): Envelope {
  return {
    ...envelope,
    recipients: envelope.recipients.map((r) => ({ address: r.address, dsn: { notify: r.dsn.notify === null ? null : [...r.dsn.notify], orcpt: r.dsn.orcpt } })),
    dsn: { ...envelope.dsn },
  };
}
