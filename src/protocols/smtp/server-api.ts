/**
 * The public surface of the SMTP server machine (server.ts): options, policy hooks, decisions and
 * events. Kept apart from the machine so nodes, the bridge and the client's back-to-back tests can
 * import the types without the implementation.
 *
 * Policy hooks. The owner node passes hooks in the options. Each hook answers synchronously with a
 * decision, or with `PENDING`; then the machine buffers further input until the owner calls
 * `server.resolve(decision, nowMs)`. A decision is:
 *   - `{ kind: 'accept' }`            the default success reply (250, 354, 235, 220 …);
 *   - `{ kind: 'accept', reply }`     a custom reply. A 4xx/5xx reply here is treated as a rejection, so
 *                                      a scenario's `reply` fault (any code at any stage) is one decision;
 *   - `{ kind: 'reject', reply }`     a 4xx/5xx reply; the command fails (RFC 5321 §4.2.1);
 *   - `{ kind: 'drop' }`              the command is processed, but the reply is never sent and the
 *                                      machine closes (docs/reference.md `drop` fault). After the final dot the
 *                                      message counts as accepted (the RFC 1047 window, docs/delivery.md E3).
 * A decision with a reply of the wrong class (reject with 2xx, accept on DATA with 250 …) is an API
 * misuse and throws.
 */
import type { Envelope, EnvelopeRecipient, SmtpReply } from './types.js';

/** Returned by a hook that will decide later through `SmtpServer.resolve`. */
export const PENDING: unique symbol = Symbol('smtp-server-pending');
export type Pending = typeof PENDING;

export type SmtpDecision =
  | { kind: 'accept'; reply?: SmtpReply }
  | { kind: 'reject'; reply: SmtpReply }
  | { kind: 'drop' };

export type SmtpHookResult = SmtpDecision | Pending;

/** The points where the owner decides (and where docs/reference.md's `reply` / `drop` faults apply). */
export type SmtpServerStage = 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'dot';

/** What a hook may read about the session. Snapshots: mutating them changes nothing. */
export interface SmtpSessionView {
  /**
   * The same object in every view of one session (connection), a different one for each: a key for
   * the owner's per-connection state (e.g. a WeakMap), since hooks are shared by all sessions of a port.
   */
  readonly connection: object;
  readonly clientAddress: string;
  /** The EHLO/HELO argument, or null before it. */
  readonly heloName: string | null;
  /** True after EHLO (extensions negotiated), false after HELO or before either. */
  readonly extended: boolean;
  readonly authenticatedUser: string | null;
  readonly tls: boolean;
  /** The transaction so far (after MAIL), or null. */
  readonly transaction: Readonly<Envelope> | null;
}

/** Credentials a SASL exchange produced (RFC 4616 PLAIN, or LOGIN). */
export interface SmtpAuthCredentials {
  readonly mechanism: 'PLAIN' | 'LOGIN';
  /** Authorization identity (PLAIN only); "" when not given. */
  readonly authzid: string;
  readonly user: string;
  readonly password: string;
}

/** MAIL FROM as parsed: reverse-path and its ESMTP parameters (already validated). */
export interface SmtpMailRequest {
  readonly from: string;
  readonly body: Envelope['body'];
  readonly smtpUtf8: boolean;
  readonly declaredSize: number | null;
  readonly dsn: Envelope['dsn'];
  /** The AUTH= parameter of MAIL (RFC 4954 §5), xtext as given; null when absent. */
  readonly auth: string | null;
  /** MAIL FROM REQUIRETLS (RFC 8689). */
  readonly requireTls: boolean;
}

export interface SmtpServerHooks {
  /** Before the greeting. Accept → 220; reject with 421 → close; reject with 554 → only QUIT (RFC 5321 §3.1). */
  onConnect?(session: SmtpSessionView): SmtpHookResult;
  onHelo?(session: SmtpSessionView, name: string, extended: boolean): SmtpHookResult;
  /** Check credentials. Accept → 235 2.7.0; reject with 535 5.7.8 or 454 4.7.0. No hook: every AUTH fails (535). */
  onAuth?(session: SmtpSessionView, credentials: SmtpAuthCredentials): SmtpHookResult;
  onMail?(session: SmtpSessionView, mail: SmtpMailRequest): SmtpHookResult;
  /** e.g. reject with 550 5.1.1, 554 5.7.1 relay denied, 450 4.2.0 greylisted, 452 4.5.3. */
  onRcpt?(session: SmtpSessionView, recipient: EnvelopeRecipient): SmtpHookResult;
  /** Before the 354 (or before the first BDAT chunk is taken). */
  onData?(session: SmtpSessionView): SmtpHookResult;
  /**
   * After the final dot (or BDAT LAST): commit the message, then accept (docs/delivery.md R1). The bytes
   * are the message after dot-unstuffing, CRLF line ends. Not called for a message the machine already
   * refuses (size 552, line length 500, bare LF in `reject` mode).
   */
  onMessage?(session: SmtpSessionView, envelope: Envelope, message: Uint8Array): SmtpHookResult;
}

/** Which extensions to advertise in EHLO (RFC 5321 §4.1.1.1); all implemented ones default to on. */
export interface SmtpServerExtensions {
  pipelining: boolean; // RFC 2920
  size: boolean; // RFC 1870, the value is limits.messageBytesMax
  eightBitMime: boolean; // RFC 6152
  smtpUtf8: boolean; // RFC 6531
  enhancedStatusCodes: boolean; // RFC 2034 / 3463
  dsn: boolean; // RFC 3461
  startTls: boolean; // RFC 3207
  /** SASL mechanisms offered (RFC 4954); empty → AUTH not offered. */
  auth: ReadonlyArray<'PLAIN' | 'LOGIN'>;
  chunking: boolean; // RFC 3030
  /** RFC 8689: offered on TLS sessions only; off by default (a promise about the onward hops). */
  requireTls: boolean;
}

/**
 * How DATA treats a bare LF (docs/delivery.md E4, Postfix `smtpd_forbid_bare_newline`):
 *  - 'normalize' (default, Postfix ≥ 3.9): a bare LF ends a content line and is stored as CRLF, but it
 *    never takes part in ending DATA;
 *  - 'reject': the message is read to the real end, then refused with 550 5.5.2 and discarded.
 * Either way only <CRLF>.<CRLF> ends DATA (E1); a bare CR is content.
 */
export type BareLineFeedPolicy = 'normalize' | 'reject';

/**
 * What the end of a message does with NUL octets (docs/delivery.md E4). RFC 5322 §2.3 and RFC 6152
 * leave NUL out of message text (only BINARYMIME, not offered, carries it), and a next hop that drops
 * NULs would read `<CRLF>NUL.<CRLF>` as the end of data, so a relayed NUL is a smuggling vector:
 *  - 'reject' (default): the message is read to the real end, then refused with 554 5.6.0 (RFC 5321
 *    §4.3.2 lets the final dot get 554; RFC 3463 X.6.0 "other or undefined media error"), as Postfix
 *    does with `message_reject_characters = \0`;
 *  - 'strip': the NULs are removed and the message is accepted (Postfix `message_strip_characters = \0`);
 *  - 'keep': the bytes pass unchanged (Postfix's out-of-the-box behaviour: both settings empty).
 */
export type NulBytePolicy = 'reject' | 'strip' | 'keep';

export interface SmtpServerLimits {
  commandLineBytesMax: number;
  authLineBytesMax: number;
  localPartBytesMax: number;
  domainBytesMax: number;
  pathBytesMax: number;
  messageBytesMax: number;
  recipientsMax: number;
  softErrorsMax: number;
  errorDelayMs: number;
  badCommandsMax: number;
  idleTimeoutMs: number;
  minDataRateBytesPerS: number;
  pendingInputBytesMax: number;
}

export interface SmtpServerOptions {
  /** Our name in the greeting and EHLO reply. */
  hostname: string;
  clientAddress: string;
  /** True when the transport is TLS from the first byte (RFC 8314, port 465). */
  implicitTls?: boolean;
  /** Overrides of the defaults; resolved once per object (share one among sessions; do not modify it after). */
  extensions?: Partial<SmtpServerExtensions>;
  /** Offer and accept AUTH only under TLS (docs/delivery.md §8); otherwise 538 5.7.11. Default false. */
  authRequiresTls?: boolean;
  /** Submission mode (RFC 6409): MAIL before AUTH → 530 5.7.0. Default false. */
  requireAuth?: boolean;
  bareLineFeed?: BareLineFeedPolicy;
  /** NUL octets in a message (docs/delivery.md E4). Default 'reject'. */
  nulBytes?: NulBytePolicy;
  /** Overrides of SMTP_SERVER_LIMITS_DEFAULT; resolved and checked once per object, like `extensions`. */
  limits?: Partial<SmtpServerLimits>;
  hooks?: SmtpServerHooks;
  /** Emit `command` / `reply` events for a transcript. Default false. */
  transcript?: boolean;
}

export type SmtpServerCloseReason =
  | 'quit'
  /** The owner refused a command with 421 (RFC 5321 §3.8: the server closes the channel). */
  | 'service-closing'
  | 'eof'
  | 'timeout'
  | 'drop'
  | 'greeting-refused'
  | 'too-many-errors'
  | 'input-overflow';

export type SmtpServerEvent =
  /** Transcript: a command line as received (SASL data redacted). Only with `transcript: true`. */
  | { type: 'command'; line: string }
  /** Transcript: a reply as sent. Only with `transcript: true`. */
  | { type: 'reply'; reply: SmtpReply }
  | { type: 'helo'; name: string; extended: boolean }
  /** The 220 to STARTTLS is queued: send it, run the handshake, then call `tlsEstablished`. */
  | { type: 'starttls' }
  | { type: 'authenticated'; user: string; mechanism: 'PLAIN' | 'LOGIN' }
  /** A transaction was accepted: the envelope and the message bytes (after unstuffing). */
  | { type: 'message'; envelope: Envelope; message: Uint8Array }
  | { type: 'reset' }
  | { type: 'quit' }
  /** A `drop` decision: the reply for `stage` is not sent; close the transport. */
  | { type: 'drop'; stage: SmtpServerStage }
  | { type: 'closed'; reason: SmtpServerCloseReason }
  /** The peer misbehaved in a way worth logging (it also got its reply). */
  | { type: 'protocol-error'; detail: string };
