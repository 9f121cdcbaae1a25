/**
 * CAPABILITY (RFC 3501 §6.1.1, RFC 9051 §6.1.1), valid in every state: the untagged list, which depends
 * on the state and on TLS (../capabilities.ts).
 */
import type { CommandContext } from './context.js';

export function capability(context: CommandContext): string {
  context.send(`* CAPABILITY ${context.capabilities().join(' ')}`);
  return 'CAPABILITY completed';
}
