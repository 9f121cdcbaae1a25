/**
 * AUTHENTICATE (RFC 3501 §6.2.2, RFC 9051 §6.2.2), not-authenticated state only, with the one mechanism
 * offered: PLAIN (RFC 4616), its response either inline (RFC 4959 SASL-IR) or on the line after a "+ "
 * continuation. "*" cancels (BAD). Refused with NO [PRIVACYREQUIRED] while LOGINDISABLED is advertised.
 */
import type { CommandContext, CommandOf, NotAuthenticated } from './context.js';
import { bad, no } from './context.js';
import { logIn } from './login.js';

export function authenticate(context: CommandContext, _state: NotAuthenticated, command: CommandOf<'AUTHENTICATE'>): null {
  if (command.mechanism !== 'PLAIN') return no('Unsupported authentication mechanism');
  if (context.loginDisabled()) return no('[PRIVACYREQUIRED] AUTHENTICATE is disabled before STARTTLS');
  const { tag } = command;
  if (command.initialResponse !== null) return plainResponse(context, tag, command.initialResponse);
  context.send('+ ');
  context.awaitLine(tag, 'AUTHENTICATE', (next, line) => (line === '*' ? bad('AUTHENTICATE cancelled') : plainResponse(next, tag, line)));
  return null;
}

/** RFC 4616: base64 of authzid NUL authcid NUL passwd; authzid empty or equal to authcid. */
function plainResponse(context: CommandContext, tag: string, response: string): null {
  const fields = decodeBase64(response)?.split('\u0000');
  if (fields?.length !== 3) return bad('Invalid SASL PLAIN response');
  const [authzid, authcid, password] = fields as [string, string, string];
  if (authzid !== '' && authzid !== authcid) return no('[AUTHORIZATIONFAILED] Proxy authorization not supported');
  return logIn(context, tag, authcid, password, 'AUTHENTICATE');
}

function decodeBase64(text: string): string | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    return null;
  }
}
