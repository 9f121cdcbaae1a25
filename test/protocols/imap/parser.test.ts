/**
 * The IMAP command parser (RFC 3501 §9, RFC 7888): tables of accepted and refused commands, literal
 * continuation and limits, a round-trip property (serializer → bytes in any chunking → parser gives
 * the same command back) and arbitrary bytes never throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FetchAttribute, ImapCommand, SearchKey } from '../../../src/protocols/imap/command.js';
import { ImapCommandReader, type ReaderOutput } from '../../../src/protocols/imap/parser.js';
import { serializeCommand } from '../../../src/protocols/imap/serializer.js';
import type { SequenceSet } from '../../../src/protocols/imap/sequence-set.js';
import { bytes } from './harness.js';

function readAll(input: Uint8Array | string, limits = {}, chunkBytes = 0): ReaderOutput[] {
  const reader = new ImapCommandReader(limits);
  const data = typeof input === 'string' ? bytes(input) : input;
  if (chunkBytes > 0) for (let i = 0; i < data.length; i += chunkBytes) reader.push(data.subarray(i, i + chunkBytes));
  else reader.push(data);
  const out: ReaderOutput[] = [];
  for (let item = reader.next(); item; item = reader.next()) out.push(item);
  return out;
}

function parseOne(line: string): ImapCommand {
  const out = readAll(line);
  const command = out.find((o) => o.type === 'command');
  if (command?.type !== 'command') throw new Error(`did not parse: ${JSON.stringify(out)}`);
  return command.command;
}

describe('parser: accepted commands', () => {
  it.each([
    ['a1 NOOP\r\n', { tag: 'a1', name: 'NOOP' }],
    ['a2 login bob "p\\"w\\\\d"\r\n', { tag: 'a2', name: 'LOGIN', user: 'bob', password: 'p"w\\d' }],
    ['a3 SELECT inbox\r\n', { tag: 'a3', name: 'SELECT', mailbox: 'inbox' }],
    ['a4 LIST "" "*"\r\n', { tag: 'a4', name: 'LIST', reference: '', pattern: '*' }],
    ['a5 LIST "" %\r\n', { tag: 'a5', name: 'LIST', reference: '', pattern: '%' }],
    ['a6 STATUS Work (MESSAGES UIDNEXT)\r\n', { tag: 'a6', name: 'STATUS', mailbox: 'Work', items: ['MESSAGES', 'UIDNEXT'] }],
    ['a7 UID EXPUNGE 3:5\r\n', { tag: 'a7', name: 'UID EXPUNGE', set: [{ start: 3, end: 5 }] }],
    // RFC 9051 §9 astring: "[" is an ATOM-CHAR, "]" a resp-special ASTRING-CHAR; a section form stays one at depth 1.
    ['b1 SELECT [Gmail]/Sent\r\n', { tag: 'b1', name: 'SELECT', mailbox: '[Gmail]/Sent' }],
    ['b2 RENAME a[1] b]\r\n', { tag: 'b2', name: 'RENAME', from: 'a[1]', to: 'b]' }],
    ['b3 LIST [Gmail]/ %]\r\n', { tag: 'b3', name: 'LIST', reference: '[Gmail]/', pattern: '%]' }],
    [
      'a8 STORE 1:* +FLAGS.SILENT (\\Seen $Label)\r\n',
      { tag: 'a8', name: 'STORE', uid: false, set: [{ start: 1, end: null }], mode: 'add', silent: true, flags: ['\\Seen', '$Label'] },
    ],
    ['a9 UID MOVE *:4 Archive\r\n', { tag: 'a9', name: 'MOVE', uid: true, set: [{ start: null, end: 4 }], mailbox: 'Archive' }],
    ['b1 COPY 3,5:7 "Sent Items"\r\n', { tag: 'b1', name: 'COPY', uid: false, set: [{ start: 3, end: 3 }, { start: 5, end: 7 }], mailbox: 'Sent Items' }],
    ['b2 ENABLE CONDSTORE\r\n', { tag: 'b2', name: 'ENABLE', capabilities: ['CONDSTORE'] }],
    ['b3 AUTHENTICATE plain\r\n', { tag: 'b3', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: null }],
  ])('%j', (line, expected) => {
    expect(parseOne(line)).toEqual(expected);
  });

  it('fetch attributes with sections and partials (RFC 3501 §6.4.5)', () => {
    const command = parseOne('f1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BODY[1.2.MIME] BODY[TEXT] RFC822.SIZE)\r\n');
    expect(command).toEqual({
      tag: 'f1',
      name: 'FETCH',
      uid: true,
      set: [{ start: 1, end: null }],
      macro: null,
      attributes: [
        { kind: 'FLAGS' },
        { kind: 'BODY[]', peek: true, section: { part: [], specifier: 'HEADER.FIELDS', fields: ['From', 'To'] }, partial: { start: 0, count: 100 } },
        { kind: 'BODY[]', peek: false, section: { part: [1, 2], specifier: 'MIME', fields: [] }, partial: null },
        { kind: 'BODY[]', peek: false, section: { part: [], specifier: 'TEXT', fields: [] }, partial: null },
        { kind: 'RFC822.SIZE' },
      ],
    });
    expect(parseOne('f2 FETCH 2 full\r\n')).toMatchObject({ macro: 'FULL', attributes: [] });
  });

  it('search keys: OR, NOT, lists, dates, CHARSET', () => {
    const command = parseOne('s1 SEARCH CHARSET UTF-8 OR (FROM alice SINCE 1-Feb-2026) NOT SEEN 2:4 UID 7:*\r\n');
    expect(command).toEqual({
      tag: 's1',
      name: 'SEARCH',
      uid: false,
      charset: 'UTF-8',
      criteria: [
        {
          key: 'OR',
          left: { key: 'AND', operands: [{ key: 'FROM', value: 'alice' }, { key: 'SINCE', date: Date.UTC(2026, 1, 1) }] },
          right: { key: 'NOT', operand: { key: 'SEEN' } },
        },
        { key: 'SEQ', set: [{ start: 2, end: 4 }] },
        { key: 'UID', set: [{ start: 7, end: null }] },
      ],
    });
  });

  it('APPEND with flags, date-time and a literal; the literal may contain anything', () => {
    const out = readAll('a1 APPEND INBOX (\\Seen) " 1-Jan-2026 10:00:00 +0000" {8}\r\nA)\r\n{1}\0\r\n');
    expect(out[0]).toEqual({ type: 'continue', tag: 'a1', literalBytes: 8 });
    expect(out[1]).toEqual({
      type: 'command',
      command: { tag: 'a1', name: 'APPEND', mailbox: 'INBOX', flags: ['\\Seen'], date: ' 1-Jan-2026 10:00:00 +0000', message: bytes('A)\r\n{1}\0') },
    });
  });

  it('LITERAL+ literals get no continuation request (RFC 7888 §3)', () => {
    const out = readAll('a1 LOGIN {3+}\r\nbob {6+}\r\nsecret\r\n');
    expect(out).toEqual([{ type: 'command', command: { tag: 'a1', name: 'LOGIN', user: 'bob', password: 'secret' } }]);
  });
});

describe('parser: refused input', () => {
  it.each([
    ['* NOOP\r\n', '*'],
    ['a1\r\n', 'a1'],
    ['a1 FROB\r\n', 'a1'],
    ['a1 NOOP extra\r\n', 'a1'],
    ['a1 LOGIN bob\r\n', 'a1'],
    ['a1 FETCH 0 FLAGS\r\n', 'a1'],
    ['a1 FETCH 1 BODY[9.X]\r\n', 'a1'],
    ['a1 FETCH 1 (FLAGS\r\n', 'a1'],
    ['a1 STORE 1 +FLAGS (\\)\r\n', 'a1'],
    ['a1 SEARCH SINCE 31-Foo-2026\r\n', 'a1'],
    ['a1 SEARCH\r\n', 'a1'],
    ['a1 LOGIN "unterminated\r\n', 'a1'],
    ['a1 UID NOOP\r\n', 'a1'],
    ['a1 APPEND INBOX "not a literal"\r\n', 'a1'],
  ])('%j → BAD', (line, tag) => {
    expect(readAll(line)).toEqual([{ type: 'bad', tag, reason: expect.any(String) }]);
  });

  it('a synchronising literal over the limit is refused before it is sent (no "+")', () => {
    expect(readAll('a1 APPEND INBOX {1000}\r\na2 NOOP\r\n', { literalBytesMax: 100 })).toEqual([
      { type: 'refused', tag: 'a1', reason: 'literal-too-big', fatal: false },
      { type: 'command', command: { tag: 'a2', name: 'NOOP' } },
    ]);
  });

  it('a non-synchronising literal over the limit is skipped, not buffered, and the next command still parses', () => {
    const big = 'x'.repeat(500);
    const out = readAll(`a1 APPEND INBOX {500+}\r\n${big}\r\na2 NOOP\r\n`, { literalBytesMax: 100 }, 7);
    expect(out).toEqual([
      { type: 'refused', tag: 'a1', reason: 'literal-too-big', fatal: false },
      { type: 'command', command: { tag: 'a2', name: 'NOOP' } },
    ]);
  });

  it('too many literals, lines too long, lists nested too deeply', () => {
    expect(readAll('a1 LOGIN {1+}\r\na {1+}\r\nb\r\n', { literalsPerCommandMax: 1 })[0]).toMatchObject({ type: 'refused', reason: 'too-many-literals' });
    expect(readAll(`a1 NOOP ${'x'.repeat(200)}\r\n`, { commandTextBytesMax: 100 })[0]).toMatchObject({ type: 'refused', reason: 'line-too-long', fatal: true });
    expect(readAll(`a1 FETCH 1 ${'('.repeat(5)}FLAGS${')'.repeat(5)}\r\n`, { listDepthMax: 4 })[0]).toMatchObject({
      type: 'bad',
      reason: 'lists nested too deeply',
    });
    expect(readAll(`a1 SEARCH ${'NOT '.repeat(40)}SEEN\r\n`)[0]).toMatchObject({ type: 'bad', reason: 'search keys nested too deeply' });
    expect(readAll(`a1 SEARCH ${'SEEN '.repeat(20)}SEEN\r\n`, { argumentsMax: 10 })[0]).toMatchObject({ type: 'bad', reason: 'too many arguments' });
  });
});

// ---- generators for the round-trip property ----

const tag = fc.stringMatching(/^[A-Za-z0-9.]{1,8}$/);
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'NIL', 'a b', 'x"y\\z', 'line\r\nbreak', 'Jürgen', 'a[b]', '%*'),
);
const seqNumber = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constant(null));
const sequenceSet: fc.Arbitrary<SequenceSet> = fc.array(
  fc.tuple(seqNumber, seqNumber).map(([start, end]) => ({ start, end })),
  { minLength: 1, maxLength: 4 },
);
const flag = fc.constantFrom('\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '$Label1', 'Junk');
const flags = fc.uniqueArray(flag, { maxLength: 4 });
const fieldName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
const section = fc.oneof(
  fc.constant({ part: [] as number[], specifier: '' as const, fields: [] as string[] }),
  fc.record({
    part: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
    specifier: fc.constantFrom('', 'HEADER', 'TEXT'),
    fields: fc.constant([] as string[]),
  }),
  fc.record({
    part: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
    specifier: fc.constant('MIME' as const),
    fields: fc.constant([] as string[]),
  }),
  fc.record({
    part: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 2 }),
    specifier: fc.constantFrom('HEADER.FIELDS' as const, 'HEADER.FIELDS.NOT' as const),
    fields: fc.array(fieldName, { minLength: 1, maxLength: 3 }),
  }),
);
const fetchAttribute: fc.Arbitrary<FetchAttribute> = fc.oneof(
  fc.constantFrom(
    ...(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'UID', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT'] as const),
  ).map((kind) => ({ kind })),
  fc.record({
    kind: fc.constant('BODY[]' as const),
    peek: fc.boolean(),
    section,
    partial: fc.option(fc.record({ start: fc.nat(10_000), count: fc.integer({ min: 1, max: 10_000 }) }), { nil: null }),
  }),
);
const day = fc.integer({ min: 0, max: 20_000 }).map((d) => d * 86_400_000);
const searchKey: fc.Arbitrary<SearchKey> = fc.letrec<{ key: SearchKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...(['ALL', 'SEEN', 'UNSEEN', 'FLAGGED', 'DELETED', 'NEW', 'OLD', 'RECENT', 'ANSWERED', 'UNDRAFT'] as const)).map((key) => ({ key })),
    fc.record({ key: fc.constantFrom(...(['FROM', 'TO', 'SUBJECT', 'BODY', 'TEXT', 'BCC', 'CC'] as const)), value: text }),
    fc.record({ key: fc.constant('KEYWORD' as const), value: fc.constantFrom('$Label1', 'Junk') }),
    fc.record({ key: fc.constant('HEADER' as const), field: fieldName, value: text }),
    fc.record({ key: fc.constantFrom(...(['SINCE', 'BEFORE', 'ON', 'SENTSINCE', 'SENTBEFORE', 'SENTON'] as const)), date: day }),
    fc.record({ key: fc.constantFrom('LARGER' as const, 'SMALLER' as const), size: fc.nat(1_000_000) }),
    fc.record({ key: fc.constant('UID' as const), set: sequenceSet }),
    fc.record({ key: fc.constant('SEQ' as const), set: sequenceSet }),
    fc.record({ key: fc.constant('NOT' as const), operand: tie('key') }),
    fc.record({ key: fc.constant('OR' as const), left: tie('key'), right: tie('key') }),
    fc.record({ key: fc.constant('AND' as const), operands: fc.array(tie('key'), { minLength: 1, maxLength: 3 }) }),
  ),
})).key;

const mailbox = fc.oneof(text, fc.constantFrom('INBOX', 'Work/Reports'));
const command: fc.Arbitrary<ImapCommand> = fc.oneof(
  fc.record({ tag, name: fc.constantFrom(...(['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'CHECK', 'CLOSE', 'EXPUNGE', 'UNSELECT', 'IDLE', 'NAMESPACE'] as const)) }),
  fc.record({ tag, name: fc.constant('LOGIN' as const), user: text, password: text }),
  fc.record({ tag, name: fc.constantFrom(...(['SELECT', 'EXAMINE', 'CREATE', 'DELETE', 'SUBSCRIBE', 'UNSUBSCRIBE'] as const)), mailbox }),
  fc.record({ tag, name: fc.constant('RENAME' as const), from: mailbox, to: mailbox }),
  fc.record({ tag, name: fc.constantFrom('LIST' as const, 'LSUB' as const), reference: text, pattern: fc.oneof(text, fc.constantFrom('*', '%', 'Work/%')) }),
  fc.record({
    tag,
    name: fc.constant('STATUS' as const),
    mailbox,
    items: fc.uniqueArray(fc.constantFrom(...(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'] as const)), { minLength: 1 }),
  }),
  fc.record({
    tag,
    name: fc.constant('APPEND' as const),
    mailbox,
    flags: fc.option(flags, { nil: null }),
    date: fc.option(fc.constant(' 1-Jan-2026 10:00:00 +0000'), { nil: null }),
    message: fc.uint8Array({ minLength: 0, maxLength: 64 }),
  }),
  fc.record({ tag, name: fc.constant('ENABLE' as const), capabilities: fc.array(fc.constantFrom('CONDSTORE', 'UTF8=ACCEPT'), { minLength: 1, maxLength: 2 }) }),
  fc.record({
    tag,
    name: fc.constant('SEARCH' as const),
    uid: fc.boolean(),
    charset: fc.option(fc.constantFrom('UTF-8', 'US-ASCII'), { nil: null }),
    criteria: fc.array(searchKey, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    tag,
    name: fc.constant('FETCH' as const),
    uid: fc.boolean(),
    set: sequenceSet,
    macro: fc.constant(null),
    attributes: fc.array(fetchAttribute, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ tag, name: fc.constant('FETCH' as const), uid: fc.boolean(), set: sequenceSet, macro: fc.constantFrom('ALL' as const, 'FAST' as const, 'FULL' as const), attributes: fc.constant([] as FetchAttribute[]) }),
  fc.record({
    tag,
    name: fc.constant('STORE' as const),
    uid: fc.boolean(),
    set: sequenceSet,
    mode: fc.constantFrom('set' as const, 'add' as const, 'remove' as const),
    silent: fc.boolean(),
    flags,
  }),
  fc.record({ tag, name: fc.constantFrom('COPY' as const, 'MOVE' as const), uid: fc.boolean(), set: sequenceSet, mailbox }),
  fc.record({ tag, name: fc.constant('UID EXPUNGE' as const), set: sequenceSet }),
);

describe('parser: properties', () => {
  it('any command round-trips through the serializer and the parser, in any chunking, with or without LITERAL+', () => {
    fc.assert(
      fc.property(command, fc.boolean(), fc.integer({ min: 1, max: 40 }), (original, literalPlus, chunkBytes) => {
        const chunks = serializeCommand(original, { literalPlus });
        const wire = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const chunk of chunks) {
          wire.set(chunk, at);
          at += chunk.length;
        }
        const out = readAll(wire, {}, chunkBytes);
        const continues = out.filter((o) => o.type === 'continue').length;
        expect(continues).toBe(chunks.length - 1);
        const commands = out.filter((o) => o.type !== 'continue');
        expect(commands).toEqual([{ type: 'command', command: original }]);
      }),
      { numRuns: 600 },
    );
  });

  it('arbitrary bytes never throw, and every output is a well-formed item', () => {
    const imapish = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 20 }),
        fc.stringMatching(/^[A-Za-z.]{1,8} ?$/).map((s) => bytes(s)),
        fc.constantFrom('SEARCH ', 'STORE ', 'APPEND ', 'LOGIN ', 'STATUS ', 'LIST ', 'NOT ', 'OR ', 'BODY.PEEK[').map((s) => bytes(s)),
        fc.constantFrom('a1 ', 'FETCH ', '{5}\r\n', '{3+}\r\n', '(', ')', '[', ']', '"', '\\', '\r\n', 'BODY[', '<1.2>', 'UID ', '*', ':').map((s) => bytes(s)),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(imapish, fc.integer({ min: 1, max: 16 }), (pieces, chunkBytes) => {
        const data = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const piece of pieces) {
          data.set(piece, at);
          at += piece.length;
        }
        const out = readAll(data, { literalBytesMax: 64, commandTextBytesMax: 256 }, chunkBytes);
        for (const item of out) expect(['command', 'bad', 'continue', 'refused']).toContain(item.type);
      }),
      { numRuns: 1000 },
    );
  });
});
