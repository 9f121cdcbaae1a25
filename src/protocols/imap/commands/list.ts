/**
 * LIST and LSUB (RFC 3501 §6.3.8–6.3.9; RFC 9051 §6.3.9 keeps LIST), authenticated or selected state:
 * one untagged line per matching mailbox (LSUB: per subscription), the hierarchy delimiter "/", no
 * attributes. An empty LIST pattern asks for the delimiter only. LSUB with "%" also answers for the
 * unsubscribed parent of a subscribed mailbox the pattern stops short of, flagged \Noselect (RFC 3501
 * §6.3.9: "foo/bar" subscribed, `LSUB "" %` returns "foo").
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
  const answers = kind === 'LIST' ? names.filter(matcher).map((name) => ({ name, noSelect: false })) : lsubAnswers(names, matcher);
  for (const { name, noSelect } of answers) {
    const out = new ResponseWriter().raw(`* ${kind} (${noSelect ? '\\Noselect' : ''}) "/" `).string(encodeMailboxName(name)).raw('\r\n');
    context.sendBytes(out.bytes());
  }
  return `${kind} completed`;
}

/**
 * LSUB's mailboxes: each matching subscription, and for one the pattern does not reach (a "%" stops
 * at "/"), the nearest parent it matches unless that is subscribed itself — \Noselect (RFC 3501 §6.3.9).
 */
function lsubAnswers(subscriptions: readonly string[], matches: (name: string) => boolean): Array<{ name: string; noSelect: boolean }> {
  const subscribed = new Set(subscriptions);
  const answered = new Set<string>();
  const answers: Array<{ name: string; noSelect: boolean }> = [];
  for (const name of subscriptions) {
    const levels = name.split('/');
    const parents = levels.slice(1).map((_, i) => levels.slice(0, levels.length - 1 - i).join('/')); // nearest first
    const answer = matches(name) ? name : parents.find((parent) => matches(parent));
    if (answer === undefined || answered.has(answer) || (answer !== name && subscribed.has(answer))) continue;
    answered.add(answer);
    answers.push({ name: answer, noSelect: answer !== name });
  }
  return answers;
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
