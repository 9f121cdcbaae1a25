/**
 * The IMAP command parser (RFC 3501 §6 and §9 ABNF; RFC 7888 LITERAL+; RFC 4315, 6851, 2177, 2342, 5161,
 * 3691 for the extension commands). Two layers:
 *
 *   ImapCommandReader  bytes in → ImapFramer frames → typed commands, "continue" or framing errors
 *   parseCommand       one frame → ImapCommand, or a reason for a tagged BAD
 *
 * The typed layer checks each command's argument shapes: astring vs list, flag syntax (§9 flag),
 * sequence sets, fetch attributes with sections and partials (§6.4.5), search keys (§6.4.4). Nothing
 * here throws on peer input; `propertiesTest` feeds it arbitrary bytes.
 */
import {
  DATE_SEARCH_KEYS,
  type DateSearchKey,
  FETCH_MACROS,
  type FetchAttribute,
  type FetchMacro,
  FLAG_SEARCH_KEYS,
  type FlagSearchKey,
  type ImapCommand,
  MAILBOX_COMMANDS,
  type MailboxCommandName,
  SIMPLE_COMMANDS,
  SIMPLE_FETCH_ATTRIBUTES,
  type SearchKey,
  type Section,
  type SimpleCommandName,
  type SimpleFetchAttribute,
  STATUS_ITEMS,
  type StatusItem,
  STRING_SEARCH_KEYS,
  type StringSearchKey,
} from './command.js';
import { type FrameSegment, type FramerLimits, type FramerRefusal, ImapFramer, tagOf } from './framer.js';
import { parseImapDate } from '../../sim/calendar.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';
import { argText, DEFAULT_TOKENIZER_LIMITS, type ImapArg, type TokenizerLimits, tokenize } from './tokenizer.js';

export type ParseResult = { ok: true; command: ImapCommand } | { ok: false; tag: string; reason: string };

class ArgError {
  constructor(readonly reason: string) {}
}

const fail = (reason: string): never => {
  throw new ArgError(reason);
};

/** Search keys nest through NOT/OR/(…); bounded separately from list depth since NOT needs no list. */
export const SEARCH_DEPTH_MAX = 32;

export function parseCommand(segments: readonly FrameSegment[], limits: TokenizerLimits = DEFAULT_TOKENIZER_LIMITS): ParseResult {
  const first = segments[0];
  const line = first && first.kind === 'text' ? first.text : '';
  const tag = tagOf(line);
  if (tag === '*') return { ok: false, tag: '*', reason: 'missing or invalid tag' };
  const afterTag = tag.length + 1;
  const nameMatch = /^([A-Za-z]+)(?: ([A-Za-z]+))?/.exec(line.slice(afterTag));
  if (!nameMatch) return { ok: false, tag, reason: 'missing command' };
  let name = nameMatch[1]!.toUpperCase();
  let uid = false;
  let consumed = nameMatch[1]!.length;
  if (name === 'UID') {
    if (!nameMatch[2]) return { ok: false, tag, reason: 'UID needs a command' };
    uid = true;
    name = nameMatch[2].toUpperCase();
    consumed = nameMatch[0].length;
  }
  let offset = afterTag + consumed;
  if (line[offset] === ' ') offset += 1;
  else if (offset < line.length || segments.length > 1) return { ok: false, tag, reason: 'unknown command' };
  const tokens = offset >= line.length && segments.length === 1 ? { ok: true as const, args: [] } : tokenize(segments, offset, limits);
  if (!tokens.ok) return { ok: false, tag, reason: tokens.reason };
  try {
    return { ok: true, command: buildCommand(tag, name, uid, tokens.args) };
  } catch (error) {
    if (error instanceof ArgError) return { ok: false, tag, reason: error.reason };
    throw error;
  }
}

function expectCount(args: ImapArg[], min: number, max: number, name: string): void {
  if (args.length < min || args.length > max) fail(`wrong number of arguments for ${name}`);
}

function astring(arg: ImapArg | undefined, what: string): string {
  const text = arg ? argText(arg) : null;
  if (text === null) return fail(`expected ${what}`);
  return text;
}

function atom(arg: ImapArg | undefined, what: string): string {
  if (arg?.type !== 'atom' || arg.section !== undefined) return fail(`expected ${what}`);
  return arg.value;
}

function sequenceSet(arg: ImapArg | undefined): SequenceSet {
  const set = parseSequenceSet(atom(arg, 'a sequence set'));
  return set ?? fail('bad sequence set');
}

function number(arg: ImapArg | undefined, what: string): number {
  const text = atom(arg, what);
  if (!/^\d{1,10}$/.test(text) || Number(text) > 4_294_967_295) fail(`bad ${what}`);
  return Number(text);
}

/** RFC 3501 §9 flag: "\" atom (system or extension flag) or a keyword atom. */
export function isValidFlag(text: string): boolean {
  return /^\\?[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~[]+$/.test(text) && text !== '\\';
}

function flag(arg: ImapArg): string {
  const text = atom(arg, 'a flag');
  if (!isValidFlag(text)) fail('bad flag');
  return text;
}

function flagList(arg: ImapArg | undefined): string[] {
  if (arg?.type !== 'list') return fail('expected a flag list');
  return arg.items.map(flag);
}

function buildCommand(tag: string, name: string, uid: boolean, args: ImapArg[]): ImapCommand {
  if (uid && !['FETCH', 'STORE', 'SEARCH', 'COPY', 'MOVE', 'EXPUNGE'].includes(name)) fail('unknown UID command');
  if ((SIMPLE_COMMANDS as readonly string[]).includes(name) && !(uid && name === 'EXPUNGE')) {
    expectCount(args, 0, 0, name);
    return { tag, name: name as SimpleCommandName };
  }
  if ((MAILBOX_COMMANDS as readonly string[]).includes(name)) {
    expectCount(args, 1, 1, name);
    return { tag, name: name as MailboxCommandName, mailbox: astring(args[0], 'a mailbox') };
  }
  switch (name) {
    case 'LOGIN':
      expectCount(args, 2, 2, name);
      return { tag, name, user: astring(args[0], 'a user name'), password: astring(args[1], 'a password') };
    case 'AUTHENTICATE':
      expectCount(args, 1, 2, name);
      return {
        tag,
        name,
        mechanism: atom(args[0], 'a mechanism').toUpperCase(),
        initialResponse: args[1] ? astring(args[1], 'an initial response') : null,
      };
    case 'RENAME':
      expectCount(args, 2, 2, name);
      return { tag, name, from: astring(args[0], 'a mailbox'), to: astring(args[1], 'a mailbox') };
    case 'LIST':
    case 'LSUB':
      expectCount(args, 2, 2, name);
      return { tag, name, reference: astring(args[0], 'a reference'), pattern: astring(args[1], 'a pattern') };
    case 'STATUS': {
      expectCount(args, 2, 2, name);
      const list = args[1];
      if (list?.type !== 'list' || list.items.length === 0) return fail('expected status items');
      const items = list.items.map((item) => {
        const text = atom(item, 'a status item').toUpperCase();
        if (!(STATUS_ITEMS as readonly string[]).includes(text)) fail(`unknown status item ${text}`);
        return text as StatusItem;
      });
      return { tag, name, mailbox: astring(args[0], 'a mailbox'), items };
    }
    case 'APPEND':
      return buildAppend(tag, args);
    case 'ENABLE':
      if (args.length === 0) fail('ENABLE needs a capability');
      return { tag, name, capabilities: args.map((arg) => atom(arg, 'a capability')) };
    case 'SEARCH':
      return buildSearch(tag, uid, args);
    case 'FETCH':
      return buildFetch(tag, uid, args);
    case 'STORE':
      return buildStore(tag, uid, args);
    case 'COPY':
    case 'MOVE':
      expectCount(args, 2, 2, name);
      return { tag, name, uid, set: sequenceSet(args[0]), mailbox: astring(args[1], 'a mailbox') };
    case 'EXPUNGE':
      expectCount(args, 1, 1, 'UID EXPUNGE');
      return { tag, name: 'UID EXPUNGE', set: sequenceSet(args[0]) };
    default:
      return fail('unknown command');
  }
}

function buildAppend(tag: string, args: ImapArg[]): ImapCommand {
  expectCount(args, 2, 4, 'APPEND');
  const mailbox = astring(args[0], 'a mailbox');
  let index = 1;
  let flags: string[] | null = null;
  let date: string | null = null;
  if (args[index]?.type === 'list') flags = flagList(args[index++]);
  const maybeDate = args[index];
  if (index < args.length - 1 && maybeDate?.type === 'string' && !maybeDate.literal) {
    date = astring(maybeDate, 'a date-time');
    index += 1;
  }
  const message = args[index];
  if (index !== args.length - 1 || !message || message.type !== 'string' || !message.literal) {
    return fail('APPEND needs the message as a literal');
  }
  return { tag, name: 'APPEND', mailbox, flags, date, message: message.bytes };
}

function buildStore(tag: string, uid: boolean, args: ImapArg[]): ImapCommand {
  if (args.length < 3) fail('wrong number of arguments for STORE');
  const set = sequenceSet(args[0]);
  const item = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(atom(args[1], 'a store item'));
  if (!item) return fail('bad store item');
  const flags = args[2]?.type === 'list' && args.length === 3 ? flagList(args[2]) : args.slice(2).map(flag);
  const mode = item[1] === '+' ? 'add' : item[1] === '-' ? 'remove' : 'set';
  return { tag, name: 'STORE', uid, set, mode, silent: item[2] !== undefined, flags };
}

function buildFetch(tag: string, uid: boolean, args: ImapArg[]): ImapCommand {
  expectCount(args, 2, 2, 'FETCH');
  const set = sequenceSet(args[0]);
  const what = args[1]!;
  if (what.type === 'atom' && what.section === undefined && what.value.toUpperCase() in FETCH_MACROS) {
    return { tag, name: 'FETCH', uid, set, macro: what.value.toUpperCase() as FetchMacro, attributes: [] };
  }
  const items = what.type === 'list' ? what.items : [what];
  if (items.length === 0) fail('empty fetch attribute list');
  return { tag, name: 'FETCH', uid, set, macro: null, attributes: items.map(fetchAttribute) };
}

function fetchAttribute(arg: ImapArg): FetchAttribute {
  if (arg.type !== 'atom') return fail('expected a fetch attribute');
  const name = arg.value.toUpperCase();
  if (arg.section === undefined) {
    if (arg.partial !== undefined) fail('partial without a section');
    if (!(SIMPLE_FETCH_ATTRIBUTES as readonly string[]).includes(name)) fail(`unknown fetch attribute ${name}`);
    return { kind: name as SimpleFetchAttribute };
  }
  if (name !== 'BODY' && name !== 'BODY.PEEK') fail(`unknown fetch attribute ${name}`);
  let partial = null;
  if (arg.partial) {
    if (arg.partial.count === null || arg.partial.count === 0) fail('bad partial');
    partial = { start: arg.partial.start, count: arg.partial.count! };
  }
  return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section: parseSection(arg.section), partial };
}

const SECTION_PATTERN =
  /^(?:([1-9]\d{0,8}(?:\.[1-9]\d{0,8})*)(?:\.(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME))?|(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT))$/i;

/** RFC 3501 §9 section-spec. */
export function parseSection(items: ImapArg[]): Section {
  if (items.length === 0) return { part: [], specifier: '', fields: [] };
  const match = SECTION_PATTERN.exec(atom(items[0], 'a section'));
  if (!match) return fail('bad section');
  const part = match[1] ? match[1].split('.').map(Number) : [];
  const specifier = (match[2] ?? match[3] ?? '').toUpperCase() as Section['specifier'];
  const wantsFields = specifier === 'HEADER.FIELDS' || specifier === 'HEADER.FIELDS.NOT';
  if (!wantsFields) {
    if (items.length !== 1) fail('bad section');
    return { part, specifier, fields: [] };
  }
  const list = items[1];
  if (items.length !== 2 || !list || list.type !== 'list' || list.items.length === 0) return fail('bad header list');
  const fields = list.items.map((item) => {
    const field = astring(item, 'a header field name');
    if (!/^[!-9;-~]+$/.test(field)) fail('bad header field name');
    return field;
  });
  return { part, specifier, fields };
}

function buildSearch(tag: string, uid: boolean, args: ImapArg[]): ImapCommand {
  let index = 0;
  let charset: string | null = null;
  const first = args[0];
  if (first?.type === 'atom' && first.section === undefined && first.value.toUpperCase() === 'CHARSET') {
    charset = astring(args[1], 'a charset');
    index = 2;
  }
  const reader = { args, index };
  const criteria: SearchKey[] = [];
  while (reader.index < args.length) criteria.push(searchKey(reader, 0));
  if (criteria.length === 0) fail('SEARCH needs a key');
  return { tag, name: 'SEARCH', uid, charset, criteria };
}

function searchKey(reader: { args: ImapArg[]; index: number }, depth: number): SearchKey {
  if (depth > SEARCH_DEPTH_MAX) fail('search keys nested too deeply');
  const arg = reader.args[reader.index++];
  if (!arg) return fail('missing search key');
  if (arg.type === 'list') {
    const inner = { args: arg.items, index: 0 };
    const operands: SearchKey[] = [];
    while (inner.index < arg.items.length) operands.push(searchKey(inner, depth + 1));
    if (operands.length === 0) fail('empty search list');
    return { key: 'AND', operands };
  }
  const word = atom(arg, 'a search key');
  const upper = word.toUpperCase();
  const next = () => reader.args[reader.index++];
  if ((FLAG_SEARCH_KEYS as readonly string[]).includes(upper)) return { key: upper as FlagSearchKey };
  if ((STRING_SEARCH_KEYS as readonly string[]).includes(upper)) {
    const value = astring(next(), 'a search string');
    if ((upper === 'KEYWORD' || upper === 'UNKEYWORD') && !isValidFlag(value)) fail('bad keyword');
    return { key: upper as StringSearchKey, value };
  }
  if ((DATE_SEARCH_KEYS as readonly string[]).includes(upper)) {
    const date = parseImapDate(astring(next(), 'a date'));
    if (date === null) return fail('bad date');
    return { key: upper as DateSearchKey, date };
  }
  switch (upper) {
    case 'HEADER':
      return { key: 'HEADER', field: astring(next(), 'a header field name'), value: astring(next(), 'a search string') };
    case 'LARGER':
    case 'SMALLER':
      return { key: upper, size: number(next(), 'a size') };
    case 'UID':
      return { key: 'UID', set: sequenceSet(next()) };
    case 'NOT':
      return { key: 'NOT', operand: searchKey(reader, depth + 1) };
    case 'OR': {
      const left = searchKey(reader, depth + 1);
      return { key: 'OR', left, right: searchKey(reader, depth + 1) };
    }
    default: {
      const set = parseSequenceSet(word);
      if (!set) return fail(`unknown search key ${upper}`);
      return { key: 'SEQ', set };
    }
  }
}

export type ReaderOutput =
  | { type: 'command'; command: ImapCommand }
  /** A command line that did not parse: reply `tag BAD reason` (RFC 3501 §7.1.3). */
  | { type: 'bad'; tag: string; reason: string }
  /** Send `+` so the client sends its literal (RFC 3501 §7.5). */
  | { type: 'continue'; tag: string; literalBytes: number }
  /** A literal over the limit (RFC 9051 §7.1 TOOBIG); `fatal`: the stream can no longer be framed. */
  | { type: 'refused'; tag: string; reason: FramerRefusal; fatal: boolean }
  /** A raw line, when the reader is in raw mode (AUTHENTICATE responses, IDLE's DONE). */
  | { type: 'raw'; line: string };

export type ReaderLimits = FramerLimits & TokenizerLimits;

/** Bytes in, commands out: the framer and the parser together. */
export class ImapCommandReader {
  private readonly framer: ImapFramer;
  private readonly tokenizerLimits: TokenizerLimits;
  /** When true, the next complete line is returned raw instead of parsed. */
  rawMode = false;

  constructor(limits: Partial<ReaderLimits> = {}) {
    this.framer = new ImapFramer(limits);
    this.tokenizerLimits = { ...DEFAULT_TOKENIZER_LIMITS, ...limits };
  }

  push(bytes: Uint8Array): void {
    this.framer.push(bytes);
  }

  reset(): void {
    this.framer.reset();
  }

  /** See ImapFramer.setCommandBytesMax. */
  setCommandBytesMax(bytes: number): void {
    this.framer.setCommandBytesMax(bytes);
  }

  /** Bytes held for the command being read (ImapFramer.bufferedBytes). */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  next(): ReaderOutput | null {
    const out = this.framer.next();
    if (!out) return null;
    if (out.type === 'continue') return out;
    if (out.type === 'error') return { type: 'refused', tag: out.tag, reason: out.reason, fatal: out.fatal };
    if (this.rawMode) {
      const text = out.segments
        .map((segment) => (segment.kind === 'text' ? segment.text : ''))
        .join('');
      return { type: 'raw', line: text };
    }
    const parsed = parseCommand(out.segments, this.tokenizerLimits);
    return parsed.ok ? { type: 'command', command: parsed.command } : { type: 'bad', tag: parsed.tag, reason: parsed.reason };
  }
}
