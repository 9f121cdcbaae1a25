/**
 * Writes an ImapCommand in wire form (RFC 3501 §9), for the client and for round-trip tests.
 *
 * Strings go out as atoms when the astring grammar allows, as quoted strings when they are printable
 * 7-bit text, and as literals otherwise (RFC 3501 §4.3). A synchronising literal makes the client
 * wait for "+", so the output is a list of chunks: the client sends chunk 0, and each later chunk only
 * after a continuation request. With LITERAL+ (RFC 7888) every literal is `{n+}` and there is one chunk.
 */
import { formatImapDate } from './dates.js';
import { FETCH_MACROS, type FetchAttribute, type ImapCommand, type SearchKey, type Section } from './command.js';
import { concatBytes } from '../bytes.js';
import { formatSequenceSet } from './sequence-set.js';
import { textBytes } from '../machine.js';

export interface SerializeOptions {
  /** Use non-synchronising literals (the server advertised LITERAL+). */
  literalPlus: boolean;
}

type Piece = string | { literal: Uint8Array };

/** Atom characters our tokenizer reads back as one atom ("[" would open a section, "]" ends atoms). */
const ATOM_SAFE = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~]+$/;
const QUOTED_SAFE = /^[\x20-\x7e]*$/;

/** An astring (RFC 3501 §9): atom, quoted string or literal, whichever the text allows. */
export function astringPiece(text: string, allowAtom = true): Piece {
  if (allowAtom && ATOM_SAFE.test(text) && text.toUpperCase() !== 'NIL') return text;
  if (QUOTED_SAFE.test(text)) return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return { literal: textBytes(text) };
}

/** A list-mailbox (RFC 3501 §9): atoms may also hold the wildcards % and *. */
function listMailboxPiece(text: string): Piece {
  if (/^[!#$%&'*+,\-./0-9:;<=>?@A-Z^_`a-z|}~]+$/.test(text) && text.toUpperCase() !== 'NIL') return text;
  return astringPiece(text, false);
}

export function formatSection(section: Section): string {
  const parts: string[] = [];
  if (section.part.length > 0) parts.push(section.part.join('.'));
  if (section.specifier !== '') parts.push(section.specifier);
  let text = parts.join('.');
  if (section.fields.length > 0) {
    text += ` (${section.fields.map((f) => astringPiece(f) as string).join(' ')})`;
  }
  return text;
}

function fetchAttributeText(attribute: FetchAttribute): string {
  if (attribute.kind !== 'BODY[]') return attribute.kind;
  const partial = attribute.partial ? `<${attribute.partial.start}.${attribute.partial.count}>` : '';
  return `${attribute.peek ? 'BODY.PEEK' : 'BODY'}[${formatSection(attribute.section)}]${partial}`;
}

function searchPieces(key: SearchKey): Piece[] {
  switch (key.key) {
    case 'BCC':
    case 'BODY':
    case 'CC':
    case 'FROM':
    case 'SUBJECT':
    case 'TEXT':
    case 'TO':
    case 'KEYWORD':
    case 'UNKEYWORD':
      return [key.key, ' ', astringPiece(key.value)];
    case 'HEADER':
      return ['HEADER ', astringPiece(key.field), ' ', astringPiece(key.value)];
    case 'BEFORE':
    case 'ON':
    case 'SINCE':
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE':
      return [`${key.key} ${formatImapDate(key.date)}`];
    case 'LARGER':
    case 'SMALLER':
      return [`${key.key} ${key.size}`];
    case 'UID':
      return [`UID ${formatSequenceSet(key.set)}`];
    case 'SEQ':
      return [formatSequenceSet(key.set)];
    case 'NOT':
      return ['NOT ', ...searchPieces(key.operand)];
    case 'OR':
      return ['OR ', ...searchPieces(key.left), ' ', ...searchPieces(key.right)];
    case 'AND':
      return ['(', ...joinPieces(key.operands.map(searchPieces)), ')'];
    default:
      return [key.key];
  }
}

function joinPieces(groups: Piece[][]): Piece[] {
  const out: Piece[] = [];
  groups.forEach((group, i) => {
    if (i > 0) out.push(' ');
    out.push(...group);
  });
  return out;
}

function commandPieces(command: ImapCommand): Piece[] {
  const head = `${command.tag} `;
  switch (command.name) {
    case 'LOGIN':
      return [head, 'LOGIN ', astringPiece(command.user), ' ', astringPiece(command.password)];
    case 'AUTHENTICATE':
      return [
        head,
        `AUTHENTICATE ${command.mechanism}`,
        ...(command.initialResponse === null ? [] : [' ', astringPiece(command.initialResponse)]),
      ];
    case 'SELECT':
    case 'EXAMINE':
    case 'CREATE':
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      return [head, `${command.name} `, astringPiece(command.mailbox)];
    case 'RENAME':
      return [head, 'RENAME ', astringPiece(command.from), ' ', astringPiece(command.to)];
    case 'LIST':
    case 'LSUB':
      return [head, `${command.name} `, astringPiece(command.reference), ' ', listMailboxPiece(command.pattern)];
    case 'STATUS':
      return [head, 'STATUS ', astringPiece(command.mailbox), ` (${command.items.join(' ')})`];
    case 'APPEND':
      return [
        head,
        'APPEND ',
        astringPiece(command.mailbox),
        command.flags ? ` (${command.flags.join(' ')})` : '',
        command.date ? ` "${command.date}"` : '',
        ' ',
        { literal: command.message },
      ];
    case 'ENABLE':
      return [head, `ENABLE ${command.capabilities.join(' ')}`];
    case 'SEARCH':
      return [
        head,
        command.uid ? 'UID SEARCH ' : 'SEARCH ',
        ...(command.charset ? ['CHARSET ', astringPiece(command.charset), ' '] : []),
        ...joinPieces(command.criteria.map(searchPieces)),
      ];
    case 'FETCH': {
      const what =
        command.macro ??
        (command.attributes.length === 1
          ? fetchAttributeText(command.attributes[0]!)
          : `(${command.attributes.map(fetchAttributeText).join(' ')})`);
      return [head, `${command.uid ? 'UID ' : ''}FETCH ${formatSequenceSet(command.set)} ${what}`];
    }
    case 'STORE': {
      const sign = command.mode === 'add' ? '+' : command.mode === 'remove' ? '-' : '';
      const item = `${sign}FLAGS${command.silent ? '.SILENT' : ''}`;
      return [head, `${command.uid ? 'UID ' : ''}STORE ${formatSequenceSet(command.set)} ${item} (${command.flags.join(' ')})`];
    }
    case 'COPY':
    case 'MOVE':
      return [head, `${command.uid ? 'UID ' : ''}${command.name} ${formatSequenceSet(command.set)} `, astringPiece(command.mailbox)];
    case 'UID EXPUNGE':
      return [head, `UID EXPUNGE ${formatSequenceSet(command.set)}`];
    default:
      return [head, command.name];
  }
}

/**
 * The command as wire chunks: with synchronising literals, chunk i+1 may be sent only after the
 * server's "+" (RFC 3501 §7.5); the last chunk ends with CRLF.
 */
export function serializeCommand(command: ImapCommand, options: SerializeOptions = { literalPlus: false }): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  for (const piece of commandPieces(command)) {
    if (typeof piece === 'string') {
      current.push(textBytes(piece));
      continue;
    }
    current.push(textBytes(`{${piece.literal.length}${options.literalPlus ? '+' : ''}}\r\n`));
    if (!options.literalPlus) {
      chunks.push(concatBytes(current));
      current = [];
    }
    current.push(piece.literal);
  }
  current.push(textBytes('\r\n'));
  chunks.push(concatBytes(current));
  return chunks;
}

/** The fetch attributes a macro stands for (RFC 3501 §6.4.5). */
export function expandFetchMacro(macro: keyof typeof FETCH_MACROS): FetchAttribute[] {
  return FETCH_MACROS[macro].map((kind) => ({ kind }));
}
