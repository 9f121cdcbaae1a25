/**
 * Command lines the SMTP client sends (RFC 5321 §4.1.1) with their ESMTP parameters: SIZE (RFC 1870),
 * BODY (RFC 6152), SMTPUTF8 (RFC 6531), DSN RET/ENVID/NOTIFY/ORCPT (RFC 3461), and the SASL tokens
 * of AUTH PLAIN (RFC 4616) and LOGIN. Parameters go out only when the server offered the extension.
 *
 * Addresses come from envelopes that may have crossed other servers; an address with a control
 * character or an angle bracket could smuggle a second command into the line, so `isSafePath`
 * screens them before anything is built.
 */
import type { SmtpCapabilities } from './client-capabilities.js';
import type { EnvelopeRecipient } from './types.js';

const CRLF = '\r\n';

/** No CR, LF or other control characters, no brackets, no space (RFC 5321 §4.1.2 Path). */
export function isSafePath(address: string): boolean {
  return !/[\x00-\x20\x7f<>]/.test(address);
}

/** True when an address needs SMTPUTF8 (RFC 6531 §3.4): any non-ASCII character. */
export function needsUtf8(address: string): boolean {
  return /[^\x00-\x7f]/.test(address);
}

/**
 * xtext (RFC 3461 §4): "!" to "~" except "+" and "=" stand for themselves, others are "+XX".
 * Values that came from another server are already xtext; a "+" is taken as the start of an escape,
 * so encoding only what xtext forbids leaves a relayed value unchanged (D6).
 */
export function toXtext(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    out += byte >= 0x21 && byte <= 0x7e && char !== '=' ? char : `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface MailCommandInput {
  from: string;
  sizeBytes: number;
  eightBit: boolean;
  body: '7BIT' | '8BITMIME' | 'BINARYMIME' | null;
  smtpUtf8: boolean;
  ret: 'FULL' | 'HDRS' | null;
  envid: string | null;
}

export function mailCommand(input: MailCommandInput, capabilities: SmtpCapabilities): string {
  let line = `MAIL FROM:<${input.from}>`;
  if (capabilities.size) line += ` SIZE=${input.sizeBytes}`;
  if (capabilities.eightBitMime) {
    // BINARYMIME needs BDAT (RFC 3030); over DATA the best honest label is 8BITMIME.
    if (input.eightBit || input.body === '8BITMIME' || input.body === 'BINARYMIME') line += ' BODY=8BITMIME';
    else if (input.body === '7BIT') line += ' BODY=7BIT';
  }
  if (input.smtpUtf8 && capabilities.smtpUtf8) line += ' SMTPUTF8';
  if (capabilities.dsn) {
    if (input.ret !== null) line += ` RET=${input.ret}`;
    if (input.envid !== null) line += ` ENVID=${toXtext(input.envid)}`;
  }
  return line + CRLF;
}

export function rcptCommand(recipient: EnvelopeRecipient, capabilities: SmtpCapabilities): string {
  let line = `RCPT TO:<${recipient.address}>`;
  if (capabilities.dsn) {
    if (recipient.dsn.notify !== null && recipient.dsn.notify.length > 0) line += ` NOTIFY=${recipient.dsn.notify.join(',')}`;
    if (recipient.dsn.orcpt !== null) {
      const semicolonAt = recipient.dsn.orcpt.indexOf(';');
      const addressType = semicolonAt === -1 ? 'rfc822' : recipient.dsn.orcpt.slice(0, semicolonAt);
      const original = semicolonAt === -1 ? recipient.dsn.orcpt : recipient.dsn.orcpt.slice(semicolonAt + 1);
      line += ` ORCPT=${toXtext(addressType)};${toXtext(original)}`;
    }
  }
  return line + CRLF;
}

function base64Utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** AUTH PLAIN with the initial response (RFC 4954 §4, RFC 4616 §2: authzid NUL authcid NUL passwd). */
export function authPlainCommand(user: string, password: string): string {
  return `AUTH PLAIN ${base64Utf8(`\0${user}\0${password}`)}${CRLF}`;
}

/** One base64 line answering a 334 challenge of AUTH LOGIN. */
export function authLoginResponse(value: string): string {
  return base64Utf8(value) + CRLF;
}
