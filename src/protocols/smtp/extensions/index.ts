/**
 * The ESMTP extensions mailsim's SMTP server offers and its client understands, in the order of the
 * EHLO reply (and of the parameters the client writes). Everything else reads them from here: the
 * server's EHLO keywords and its MAIL/RCPT parameter parsing (command.ts), the client's reading of
 * the EHLO reply (client-capabilities.ts) and its MAIL/RCPT lines (client-commands.ts).
 */
import type { SmtpCapabilities } from '../capabilities.js';
import type { CommandParameter, MailCommand, RcptCommand } from '../parameters.js';
import type { EnvelopeRecipient } from '../types.js';
import { auth } from './auth.js';
import { chunking } from './chunking.js';
import { dsn } from './dsn.js';
import { eightBitMime } from './eight-bit-mime.js';
import { enhancedStatusCodes } from './enhanced-status-codes.js';
import type { MailInput, ServerOffer, SmtpExtension } from './extension.js';
import { pipelining } from './pipelining.js';
import { requireTls } from './requiretls.js';
import { size } from './size.js';
import { smtpUtf8 } from './smtputf8.js';
import { startTls } from './starttls.js';

export type { MailInput, ServerOffer, SmtpExtension } from './extension.js';

export const smtpExtensions: readonly SmtpExtension[] = [pipelining, size, eightBitMime, smtpUtf8, enhancedStatusCodes, dsn, startTls, auth, chunking, requireTls];

const byKeyword = new Map(smtpExtensions.map((extension) => [extension.keyword, extension]));

function parametersOf<Command>(pick: (extension: SmtpExtension) => Readonly<Record<string, CommandParameter<Command>>> | undefined): ReadonlyMap<string, CommandParameter<Command>> {
  return new Map(smtpExtensions.flatMap((extension) => Object.entries(pick(extension) ?? {})));
}

/** MAIL FROM parameters by upper-case name. */
export const mailParameters = parametersOf<MailCommand>((extension) => extension.mailParameters);
/** RCPT TO parameters by upper-case name. */
export const rcptParameters = parametersOf<RcptCommand>((extension) => extension.rcptParameters);

const mailWriters = smtpExtensions.filter((extension) => extension.mailArguments !== undefined);
const rcptWriters = smtpExtensions.filter((extension) => extension.rcptArguments !== undefined);

/** The EHLO keyword lines the server sends now. */
export function ehloKeywords(offer: ServerOffer): string[] {
  const lines: string[] = [];
  for (const extension of smtpExtensions) {
    const line = extension.advertise(offer);
    if (line !== null) lines.push(line);
  }
  return lines;
}

/** The client reads one keyword line; unknown keywords are ignored. */
export function readKeyword(capabilities: SmtpCapabilities, keyword: string, params: readonly string[]): void {
  byKeyword.get(keyword)?.read(capabilities, params);
}

/** What the client appends to MAIL FROM. */
export function mailArguments(input: MailInput, capabilities: SmtpCapabilities): string {
  let out = '';
  for (const extension of mailWriters) out += extension.mailArguments!(input, capabilities);
  return out;
}

/** What the client appends to RCPT TO. */
export function rcptArguments(recipient: EnvelopeRecipient, capabilities: SmtpCapabilities): string {
  let out = '';
  for (const extension of rcptWriters) out += extension.rcptArguments!(recipient, capabilities);
  return out;
}
