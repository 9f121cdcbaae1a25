/**
 * Command lines the SMTP client sends (RFC 5321 §4.1.1) with their ESMTP parameters, which each
 * extension writes (extensions/: SIZE, BODY, SMTPUTF8, DSN, REQUIRETLS — only when the server offered
 * it), and the SASL tokens of AUTH PLAIN (RFC 4616) and LOGIN.
 *
 * Addresses come from envelopes that may have crossed other servers; an address with a control
 * character or an angle bracket could smuggle a second command into the line, so `isSafePath`
 * screens them before anything is built.
 */
import type { SmtpCapabilities } from './client-capabilities.js';
import { type MailInput, mailArguments, rcptArguments } from './extensions/index.js';
import type { EnvelopeRecipient } from './types.js';

export { toXtext } from './xtext.js';

const CRLF = '\r\n';

/** No CR, LF or other control characters, no brackets, no space (RFC 5321 §4.1.2 Path). */
export function isSafePath(address: string): boolean {
  return !/[\x00-\x20\x7f<>]/.test(address);
}

/** True when an address needs SMTPUTF8 (RFC 6531 §3.4): any non-ASCII character. */
export function needsUtf8(address: string): boolean {
  return /[^\x00-\x7f]/.test(address);
}

export type MailCommandInput = MailInput;

export function mailCommand(input: MailCommandInput, capabilities: SmtpCapabilities): string {
  return `MAIL FROM:<${input.from}>${mailArguments(input, capabilities)}${CRLF}`;
}

export function rcptCommand(recipient: EnvelopeRecipient, capabilities: SmtpCapabilities): string {
  return `RCPT TO:<${recipient.address}>${rcptArguments(recipient, capabilities)}${CRLF}`;
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
