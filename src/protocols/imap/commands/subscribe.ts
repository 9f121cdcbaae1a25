/**
 * SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6–6.3.7, RFC 9051 §6.3.7–6.3.8), authenticated or selected
 * state: the store keeps the subscription list that LSUB reads.
 */
import type { Authenticated, CommandContext, CommandOf, Selected } from './context.js';
import { mailboxFromWire } from './mailbox.js';

export function subscribe(_context: CommandContext, state: Authenticated | Selected, command: CommandOf<'SUBSCRIBE' | 'UNSUBSCRIBE'>): string {
  state.store.setSubscribed(mailboxFromWire(command.mailbox), command.name === 'SUBSCRIBE');
  return `${command.name} completed`;
}
