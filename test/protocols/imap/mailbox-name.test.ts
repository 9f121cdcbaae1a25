/**
 * Mailbox names in modified UTF-7 (RFC 3501 §5.1.3): the codec on known vectors, its strictness, two
 * properties (every Unicode name round-trips through 7-bit printable text; a wire name that decodes
 * has exactly one spelling), and the server machine speaking it (the client: client.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMailboxName, encodeMailboxName } from '../../../src/store/modifiedUtf7.js';
import { CRLF_MESSAGE, world } from './harness.js';

const VECTORS: Array<[string, string]> = [
  ['INBOX', 'INBOX'],
  ['Entwürfe', 'Entw&APw-rfe'],
  // RFC 3501 §5.1.3's own example.
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['&', '&-'],
  ['Tom & Jerry', 'Tom &- Jerry'],
  ['é€', '&AOkgrA-'],
  ['😀 smile', '&2D3eAA- smile'],
  ['ü&ü', '&APw-&-&APw-'],
  ['tab\there', 'tab&AAk-here'],
];

describe('modified UTF-7 codec (RFC 3501 §5.1.3)', () => {
  it.each(VECTORS)('%s ⇄ %s', (name, wire) => {
    expect(encodeMailboxName(name)).toBe(wire);
    expect(decodeMailboxName(wire)).toBe(name);
  });

  it.each([
    ['raw 8-bit', 'Entwürfe'],
    ['a control character', 'a\tb'],
    ['a shift without its "-"', 'Entw&APw'],
    ['a character outside modified BASE64', 'Entw&A/w-rfe'],
    ['printable ASCII encoded', '&AGE-'],
    ['two shifts back to back', '&APw-&APw-'],
    ['non-zero leftover bits', '&APx-'],
    ['a dangling half code unit', '&APwA-'],
    ['a lone high surrogate', '&2D0-'],
    ['a lone low surrogate', '&3gA-'],
  ])('refuses %s: %s', (_why, wire) => {
    expect(decodeMailboxName(wire)).toBeNull();
  });

  it('every Unicode name encodes to printable US-ASCII and decodes back', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('&', '-', 'A', '/', ' ', '\t'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), (name) => {
        const wire = encodeMailboxName(name);
        expect(wire).toMatch(/^[\x20-\x7e]*$/);
        expect(decodeMailboxName(wire)).toBe(name);
      }),
    );
  });

  it('a wire name that decodes has one spelling: the one the encoder writes', () => {
    // Shifts of 1-8 modified BASE64 characters, biased to small code units so that encoded ASCII,
    // non-zero leftover bits and back-to-back shifts all come up.
    const sextet = fc.oneof(fc.constantFrom('A', 'A', 'D', 'P', 'w', '2', '3'), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,'));
    const shift = fc.string({ unit: sextet, minLength: 1, maxLength: 8 }).map((run) => `&${run}-`);
    const token = fc.oneof(fc.constantFrom('a', '-', ' ', '~', '/', '&-'), shift);
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), (tokens) => {
        const wire = tokens.join('');
        const name = decodeMailboxName(wire);
        if (name !== null) expect(encodeMailboxName(name)).toBe(wire);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the server speaks modified UTF-7', () => {
  it('CREATE, LIST, STATUS, SELECT, APPEND, COPY and RENAME with an encoded name; the store holds the Unicode name', () => {
    const w = world();
    w.store.folder('INBOX')!.append(CRLF_MESSAGE('one'), { internalDateMs: Date.UTC(2026, 0, 1, 10) });
    w.store.createFolder('日本語'); // e.g. made by a filter (docs/reference.md §7.1)
    const s = w.open();
    s.login().out();
    expect(s.send('a CREATE Entw&APw-rfe\r\n')).toBe('a OK CREATE completed\r\n');
    expect(w.store.folderNames()).toContain('Entwürfe');
    expect(s.send('a LIST "" *\r\n')).toBe('* LIST () "/" "INBOX"\r\n* LIST () "/" "&ZeVnLIqe-"\r\n* LIST () "/" "Entw&APw-rfe"\r\na OK LIST completed\r\n');
    expect(s.send('a LIST "" Entw&APw-*\r\n')).toBe('* LIST () "/" "Entw&APw-rfe"\r\na OK LIST completed\r\n');
    expect(s.send('a APPEND "Entw&APw-rfe" {4+}\r\nabcd\r\n')).toMatch(/^a OK \[APPENDUID \d+ 1\] APPEND completed\r\n$/);
    expect(s.send('a STATUS &ZeVnLIqe- (MESSAGES)\r\n')).toBe('* STATUS "&ZeVnLIqe-" (MESSAGES 0)\r\na OK STATUS completed\r\n');
    expect(s.send('a SELECT INBOX\r\n')).toMatch(/a OK \[READ-WRITE\] SELECT completed\r\n$/);
    expect(s.send('a COPY 1 &ZeVnLIqe-\r\n')).toMatch(/^a OK \[COPYUID \d+ 1 1\] COPY completed\r\n$/);
    expect(w.store.folder('日本語')!.messages()).toHaveLength(1);
    expect(s.send('a RENAME &ZeVnLIqe- "Tom &- Jerry"\r\n')).toBe('a OK RENAME completed\r\n');
    expect(w.store.folderNames()).toContain('Tom & Jerry');
    expect(s.send('a SELECT Entw&APw-rfe\r\n')).toMatch(/\* 1 EXISTS\r\n[\s\S]*a OK \[READ-WRITE\] SELECT completed\r\n$/);
  });

  it('CREATE: a control character (even encoded) or an empty level is NO [CANNOT]; a valid name the store refuses is NO [LIMIT]', () => {
    const w = world();
    const s = w.open();
    s.login().out();
    expect(s.send('a CREATE a&AAA-b\r\n')).toBe('a NO [CANNOT] Invalid mailbox name\r\n');
    expect(s.send('a CREATE a//b\r\n')).toBe('a NO [CANNOT] Invalid mailbox name\r\n');
    expect(w.store.folderNames()).toEqual(['INBOX']);
    w.store.createFolder = () => false; // e.g. the folders-per-user cap (store/userStore.ts)
    expect(s.send('a CREATE Lists\r\n')).toBe('a NO [LIMIT] Too many mailboxes\r\n');
  });

  it.each([
    ['raw UTF-8 in a literal', 'a CREATE {9+}\r\nEntwürfe\r\n'],
    ['a shift without its "-"', 'a CREATE Entw&APw\r\n'],
    ['SELECT of a name that is not mUTF-7', 'a SELECT &AGE-\r\n'],
    ['a LIST pattern that is not mUTF-7', 'a LIST "" &APx-*\r\n'],
  ])('NO [CANNOT] for %s, and nothing is created', (_why, input) => {
    const w = world();
    const s = w.open();
    s.login().out();
    const before = w.store.folderNames();
    const reply = s.send(input);
    expect(reply.endsWith('a NO [CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)\r\n')).toBe(true);
    expect(w.store.folderNames()).toEqual(before);
  });
});
