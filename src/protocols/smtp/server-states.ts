/**
 * The SMTP server's states and its one command table (docs/architecture.md, the table rule). RFC 5321
 * §4.1.4 (command order), §4.3.2 (which reply each command may get), §3.1 (after a 554 greeting only
 * QUIT), RFC 3030 §3 (BDAT/DATA mixing), RFC 3207 §4.2 and RFC 4954 §4 (no STARTTLS or AUTH inside a
 * transaction).
 *
 *   greeting-pending ──220──▶ awaiting-helo ──EHLO/HELO──▶ ready ──MAIL──▶ mail-given ──RCPT──▶ has-recipients
 *        │ 554                    ▲   ▲                     │  ▲                                 │  DATA  │ BDAT
 *        ▼                        │   └── tlsEstablished ◀──┤  └──── "." / LAST / RSET ◀── reading-data / chunking
 *   greeting-refused (QUIT only)  │       tls-handshake ◀── STARTTLS        auth-exchange ◀── AUTH (334 …)
 *   any ──QUIT / EOF / timeout / drop / too many errors──▶ closed
 *
 * The state is a discriminated union carrying its data (commands/context.ts); `SmtpServerState` names
 * its kinds (what `SmtpServer.state` reports). COMMANDS gives, for each command-reading state and
 * verb, either the 503 5.5.1 the verb gets there (RFC 5321 §4.1.4; counted as the client's mistake)
 * or the handler to run (commands/, one file per verb or family) and the states it may move the
 * session to, directly or once the owner has decided; the dispatcher (server-session.ts) checks that
 * after every handler and every decision. Handlers then check syntax (501), negotiation (502, and the
 * 503 for a verb EHLO did not negotiate) and policy. BDAT runs in most states because even a refused
 * BDAT must read its chunk (RFC 3030 §2); DATA after MAIL without an accepted recipient runs a handler
 * that tells "none given" (503) from "all refused" (554, RFC 5321 §3.3).
 *
 * The other states read no commands and leave by their own continuation: reading-data and
 * reading-chunk at the end of the data (commands/data.ts, bdat.ts), auth-exchange at the end of the
 * SASL exchange (commands/auth.ts), tls-handshake when the owner reports the handshake done.
 */
import { auth } from './commands/auth.js';
import { bdat, bdatMore, bdatRefused } from './commands/bdat.js';
import type { CommandState, SmtpContext, SmtpState } from './commands/context.js';
import { data, dataWithoutRecipients } from './commands/data.js';
import { mail, rcpt } from './commands/envelope.js';
import { ehlo, helo } from './commands/hello.js';
import { expn, help, noop, quit, rset, vrfy } from './commands/session.js';
import { startTls } from './commands/starttls.js';
import { SMTP_VERBS } from './command-verb.js';
import { smtpReply } from './reply.js';
import type { SmtpReply } from './types.js';

/** The kinds of the session's state: what `SmtpServer.state` reports. */
export type SmtpServerState = SmtpState['kind'];

export const SmtpServerState = {
  GreetingPending: 'greeting-pending',
  GreetingRefused: 'greeting-refused',
  AwaitingHelo: 'awaiting-helo',
  Ready: 'ready',
  MailGiven: 'mail-given',
  HasRecipients: 'has-recipients',
  ReadingData: 'reading-data',
  /** Between BDAT chunks of one transaction. */
  Chunking: 'chunking',
  /** Inside a BDAT chunk's octets. */
  ReadingChunk: 'reading-chunk',
  AuthExchange: 'auth-exchange',
  TlsHandshake: 'tls-handshake',
  Closed: 'closed',
} as const satisfies Record<string, SmtpServerState>;

/** Every kind of the union has a name above: otherwise this is the kind left out, and `true` does not fit. */
type Unnamed = Exclude<SmtpServerState, (typeof SmtpServerState)[keyof typeof SmtpServerState]>;
const everyKindNamed: [Unnamed] extends [never] ? true : Unnamed = true;
void everyKindNamed;

export { SMTP_VERBS };
export type SmtpVerb = (typeof SMTP_VERBS)[number];

export function isSmtpVerb(verb: string): verb is SmtpVerb {
  return (SMTP_VERBS as readonly string[]).includes(verb);
}

type StateOf<K extends CommandState['kind']> = Extract<CommandState, { kind: K }>;
/** A command's handler (commands/): it answers, or refuses with `context.refuse`. */
export type Handler<S extends CommandState> = (context: SmtpContext, state: S, argument: string) => void;
/** Refuse the verb with this reply; the state does not change. */
export type Refuse = { readonly refuse: SmtpReply };
/** Run the handler; afterwards the session is where it was, in one of `to`, or closed. */
export type Run<S extends CommandState> = { readonly run: Handler<S>; readonly to: readonly SmtpServerState[] };
export type Rule<S extends CommandState> = Refuse | Run<S>;
type CommandTable = { readonly [K in CommandState['kind']]: Readonly<Record<SmtpVerb, Rule<StateOf<K>>>> };

const run = <S extends CommandState>(handler: Handler<S>, ...to: SmtpServerState[]): Run<S> => ({ run: handler, to });
const badSequence = (text: string): Refuse => ({ refuse: smtpReply(503, '5.5.1', text) });

const heloFirst = badSequence('Send EHLO/HELO first');
const needMail = badSequence('Need MAIL command');
const nestedMail = badSequence('Nested MAIL command');
/** RFC 3207 §4, RFC 4954 §4: no STARTTLS or AUTH inside a mail transaction. */
const inTransaction = badSequence('Not allowed during a mail transaction');
const onlyQuit = badSequence('Only QUIT is accepted now (RFC 5321 section 3.1)');
const unrecognized = smtpReply(500, '5.5.2', 'Command unrecognized');

/** The reply to a verb the server does not know (RFC 5321 §4.2.4): 500, but after a 554 greeting the 503 of all but QUIT. */
export const UNKNOWN_VERB: Readonly<Record<CommandState['kind'], SmtpReply>> = {
  'greeting-refused': onlyQuit.refuse,
  'awaiting-helo': unrecognized,
  ready: unrecognized,
  'mail-given': unrecognized,
  'has-recipients': unrecognized,
  chunking: unrecognized,
};

/** RFC 5321 §4.1.4: RSET, NOOP, QUIT, VRFY, EXPN and HELP may come at any time. */
const anytime = { NOOP: run(noop), QUIT: run(quit, 'closed'), VRFY: run(vrfy), EXPN: run(expn), HELP: run(help) };
/** EHLO/HELO and RSET inside a transaction end it. */
const inTransactionAnytime = { ...anytime, EHLO: run(ehlo, 'ready'), HELO: run(helo, 'ready'), RSET: run(rset, 'ready') };

/** COMMANDS[state][verb]: refuse it with this 503, or run its handler and let it move the session to `to`. */
export const COMMANDS: CommandTable = {
  'greeting-refused': {
    EHLO: onlyQuit, HELO: onlyQuit, MAIL: onlyQuit, RCPT: onlyQuit, DATA: onlyQuit, BDAT: onlyQuit, RSET: onlyQuit,
    NOOP: onlyQuit, QUIT: run(quit, 'closed'), VRFY: onlyQuit, EXPN: onlyQuit, HELP: onlyQuit, STARTTLS: onlyQuit, AUTH: onlyQuit,
  },
  'awaiting-helo': {
    ...anytime, EHLO: run(ehlo, 'ready'), HELO: run(helo, 'ready'), RSET: run(rset),
    MAIL: heloFirst, RCPT: heloFirst, DATA: heloFirst, BDAT: run(bdatRefused, 'reading-chunk'), STARTTLS: heloFirst, AUTH: heloFirst,
  },
  ready: {
    ...anytime, EHLO: run(ehlo), HELO: run(helo), RSET: run(rset),
    MAIL: run(mail, 'mail-given'), RCPT: needMail, DATA: needMail, BDAT: run(bdatRefused, 'reading-chunk'),
    STARTTLS: run(startTls, 'tls-handshake'), AUTH: run(auth, 'auth-exchange'),
  },
  'mail-given': {
    ...inTransactionAnytime,
    MAIL: nestedMail, RCPT: run(rcpt, 'has-recipients'), DATA: run(dataWithoutRecipients), BDAT: run(bdatRefused, 'reading-chunk'),
    STARTTLS: inTransaction, AUTH: inTransaction,
  },
  'has-recipients': {
    ...inTransactionAnytime,
    MAIL: nestedMail, RCPT: run(rcpt), DATA: run(data, 'reading-data'), BDAT: run(bdat, 'reading-chunk'), STARTTLS: inTransaction, AUTH: inTransaction,
  },
  // RFC 3030 §3: DATA after BDAT in one transaction is 503; so are MAIL and RCPT.
  chunking: {
    ...inTransactionAnytime,
    MAIL: nestedMail, RCPT: badSequence('RCPT not allowed after BDAT'), DATA: badSequence('DATA not allowed in a BDAT transaction (RFC 3030 section 3)'),
    BDAT: run(bdatMore, 'reading-chunk'), STARTTLS: inTransaction, AUTH: inTransaction,
  },
};
