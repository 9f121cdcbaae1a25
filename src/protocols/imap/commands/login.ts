/**
 * LOGIN (RFC 3501 §6.2.3, RFC 9051 §6.2.3), not-authenticated state only, and the login both LOGIN and
 * AUTHENTICATE end in. Refused with NO [PRIVACYREQUIRED] (RFC 5530) while LOGINDISABLED is advertised.
 * Success enters the authenticated state and the tagged OK carries the new CAPABILITY list; a failure is
 * NO [AUTHENTICATIONFAILED], and the last one allowed (`authFailuresMax`) is followed by BYE.
 */
import type { CommandContext, CommandOf, NotAuthenticated } from './context.js';
import { no } from './context.js';

export function login(context: CommandContext, _state: NotAuthenticated, command: CommandOf<'LOGIN'>): null {
  if (context.loginDisabled()) return no('[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS');
  return logIn(context, command.tag, command.user, command.password, 'LOGIN');
}

/** Checks the credentials with the owner; on success enters the authenticated state and completes `name`. */
export function logIn(context: CommandContext, tag: string, user: string, password: string, name: 'LOGIN' | 'AUTHENTICATE'): null {
  const store = context.authenticate(user, password);
  if (!store) {
    const last = context.authenticationFailed(user);
    return no('[AUTHENTICATIONFAILED] Invalid credentials', last ? 'Too many authentication failures' : null);
  }
  context.enter({ kind: 'authenticated', user, store });
  context.authenticated(user);
  context.tagged(tag, 'OK', `[CAPABILITY ${context.capabilities().join(' ')}] ${name} completed`, name);
  return null;
}
