/**
 * Mailbox addresses as SMTP carries them (RFC 5321 §4.1.2 Mailbox, §4.5.3.1 size limits).
 *
 * An address is `local@domain`. The domain is case-insensitive and is lower-cased here; the local part
 * is kept exactly as given, because only the receiving host may interpret it (RFC 5321 §2.4). The null
 * reverse-path `<>` is the empty string `""` throughout mailsim (bounces, RFC 5321 §4.5.5).
 *
 * Parsing accepts the path with or without angle brackets, drops an obsolete source route
 * (`<@a,@b:user@d>`, which §4.1.1.3 / Appendix C say to accept and ignore), and enforces the §4.5.3.1
 * limits in octets of UTF-8: local part 64, domain 255, whole path (with the brackets) 256. Bad input
 * comes back as a typed error carrying the reply a server should give — never an exception.
 *
 * Recipients are grouped per destination domain (one SMTP transaction per domain, docs/delivery.md §4),
 * in first-seen order so the grouping is deterministic.
 */

/** RFC 5321 §4.5.3.1.1 */
export const localPartOctetsMax = 64;
/** RFC 5321 §4.5.3.1.2 */
export const domainOctetsMax = 255;
/** RFC 5321 §4.5.3.1.3: a reverse- or forward-path including "<" and ">". */
export const pathOctetsMax = 256;
/** RFC 1035 §2.3.4 */
export const domainLabelOctetsMax = 63;

export interface MailAddress {
  /** The local part exactly as given (quoted strings keep their quotes). */
  readonly local: string;
  /** The domain, lower-cased; an address literal keeps its brackets (`[10.0.0.1]`). */
  readonly domain: string;
}

export type AddressParseError = {
  ok: false;
  /** What was wrong, for logs and the reply text. */
  error: string;
  /** The reply a server gives for it: 501 5.1.3 bad syntax, or 552/501 for a length limit. */
  code: number;
  enhanced: string;
};

export type AddressParseResult =
  | { ok: true; address: MailAddress; /** `local@domain` with the domain lower-cased. */ normalised: string }
  | AddressParseError;

export type PathParseResult =
  | { ok: true; nullPath: true; normalised: '' }
  | { ok: true; nullPath: false; address: MailAddress; normalised: string }
  | AddressParseError;

const utf8 = new TextEncoder();
const octets = (text: string) => utf8.encode(text).length;

function fail(error: string, code = 501, enhanced = '5.1.3'): AddressParseError {
  return { ok: false, error, code, enhanced };
}

/** dot-atom local part (RFC 5321 §4.1.2), allowing UTF-8 (RFC 6531) as octets ≥ 0x80. */
const dotAtomLocal = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;
/** Quoted-string local part: printable ASCII (and UTF-8) with backslash pairs. */
const quotedLocal = /^"([\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/;
const domainLabel = /^[A-Za-z0-9\u0080-\uffff]([A-Za-z0-9\u0080-\uffff-]*[A-Za-z0-9\u0080-\uffff])?$/;
/** Address literal (RFC 5321 §4.1.3): [IPv4] or [IPv6:…] or [tag:…]; checked only for shape. */
const addressLiteral = /^\[[\x21-\x5a\x5e-\x7e]+\]$/;

/** Validates a domain (or address literal) and returns it lower-cased, or an error text. */
export function normaliseDomain(domain: string): { ok: true; domain: string } | { ok: false; error: string } {
  let name = domain.toLowerCase();
  if (name.endsWith('.') && name.length > 1 && !name.startsWith('[')) name = name.slice(0, -1);
  if (name.length === 0) return { ok: false, error: 'empty domain' };
  if (octets(name) > domainOctetsMax) return { ok: false, error: `domain longer than ${domainOctetsMax} octets` };
  if (name.startsWith('[')) {
    return addressLiteral.test(name) ? { ok: true, domain: name } : { ok: false, error: 'malformed address literal' };
  }
  for (const label of name.split('.')) {
    if (octets(label) > domainLabelOctetsMax) return { ok: false, error: `domain label longer than ${domainLabelOctetsMax} octets` };
    if (!domainLabel.test(label)) return { ok: false, error: `malformed domain label "${label}"` };
  }
  return { ok: true, domain: name };
}

/** Parses `local@domain` (no brackets, no source route). */
export function parseAddress(text: string): AddressParseResult {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return fail(`"${text}" is not local@domain`);
  const local = text.slice(0, at);
  if (octets(local) > localPartOctetsMax) return fail(`local part longer than ${localPartOctetsMax} octets`, 501, '5.1.3');
  if (!dotAtomLocal.test(local) && !quotedLocal.test(local)) return fail(`malformed local part "${local}"`);
  const domain = normaliseDomain(text.slice(at + 1));
  if (!domain.ok) return fail(domain.error);
  return { ok: true, address: { local, domain: domain.domain }, normalised: `${local}@${domain.domain}` };
}

/**
 * Parses a reverse-path or forward-path as it appears after `MAIL FROM:` / `RCPT TO:` (brackets
 * optional, so configuration values parse too). `<>` and `""` are the null path.
 */
export function parsePath(text: string): PathParseResult {
  let inner = text.trim();
  const bracketed = inner.startsWith('<') && inner.endsWith('>');
  if (inner.startsWith('<') !== inner.endsWith('>')) return fail('unbalanced angle brackets');
  if (bracketed) inner = inner.slice(1, -1);
  if (inner === '') return { ok: true, nullPath: true, normalised: '' };
  if (octets(inner) + 2 > pathOctetsMax) return fail(`path longer than ${pathOctetsMax} octets`);
  // RFC 5321 §4.1.1.3 / Appendix C: a source route "@a,@b:" is accepted and ignored.
  if (inner.startsWith('@')) {
    const colon = inner.indexOf(':');
    if (colon < 0) return fail('malformed source route');
    inner = inner.slice(colon + 1);
  }
  const parsed = parseAddress(inner);
  if (!parsed.ok) return parsed;
  return { ok: true, nullPath: false, address: parsed.address, normalised: parsed.normalised };
}

/** Lower-cases the domain of an already well-formed address; "" stays "" (the null path). */
export function normaliseAddress(text: string): string {
  if (text === '' || text === '<>') return '';
  const parsed = parsePath(text);
  if (parsed.ok) return parsed.normalised;
  // Not well-formed: still lower-case what follows the last "@" so comparisons stay stable.
  const at = text.lastIndexOf('@');
  return at < 0 ? text : `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}

/** The (lower-cased) domain of an address, or "" for the null path or a string without "@". */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  let domain = address.slice(at + 1).toLowerCase();
  if (domain.endsWith('>')) domain = domain.slice(0, -1);
  return domain;
}

/** The local part of an address as given, or "" for the null path. */
export function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  let local = at < 0 ? address : address.slice(0, at);
  if (local.startsWith('<')) local = local.slice(1);
  return local;
}

/** Two addresses are the same mailbox when local parts match exactly and domains case-insensitively. */
export function sameAddress(a: string, b: string): boolean {
  return normaliseAddress(a) === normaliseAddress(b);
}

export interface DomainGroup<T> {
  /** Lower-cased destination domain. */
  domain: string;
  items: T[];
}

/**
 * Groups recipients by destination domain, domains in first-seen order and recipients in their
 * original order, so each group becomes one SMTP transaction (docs/delivery.md §4).
 */
export function splitByDomain<T>(items: readonly T[], addressOf: (item: T) => string): DomainGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const domain = domainOf(addressOf(item));
    const group = groups.get(domain);
    if (group) group.push(item);
    else groups.set(domain, [item]);
  }
  return [...groups].map(([domain, grouped]) => ({ domain, items: grouped }));
}

/**
 * Splits a list into transactions of at most `perTransactionMax` items (Postfix sends 50 recipients
 * per transaction, smtp_destination_recipient_limit; RFC 5321 §4.5.3.1.8 requires servers to take 100).
 */
export function chunk<T>(items: readonly T[], perTransactionMax: number): T[][] {
  if (!Number.isInteger(perTransactionMax) || perTransactionMax < 1) {
    throw new RangeError(`perTransactionMax must be a positive integer, got ${perTransactionMax}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += perTransactionMax) out.push(items.slice(i, i + perTransactionMax));
  return out;
}
