/**
 * CAPA (RFC 2449 §5), valid in AUTHORIZATION and TRANSACTION: the capabilities exactly as implemented
 * (RFC 2449 §6); STLS only while TLS is offered, not yet on, and nobody has logged in (RFC 2595 §4);
 * USER only where USER/PASS may be used (RFC 2449 §6.3: not before TLS when plaintext logins are off).
 */
import { type Authorization, bad, type Pop3Context, plaintextAuthRefused, type Transaction } from './context.js';
import { dotStuff } from './lines.js';

export function capa(context: Pop3Context, state: Authorization | Transaction, argument: string): void {
  if (argument !== '') bad('-ERR CAPA takes no argument');
  const lines = ['TOP', 'UIDL', ...(plaintextAuthRefused(context) ? [] : ['USER']), 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  if (context.options.tlsOffered && !context.tlsActive && state.kind === 'authorization') lines.push('STLS');
  lines.push(`IMPLEMENTATION ${context.options.implementation ?? 'mailsim'}`);
  context.multiline('+OK capability list follows', dotStuff(lines.map((l) => `${l}\r\n`).join('')));
}
