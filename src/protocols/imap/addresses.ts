/**
 * The one reading of RFC 5322 §3.4 address lists that ENVELOPE (structure.ts) and SEARCH FROM/TO/CC/BCC
 * (search.ts) share: nodemailer's addressparser, the parser mailparser uses, so what IMAP shows and
 * finds is what a client built on mailparser reads from the same header.
 *
 * On top of it: an entry with no address is a comment, not a mailbox (RFC 5322 §3.4: a group-list may
 * be CFWS alone — `group2: (foo) ;` is an empty group), so it is dropped; comments inside an address
 * (`<user-from (comment)@ (comment) domain.org>`) are already gone from `address` (RFC 5322 §3.2.2).
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface Mailbox {
  /** The display name, or "" (a comment next to a bare address counts as one, as mailparser reads it). */
  name: string;
  /** local-part@domain, comments and folding removed; no "@" for an address without a domain. */
  address: string;
}

/** One entry of an address list: a mailbox, or a group of mailboxes (RFC 5322 §3.4). */
export type AddressEntry = ({ kind: 'mailbox' } & Mailbox) | { kind: 'group'; name: string; members: Mailbox[] };

type Parsed = ReturnType<typeof addressparser>[number];

function mailboxesOf(entries: readonly Parsed[]): Mailbox[] {
  const out: Mailbox[] = [];
  for (const entry of entries) {
    // A nested group is not RFC 5322 syntax; its mailboxes still count.
    if (entry.group !== undefined) out.push(...mailboxesOf(entry.group));
    else if (entry.address !== '') out.push({ name: entry.name, address: entry.address });
  }
  return out;
}

/** The entries of an address-list header value; comments alone are not entries. */
export function parseAddressList(value: string): AddressEntry[] {
  const entries: AddressEntry[] = [];
  for (const entry of addressparser(value)) {
    if (entry.group !== undefined) entries.push({ kind: 'group', name: entry.name, members: mailboxesOf(entry.group) });
    else if (entry.address !== '') entries.push({ kind: 'mailbox', name: entry.name, address: entry.address });
  }
  return entries;
}

/** Every mailbox of an address list, groups opened. */
export function listedMailboxes(value: string): Mailbox[] {
  return parseAddressList(value).flatMap((entry) => (entry.kind === 'group' ? entry.members : [{ name: entry.name, address: entry.address }]));
}
