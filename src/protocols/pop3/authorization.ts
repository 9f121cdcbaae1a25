/**
 * The POP3 commands of the AUTHORIZATION state (RFC 1939 §4, §7; RFC 2449 §8.1.2 response codes;
 * RFC 2595 §4 STLS): USER and PASS, APOP, STLS and QUIT. A successful login locks the maildrop and
 * numbers it (P4); QUIT here ends the session without UPDATE (P1). With plaintext logins off and TLS
 * not on, USER is refused with -ERR [AUTH] as Dovecot refuses it (`disable_plaintext_auth`), counted
 * as a bad command; APOP sends no password and stays allowed.
 */
import { createHash } from 'node:crypto';
import type { FolderChange } from '../../store/mailstore.js';
import { type Authorization, bad, type Pop3Context, Pop3Failure, no, plaintextAuthRefused } from './context.js';
import { totals } from './transaction.js';

export function user(context: Pop3Context, _state: Authorization, argument: string): void {
  // RFC 3206 §4 [AUTH]: the reply Dovecot gives a plaintext login on a connection that is not secure.
  if (plaintextAuthRefused(context)) bad('-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.');
  if (argument === '' || argument.includes(' ')) bad('-ERR USER needs one mailbox name');
  context.enter({ kind: 'authorization', pendingUser: argument });
  context.reply('+OK send PASS');
}

export function pass(context: Pop3Context, state: Authorization, argument: string): void {
  const name = state.pendingUser;
  context.enter({ kind: 'authorization', pendingUser: null });
  if (name === null) bad('-ERR USER first');
  // RFC 1939 §7: the password may contain spaces; it is the rest of the line.
  if (!context.options.checkPassword(name, argument)) wrongCredentials(context, name);
  enterTransaction(context, name, 'USER');
}

export function apop(context: Pop3Context, _state: Authorization, argument: string): void {
  const match = /^(\S+) ([0-9a-fA-F]{32})$/.exec(argument);
  const { banner } = context;
  const apopSecret = context.options.apopSecret;
  if (!banner || !apopSecret) bad('-ERR APOP not available');
  if (!match) bad('-ERR APOP needs a name and an MD5 digest');
  const name = match[1]!;
  const secret = apopSecret(name);
  const expected = secret === null ? null : createHash('md5').update(`${banner}${secret}`, 'latin1').digest('hex');
  if (expected === null || expected !== match[2]!.toLowerCase()) wrongCredentials(context, name);
  enterTransaction(context, name, 'APOP');
}

/** RFC 2449 §8.1.2 / RFC 3206 §4: [AUTH] means the credentials were wrong; counted towards `authFailuresMax`. */
function wrongCredentials(context: Pop3Context, name: string): never {
  context.event({ type: 'authFailed', user: name, reason: 'credentials' });
  throw new Pop3Failure('-ERR [AUTH] invalid user name or password', 'auth-failures');
}

/** Locks and numbers the maildrop (RFC 1939 §4; P4: another session gets -ERR [IN-USE], RFC 2449 §8.1.2). */
function enterTransaction(context: Pop3Context, name: string, mechanism: 'USER' | 'APOP'): void {
  const { options } = context;
  const store = options.openMaildrop(name);
  const inbox = store?.folder('INBOX') ?? null;
  if (!store || !inbox) {
    context.event({ type: 'authFailed', user: name, reason: 'no-maildrop' });
    no('-ERR [SYS/PERM] no maildrop for this user');
  }
  const releaseLock = store.tryLock(options.sessionId);
  if (!releaseLock) {
    context.event({ type: 'authFailed', user: name, reason: 'in-use' });
    no('-ERR [IN-USE] maildrop already locked by another session');
  }
  const entries = inbox.messages().map((message) => ({ uid: message.uid, size: message.size, deleted: false }));
  const vanished = new Set<number>();
  const stopWatching = inbox.watch((change: FolderChange) => {
    if (change.kind === 'expunged') for (const uid of change.uids) vanished.add(uid);
  });
  const maildrop = { user: name, store, inbox, entries, releaseLock, stopWatching, vanished };
  context.enter({ kind: 'transaction', maildrop });
  context.event({ type: 'authenticated', user: name, mechanism, messages: entries.length });
  const [count, octets] = totals(maildrop);
  context.reply(`+OK ${name} has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
}

export function stls(context: Pop3Context, _state: Authorization, argument: string): void {
  if (argument !== '') bad('-ERR STLS takes no argument');
  if (!context.options.tlsOffered || context.tlsActive) bad('-ERR TLS not available (or already active)');
  context.reply('+OK begin TLS negotiation');
  context.beginTls();
}

/** QUIT in AUTHORIZATION: the session ends without UPDATE, nothing is removed (P1). */
export function signOff(context: Pop3Context, _state: Authorization, argument: string): void {
  if (argument !== '') bad('-ERR QUIT takes no argument');
  context.reply(`+OK ${context.options.hostName} POP3 server signing off`);
  context.close('quit');
}
