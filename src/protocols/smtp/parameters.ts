/**
 * ESMTP parameters of MAIL FROM and RCPT TO as the server parses them (RFC 5321 §4.1.2 esmtp-param):
 * the parsed commands, what the session negotiated, and the failure replies. Each parameter is
 * declared by its extension (extensions/); command.ts splits the line and asks the extension.
 */
import { smtpReply } from './reply.js';
import type { SmtpServerExtensions } from './server-api.js';
import type { DsnMailParams, DsnRcptParams, Envelope, SmtpReply } from './types.js';

export interface ParseFailure {
  ok: false;
  reply: SmtpReply;
}

/** What the session negotiated, which decides which parameters are known. */
export interface ParameterContext {
  /** EHLO, not HELO: parameters need it (RFC 5321 §4.1.1.11). */
  extended: boolean;
  /** The server's extensions. */
  extensions: SmtpServerExtensions;
  /** TLS is on for the session. */
  tls: boolean;
}

export interface MailCommand {
  ok: true;
  from: string;
  body: Envelope['body'];
  smtpUtf8: boolean;
  declaredSize: number | null;
  dsn: DsnMailParams;
  auth: string | null;
  requireTls: boolean;
}

export interface RcptCommand {
  ok: true;
  to: string;
  dsn: DsnRcptParams;
}

/** A parameter of MAIL FROM or RCPT TO: whether the session knows it, and how its value is read into the command. */
export interface CommandParameter<Command> {
  offered(context: ParameterContext): boolean;
  read(value: string | null, command: Command): ParseFailure | null;
}

export const fail = (code: number, enhanced: string, text: string): ParseFailure => ({ ok: false, reply: smtpReply(code, enhanced, text) });

/** RFC 5321 §4.1.1.11: a parameter the session did not negotiate. */
export const unknownParam = (key: string): ParseFailure => fail(555, '5.5.4', `Unsupported parameter ${key}`);

/** A known parameter with a value it does not take. */
export const badValue = (key: string): ParseFailure => fail(501, '5.5.4', `Bad value for parameter ${key}`);
