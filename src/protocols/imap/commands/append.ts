/**
 * APPEND (RFC 3501 §6.3.11, RFC 9051 §6.3.12), authenticated or selected state: the message with its
 * flags and INTERNALDATE (given, or the virtual time now); NO [TRYCREATE] for a missing mailbox, and
 * APPENDUID in the OK (RFC 4315 §3).
 */
import { parseImapDateTime } from '../../../sim/calendar.js';
import { normalizeFlags } from '../flags.js';
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { bad, no } from './context.js';
import { folderOrFail, mailboxFromWire } from './mailbox.js';

export function append(context: CommandContext, state: Authenticated | Selected, command: CommandOf<'APPEND'>, nowMs: number): string {
  const folder = folderOrFail(state.store, mailboxFromWire(command.mailbox), 'TRYCREATE');
  let internalDateMs = context.epochMs + nowMs;
  if (command.date !== null) {
    const parsed = parseImapDateTime(command.date);
    if (parsed === null) return bad('Invalid date-time');
    internalDateMs = parsed;
  }
  if (command.message.length === 0) return no('Empty message');
  const uid = folder.append(command.message, { flags: normalizeFlags(command.flags ?? []), internalDateMs });
  return `[APPENDUID ${folder.uidValidity} ${uid}] APPEND completed`;
}
