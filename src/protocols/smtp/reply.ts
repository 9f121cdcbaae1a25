/**
 * Reply construction and formatting for the SMTP server (RFC 5321 §4.2, RFC 2034 / 3463), and the
 * readers both sides share: a reply's class, what a final reply means (`replyOutcome`) and the
 * enhanced code a reply text starts with.
 *
 * Every reply the server builds carries its enhanced status code; `formatReply` decides whether to
 * print it. RFC 2034 §3: once ENHANCEDSTATUSCODES was advertised, every 2xx/4xx/5xx reply except the
 * greeting and the HELO/EHLO answer carries the code, on every line of a multi-line reply, and its
 * class equals the reply's first digit (docs/delivery.md D7). 3xx replies (334, 354) never carry one:
 * RFC 3463 defines only classes 2, 4 and 5, and a 334 text is a base64 challenge. A reply whose owner
 * wrote its code into the text (`enhancedAsWritten`, a scripted reply) carries it everywhere, the
 * greeting included: kept as written, once.
 */
import { textBytes } from '../machine.js';
import type { SmtpReply } from './types.js';

const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** Builds a reply; `enhanced` may be null for codes that never carry one (220 greeting, 334, 354). */
export function smtpReply(code: number, enhanced: string | null, ...lines: string[]): SmtpReply {
  return { code, enhanced, lines: lines.length === 0 ? [''] : lines };
}

/** The reply's class digit: 2, 3, 4 or 5. */
export function replyClass(reply: SmtpReply): number {
  return Math.floor(reply.code / 100);
}

/**
 * What a final reply says of the request it answers (RFC 5321 §4.2.1, docs/delivery.md R2): 2xx
 * accepted, 5xx failed (never repeat the request), anything else deferred — 4xx, and a 3xx or an
 * out-of-range code where a final reply was due: retry rather than lose the mail. The SMTP client
 * settles its recipients with it, and src/mail/status.ts builds a reply's delivery status on it.
 */
export function replyOutcome(reply: SmtpReply): 'accepted' | 'deferred' | 'failed' {
  const cls = replyClass(reply);
  return cls === 2 ? 'accepted' : cls === 5 ? 'failed' : 'deferred';
}

/** An enhanced status code at the start of a reply line's text, e.g. "4.2.0 " of "4.2.0 Greylisted". */
const LEADING_ENHANCED_CODE = /^([245]\.\d{1,3}\.\d{1,3})(?: +|$)/;

/**
 * Checks a reply handed in by the owner (a hook decision). A malformed reply is an API misuse: throw.
 * A missing enhanced code on a 2xx/4xx/5xx reply is filled in as `class.0.0` (RFC 3463 §3.1), so an
 * owner may script a bare `550 no`. The enhanced code is printed once, by `formatReply`: a line whose
 * text starts with the same code has it removed (else the wire would say `450 4.2.0 4.2.0 …`), and a
 * line that starts with a different one is the owner's bug (a reply has one status, RFC 2034 §4).
 * `enhancedAsWritten` (types.ts) is kept: the owner's code goes out even where the session sends none.
 */
export function normalizeOwnerReply(reply: SmtpReply): SmtpReply {
  if (!Number.isInteger(reply.code) || reply.code < 200 || reply.code > 599) throw new TypeError(`SMTP reply code out of range: ${reply.code}`);
  const cls = replyClass(reply);
  if (reply.enhanced !== null) {
    if (!ENHANCED_CODE.test(reply.enhanced)) throw new TypeError(`malformed enhanced status code: ${reply.enhanced}`);
    if (Number(reply.enhanced[0]) !== cls) throw new TypeError(`enhanced code ${reply.enhanced} does not match reply class ${reply.code} (RFC 2034, docs/delivery.md D7)`);
  }
  for (const line of reply.lines) {
    if (/[\r\n]/.test(line)) throw new TypeError('an SMTP reply line must not contain CR or LF');
  }
  const enhanced = reply.enhanced ?? (cls === 3 ? null : (leadingCodeOfClass(reply.lines[0], cls) ?? `${cls}.0.0`));
  const lines = reply.lines.length === 0 ? [''] : reply.lines.map((line) => withoutLeadingCode(line, enhanced));
  return reply.enhancedAsWritten === true && enhanced !== null ? { code: reply.code, enhanced, lines, enhancedAsWritten: true } : { code: reply.code, enhanced, lines };
}

/** The enhanced status code a reply text starts with ("4.3.0 try later" → "4.3.0"), of any class, or null. */
export function leadingEnhancedCode(text: string): string | null {
  return LEADING_ENHANCED_CODE.exec(text)?.[1] ?? null;
}

/** The enhanced code the text starts with, when it is of the reply's class. */
function leadingCodeOfClass(line: string | undefined, cls: number): string | null {
  const code = line === undefined ? null : leadingEnhancedCode(line);
  return code !== null && Number(code[0]) === cls ? code : null;
}

/** The line without a leading copy of `enhanced`; throws when it leads with a different code. */
function withoutLeadingCode(line: string, enhanced: string | null): string {
  const match = LEADING_ENHANCED_CODE.exec(line);
  if (match === null) return line;
  if (match[1] !== enhanced) throw new TypeError(`reply text starts with enhanced code ${match[1]}, but the reply's code is ${enhanced ?? 'none'} (RFC 2034 §4)`);
  return line.slice(match[0].length);
}

/** The wire form's bytes (`formatReplyText` encoded). */
export function formatReply(reply: SmtpReply, withEnhanced: boolean): Uint8Array {
  return textBytes(formatReplyText(reply, withEnhanced));
}

/**
 * The wire form as text: `code-text` for all lines but the last, `code text` for the last (RFC 5321
 * §4.2.1), with the enhanced code after the separator on every line when `withEnhanced` and the reply
 * has one. The server keeps replies as text until they are sent, and encodes a burst of them at once.
 */
export function formatReplyText(reply: SmtpReply, withEnhanced: boolean): string {
  const known = preformatted.get(reply);
  if (known === undefined) return formatLines(reply, withEnhanced);
  if (withEnhanced) return (known.withEnhanced ??= formatLines(reply, true));
  return (known.plain ??= formatLines(reply, false));
}

/** The two wire forms of a reply kept for sending again (`preformattedReply`, `keptReply`), by identity; null until first needed. */
const preformatted = new WeakMap<SmtpReply, { plain: string | null; withEnhanced: string | null }>();

/**
 * A reply whose wire forms are formatted once, here, by the general formatter: `formatReplyText` of
 * it returns them without formatting again. For replies sent over and over (354, 221, an EHLO
 * answer): the caller must not change the reply afterwards.
 */
export function preformattedReply(reply: SmtpReply): SmtpReply {
  preformatted.set(reply, { plain: formatLines(reply, false), withEnhanced: formatLines(reply, true) });
  return reply;
}

/**
 * A reply that will be sent again (reply-memo.ts): like `preformattedReply`, but each wire form is
 * formatted when first sent, so a reply kept in vain costs no more than one built and sent once.
 */
export function keptReply(reply: SmtpReply): SmtpReply {
  preformatted.set(reply, { plain: null, withEnhanced: null });
  return reply;
}

/** `formatReplyText` without the preformatted forms. */
function formatLines(reply: SmtpReply, withEnhanced: boolean): string {
  const prefix = (withEnhanced || reply.enhancedAsWritten === true) && reply.enhanced !== null && replyClass(reply) !== 3 ? `${reply.enhanced} ` : '';
  const lines = reply.lines;
  const last = lines.length - 1;
  let out = '';
  for (let index = 0; index <= last; index++) {
    const line = lines[index]!;
    const head = `${reply.code}${index === last ? ' ' : '-'}${prefix}`;
    // Trailing white space is dropped (a reply to an empty line is "250 2.0.0", not "250 2.0.0 ").
    // Most lines end in a visible ASCII character and need no trimming; testing the line alone, not
    // the joined text, spares flattening a fresh concatenation per line.
    out += endsInVisibleAscii(line) ? `${head}${line}\r\n` : `${(head + line).trimEnd()}\r\n`;
  }
  return out;
}

/** True when the text's last character is printable ASCII other than space, which trimEnd keeps. */
function endsInVisibleAscii(text: string): boolean {
  const last = text.charCodeAt(text.length - 1); // NaN for "", which fails both tests
  return last > 0x20 && last < 0x7f;
}
