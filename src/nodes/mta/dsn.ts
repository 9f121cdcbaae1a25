/**
 * Delivery Status Notifications (RFC 3464 format, RFC 3461 SMTP extension, RFC 3462/6522
 * multipart/report; docs/delivery.md D1–D7).
 *
 * `buildDsn` writes the whole message as CRLF bytes:
 *
 *   From: MAILER-DAEMON@<reporting host> (Mail Delivery System)
 *   To: <original envelope sender>       Subject, Date, Message-ID, Auto-Submitted: auto-replied
 *   Content-Type: multipart/report; report-type=delivery-status; boundary="…"
 *     1. text/plain — what happened to each recipient, for a person
 *     2. message/delivery-status — the per-message block (Reporting-MTA, Original-Envelope-Id,
 *        Arrival-Date) and one block per recipient (Final-Recipient, Original-Recipient, Action,
 *        Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until only if delayed);
 *        Remote-MTA and a `smtp; …` Diagnostic-Code only when a remote MTA's reply is the diagnostic,
 *        else no Remote-MTA and `X-Postfix; …`, as Postfix writes them (D5, RFC 3464 §2.3.5–2.3.6)
 *     3. message/rfc822 (the original) or text/rfc822-headers (its header block) — RET=FULL|HDRS
 *        (D6); with no RET, failures return the message and delay/success reports only headers, as
 *        Postfix does; a message over `returnedBytesMax` (Postfix bounce_size_limit 50,000) returns
 *        headers only.
 *
 * It is sent with `MAIL FROM:<>` to the original sender (D1, RFC 5321 §4.5.5). `decideDsn` is the
 * gate the MTA asks first: a null-sender message is never bounced (D2: discard and record why), and
 * NOTIFY (RFC 3461 §4.1) decides which reports were asked for.
 *
 * No randomness or clock inside: the Message-ID comes from the caller, the boundary is derived from
 * it, and dates are virtual times formatted by src/sim/calendar.ts. Text a peer sent (the diagnostic)
 * is stripped of control characters, capped and folded, so a hostile reply cannot inject fields.
 *
 * `parseDsn` is the synchronous reader for tests and reports: it finds the message/delivery-status
 * part and returns its fields.
 */
import type { DsnRcptParams } from '../../protocols/smtp/types.js';
import { rfc5322DateOf, SIM_EPOCH_MS } from '../../sim/calendar.js';
import { findHeaderEnd, headerBytes, parseHeaderBlock } from '../mail/headers.js';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipient {
  /** The recipient address as this MTA tried it (Final-Recipient: rfc822; …). */
  finalRecipient: string;
  /** The ORCPT parameter as received ("rfc822;bob@example.org", xtext), or null. */
  originalRecipient?: string | null;
  action: DsnAction;
  /** RFC 3463 status, e.g. "5.1.1" (D7: the class matches the reply's first digit). */
  status: string;
  /** The MTA whose SMTP reply the diagnostic is (Remote-MTA, RFC 3464 §2.3.5), or null when no reply gave it. */
  remoteMta?: string | null;
  /**
   * The diagnostic, or null: with a remote MTA, its reply as one line ("550 5.1.1 user unknown"),
   * written `smtp; …`; without one, this MTA's own text ("connect to …: Connection refused"), written
   * `X-Postfix; …` (RFC 3464 §2.3.6: the `smtp` type is for SMTP replies; `diagnosticTypeOf`).
   */
  diagnostic?: string | null;
  /** Virtual ms of the last attempt, if there was one. */
  lastAttemptMs?: number | null;
  /** Virtual ms until which delivery will be retried; written only when action is delayed (D5). */
  willRetryUntilMs?: number | null;
  /** A sentence for the human-readable part ("host mx1.example.org[10.0.0.10] said: …"). */
  explanation?: string | null;
}

export interface DsnInput {
  /** This host's name: Reporting-MTA and the From: address's domain. */
  reportingMta: string;
  /** The original envelope sender; the DSN goes to it. Must not be "" (ask `decideDsn` first). */
  originalSender: string;
  /** Virtual ms the original arrived here (Arrival-Date). */
  arrivalMs: number;
  /** Virtual ms now (Date:). */
  nowMs: number;
  /** The DSN's own Message-ID, with or without angle brackets; the caller makes it (seeded). */
  messageId: string;
  /** ENVID of the original transaction, if any (Original-Envelope-Id). */
  envelopeId?: string | null;
  /** RET of the original transaction (D6), or null if none was given. */
  ret?: 'FULL' | 'HDRS' | null;
  /** The original message bytes. */
  original: Uint8Array;
  /** Above this size only the headers are returned (Postfix bounce_size_limit). */
  returnedBytesMax?: number;
  recipients: readonly DsnRecipient[];
}

export interface BuiltDsn {
  bytes: Uint8Array;
  /** How to send it (D1): null reverse-path, to the original sender. */
  envelope: { from: ''; to: string[] };
  subject: string;
  returned: 'message' | 'headers';
  boundary: string;
}

export const returnedBytesMaxDefault = 50_000; // Postfix bounce_size_limit
/**
 * The Diagnostic-Code type of a diagnostic that is not an SMTP reply (RFC 3464 §2.3.6 allows `X-`
 * types). Postfix writes `X-` and its `mail_name` (postconf(5), default `Postfix`; bounce_notify_util.c);
 * mailsim's MTA reports in Postfix's words and format, so it writes the same, and a reader of Postfix's
 * bounces reads its own.
 */
export const localDiagnosticType = 'X-Postfix';

/** `smtp` when a remote MTA's reply is the diagnostic, else `localDiagnosticType` (RFC 3464 §2.3.6; D5). */
export function diagnosticTypeOf(recipient: Pick<DsnRecipient, 'remoteMta'>): string {
  return recipient.remoteMta ? 'smtp' : localDiagnosticType;
}

/** A cap on one diagnostic, which comes from a peer and could be huge. */
export const diagnosticCharsMax = 900;
/** Fold generated lines near this width (RFC 5322 §2.1.1 recommends 78). */
const foldColumn = 76;
/** How many boundary variants to try before giving up (the original would have to contain them all). */
const boundaryAttemptsMax = 1000;

// ---------------------------------------------------------------------------------------------------
// The gate (D2, RFC 3461 §4.1)

export type DsnDecision = { kind: 'send-dsn' } | { kind: 'discard'; reason: string };

/**
 * Whether a report about this recipient goes out. `notify` is the recipient's NOTIFY parameter (null
 * when none was given: failures must be reported, delays may be, successes are not).
 */
export function decideDsn(input: {
  originalSender: string;
  action: DsnAction;
  notify?: DsnRcptParams['notify'] | undefined;
}): DsnDecision {
  if (input.originalSender === '') {
    return { kind: 'discard', reason: 'null sender: a delivery report is never sent about a delivery report (D2, RFC 5321 §4.5.5)' };
  }
  const notify = input.notify ?? null;
  if (notify?.includes('NEVER')) return { kind: 'discard', reason: 'NOTIFY=NEVER (RFC 3461 §4.1)' };
  switch (input.action) {
    case 'failed':
      return notify === null || notify.includes('FAILURE')
        ? { kind: 'send-dsn' }
        : { kind: 'discard', reason: `NOTIFY=${notify.join(',')} does not ask for failure reports` };
    case 'delayed':
      return notify === null || notify.includes('DELAY')
        ? { kind: 'send-dsn' }
        : { kind: 'discard', reason: `NOTIFY=${notify.join(',')} does not ask for delay reports` };
    default:
      return notify?.includes('SUCCESS')
        ? { kind: 'send-dsn' }
        : { kind: 'discard', reason: 'no success report was asked for (NOTIFY has no SUCCESS)' };
  }
}

// ---------------------------------------------------------------------------------------------------
// Building

const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

const dsnDate = (virtualMs: number) => rfc5322DateOf(SIM_EPOCH_MS + virtualMs);

/** Peer text made safe for one header field: no controls, bounded. */
function cleanText(text: string, charsMax: number): string {
  const flat = text.replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > charsMax ? `${flat.slice(0, charsMax)}...` : flat;
}

/** Folds "Name: value" at spaces so no line passes foldColumn when a break is possible. */
function foldField(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > foldColumn && line.trim().length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** Wraps prose at foldColumn (for the human-readable part), with an indent on continuation lines. */
function wrapProse(text: string, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length > foldColumn && line !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** RFC 3461 §4: decodes "+HH" xtext escapes (ORCPT, ENVID). */
export function decodeXtext(text: string): string {
  return text.replace(/\+([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** "rfc822;bob@x" → "rfc822; bob@x" (RFC 3464 §2.3.1: address-type ";" generic-address). */
function originalRecipientValue(orcpt: string): string {
  const semicolon = orcpt.indexOf(';');
  if (semicolon < 0) return `rfc822; ${cleanText(decodeXtext(orcpt), diagnosticCharsMax)}`;
  const type = orcpt.slice(0, semicolon).trim() || 'rfc822';
  return `${cleanText(type, 40)}; ${cleanText(decodeXtext(orcpt.slice(semicolon + 1)), diagnosticCharsMax)}`;
}

function subjectFor(recipients: readonly DsnRecipient[]): string {
  if (recipients.some((r) => r.action === 'failed')) return 'Undelivered Mail Returned to Sender';
  if (recipients.some((r) => r.action === 'delayed')) return 'Delayed Mail (still being retried)';
  return 'Successful Mail Delivery Report';
}

function humanPart(input: DsnInput, returned: 'message' | 'headers'): string {
  const failed = input.recipients.filter((r) => r.action === 'failed');
  const delayed = input.recipients.filter((r) => r.action === 'delayed');
  const succeeded = input.recipients.filter((r) => r.action !== 'failed' && r.action !== 'delayed');
  const lines: string[] = [`This is the mail system at host ${input.reportingMta}.`, ''];
  if (failed.length > 0) {
    lines.push(
      ...wrapProse(
        `Your message could not be delivered to ${failed.length === 1 ? 'one recipient' : `${failed.length} recipients`}; ` +
          `delivery has been given up. ${returned === 'message' ? 'The message is attached below.' : 'Its headers are attached below.'}`,
      ),
      '',
    );
  }
  if (delayed.length > 0) {
    lines.push(
      ...wrapProse(
        `Your message has not yet been delivered to ${delayed.length === 1 ? 'one recipient' : `${delayed.length} recipients`}. ` +
          'This is only a warning: the mail system will keep trying, and you do not need to send it again.',
      ),
      '',
    );
  }
  if (succeeded.length > 0) {
    lines.push(...wrapProse('Your message was delivered (or passed on) as requested for the recipients below.'), '');
  }
  lines.push('For further assistance, send mail to postmaster.', '', '                   The mail system', '');
  for (const recipient of input.recipients) {
    const address = cleanText(recipient.finalRecipient, 256);
    let what: string;
    if (recipient.explanation) what = cleanText(recipient.explanation, diagnosticCharsMax);
    else if (recipient.diagnostic) {
      what = `${recipient.remoteMta ? `host ${cleanText(recipient.remoteMta, 255)} said: ` : ''}${cleanText(recipient.diagnostic, diagnosticCharsMax)}`;
    } else what = `${recipient.action} (status ${recipient.status})`;
    if (recipient.action === 'delayed' && recipient.willRetryUntilMs != null) {
      what += ` Will retry until ${dsnDate(recipient.willRetryUntilMs)}.`;
    }
    lines.push(...wrapProse(`<${address}>: ${what}`, '    '), '');
  }
  return lines.join('\r\n');
}

function deliveryStatusPart(input: DsnInput): string {
  const blocks: string[] = [];
  const perMessage = [`Reporting-MTA: dns; ${cleanText(input.reportingMta, 255)}`];
  if (input.envelopeId) perMessage.push(foldField('Original-Envelope-Id', cleanText(decodeXtext(input.envelopeId), 100)));
  perMessage.push(`Arrival-Date: ${dsnDate(input.arrivalMs)}`);
  blocks.push(perMessage.join('\r\n'));
  for (const recipient of input.recipients) {
    const fields = [`Final-Recipient: rfc822; ${cleanText(recipient.finalRecipient, 256)}`];
    if (recipient.originalRecipient) fields.push(foldField('Original-Recipient', originalRecipientValue(recipient.originalRecipient)));
    fields.push(`Action: ${recipient.action}`, `Status: ${cleanText(recipient.status, 12)}`);
    if (recipient.remoteMta) fields.push(`Remote-MTA: dns; ${cleanText(recipient.remoteMta, 255)}`);
    if (recipient.diagnostic) fields.push(foldField('Diagnostic-Code', `${diagnosticTypeOf(recipient)}; ${cleanText(recipient.diagnostic, diagnosticCharsMax)}`));
    if (recipient.lastAttemptMs != null) fields.push(`Last-Attempt-Date: ${dsnDate(recipient.lastAttemptMs)}`);
    // D5: Will-Retry-Until only with Action: delayed (RFC 3464 §2.3.8).
    if (recipient.action === 'delayed' && recipient.willRetryUntilMs != null) {
      fields.push(`Will-Retry-Until: ${dsnDate(recipient.willRetryUntilMs)}`);
    }
    blocks.push(fields.join('\r\n'));
  }
  return `${blocks.join('\r\n\r\n')}\r\n`;
}

function chooseBoundary(messageId: string, contents: string[]): string {
  const base = `=_dsn_${messageId.replace(/[^A-Za-z0-9.]/g, '').slice(0, 40)}`;
  for (let attempt = 0; attempt < boundaryAttemptsMax; attempt++) {
    const boundary = attempt === 0 ? base : `${base}_${attempt}`;
    if (!contents.some((content) => content.includes(`--${boundary}`))) return boundary;
  }
  throw new Error('no usable MIME boundary: the content contains every candidate');
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

export function buildDsn(input: DsnInput): BuiltDsn {
  if (input.originalSender === '') throw new Error('buildDsn: a null-sender message is never bounced (D2); call decideDsn first');
  if (input.recipients.length === 0) throw new Error('buildDsn: a DSN needs at least one recipient');

  const onlyFailures = input.recipients.every((r) => r.action === 'failed');
  const returnedBytesMax = input.returnedBytesMax ?? returnedBytesMaxDefault;
  const wantsFull = input.ret === 'FULL' || (input.ret == null && onlyFailures);
  const returned: 'message' | 'headers' = wantsFull && input.original.length <= returnedBytesMax ? 'message' : 'headers';
  const returnedBytes = returned === 'message' ? input.original : headerBytes(input.original);
  const returnedText = latin1.decode(returnedBytes);

  const human = humanPart(input, returned);
  const status = deliveryStatusPart(input);
  const messageId = input.messageId.startsWith('<') ? input.messageId : `<${input.messageId}>`;
  const boundary = chooseBoundary(messageId, [returnedText, human, status]);
  const subject = subjectFor(input.recipients);

  const head = [
    `From: MAILER-DAEMON@${cleanText(input.reportingMta, 255)} (Mail Delivery System)`,
    `To: <${cleanText(input.originalSender, 256)}>`,
    `Subject: ${subject}`,
    `Date: ${dsnDate(input.nowMs)}`,
    `Message-ID: ${cleanText(messageId, 250)}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
    'Content-Transfer-Encoding: 8bit',
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    `Content-Description: Notification`,
    `Content-Type: text/plain; charset=${isAscii(human) ? 'us-ascii' : 'utf-8'}`,
    '',
    human,
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    status,
    `--${boundary}`,
    returned === 'message' ? 'Content-Description: Undelivered Message' : 'Content-Description: Undelivered Message Headers',
    returned === 'message' ? 'Content-Type: message/rfc822' : 'Content-Type: text/rfc822-headers',
    // RFC 2046 §5.2.1: message/rfc822 may be 7bit, 8bit or binary; 8bit covers both.
    'Content-Transfer-Encoding: 8bit',
    '',
    '',
  ].join('\r\n');

  // The returned bytes go in verbatim; the delimiter needs a line ending before it.
  const endsWithNewline = returnedBytes.length > 0 && returnedBytes[returnedBytes.length - 1] === 0x0a;
  const tail = `${endsWithNewline ? '' : '\r\n'}\r\n--${boundary}--\r\n`;
  const headBytes = encoder.encode(head);
  const tailBytes = encoder.encode(tail);
  const bytes = new Uint8Array(headBytes.length + returnedBytes.length + tailBytes.length);
  bytes.set(headBytes, 0);
  bytes.set(returnedBytes, headBytes.length);
  bytes.set(tailBytes, headBytes.length + returnedBytes.length);

  return { bytes, envelope: { from: '', to: [input.originalSender] }, subject, returned, boundary };
}

// ---------------------------------------------------------------------------------------------------
// Reading (tests and reports)

export interface ParsedDsnRecipient {
  finalRecipient: string | null;
  originalRecipient: string | null;
  action: string | null;
  status: string | null;
  remoteMta: string | null;
  diagnosticCode: string | null;
  lastAttemptDate: string | null;
  willRetryUntil: string | null;
  /** Every field of the block, names lower-cased, values unfolded. */
  fields: Record<string, string>;
}

export interface ParsedDsn {
  reportingMta: string | null;
  arrivalDate: string | null;
  originalEnvelopeId: string | null;
  recipients: ParsedDsnRecipient[];
}

/** Content-Type parameter value (quoted or token), case-insensitive name. */
function contentTypeParameter(contentType: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** Splits "name: value" blocks separated by empty lines, unfolding continuation lines. */
function fieldBlocks(text: string): Array<Record<string, string>> {
  const blocks: Array<Record<string, string>> = [];
  for (const chunk of text.split(/\r?\n[ \t]*\r?\n/)) {
    const block: Record<string, string> = {};
    const unfolded = chunk.replace(/\r?\n(?=[ \t])/g, '');
    for (const line of unfolded.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      block[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim().replace(/\s+/g, ' ');
    }
    if (Object.keys(block).length > 0) blocks.push(block);
  }
  return blocks;
}

/** "rfc822; bob@x" → "bob@x" */
const afterType = (value: string | undefined) => {
  if (value === undefined) return null;
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(semicolon + 1)).trim();
};

/**
 * Reads the delivery-status part of a DSN. Returns null when the bytes are not a
 * multipart/report with a message/delivery-status part.
 */
export function parseDsn(bytes: Uint8Array): ParsedDsn | null {
  const top = parseHeaderBlock(bytes);
  const contentType = top.fields.find((field) => field.name.toLowerCase() === 'content-type')?.value ?? '';
  if (!/^multipart\/report\b/i.test(contentType)) return null;
  const boundary = contentTypeParameter(contentType, 'boundary');
  if (boundary === null) return null;
  const body = latin1.decode(bytes.subarray(findHeaderEnd(bytes).bodyStart));
  const parts = body.split(new RegExp(`(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
  for (const part of parts) {
    const partBytes = Uint8Array.from(part, (char) => char.charCodeAt(0)); // back to latin1 bytes
    const partHead = parseHeaderBlock(partBytes);
    const partType = partHead.fields.find((field) => field.name.toLowerCase() === 'content-type')?.value ?? '';
    if (!/^message\/delivery-status\b/i.test(partType)) continue;
    const blocks = fieldBlocks(part.slice(findHeaderEnd(partBytes).bodyStart));
    const [perMessage = {}, ...perRecipient] = blocks;
    return {
      reportingMta: afterType(perMessage['reporting-mta']),
      arrivalDate: perMessage['arrival-date'] ?? null,
      originalEnvelopeId: perMessage['original-envelope-id'] ?? null,
      recipients: perRecipient.map((fields) => ({
        finalRecipient: afterType(fields['final-recipient']),
        originalRecipient: afterType(fields['original-recipient']),
        action: fields.action ?? null,
        status: fields.status ?? null,
        remoteMta: afterType(fields['remote-mta']),
        diagnosticCode: fields['diagnostic-code'] ?? null,
        lastAttemptDate: fields['last-attempt-date'] ?? null,
        willRetryUntil: fields['will-retry-until'] ?? null,
        fields,
      })),
    };
  }
  return null;
}
