/**
 * NAMESPACE (RFC 2342; RFC 9051 §6.3.10), authenticated or selected state: one personal namespace with
 * the "/" delimiter, no other users' or shared ones.
 */
import type { CommandContext } from './context.js';

export function namespace(context: CommandContext): string {
  context.send('* NAMESPACE (("" "/")) NIL NIL');
  return 'NAMESPACE completed';
}
