/**
 * Types and limits shared by the POP3 server and client machines (RFC 1939, RFC 2449; docs/delivery.md §9).
 */
import type { UserMailStore } from '../../store/mailstore.js';
import { MIN_DATA_RATE_BYTES_PER_S_DEFAULT } from '../request-deadline.js';

/** Server limits, units last. */
export interface Pop3ServerLimits {
  /** RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
  commandLineBytesMax: number;
  /** Unknown, malformed or out-of-state commands before the server hangs up. */
  badCommandsMax: number;
  /** Failed USER/PASS or APOP attempts before the server hangs up. */
  authFailuresMax: number;
  /** Before the reply to a failed login (Dovecot `auth_failure_delay`, 2 s); 0: none. */
  authFailureDelayMs: number;
  /** RFC 1939 §3: the autologout timer is at least 10 minutes of inactivity. */
  autologoutMs: number;
  /** Bytes/s that extend the deadline of a command not yet answered (request-deadline.ts). */
  minDataRateBytesPerS: number;
}

export const POP3_SERVER_LIMITS: Pop3ServerLimits = {
  commandLineBytesMax: 255,
  badCommandsMax: 10,
  authFailuresMax: 3,
  authFailureDelayMs: 2000,
  autologoutMs: 10 * 60_000,
  minDataRateBytesPerS: MIN_DATA_RATE_BYTES_PER_S_DEFAULT,
};

export interface Pop3ServerOptions {
  /** Used in the greeting and the APOP timestamp. */
  hostName: string;
  /**
   * Makes the APOP timestamp unique to this session (RFC 1939 §7: "<process-ID.clock@hostname>"); the
   * owner builds it deterministically, e.g. from a session counter and the virtual time.
   */
  bannerToken: string;
  /** Names this session as the holder of the maildrop lock. */
  sessionId: string;
  /** STLS may be offered (RFC 2595 §4): the owner has a certificate for this port. */
  tlsOffered: boolean;
  /** TLS is already on (port 995, implicit TLS, RFC 8314). */
  tlsActive: boolean;
  /**
   * USER/PASS may be used without TLS (default true). False is Dovecot's `disable_plaintext_auth = yes`:
   * until TLS is on, CAPA leaves USER out and USER gets `-ERR [AUTH]` (RFC 2449 §6.3, RFC 3206 §4).
   * The owner decides per connection (Dovecot treats a loopback client as secure).
   */
  plaintextAuthAllowed?: boolean;
  /** Checks USER/PASS credentials. */
  checkPassword(user: string, password: string): boolean;
  /** The shared secret for APOP (RFC 1939 §7), or null for an unknown user. Without it APOP is not offered. */
  apopSecret?: (user: string) => string | null;
  /** The user's store (its INBOX is the maildrop), or null if the user has none. */
  openMaildrop(user: string): UserMailStore | null;
  /** The virtual time the connection was accepted (starts the autologout timer). */
  nowMs: number;
  limits?: Partial<Pop3ServerLimits>;
  /** The IMPLEMENTATION capability text (RFC 2449 §6.9). */
  implementation?: string;
}

export type Pop3ServerState = 'authorization' | 'starttls' | 'transaction' | 'update' | 'closed';

export type Pop3CloseReason = 'quit' | 'eof' | 'autologout' | 'too-many-errors' | 'too-many-auth-failures';

export type Pop3ServerEvent =
  | { type: 'authenticated'; user: string; mechanism: 'USER' | 'APOP'; messages: number }
  | { type: 'authFailed'; user: string; reason: 'credentials' | 'in-use' | 'no-maildrop' | 'unavailable' }
  | { type: 'starttls' }
  | { type: 'retrieved'; user: string; uid: number }
  /** UPDATE state ran (QUIT from TRANSACTION): these UIDs were removed; ok false if some could not be. */
  | { type: 'updated'; user: string; deletedUids: number[]; ok: boolean }
  | { type: 'closed'; reason: Pop3CloseReason };

/** Client limits, units last. */
export interface Pop3ClientLimits {
  /** How long to wait for each reply (the server's autologout is ≥ 10 min, RFC 1939 §3). */
  replyTimeoutMs: number;
  /** The longest response line accepted, CRLF included (message lines can be long; RFC 2449 §4 is for status lines). */
  responseLineBytesMax: number;
  /** The largest multi-line response (a message) accepted. */
  responseBytesMax: number;
}

export const POP3_CLIENT_LIMITS: Pop3ClientLimits = {
  replyTimeoutMs: 5 * 60_000,
  responseLineBytesMax: 1_000_000,
  responseBytesMax: 64 * 1024 * 1024,
};

export interface Pop3ClientOptions {
  user: string;
  password: string;
  /** Send STLS before logging in (port 110) and refuse to continue without TLS (no downgrade). */
  startTls: boolean;
  /** Leave messages on the server ("leave a copy"): no DELE, and only UIDLs not in `seenUidls` are retrieved. */
  keep: boolean;
  /** UIDLs retrieved by earlier fetches (keep mode). */
  seenUidls?: ReadonlySet<string>;
  /** The virtual time the connection was opened (starts the first reply timer). */
  nowMs: number;
  limits?: Partial<Pop3ClientLimits>;
}

export type Pop3ClientEvent =
  | { type: 'starttls' }
  /** One retrieved message, dot-unstuffed, CRLF line ends. */
  | { type: 'message'; number: number; uidl: string | null; bytes: Uint8Array }
  | {
      type: 'done';
      ok: boolean;
      retrieved: number;
      /** Messages the server confirmed removing (DELE'd and QUIT answered +OK). */
      deleted: number;
      /** Every UIDL the server listed in this session (for the next keep-mode fetch). */
      uidls: string[];
      /** What went wrong ("-ERR …" reply, "timeout", "connection closed"), or null. */
      error: string | null;
    };
