/**
 * LIST and LSUB (RFC 3501 §6.3.8–6.3.9; RFC 9051 §6.3.9 keeps LIST), authenticated or selected state:
 * one untagged line per matching mailbox (LSUB: per subscription), the hierarchy delimiter "/", no
 * attributes. An empty LIST pattern asks for the delimiter only.
 */
import { encodeMailboxName } from '../../../store/modifiedUtf7.js';
import { ResponseWriter } from '../wire.js';
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { mailboxFromWire } from './mailbox.js';

export function list(context: CommandContext, state: Authenticated | Selected, command: CommandOf<'LIST' | 'LSUB'>): string {
  const kind = command.name;
  if (kind === 'LIST' && command.pattern === '') {
    // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter.
    context.send('* LIST (\\Noselect) "/" ""');
    return 'LIST completed';
  }
  const matcher = listPattern(mailboxFromWire(command.reference + command.pattern, false));
  const names = kind === 'LIST' ? state.store.folderNames() : state.store.subscriptions();
  for (const name of names) {
    if (!matcher(name)) continue;
    const out = new ResponseWriter().raw(`* ${kind} () "/" `).string(encodeMailboxName(name)).raw('\r\n');
    context.sendBytes(out.bytes());
  }
  return `${kind} completed`;
}

/** RFC 3501 §6.3.8: "*" matches anything, "%" anything but the delimiter "/". */
export function listPattern(pattern: string): (name: string) => boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '%' ? '[^/]*' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const exact = new RegExp(`^${source}$`);
  const inboxInsensitive = new RegExp(`^${source}$`, 'i');
  return (name) => exact.test(name) || ((name === 'INBOX' || name.startsWith('INBOX/')) && inboxInsensitive.test(name));
}
