/**
 * What an ESMTP service extension declares (RFC 5321 §2.2, §4.1.1.1), once, for the server and the
 * client: its EHLO keyword and when the server offers it, how the client reads the keyword line, the
 * MAIL FROM / RCPT TO parameters it defines, and what the client adds to those commands when the
 * server offered it. extensions/index.ts lists the extensions in EHLO order; adding one is one file
 * there plus one line (docs/architecture.md "Adding an ESMTP extension").
 */
import type { SmtpCapabilities } from '../capabilities.js';
import type { CommandParameter, MailCommand, RcptCommand } from '../parameters.js';
import type { SmtpServerExtensions } from '../server-api.js';
import type { Envelope, EnvelopeRecipient } from '../types.js';

/** What the server knows when it writes its EHLO reply. */
export interface ServerOffer {
  readonly extensions: SmtpServerExtensions;
  readonly tls: boolean;
  readonly messageBytesMax: number;
  /** AUTH is offered now (mechanisms configured, and TLS on where the server requires it). */
  readonly authOffered: boolean;
}

/** What the client sends a MAIL FROM for: the envelope's parameters and what the content is. */
export interface MailInput {
  from: string;
  /** The content size in octets as it goes on the wire (RFC 1870 §4). */
  sizeBytes: number;
  /** The content has 8-bit octets. */
  eightBit: boolean;
  body: Envelope['body'];
  /** The envelope asked for SMTPUTF8, or an address needs it (RFC 6531 §3.4). */
  smtpUtf8: boolean;
  ret: Envelope['dsn']['ret'];
  envid: string | null;
  requireTls: boolean;
}

export interface SmtpExtension {
  readonly keyword: string;
  /** The server's EHLO line for it (keyword and parameters), or null when not offered now. */
  advertise(offer: ServerOffer): string | null;
  /** The client reads its keyword line (upper-cased keyword stripped; parameters as sent). */
  read(capabilities: SmtpCapabilities, params: readonly string[]): void;
  readonly mailParameters?: Readonly<Record<string, CommandParameter<MailCommand>>>;
  readonly rcptParameters?: Readonly<Record<string, CommandParameter<RcptCommand>>>;
  /** What the client appends to MAIL FROM (with a leading space), given what the server offered. */
  mailArguments?(input: MailInput, capabilities: SmtpCapabilities): string;
  /** What the client appends to RCPT TO. */
  rcptArguments?(recipient: EnvelopeRecipient, capabilities: SmtpCapabilities): string;
}
