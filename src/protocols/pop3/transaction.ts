/**
 * The POP3 commands of the TRANSACTION state (RFC 1939 §5, §6, §7): STAT, LIST, UIDL, RETR, TOP, DELE,
 * RSET, NOOP, and QUIT, which enters UPDATE. Message numbers are the session's (fixed when it entered
 * TRANSACTION); DELE only marks (P2) and RSET unmarks; UPDATE removes the marked messages, the only
 * place anything is removed (P1). UIDL is "<UIDVALIDITY>.<UID>" (P5). Multi-line responses are
 * dot-stuffed (P6).
 */
import { MailboxBusyError } from '../../store/mailstore.js';
import { bytesLatin1 } from '../machine.js';
import { bad, type Maildrop, type MaildropEntry, no, type Pop3Context, type Transaction } from './context.js';
import { dotStuff } from './lines.js';

/** The messages not marked for deletion: [count, octets]. */
export function totals(maildrop: Maildrop): [number, number] {
  let count = 0;
  let octets = 0;
  for (const entry of maildrop.entries) {
    if (entry.deleted) continue;
    count++;
    octets += entry.size;
  }
  return [count, octets];
}

/** The entry a message-number argument names. */
function entryFor(maildrop: Maildrop, argument: string): MaildropEntry {
  if (!/^[1-9][0-9]{0,9}$/.test(argument)) return bad('-ERR invalid message number');
  const number = Number(argument);
  const entry = maildrop.entries[number - 1];
  if (!entry) return no(`-ERR no such message, only ${maildrop.entries.length} in maildrop`);
  // P2: a marked message cannot be used any more.
  if (entry.deleted) return no(`-ERR message ${number} already deleted`);
  return entry;
}

/** The message's bytes as a latin1 string; -ERR if another session expunged it. */
function content(maildrop: Maildrop, entry: MaildropEntry): string {
  if (maildrop.vanished.has(entry.uid)) return no('-ERR [SYS/TEMP] message was removed by another session');
  return bytesLatin1(maildrop.inbox.read(entry.uid));
}

export function stat(context: Pop3Context, state: Transaction, argument: string): void {
  if (argument !== '') bad('-ERR STAT takes no argument');
  const [count, octets] = totals(state.maildrop);
  context.reply(`+OK ${count} ${octets}`);
}

export function list(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  if (argument !== '') {
    const entry = entryFor(maildrop, argument);
    context.reply(`+OK ${argument} ${entry.size}`);
    return;
  }
  const [count, octets] = totals(maildrop);
  const lines = maildrop.entries.map((entry, i) => (entry.deleted ? '' : `${i + 1} ${entry.size}\r\n`)).join('');
  context.multiline(`+OK ${count} messages (${octets} octets)`, dotStuff(lines));
}

export function uidl(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  const id = (entry: MaildropEntry) => `${maildrop.inbox.uidValidity}.${entry.uid}`;
  if (argument !== '') {
    const entry = entryFor(maildrop, argument);
    context.reply(`+OK ${argument} ${id(entry)}`);
    return;
  }
  const lines = maildrop.entries.map((entry, i) => (entry.deleted ? '' : `${i + 1} ${id(entry)}\r\n`)).join('');
  context.multiline('+OK unique-id listing follows', dotStuff(lines));
}

export function retr(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  const entry = entryFor(maildrop, argument);
  const message = content(maildrop, entry);
  context.event({ type: 'retrieved', user: maildrop.user, uid: entry.uid });
  context.multiline(`+OK ${entry.size} octets`, dotStuff(message));
}

/** RFC 1939 §7: the header, the blank line, then the first n lines of the body. */
export function top(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  const match = /^(\S+) ([0-9]{1,9})$/.exec(argument);
  if (!match) bad('-ERR TOP needs a message number and a line count');
  const message = content(maildrop, entryFor(maildrop, match[1]!));
  const separator = message.indexOf('\r\n\r\n');
  const headerEnd = separator < 0 ? message.length : separator + 4;
  const bodyLines = message.slice(headerEnd).split('\r\n');
  const wanted = Number(match[2]);
  const body = bodyLines.slice(0, Math.min(wanted, bodyLines.length - 1)).map((l) => `${l}\r\n`).join('');
  context.multiline('+OK top of message follows', dotStuff(message.slice(0, headerEnd) + body));
}

export function dele(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  const entry = entryFor(maildrop, argument);
  entry.deleted = true;
  context.reply(`+OK message ${argument} deleted`);
}

export function rset(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  if (argument !== '') bad('-ERR RSET takes no argument');
  for (const entry of maildrop.entries) entry.deleted = false;
  const [count, octets] = totals(maildrop);
  context.reply(`+OK maildrop has ${count} messages (${octets} octets)`);
}

export function noop(context: Pop3Context, _state: Transaction, argument: string): void {
  if (argument !== '') bad('-ERR NOOP takes no argument');
  context.reply('+OK');
}

/**
 * QUIT in TRANSACTION: UPDATE removes the marked messages (P1, RFC 1939 §6), then the session ends. A
 * store that is momentarily busy removes none: "-ERR some deleted messages not removed".
 */
export function update(context: Pop3Context, { maildrop }: Transaction, argument: string): void {
  if (argument !== '') bad('-ERR QUIT takes no argument');
  context.enter({ kind: 'update', maildrop });
  const marked = maildrop.entries.filter((entry) => entry.deleted && !maildrop.vanished.has(entry.uid)).map((entry) => entry.uid);
  let ok = true;
  try {
    maildrop.inbox.expunge(marked);
  } catch (error) {
    if (!(error instanceof MailboxBusyError)) throw error;
    ok = false;
  }
  context.event({ type: 'updated', user: maildrop.user, deletedUids: ok ? marked : [], ok });
  const left = maildrop.inbox.messages().length;
  if (!ok) no('-ERR [SYS/TEMP] some deleted messages not removed', 'quit');
  context.reply(`+OK ${context.options.hostName} POP3 server signing off (${left} message${left === 1 ? '' : 's'} left)`);
  context.close('quit');
}
