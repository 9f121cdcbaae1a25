/**
 * The SMTP server's limits, each named with its unit last and its source (docs/architecture.md rule 5,
 * docs/delivery.md §3–§4). Every buffer the server machine keeps is bounded by one of these.
 */
import type { SmtpServerLimits } from './server-api.js';

export const SMTP_SERVER_LIMITS_DEFAULT: Readonly<SmtpServerLimits> = Object.freeze({
  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF; over → 500 5.5.6. */
  commandLineBytesMax: 512,
  /**
   * A SASL response line (RFC 4954 §4 asks servers to take at least 12288 octets, since a token can
   * be long); over → 500 5.5.6 "Authentication Exchange line is too long" (RFC 4954 §6).
   */
  authLineBytesMax: 12_288,
  /** RFC 5321 §4.5.3.1.1: local-part at most 64 octets. */
  localPartBytesMax: 64,
  /** RFC 5321 §4.5.3.1.2: domain at most 255 octets. */
  domainBytesMax: 255,
  /** RFC 5321 §4.5.3.1.3: reverse- or forward-path at most 256 octets including the brackets. */
  pathBytesMax: 256,
  /** Message size (Postfix `message_size_limit`, docs/delivery.md §4); advertised as SIZE (RFC 1870); over → 552 5.3.4. */
  messageBytesMax: 10_240_000,
  /** Recipients per transaction (Postfix `smtpd_recipient_limit`; RFC 5321 §4.5.3.1.8 asks ≥ 100); over → 452 4.5.3. */
  recipientsMax: 1000,
  /**
   * Errors — the client's mistakes (500/501/502/503/504/555) and failed AUTH attempts (535, or any
   * refusal of the credentials) — after which every reply waits `errorDelayMs` (Postfix
   * `smtpd_soft_error_limit`, 10).
   */
  softErrorsMax: 10,
  /** The wait before each reply once past `softErrorsMax` (Postfix `smtpd_error_sleep_time`, 1 s); 0: none. */
  errorDelayMs: 1000,
  /** Errors before 421 4.7.0 and close (Postfix `smtpd_hard_error_limit`, 20). */
  badCommandsMax: 20,
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command or data block; → 421 4.4.2. */
  idleTimeoutMs: 300_000,
  /**
   * Bytes per second a request that is not yet answered (a line, a DATA block) must at least arrive at
   * to push its deadline past `idleTimeoutMs` (Postfix `smtpd_min_data_rate`, src/protocols/request-deadline.ts).
   */
  minDataRateBytesPerS: 500,
  /**
   * Input buffered while a hook is PENDING (pipelined commands behind it). A client that sends more
   * than this while the server waits gets 421 4.7.0 and is closed.
   */
  pendingInputBytesMax: 1_048_576,
});

export function resolveLimits(overrides: Partial<SmtpServerLimits> | undefined): SmtpServerLimits {
  const limits = { ...SMTP_SERVER_LIMITS_DEFAULT, ...overrides };
  // The defaults are valid; only what the owner overrode needs checking (this runs per session).
  for (const name in overrides) {
    const value = limits[name as keyof SmtpServerLimits];
    // A delay of 0 turns the delay off; every other limit is at least 1.
    if (!Number.isSafeInteger(value) || value < (name === 'errorDelayMs' ? 0 : 1)) throw new RangeError(`SMTP server limit ${name} must be a positive integer, got ${value}`);
  }
  if (limits.commandLineBytesMax < 16) throw new RangeError('commandLineBytesMax must be at least 16');
  return limits;
}
