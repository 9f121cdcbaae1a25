/**
 * A stored message as Mailpit's API shows it (https://mailpit.axllent.org/docs/api-v1/): the list
 * item of `GET /api/v1/messages`, the whole message of `GET /api/v1/message/{ID}` and the header map
 * of `…/headers`, in Mailpit's field names, so a client written for Mailpit (the `mailpit-api` npm
 * package) reads them unchanged.
 *
 * Theory of operation. A message's bytes never change once stored (RFC 3501 §2.3.1.1: a UID names
 * one message), so what mailparser makes of them is cached by id; a listing parses only the page it
 * returns, a search only the messages it has not seen before. Attachments are numbered in the order
 * mailparser finds them (`PartID` "1", "2", …), not by MIME part path as Mailpit does: a client uses
 * the `PartID` the message gave it, so the numbering is opaque to it. A list item is made from the
 * message's summary (header-scan.ts: a cheap scan as it landed, equal to what the full parse gives)
 * whenever the summary has the Snippet; only other messages (multipart, HTML-only, an unknown
 * charset) are parsed for the list, and mailparser is loaded only when one is.
 */
import { createHash } from 'node:crypto';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import { formatIsoDateTime } from '../sim/calendar.js';
import type { CapturedMail, StoredRef } from './captured.js';
import { seenFlag } from './captured.js';
import { type MessageSummary, snippetOf } from './header-scan.js';

export interface MailpitAddress {
  Name: string;
  Address: string;
}

export interface MailpitListItem {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: MailpitAddress;
  To: MailpitAddress[];
  Cc: MailpitAddress[];
  Bcc: MailpitAddress[];
  ReplyTo: MailpitAddress[];
  Subject: string;
  Created: string;
  Username: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
}

/** Parsed messages kept (by id); beyond it the oldest are parsed again when asked for. */
export const parsedCacheMax = 20_000;
const cache = new Map<string, ParsedMail>();

/** Messages parsed in full and cached (tests: the event and the listing of plain mail parse none). */
export function parsedCount(): number {
  return cache.size;
}

/** mailparser's view of a stored message, cached (the bytes never change). */
export async function parsed(ref: StoredRef, read: (ref: StoredRef) => Uint8Array): Promise<ParsedMail> {
  const hit = cache.get(ref.id);
  if (hit !== undefined) return hit;
  // Loaded on first use: mailparser pulls in iconv-lite's tables, and serve should start fast.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(Buffer.from(read(ref)), { skipImageLinks: true, skipTextLinks: true });
  if (cache.size >= parsedCacheMax) cache.delete(cache.keys().next().value as string);
  cache.set(ref.id, mail);
  return mail;
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailpitAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return objects.flatMap((object) => object.value.flatMap((entry) => (entry.group ? entry.group : [entry]))).map((entry) => ({ Name: entry.name ?? '', Address: entry.address ?? '' }));
}

function messageId(mail: ParsedMail): string {
  return (mail.messageId ?? '').replace(/^<|>$/g, '');
}

function isAttachment(attachment: Attachment): boolean {
  return !(attachment.related && attachment.contentId);
}

export function snippet(mail: ParsedMail): string {
  return snippetOf(mail.text ?? (typeof mail.html === 'string' ? mail.html.replace(/<[^>]*>/g, ' ') : ''));
}

/** The list item from a summary; `body` stands in for the summary's when it has none (the `new` event). */
export function summaryItem(ref: StoredRef, summary: MessageSummary, body: { Snippet: string; Attachments: number }): MailpitListItem {
  return {
    ID: ref.id,
    MessageID: summary.MessageID,
    Read: ref.info.flags.includes(seenFlag),
    From: summary.From,
    To: summary.To,
    Cc: summary.Cc,
    Bcc: summary.Bcc,
    ReplyTo: summary.ReplyTo,
    Subject: summary.Subject,
    Created: formatIsoDateTime(ref.info.internalDateMs),
    Username: ref.user,
    Tags: [],
    Size: ref.info.size,
    Attachments: body.Attachments,
    Snippet: body.Snippet,
  };
}

/** The list item: from the summary when it is whole, else from the full parse (cached). */
export async function listItemOf(ref: StoredRef, captured: CapturedMail): Promise<MailpitListItem> {
  const summary = captured.summary(ref);
  if (summary?.body) return summaryItem(ref, summary, summary.body);
  return listItem(ref, await parsed(ref, (r) => captured.read(r)));
}

export function listItem(ref: StoredRef, mail: ParsedMail): MailpitListItem {
  return {
    ID: ref.id,
    MessageID: messageId(mail),
    Read: ref.info.flags.includes(seenFlag),
    From: addresses(mail.from)[0] ?? { Name: '', Address: '' },
    To: addresses(mail.to),
    Cc: addresses(mail.cc),
    Bcc: addresses(mail.bcc),
    ReplyTo: addresses(mail.replyTo),
    Subject: mail.subject ?? '',
    Created: formatIsoDateTime(ref.info.internalDateMs),
    Username: ref.user,
    Tags: [],
    Size: ref.info.size,
    Attachments: mail.attachments.filter(isAttachment).length,
    Snippet: snippet(mail),
  };
}

function attachmentView(attachment: Attachment, index: number) {
  return {
    PartID: String(index + 1),
    FileName: attachment.filename ?? '',
    ContentType: attachment.contentType,
    ContentID: (attachment.contentId ?? '').replace(/^<|>$/g, ''),
    Size: attachment.size,
    Checksums: {
      MD5: createHash('md5').update(attachment.content).digest('hex'),
      SHA1: createHash('sha1').update(attachment.content).digest('hex'),
      SHA256: createHash('sha256').update(attachment.content).digest('hex'),
    },
  };
}

/** The whole message: Mailpit's `GET /api/v1/message/{ID}`. */
export function messageView(ref: StoredRef, mail: ParsedMail) {
  const parts = mail.attachments.map((attachment, index) => ({ attachment, view: attachmentView(attachment, index) }));
  const listUnsubscribe = mail.headers.get('list-unsubscribe');
  return {
    ID: ref.id,
    MessageID: messageId(mail),
    From: addresses(mail.from)[0] ?? { Name: '', Address: '' },
    To: addresses(mail.to),
    Cc: addresses(mail.cc),
    Bcc: addresses(mail.bcc),
    ReplyTo: addresses(mail.replyTo),
    ReturnPath: headerText(mail, 'return-path').replace(/^<|>$/g, ''),
    Subject: mail.subject ?? '',
    ListUnsubscribe: { Header: typeof listUnsubscribe === 'string' ? listUnsubscribe : '', Links: [], Errors: '', HeaderPost: headerText(mail, 'list-unsubscribe-post') },
    Date: mail.date !== undefined ? formatIsoDateTime(mail.date.getTime()) : formatIsoDateTime(ref.info.internalDateMs),
    Tags: [],
    Username: ref.user,
    Text: mail.text ?? '',
    HTML: typeof mail.html === 'string' ? mail.html : '',
    Size: ref.info.size,
    Inline: parts.filter((part) => !isAttachment(part.attachment)).map((part) => part.view),
    Attachments: parts.filter((part) => isAttachment(part.attachment)).map((part) => part.view),
  };
}

function headerText(mail: ParsedMail, name: string): string {
  const line = mail.headerLines.find((header) => header.key === name);
  return line === undefined ? '' : unfoldValue(line.line);
}

function unfoldValue(line: string): string {
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/** Go's canonical MIME header key (textproto.CanonicalMIMEHeaderKey), as Mailpit spells header names. */
function canonicalKey(key: string): string {
  return key
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join('-');
}

/** Mailpit's `GET /api/v1/message/{ID}/headers`: every header, its values in order, unfolded. */
export function headersView(mail: ParsedMail): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const line of mail.headerLines) {
    const key = canonicalKey(line.key);
    headers[key] ??= [];
    headers[key].push(unfoldValue(line.line));
  }
  return headers;
}

/** The attachment a PartID names (as `messageView` numbered them), or null. */
export function attachmentPart(mail: ParsedMail, partId: string): Attachment | null {
  if (!/^\d+$/.test(partId)) return null;
  return mail.attachments[Number(partId) - 1] ?? null;
}
