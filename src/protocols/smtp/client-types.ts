/**
 * The public surface of the SMTP client machine (client.ts): options, per-stage timeouts, the
 * transactions the owner enqueues and the events it gets back. Kept apart from the machine so the
 * nodes can import the types alone.
 *
 * Timeouts are Postfix's defaults (docs/delivery.md §3, RFC 5321 §4.5.3.2 minimums). The connect timeout
 * and the data-block timeout (RFC 5321 §4.5.3.2.5: waiting for each TCP send of the content) belong
 * to the owner: the machine starts after connect, and it hands over the whole content in one piece
 * without learning when the transport has sent it. `dataBlockTimeoutMs` is here so the owner reads
 * the default from one place.
 */
import type { SmtpCapabilities } from './client-capabilities.js';
import type { Envelope, SmtpReply } from './types.js';

export interface SmtpClientTimeouts {
  /** RFC 5321 §4.5.3.2.1 Initial 220 Message: 5 min (Postfix smtp_helo_timeout covers it). */
  greetingTimeoutMs: number;
  /** EHLO/HELO reply (Postfix smtp_helo_timeout 300 s); also STARTTLS and AUTH replies. */
  heloTimeoutMs: number;
  /** RFC 5321 §4.5.3.2.2 MAIL: 5 min. */
  mailTimeoutMs: number;
  /** RFC 5321 §4.5.3.2.3 RCPT: 5 min. */
  rcptTimeoutMs: number;
  /** RFC 5321 §4.5.3.2.4 DATA Initiation: 2 min (the 354). */
  dataInitTimeoutMs: number;
  /** RFC 5321 §4.5.3.2.5 Data Block: 3 min per send; the owner's (see above). */
  dataBlockTimeoutMs: number;
  /** RFC 5321 §4.5.3.2.6 DATA Termination: 10 min (the reply to the final dot). */
  dataDoneTimeoutMs: number;
  /** Postfix smtp_rset_timeout 20 s. */
  rsetTimeoutMs: number;
  /** Postfix smtp_quit_timeout 300 s. */
  quitTimeoutMs: number;
}

export const SMTP_CLIENT_TIMEOUTS_DEFAULT: Readonly<SmtpClientTimeouts> = Object.freeze({
  greetingTimeoutMs: 300_000,
  heloTimeoutMs: 300_000,
  mailTimeoutMs: 300_000,
  rcptTimeoutMs: 300_000,
  dataInitTimeoutMs: 120_000,
  dataBlockTimeoutMs: 180_000,
  dataDoneTimeoutMs: 600_000,
  rsetTimeoutMs: 20_000,
  quitTimeoutMs: 300_000,
});

/**
 * Postfix `smtp_line_length_limit` (998, RFC 5321 §4.5.3.1.6's 1000 octets less CRLF): a longer header
 * or body line is broken by inserting CRLF SPACE when the message is sent (dot-stuffing.ts); 0 sends
 * lines whole.
 */
export const SMTP_CLIENT_LINE_OCTETS_DEFAULT = 998;

/** Postfix smtp_destination_recipient_limit: 50 recipients per transaction (docs/delivery.md §4). */
export const SMTP_CLIENT_RECIPIENTS_PER_TRANSACTION_DEFAULT = 50;

/**
 * Transactions of one enqueued message on one connection: the first plus the ones R4 (452) and the
 * per-transaction recipient limit add. Each one after the first needs progress, so this is a guard.
 */
export const SMTP_CLIENT_TRANSACTIONS_PER_MESSAGE_MAX = 1000;

export interface SmtpClientAuth {
  user: string;
  password: string;
  /** Default: PLAIN when offered, else LOGIN. */
  mechanism?: 'PLAIN' | 'LOGIN';
}

export interface SmtpClientOptions {
  /** The EHLO/HELO argument (RFC 5321 §4.1.1.1): our domain or address literal. */
  heloName: string;
  /**
   * 'required': STARTTLS or nothing (mail is deferred when the server offers none, as Postfix's
   * `smtp_tls_security_level = encrypt` does); 'opportunistic': STARTTLS when offered, plain text when
   * not or when it is refused; 'none': never.
   */
  tls: 'required' | 'opportunistic' | 'none';
  /** The transport is TLS from the first byte (RFC 8314, port 465); no STARTTLS then. */
  implicitTls?: boolean;
  auth?: SmtpClientAuth | null;
  timeouts?: Partial<SmtpClientTimeouts>;
  /** Recipients per transaction (Postfix sends 50); the rest go in further transactions. */
  recipientsPerTransactionMax?: number;
  /** Use PIPELINING when the server offers it (RFC 2920). Default true. */
  usePipelining?: boolean;
  /** Longer lines are folded when sent (Postfix `smtp_line_length_limit`); default 998, 0 for never. */
  lineOctetsMax?: number;
}

/** One message to deliver: the envelope and the content as bytes (line ends are made CRLF). */
export interface SmtpClientTransaction {
  id: string;
  envelope: Envelope;
  message: Uint8Array;
}

/** Where a command/reply exchange stood: the stages of docs/delivery.md §3, plus the session's own. */
export type SmtpClientStage =
  | 'greeting'
  | 'helo'
  | 'starttls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data-init'
  | 'data-done'
  | 'rset'
  | 'quit'
  /** Connected and waiting for the owner (nothing outstanding). */
  | 'idle'
  /** Decided by the client before sending (bad address, too large, SMTPUTF8 not offered). */
  | 'local';

/**
 * accepted: the server took responsibility (2xx to the dot, docs/delivery.md R1); deferred: try again
 * later (4xx, timeout, lost connection — R2, R5); failed: 5xx (permanent); unknown: the connection
 * broke after the dot and before its reply (RFC 1047, E3) — treat as deferred, a duplicate is possible.
 */
export type SmtpRecipientOutcome = 'accepted' | 'deferred' | 'failed' | 'unknown';

export interface SmtpRecipientResult {
  address: string;
  outcome: SmtpRecipientOutcome;
  /** The server reply that decided the outcome, or null (timeout, lost connection, local decision). */
  reply: SmtpReply | null;
  stage: SmtpClientStage;
  /** Why, when no reply says it: 'timeout', 'connection-lost', 'protocol-error', 'message-too-large' … */
  detail: string | null;
}

export type SmtpClientCloseReason =
  /** QUIT exchanged (or the server closed after our QUIT). */
  | 'quit'
  | 'greeting-rejected'
  | 'helo-rejected'
  /** tls 'required' and the server did not offer STARTTLS. */
  | 'tls-unavailable'
  /** tls 'required' and STARTTLS got 4xx/5xx. */
  | 'tls-rejected'
  /** auth asked for and the server offers no usable mechanism. */
  | 'auth-unavailable'
  | 'auth-failed'
  | 'rset-failed'
  | 'timeout'
  | 'connection-lost'
  | 'protocol-error'
  /** 421 (RFC 5321 §3.8): the server is closing the channel. */
  | 'server-closing';

export type SmtpClientEvent =
  /** The session is ready for mail (after EHLO, STARTTLS and AUTH as configured); once. */
  | { type: 'ready'; capabilities: SmtpCapabilities; secure: boolean; authenticated: boolean }
  /** The server answered 220 to STARTTLS: run the TLS handshake, then call `tlsEstablished`. */
  | { type: 'starttls' }
  | { type: 'authenticated'; mechanism: 'PLAIN' | 'LOGIN' }
  | {
      type: 'transaction-done';
      id: string;
      recipients: SmtpRecipientResult[];
      /** The reply that ended the (last) transaction: the dot's, or the failing MAIL/DATA reply; null if none. */
      reply: SmtpReply | null;
      /** How many MAIL transactions it took (R4 splits, the recipient limit). */
      transactions: number;
    }
  | { type: 'closed'; reason: SmtpClientCloseReason; stage: SmtpClientStage; reply: SmtpReply | null; detail: string | null };
