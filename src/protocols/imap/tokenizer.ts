/**
 * The generic layer of the IMAP grammar (RFC 3501 §4, §9): a framed command or response becomes a list
 * of arguments — atoms, strings (quoted or literal) and parenthesised lists, nested. An atom may carry
 * a body section and a partial, as in `BODY.PEEK[HEADER.FIELDS (From To)]<0.100>` (§9 fetch-att, and
 * msg-att in responses), because that is the one place the grammar glues brackets onto an atom.
 * A top-level argument is also read as an astring (RFC 9051 §9: ASTRING-CHAR = ATOM-CHAR / resp-specials,
 * and "[" is an ATOM-CHAR), so an unquoted mailbox such as `[Gmail]/Sent` (Python's imaplib sends it so)
 * is an atom, and `Foo[bar]` is a section atom whose `astring` is the whole text; the command's parser
 * takes whichever it wants.
 *
 * Limits: `listDepthMax` (nesting of "(" and "["), `argumentsMax` (all arguments at every depth).
 * Errors come back as values with a reason, never as exceptions.
 */
import type { FrameSegment } from './framer.js';

export interface TokenizerLimits {
  listDepthMax: number;
  argumentsMax: number;
}

export const DEFAULT_TOKENIZER_LIMITS: TokenizerLimits = { listDepthMax: 16, argumentsMax: 10_000 };

export type ImapArg =
  | {
      type: 'atom';
      value: string;
      /** Present when the atom had "[…]": the items inside the brackets. */
      section?: ImapArg[];
      /** "<a.b>" (or "<a>" in responses) after the section. */
      partial?: { start: number; count: number | null };
      /** With a section, at the top level: the whole text as written, which is also an astring. */
      astring?: string;
    }
  | { type: 'string'; bytes: Uint8Array; literal: boolean }
  | { type: 'list'; items: ImapArg[] };

export type TokenizeResult = { ok: true; args: ImapArg[] } | { ok: false; reason: string };

/** RFC 3501 §9 atom-specials, less "[" (handled as a section) and with "]" ending an atom. */
const ATOM_STOP = new Set(['(', ')', '{', ' ', '"', ']', '[']);

function isAtomChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !ATOM_STOP.has(ch);
}

class TokenError {
  constructor(readonly reason: string) {}
}

const latin1Bytes = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i) & 0xff;
  return out;
};

class Cursor {
  segment = 0;
  offset = 0;
  count = 0;
  constructor(
    readonly segments: readonly FrameSegment[],
    readonly limits: TokenizerLimits,
  ) {}

  text(): string {
    const seg = this.segments[this.segment];
    return seg && seg.kind === 'text' ? seg.text : '';
  }

  peek(): string {
    return this.text()[this.offset] ?? '';
  }

  atEnd(): boolean {
    return this.offset >= this.text().length && this.segment >= this.segments.length - 1;
  }

  countArgument(): void {
    this.count += 1;
    if (this.count > this.limits.argumentsMax) throw new TokenError('too many arguments');
  }
}

/** Tokenizes from the start of `segments[0]` at character `offset`. */
export function tokenize(
  segments: readonly FrameSegment[],
  offset = 0,
  limits: TokenizerLimits = DEFAULT_TOKENIZER_LIMITS,
): TokenizeResult {
  const cursor = new Cursor(segments, limits);
  cursor.offset = offset;
  try {
    const args = readSequence(cursor, '', 0);
    if (!cursor.atEnd()) throw new TokenError('unexpected characters after the arguments');
    return { ok: true, args };
  } catch (error) {
    if (error instanceof TokenError) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** Reads space-separated arguments until `closer` (")" or "]") or the end; consumes the closer. */
function readSequence(cursor: Cursor, closer: string, depth: number): ImapArg[] {
  const items: ImapArg[] = [];
  for (;;) {
    const ch = cursor.peek();
    if (closer !== '' && ch === closer) {
      cursor.offset += 1;
      return items;
    }
    if (ch === '') {
      if (closer !== '') throw new TokenError(`missing "${closer}"`);
      return items;
    }
    if (items.length > 0) {
      if (ch !== ' ') throw new TokenError('expected a space between arguments');
      cursor.offset += 1;
      if (closer === '' && cursor.peek() === '') throw new TokenError('trailing space');
    }
    items.push(readArg(cursor, depth));
  }
}

function readArg(cursor: Cursor, depth: number): ImapArg {
  cursor.countArgument();
  const ch = cursor.peek();
  if (ch === '(') {
    if (depth + 1 > cursor.limits.listDepthMax) throw new TokenError('lists nested too deeply');
    cursor.offset += 1;
    return { type: 'list', items: readSequence(cursor, ')', depth + 1) };
  }
  if (ch === '"') return readQuoted(cursor);
  if (ch === '{') return readLiteral(cursor);
  return readAtom(cursor, depth);
}

function readQuoted(cursor: Cursor): ImapArg {
  const text = cursor.text();
  let i = cursor.offset + 1;
  let value = '';
  for (;;) {
    const ch = text[i];
    if (ch === undefined) throw new TokenError('unterminated quoted string');
    if (ch === '"') break;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '\\' && next !== '"') throw new TokenError('bad escape in quoted string');
      value += next;
      i += 2;
      continue;
    }
    if (ch === '\0') throw new TokenError('NUL in quoted string');
    value += ch;
    i += 1;
  }
  cursor.offset = i + 1;
  return { type: 'string', bytes: latin1Bytes(value), literal: false };
}

function readLiteral(cursor: Cursor): ImapArg {
  const text = cursor.text();
  const match = /^\{(\d+)\+?\}$/.exec(text.slice(cursor.offset));
  const literal = cursor.segments[cursor.segment + 1];
  if (!match || !literal || literal.kind !== 'literal') throw new TokenError('bad literal');
  if (literal.bytes.length !== Number(match[1])) throw new TokenError('literal length mismatch');
  // Continue in the text segment after the literal.
  cursor.segment += 2;
  cursor.offset = 0;
  if (cursor.segment >= cursor.segments.length) throw new TokenError('missing text after a literal');
  return { type: 'string', bytes: literal.bytes, literal: true };
}

/** RFC 9051 §9 ASTRING-CHAR: an atom char, "[" or "]" (resp-specials). */
function isAstringChar(ch: string): boolean {
  return isAtomChar(ch) || ch === '[' || ch === ']';
}

/**
 * An atom, or at the top level an astring with brackets (RFC 9051 §9): the section form is tried first;
 * where it fails or stops short of the astring's end (the next space or the end), the astring is the
 * argument.
 */
function readAtom(cursor: Cursor, depth: number): ImapArg {
  if (depth > 0) return readSectionAtom(cursor, depth);
  const text = cursor.text();
  const start = cursor.offset;
  let end = start;
  while (end < text.length && isAstringChar(text[end]!)) end += 1;
  const astring = text.slice(start, end);
  const clean = end === text.length || text[end] === ' ';
  if (!clean || !/[[\]]/.test(astring)) return readSectionAtom(cursor, depth);
  try {
    const arg = readSectionAtom(cursor, depth);
    // A section with a space inside (`BODY[HEADER.FIELDS (From)]`) runs past the astring: no astring then.
    if (cursor.offset > end) return arg;
    if (cursor.offset === end && arg.type === 'atom') return arg.section === undefined ? arg : { ...arg, astring };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
  }
  cursor.offset = end;
  return { type: 'atom', value: astring };
}

function readSectionAtom(cursor: Cursor, depth: number): ImapArg {
  const text = cursor.text();
  const start = cursor.offset;
  let i = start;
  while (i < text.length && isAtomChar(text[i]!)) i += 1;
  const value = text.slice(start, i);
  cursor.offset = i;
  if (cursor.peek() !== '[') {
    if (value === '') throw new TokenError(cursor.peek() === '' ? 'missing argument' : `unexpected "${cursor.peek()}"`);
    return { type: 'atom', value };
  }
  if (value === '') throw new TokenError('unexpected "["');
  if (depth + 1 > cursor.limits.listDepthMax) throw new TokenError('lists nested too deeply');
  cursor.offset += 1;
  const section = readSequence(cursor, ']', depth + 1);
  const arg: ImapArg = { type: 'atom', value, section };
  if (cursor.peek() === '<') {
    const match = /^<(\d{1,10})(?:\.(\d{1,10}))?>/.exec(text.slice(cursor.offset));
    if (!match) throw new TokenError('bad partial');
    arg.partial = { start: Number(match[1]), count: match[2] === undefined ? null : Number(match[2]) };
    cursor.offset += match[0].length;
  }
  return arg;
}

/** The bytes of a string argument, or an atom's text, decoded as UTF-8 (RFC 9051 §4.3). */
export function argText(arg: ImapArg): string | null {
  if (arg.type === 'atom') return arg.section === undefined ? arg.value : (arg.astring ?? null);
  if (arg.type === 'string') return new TextDecoder().decode(arg.bytes);
  return null;
}
