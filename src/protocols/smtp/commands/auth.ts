/**
 * AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. AUTH runs in `ready` only (not
 * inside a transaction, RFC 4954 §4), after EHLO, once per session. It enters `auth-exchange`, where
 * each input line is a base64 response to a 334 challenge (sasl.ts decodes them) rather than a
 * command; "*" cancels (501). An initial response on the AUTH line ("=" for an empty one) is taken at
 * once. When the credentials are complete the session is `ready` again and the owner's `onAuth`
 * decides: 235 and the user is kept in `ready` until STARTTLS starts over, or the owner's refusal
 * (535 without a hook).
 */
import { preformattedReply, smtpReply } from '../reply.js';
import { decodeBase64Strict, LOGIN_PASSWORD_PROMPT, LOGIN_USERNAME_PROMPT, parseLoginField, parsePlainMessage } from '../sasl.js';
import type { SmtpAuthCredentials, SmtpHookResult } from '../server-api.js';
import type { SmtpReply } from '../types.js';
import type { AuthExchange, Ready, SmtpContext } from './context.js';

/** RFC 4954 §6: 235, formatted once. */
const AUTHENTICATED = preformattedReply(smtpReply(235, '2.7.0', 'Authentication successful'));

/** AUTH is offered now: some mechanism is enabled, and TLS is on if the owner asks for it (RFC 4954 §6). */
export function authOffered(context: SmtpContext): boolean {
  return context.extensions.auth.length > 0 && (context.tls || !context.options.authRequiresTls);
}

export function auth(context: SmtpContext, state: Ready, argument: string): void {
  const command = authCommand(context, state, argument);
  if (command === null) return;
  const { mechanism, initial } = command;
  const exchange: AuthExchange = { kind: 'auth-exchange', ready: state, mechanism, loginUser: null };
  context.enter(exchange);
  // RFC 4954 §4: "=" is an empty initial response.
  if (initial !== undefined) {
    saslResponse(context, exchange, initial === '=' ? '' : initial, true);
    return;
  }
  challenge(context, mechanism === 'PLAIN' ? '' : LOGIN_USERNAME_PROMPT);
}

/** The mechanism AUTH asks for and its initial response, or null when it was refused. */
function authCommand(context: SmtpContext, state: Ready, argument: string): { mechanism: 'PLAIN' | 'LOGIN'; initial: string | undefined } | null {
  const refused = (reply: SmtpReply) => {
    context.refuse(reply);
    return null;
  };
  if (context.extensions.auth.length === 0) return refused(smtpReply(502, '5.5.1', 'AUTH not supported'));
  if (!state.extended) return refused(smtpReply(503, '5.5.1', 'Send EHLO first'));
  if (state.user !== null) return refused(smtpReply(503, '5.5.1', 'Already authenticated'));
  // RFC 4954 §6: 538 when the mechanism needs an encrypted channel.
  if (!authOffered(context)) return refused(smtpReply(538, '5.7.11', 'Encryption required for requested authentication mechanism'));
  const match = /^([A-Za-z0-9_-]+)(?: ([^ ]+))?$/.exec(argument);
  if (!match) return refused(smtpReply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]'));
  const mechanism = match[1]!.toUpperCase();
  if ((mechanism !== 'PLAIN' && mechanism !== 'LOGIN') || !context.extensions.auth.includes(mechanism)) {
    return refused(smtpReply(504, '5.5.4', 'Unrecognized authentication type'));
  }
  return { mechanism, initial: match[2] };
}

function challenge(context: SmtpContext, base64: string): void {
  // A 334 carries the challenge only, never an enhanced code.
  context.send(smtpReply(334, null, base64), false);
}

/** A line in `auth-exchange` (or AUTH's initial response): the next step of the exchange. */
export function saslResponse(context: SmtpContext, state: AuthExchange, line: string, initial = false): void {
  if (!initial && context.options.transcript) context.event({ type: 'command', line: '<SASL response>' });
  // RFC 4954 §4: "*" cancels; a response that is not base64 is refused. Either way the exchange ends.
  if (line === '*' && !initial) {
    endRefused(context, state, smtpReply(501, '5.7.0', 'Authentication cancelled'));
    return;
  }
  const bytes = decodeBase64Strict(line);
  if (bytes === null) endRefused(context, state, smtpReply(501, '5.5.2', 'Cannot decode base64 response'));
  else if (state.mechanism === 'PLAIN') plainResponse(context, state, bytes, initial);
  else loginResponse(context, state, bytes);
}

function plainResponse(context: SmtpContext, state: AuthExchange, bytes: Uint8Array, initial: boolean): void {
  // An empty initial response ("=") means "send it after an empty challenge".
  if (initial && bytes.length === 0) {
    challenge(context, '');
    return;
  }
  const plain = parsePlainMessage(bytes);
  if (plain === null) endRefused(context, state, invalidCredentials());
  else checkCredentials(context, state.ready, { mechanism: 'PLAIN', ...plain });
}

/** LOGIN: the user name, then the password, each answering its prompt. */
function loginResponse(context: SmtpContext, state: AuthExchange, bytes: Uint8Array): void {
  const field = parseLoginField(bytes);
  if (field === null || field === '') {
    endRefused(context, state, invalidCredentials());
  } else if (state.loginUser === null) {
    context.enter({ kind: 'auth-exchange', ready: state.ready, mechanism: 'LOGIN', loginUser: field });
    challenge(context, LOGIN_PASSWORD_PROMPT);
  } else {
    checkCredentials(context, state.ready, { mechanism: 'LOGIN', authzid: '', user: state.loginUser, password: field });
  }
}

/** An auth-exchange line too long for `authLineBytesMax` (RFC 4954 §6). */
export function saslLineTooLong(context: SmtpContext, state: AuthExchange): void {
  endRefused(context, state, smtpReply(500, '5.5.6', 'Authentication Exchange line is too long'));
}

function endRefused(context: SmtpContext, state: AuthExchange, reply: SmtpReply): void {
  context.enter(state.ready);
  context.refuse(reply);
}

const invalidCredentials = () => smtpReply(535, '5.7.8', 'Authentication credentials invalid');

function checkCredentials(context: SmtpContext, ready: Ready, credentials: SmtpAuthCredentials): void {
  context.enter(ready);
  const hook = context.hooks.onAuth;
  // Without a credentials check nobody can authenticate.
  const result: SmtpHookResult = hook ? hook(context.view(), credentials) : { kind: 'reject', reply: invalidCredentials() };
  context.ask('auth', result, (reply) => {
    context.enter({ kind: 'ready', heloName: ready.heloName, extended: ready.extended, user: credentials.user });
    context.event({ type: 'authenticated', user: credentials.user, mechanism: credentials.mechanism });
    context.send(reply ?? AUTHENTICATED);
  });
}
