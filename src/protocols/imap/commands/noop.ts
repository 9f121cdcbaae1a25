/**
 * NOOP (RFC 3501 §6.1.2, any state) and CHECK (RFC 3501 §6.4.1, selected; gone from RFC 9051): nothing
 * to do here, so both only complete — the dispatcher writes the pending mailbox updates before the OK,
 * which is what a client polls with NOOP for.
 */
import type { CommandContext, CommandOf } from './context.js';

export function noop(_context: CommandContext, _state: unknown, command: CommandOf<'NOOP' | 'CHECK'>): string {
  return `${command.name} completed`;
}
