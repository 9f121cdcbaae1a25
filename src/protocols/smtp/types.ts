/**
 * Types shared by the SMTP server and client machines and by the nodes that own them.
 * RFC 5321 (SMTP), 3461 (DSN parameters), 2034/3463 (enhanced status codes), 6152 (8BITMIME),
 * 6531 (SMTPUTF8), 1870 (SIZE), 3030 (CHUNKING), 8689 (REQUIRETLS).
 */

/** A reply: the three-digit code, the enhanced code if any (RFC 2034), and its text lines. */
export interface SmtpReply {
  code: number;
  /** "5.1.1" etc., or null when the reply carries none. */
  enhanced: string | null;
  /** One entry per line of a multi-line reply, without the code prefix. */
  lines: string[];
  /**
   * Set by an owner that wrote the enhanced code into the reply's text (a scripted `reply` fault,
   * docs/reference.md §6): the server sends the code wherever it sends the reply — in the greeting, after
   * HELO, without ENHANCEDSTATUSCODES — and not only where RFC 2034 §3 requires it. Never set on a
   * reply the client reads.
   */
  enhancedAsWritten?: true;
}

/** DSN parameters of MAIL FROM (RFC 3461 §4.3, §4.4). */
export interface DsnMailParams {
  ret: 'FULL' | 'HDRS' | null;
  envid: string | null;
}

/** DSN parameters of RCPT TO (RFC 3461 §4.1, §4.2). */
export interface DsnRcptParams {
  /** null: not given. ['NEVER'] or a subset of SUCCESS, FAILURE, DELAY. */
  notify: Array<'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY'> | null;
  /** "rfc822;bob@example.org" as given, or null. */
  orcpt: string | null;
}

export interface EnvelopeRecipient {
  /** The address without angle brackets. */
  address: string;
  dsn: DsnRcptParams;
}

/**
 * The MAIL FROM parameters a message keeps on every hop (the one declaration: the server's
 * transaction, the queue file and the client's transaction all carry this record whole).
 */
export interface MailParams {
  /** BODY=7BIT | 8BITMIME | BINARYMIME, if given (RFC 6152). */
  body: '7BIT' | '8BITMIME' | 'BINARYMIME' | null;
  /** SMTPUTF8 given (RFC 6531). */
  smtpUtf8: boolean;
  /** MAIL FROM REQUIRETLS (RFC 8689): every hop must be TLS to a server that offers REQUIRETLS. */
  requireTls: boolean;
  dsn: DsnMailParams;
}

/** What one transaction carries besides the content. */
export interface Envelope extends MailParams {
  /** The reverse-path without brackets; "" is the null reverse-path `<>` (DSNs, RFC 5321 §4.5.5). */
  from: string;
  recipients: EnvelopeRecipient[];
  /** SIZE= declared by the client (RFC 1870), if given: of this transaction only. */
  declaredSize: number | null;
}

/** The parameters of a message that gives none (a DSN, a message the MUA writes without options). */
export function plainMailParams(dsn: DsnMailParams = { ret: null, envid: null }): MailParams {
  return { body: null, smtpUtf8: false, requireTls: false, dsn };
}

/** The parameters of an envelope, as a record of their own (for the queue). */
export function mailParamsOf(envelope: MailParams): MailParams {
  return { body: envelope.body, smtpUtf8: envelope.smtpUtf8, requireTls: envelope.requireTls, dsn: { ret: envelope.dsn.ret, envid: envelope.dsn.envid } };
}
