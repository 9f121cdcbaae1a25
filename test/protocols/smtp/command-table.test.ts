/**
 * The SMTP server's command table (src/protocols/smtp/server-states.ts COMMANDS; RFC 5321 §4.1.4,
 * §3.1; RFC 3030 §3; RFC 3207 §4; RFC 4954 §4): every verb in every command-reading state. A verb not
 * valid in the state gets exactly its 503 5.5.1, the state does not change, and the refusal counts
 * towards `badCommandsMax`; a valid one runs its handler and is never refused for its state. The
 * validity lists and the refusal texts below are written from the RFCs, not read off the table. Then
 * the dispatcher's check of where a handler moved the session: a cell that does not list the state a
 * handler reached is a bug, found at once or when the owner's PENDING decision is applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandState } from '../../../src/protocols/smtp/commands/context.js';
import { mail } from '../../../src/protocols/smtp/commands/envelope.js';
import { PENDING, type SmtpServerOptions, SmtpServerState } from '../../../src/protocols/smtp/server.js';
import { COMMANDS, type Handler, type Rule, SMTP_VERBS, type SmtpVerb } from '../../../src/protocols/smtp/server-states.js';
import { b64, EHLO, MAIL, options, RCPT, replay, replayBoth, type Step } from './server-harness.js';

type State = CommandState['kind'];

const EXAMPLES: Record<SmtpVerb, string> = {
  EHLO: 'EHLO other.example\r\n',
  HELO: 'HELO other.example\r\n',
  MAIL: 'MAIL FROM:<carol@example.net>\r\n',
  RCPT: 'RCPT TO:<dave@example.org>\r\n',
  DATA: 'DATA\r\n',
  // Two of five octets: a BDAT that runs is left reading its chunk (even one it will refuse, RFC 3030 §2).
  BDAT: 'BDAT 5 LAST\r\nhi',
  RSET: 'RSET\r\n',
  NOOP: 'NOOP\r\n',
  QUIT: 'QUIT\r\n',
  VRFY: 'VRFY bob\r\n',
  EXPN: 'EXPN staff\r\n',
  HELP: 'HELP\r\n',
  STARTTLS: 'STARTTLS\r\n',
  AUTH: `AUTH PLAIN ${b64('\0alice\0secret')}\r\n`,
};

/** RFC 5321 §4.1.4: these may come at any time once the client may speak. */
const ANYTIME: SmtpVerb[] = ['RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP'];
const VALID: Record<State, SmtpVerb[]> = {
  // RFC 5321 §3.1: after a 554 greeting, only QUIT.
  'greeting-refused': ['QUIT'],
  'awaiting-helo': [...ANYTIME, 'EHLO', 'HELO', 'BDAT'],
  ready: [...ANYTIME, 'EHLO', 'HELO', 'MAIL', 'BDAT', 'STARTTLS', 'AUTH'],
  // DATA runs so that it can tell "no RCPT yet" (503) from "every RCPT refused" (554, RFC 5321 §3.3).
  'mail-given': [...ANYTIME, 'EHLO', 'HELO', 'RCPT', 'DATA', 'BDAT'],
  'has-recipients': [...ANYTIME, 'EHLO', 'HELO', 'RCPT', 'DATA', 'BDAT'],
  // RFC 3030 §3: no RCPT or DATA once BDAT has started the message.
  chunking: [...ANYTIME, 'EHLO', 'HELO', 'BDAT'],
};

/** The 503 a verb gets in a state where it is not valid. */
function refusal(state: State, verb: SmtpVerb): string {
  if (state === 'greeting-refused') return 'Only QUIT is accepted now (RFC 5321 section 3.1)';
  if (state === 'awaiting-helo') return 'Send EHLO/HELO first';
  if (state === 'ready') return 'Need MAIL command';
  if (verb === 'MAIL') return 'Nested MAIL command';
  if (verb === 'STARTTLS' || verb === 'AUTH') return 'Not allowed during a mail transaction';
  if (verb === 'RCPT') return 'RCPT not allowed after BDAT';
  return 'DATA not allowed in a BDAT transaction (RFC 3030 section 3)';
}

const SETUP: Record<State, { steps: Step[]; options?: Partial<SmtpServerOptions> }> = {
  'greeting-refused': { steps: [], options: { hooks: { onConnect: () => ({ kind: 'reject', reply: { code: 554, enhanced: null, lines: ['go away'] } }) } } },
  'awaiting-helo': { steps: [] },
  ready: { steps: [EHLO] },
  'mail-given': { steps: [EHLO, MAIL] },
  'has-recipients': { steps: [EHLO, MAIL, RCPT] },
  chunking: { steps: [EHLO, MAIL, RCPT, 'BDAT 3\r\nabc'] },
};

const authHooks: SmtpServerOptions['hooks'] = {
  onAuth: (_s, c) => (c.user === 'alice' && c.password === 'secret' ? { kind: 'accept' } : { kind: 'reject', reply: { code: 535, enhanced: '5.7.8', lines: ['no'] } }),
};

function session(state: State, limits: SmtpServerOptions['limits'] = {}) {
  const setup = SETUP[state];
  return (verb: SmtpVerb) => {
    const opts = options({ hooks: authHooks, ...setup.options, limits });
    const before = replayBoth(opts, setup.steps);
    expect(before.server.state).toBe(state);
    const after = replayBoth(opts, [...setup.steps, EXAMPLES[verb]]);
    return { server: after.server, output: after.output.slice(before.output.length), events: after.events.slice(before.events.length) };
  };
}

const STATES = Object.keys(SETUP) as State[];
const TABLE_REFUSAL =
  /^503 (?:5\.5\.1 )?(?:Only QUIT is accepted now|Send EHLO\/HELO first|Need MAIL command|Nested MAIL command|Not allowed during a mail transaction|RCPT not allowed after BDAT|DATA not allowed in a BDAT transaction)/m;

describe('SMTP command table: every verb in every command state (RFC 5321 §4.1.4)', () => {
  for (const state of STATES) {
    // Enhanced codes are printed once EHLO advertised ENHANCEDSTATUSCODES (RFC 2034 §3).
    const enhanced = state !== 'greeting-refused' && state !== 'awaiting-helo' ? '5.5.1 ' : '';
    for (const verb of SMTP_VERBS) {
      const valid = VALID[state].includes(verb);
      const cell = COMMANDS[state][verb] as Rule<CommandState>;
      it(`${state}: ${verb} ${valid ? 'runs' : 'is refused, changes nothing, and is counted'}`, () => {
        const { server, output, events } = session(state)(verb);
        if (valid) {
          expect('run' in cell).toBe(true);
          expect(output).not.toMatch(TABLE_REFUSAL);
          if (verb === 'BDAT') expect(server.state).toBe(SmtpServerState.ReadingChunk);
          return;
        }
        expect(cell).toEqual({ refuse: { code: 503, enhanced: '5.5.1', lines: [refusal(state, verb)] } });
        expect(output).toBe(`503 ${enhanced}${refusal(state, verb)}\r\n`);
        expect(server.state).toBe(state);
        expect(events).toEqual([]);
        // With one bad command allowed, this one ends the session (Postfix's soft error limit).
        const strict = session(state, { badCommandsMax: 1 })(verb);
        expect(strict.output).toBe(`503 ${enhanced}${refusal(state, verb)}\r\n421 ${enhanced ? '4.7.0 ' : ''}mx.example.org Too many errors, closing connection\r\n`);
        expect(strict.server.state).toBe(SmtpServerState.Closed);
      });
    }
  }

  it('names only known states as where a handler may move the session', () => {
    const known = new Set<string>(Object.values(SmtpServerState));
    for (const state of STATES) {
      for (const verb of SMTP_VERBS) {
        const cell = COMMANDS[state][verb] as Rule<CommandState>;
        if ('run' in cell) for (const to of cell.to) expect(known).toContain(to);
      }
    }
  });
});

describe('SMTP dispatcher: a handler may move the session only where its cell says', () => {
  const table = COMMANDS as unknown as { ready: Record<SmtpVerb, Rule<CommandState>> };
  const original = table.ready.MAIL;
  afterEach(() => {
    table.ready.MAIL = original;
  });

  it('the cells as they are: MAIL moves ready → mail-given', () => {
    expect(replayBoth(options(), [EHLO, MAIL]).server.state).toBe(SmtpServerState.MailGiven);
  });

  it('a cell that does not list the state reached is found after the handler', () => {
    table.ready.MAIL = { run: mail as Handler<CommandState>, to: [] };
    expect(() => replay(options(), [EHLO, MAIL], false)).toThrow('SMTP MAIL moved the session ready → mail-given, which its table cell does not allow');
  });

  it('and after a PENDING decision, when the owner resolves it', () => {
    table.ready.MAIL = { run: mail as Handler<CommandState>, to: [] };
    const opts = options({ hooks: { onMail: () => PENDING } });
    const run = replay(opts, [EHLO, MAIL], false);
    expect(run.server.awaitingDecision).toBe('mail');
    expect(() => run.server.resolve({ kind: 'accept' }, 2000)).toThrow('SMTP MAIL moved the session ready → mail-given, which its table cell does not allow');
  });
});
