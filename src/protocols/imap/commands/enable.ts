/**
 * ENABLE (RFC 5161 §3.1; RFC 9051 §6.3.1), authenticated state only: ENABLED lists what was enabled,
 * and no extension here needs enabling, so it lists nothing.
 */
import type { CommandContext } from './context.js';

export function enable(context: CommandContext): string {
  context.send('* ENABLED');
  return 'ENABLE completed';
}
