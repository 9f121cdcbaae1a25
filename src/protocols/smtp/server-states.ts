/**
 * The SMTP server's states and its one transition table (docs/architecture.md: one explicit state enum per
 * machine, one table). RFC 5321 §4.1.4 (command order), §4.3.2 (which reply each command may get),
 * §3.1 (after a 554 greeting only QUIT), RFC 3030 §3 (BDAT/DATA mixing), RFC 3207 §4.2 and
 * RFC 4954 §4 (no STARTTLS or AUTH inside a transaction).
 *
 *   greeting-pending ──220──▶ awaiting-helo ──EHLO/HELO──▶ ready ──MAIL──▶ mail-given ──RCPT──▶ has-recipients
 *        │ 554                    ▲   ▲                     │  ▲                                 │  DATA  │ BDAT
 *        ▼                        │   └── tlsEstablished ◀──┤  └──── "." / LAST / RSET ◀── reading-data / chunking
 *   greeting-refused (QUIT only)  │       tls-handshake ◀── STARTTLS        auth-exchange ◀── AUTH (334 …)
 *   any ──QUIT / EOF / timeout / drop / too many errors──▶ closed
 *
 * The table answers, for a command-reading state and a verb, whether the verb's handler runs or
 * which 503 5.5.1 the client gets. Handlers then check syntax (501), negotiation (502/503) and policy.
 */
import { smtpReply } from './reply.js';
import type { SmtpReply } from './types.js';

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
} as const;
export type SmtpServerState = (typeof SmtpServerState)[keyof typeof SmtpServerState];

export const SMTP_VERBS = ['EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS', 'AUTH'] as const;
export type SmtpVerb = (typeof SMTP_VERBS)[number];

export function isSmtpVerb(verb: string): verb is SmtpVerb {
  return (SMTP_VERBS as readonly string[]).includes(verb);
}

/** The states in which the machine reads command lines. */
export type CommandState = 'greeting-refused' | 'awaiting-helo' | 'ready' | 'mail-given' | 'has-recipients' | 'chunking';

export function isCommandState(state: SmtpServerState): state is CommandState {
  return state in SEQUENCE;
}

type Rule = 'run' | SmtpReply;

const run: Rule = 'run';
const badSequence = (text: string): Rule => smtpReply(503, '5.5.1', text);
/** RFC 5321 §4.1.4: RSET, NOOP, QUIT, VRFY, EXPN and HELP may come at any time. */
const anytime = { RSET: run, NOOP: run, QUIT: run, VRFY: run, EXPN: run, HELP: run } as const;

const heloFirst = badSequence('Send EHLO/HELO first');
const needMail = badSequence('Need MAIL command');
const nestedMail = badSequence('Nested MAIL command');
const inTransaction = badSequence('Not allowed during a mail transaction');
const onlyQuit = badSequence('Only QUIT is accepted now (RFC 5321 section 3.1)');

/** SEQUENCE[state][verb]: run the handler, or refuse with this reply. */
export const SEQUENCE: Record<CommandState, Record<SmtpVerb, Rule>> = {
  'greeting-refused': {
    EHLO: onlyQuit, HELO: onlyQuit, MAIL: onlyQuit, RCPT: onlyQuit, DATA: onlyQuit, BDAT: onlyQuit, RSET: onlyQuit,
    NOOP: onlyQuit, QUIT: run, VRFY: onlyQuit, EXPN: onlyQuit, HELP: onlyQuit, STARTTLS: onlyQuit, AUTH: onlyQuit,
  },
  'awaiting-helo': {
    ...anytime, EHLO: run, HELO: run, MAIL: heloFirst, RCPT: heloFirst, DATA: heloFirst, BDAT: run, STARTTLS: heloFirst, AUTH: heloFirst,
  },
  ready: {
    ...anytime, EHLO: run, HELO: run, MAIL: run, RCPT: needMail, DATA: needMail, BDAT: run, STARTTLS: run, AUTH: run,
  },
  // DATA / BDAT run here so the handler can tell "no RCPT yet" (503) from "all RCPT refused" (554).
  'mail-given': {
    ...anytime, EHLO: run, HELO: run, MAIL: nestedMail, RCPT: run, DATA: run, BDAT: run, STARTTLS: inTransaction, AUTH: inTransaction,
  },
  'has-recipients': {
    ...anytime, EHLO: run, HELO: run, MAIL: nestedMail, RCPT: run, DATA: run, BDAT: run, STARTTLS: inTransaction, AUTH: inTransaction,
  },
  // RFC 3030 §3: DATA after BDAT in one transaction is 503; so are MAIL and RCPT.
  chunking: {
    ...anytime, EHLO: run, HELO: run, MAIL: nestedMail, RCPT: badSequence('RCPT not allowed after BDAT'),
    DATA: badSequence('DATA not allowed in a BDAT transaction (RFC 3030 section 3)'), BDAT: run, STARTTLS: inTransaction, AUTH: inTransaction,
  },
};
