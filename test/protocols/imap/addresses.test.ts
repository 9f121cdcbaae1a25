/**
 * ENVELOPE and SEARCH FROM/TO/CC read address lists with one parser (src/protocols/imap/addresses.ts),
 * checked here against mailparser's reading of the same headers (RFC 5322 §3.4): the mailboxes the
 * ENVELOPE lists, and those SEARCH finds, are the ones mailparser gives — comments are not mailboxes.
 */
import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { listedMailboxes } from '../../../src/protocols/imap/addresses.js';
import { bytes, world } from './harness.js';

const HEADERS = [
  'group:;, group2: (foo) ;',
  '<user-from (comment)@ (comment) domain.org>',
  '"A B" <a@b.example>, c@d.example (Cee)',
  'undisclosed-recipients:;',
  'team: a@b.example, "N" <d@e.example>;, solo@f.example',
  'Jo (x) Smith <jo@ex.example>',
  '=?utf-8?q?J=C3=BCrgen?= <j@g.example>',
];

/** mailparser's mailboxes of a Cc header, groups opened, address-less entries (comments) left out. */
async function mailparserMailboxes(value: string): Promise<Array<{ name: string; address: string }>> {
  const parsed = await simpleParser(`Cc: ${value}\r\n\r\nx\r\n`);
  const cc = parsed.cc === undefined ? [] : Array.isArray(parsed.cc) ? parsed.cc : [parsed.cc];
  const open = (entries: Array<{ name: string; address?: string; group?: unknown[] }>): Array<{ name: string; address: string }> =>
    entries.flatMap((e) => (e.group ? open(e.group as typeof entries) : e.address ? [{ name: e.name, address: e.address }] : []));
  return cc.flatMap((object) => open(object.value as Parameters<typeof open>[0]));
}

type Sexp = string | null | Sexp[];

/** A FETCH response's data, read as IMAP's parenthesised lists of NIL, atoms and quoted strings. */
function readSexp(text: string): Sexp {
  const tokens = text.match(/\(|\)|"(?:[^"\\]|\\.)*"|[^\s()]+/g)!;
  let i = 0;
  const read = (): Sexp => {
    const token = tokens[i++]!;
    if (token === '(') {
      const items: Sexp[] = [];
      while (tokens[i] !== ')') items.push(read());
      i += 1;
      return items;
    }
    if (token === 'NIL') return null;
    return token.startsWith('"') ? (JSON.parse(token) as string) : token;
  };
  return read();
}

/** The mailboxes of the ENVELOPE's Cc field (RFC 3501 §7.4.2: the 7th), group start and end markers left out. */
function envelopeCc(fetched: string): Array<{ mailbox: string; host: string }> {
  const data = readSexp(fetched.slice(fetched.indexOf('('), fetched.indexOf('\r\n'))) as Sexp[];
  const envelope = data[1] as Sexp[];
  const cc = (envelope[6] ?? []) as Sexp[][];
  return cc.filter((address) => address[3] !== null).map((address) => ({ mailbox: address[2] as string, host: address[3] as string }));
}

describe('address lists: one parser for ENVELOPE and SEARCH, as mailparser reads them', () => {
  it.each(HEADERS)('%s: the same mailboxes as mailparser', async (value) => {
    // mailparser decodes RFC 2047 words in names; the parse is the same.
    const ours = listedMailboxes(value).map(({ name, address }) => ({ name: libmime.decodeWords(name), address }));
    expect(ours).toEqual(await mailparserMailboxes(value));
  });

  it.each(HEADERS)('%s: ENVELOPE lists the mailboxes mailparser reads', async (value) => {
    const w = world();
    w.store.folder('INBOX')!.append(bytes(`From: a@b.example\r\nTo: b@b.example\r\nCc: ${value}\r\nSubject: s\r\n\r\nx\r\n`));
    const s = w.open().login().select();
    s.out();
    const expected = (await mailparserMailboxes(value)).map(({ address }) => ({ mailbox: address.slice(0, address.lastIndexOf('@')), host: address.slice(address.lastIndexOf('@') + 1) }));
    expect(envelopeCc(s.send('a FETCH 1 ENVELOPE\r\n'))).toEqual(expected);
  });

  it('ENVELOPE of `group:;, group2: (foo) ;` is two empty groups, no ("foo" NIL "" "") (RFC 3501 §7.4.2)', () => {
    const w = world();
    w.store.folder('INBOX')!.append(bytes('From: a@b.example\r\nCc: group:;, group2: (foo) ;\r\n\r\nx\r\n'));
    const s = w.open().login().select();
    s.out();
    expect(s.send('a FETCH 1 ENVELOPE\r\n')).toContain(' ((NIL NIL "group" NIL)(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL NIL NIL)) NIL NIL NIL))\r\n');
  });

  it('SEARCH FROM user-from@domain.org finds From: <user-from (comment)@ (comment) domain.org>, and the name', () => {
    const w = world();
    w.store.folder('INBOX')!.append(bytes('From: <user-from (comment)@ (comment) domain.org>\r\nSubject: s\r\n\r\nx\r\n'));
    w.store.folder('INBOX')!.append(bytes('From: Other <other@domain.org>\r\nSubject: s\r\n\r\nx\r\n'));
    const s = w.open().login().select();
    s.out();
    expect(s.send('a SEARCH FROM user-from@domain.org\r\n')).toBe('* SEARCH 1\r\na OK SEARCH completed\r\n');
    expect(s.send('b SEARCH FROM "Other <other@"\r\n')).toBe('* SEARCH 2\r\nb OK SEARCH completed\r\n');
    expect(s.send('c SEARCH FROM comment\r\n')).toBe('* SEARCH 1\r\nc OK SEARCH completed\r\n'); // the header as written
  });
});
