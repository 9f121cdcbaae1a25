/**
 * STARTTLS (RFC 3501 §6.2.1, RFC 9051 §6.2.1), not-authenticated state only: the tagged OK, then the
 * owner runs the handshake; input until then is discarded (pipelined plaintext must not run after it,
 * the command-injection flaw of CVE-2011-0411). BAD when it is not offered or TLS is already on.
 */
import { bad, type CommandContext, type CommandOf } from './context.js';

export function startTls(context: CommandContext, _state: unknown, command: CommandOf<'STARTTLS'>): null {
  if (!context.startTlsPossible()) return bad('STARTTLS not available');
  context.tagged(command.tag, 'OK', 'Begin TLS negotiation now', 'STARTTLS');
  context.beginTls();
  return null;
}
