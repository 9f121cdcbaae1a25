/**
 * What the client learned of a server's extensions from its EHLO reply (RFC 5321 §4.1.1.1): one field
 * per extension, set by the extension's `read` (extensions/); client-capabilities.ts parses the reply.
 */

export interface SmtpCapabilities {
  /** True when EHLO succeeded; false after the HELO fallback (RFC 5321 §3.2). */
  extended: boolean;
  pipelining: boolean; // RFC 2920
  /** SIZE offered (RFC 1870). */
  size: boolean;
  /** The fixed size limit in octets; null when SIZE has no (or a zero) parameter, i.e. no fixed limit. */
  sizeMaxBytes: number | null;
  eightBitMime: boolean; // RFC 6152
  smtpUtf8: boolean; // RFC 6531
  enhancedStatusCodes: boolean; // RFC 2034
  dsn: boolean; // RFC 3461
  startTls: boolean; // RFC 3207
  /** SASL mechanisms offered (RFC 4954), upper case. */
  authMechanisms: string[];
  chunking: boolean; // RFC 3030
  requireTls: boolean; // RFC 8689
  /** Every keyword line as sent, upper-cased keyword first; for the trace. */
  keywords: string[];
}

/** What a server offers when it answered HELO, or before EHLO. */
export function noCapabilities(): SmtpCapabilities {
  return {
    extended: false,
    pipelining: false,
    size: false,
    sizeMaxBytes: null,
    eightBitMime: false,
    smtpUtf8: false,
    enhancedStatusCodes: false,
    dsn: false,
    startTls: false,
    authMechanisms: [],
    chunking: false,
    requireTls: false,
    keywords: [],
  };
}
