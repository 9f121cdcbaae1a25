/**
 * Mail addresses as every layer compares them (RFC 5321 §2.4): the local part is kept as written
 * (only the receiving host may treat it case-insensitively), the domain is a host name in its one
 * canonical form (src/dns/names.ts). Parsing a path off the wire with its limits is the SMTP
 * server's (src/protocols/smtp/command.ts); these read addresses already accepted.
 */
import { canonicalName } from '../dns/names.js';

/** The domain of an address, canonical; "" for the null path or a string without "@" (angle brackets ignored). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  const written = address.slice(at + 1);
  const domain = written.endsWith('>') ? written.slice(0, -1) : written;
  return domain === '' ? '' : canonicalName(domain);
}

/** The local part of an address as written; the whole string when it has no "@" (angle brackets ignored). */
export function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  return local.startsWith('<') ? local.slice(1) : local;
}

/** The address with its domain canonical and its local part as written. */
export function canonicalAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : `${address.slice(0, at)}@${domainOf(address)}`;
}
