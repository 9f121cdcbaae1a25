/**
 * IDLE (RFC 2177; RFC 9051 §6.3.13), authenticated or selected state: after "+ idling" the updates of the
 * selected mailbox are written as they happen (the session tells the owner through `onAsyncOutput`)
 * until the client's DONE line completes the command; any other line is BAD.
 */
import type { CommandContext, CommandOf } from './context.js';
import { bad } from './context.js';

export function idle(context: CommandContext, _state: unknown, command: CommandOf<'IDLE'>): null {
  context.send('+ idling');
  context.awaitLine(command.tag, 'IDLE', (_context, line) => (line.toUpperCase() === 'DONE' ? 'IDLE terminated' : bad('Expected DONE')));
  context.flushUpdates(true);
  return null;
}
