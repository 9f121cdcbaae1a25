/**
 * The IMAP server's command table (src/protocols/imap/server.ts COMMANDS; docs/delivery.md I1, I2): every
 * command in every state. A command not valid in the state gets exactly its tagged BAD and the state
 * does not change; a valid one is never refused for its state. The validity lists below are written
 * from I2 and the extension RFCs, not read off the table.
 */
import { describe, expect, it } from 'vitest';
import type { ImapCommandName } from '../../../src/protocols/imap/command.js';
import { COMMANDS } from '../../../src/protocols/imap/server.js';
import { CRLF_MESSAGE, type Session, world } from './harness.js';

const EXAMPLES: Record<ImapCommandName, string> = {
  CAPABILITY: 'CAPABILITY',
  NOOP: 'NOOP',
  LOGOUT: 'LOGOUT',
  STARTTLS: 'STARTTLS',
  LOGIN: 'LOGIN bob secret',
  AUTHENTICATE: `AUTHENTICATE PLAIN ${btoa('\0bob\0secret')}`,
  SELECT: 'SELECT INBOX',
  EXAMINE: 'EXAMINE INBOX',
  CREATE: 'CREATE New',
  DELETE: 'DELETE Archive',
  RENAME: 'RENAME Archive Old',
  SUBSCRIBE: 'SUBSCRIBE INBOX',
  UNSUBSCRIBE: 'UNSUBSCRIBE INBOX',
  LIST: 'LIST "" *',
  LSUB: 'LSUB "" *',
  STATUS: 'STATUS INBOX (MESSAGES)',
  APPEND: 'APPEND Archive {1+}\r\nx',
  NAMESPACE: 'NAMESPACE',
  IDLE: 'IDLE',
  ENABLE: 'ENABLE CONDSTORE',
  CHECK: 'CHECK',
  CLOSE: 'CLOSE',
  UNSELECT: 'UNSELECT',
  EXPUNGE: 'EXPUNGE',
  'UID EXPUNGE': 'UID EXPUNGE 1',
  SEARCH: 'SEARCH ALL',
  FETCH: 'FETCH 1 FLAGS',
  STORE: 'STORE 1 +FLAGS (\\Seen)',
  COPY: 'COPY 1 Archive',
  MOVE: 'MOVE 1 Archive',
};

const ANY: ImapCommandName[] = ['CAPABILITY', 'NOOP', 'LOGOUT'];
const MAILBOXES: ImapCommandName[] = ['SELECT', 'EXAMINE', 'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'LIST', 'LSUB', 'STATUS', 'APPEND', 'NAMESPACE', 'IDLE'];
const SELECTED: ImapCommandName[] = ['CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'UID EXPUNGE', 'SEARCH', 'FETCH', 'STORE', 'COPY', 'MOVE'];

type State = 'not-authenticated' | 'authenticated' | 'selected';
const VALID: Record<State, ImapCommandName[]> = {
  'not-authenticated': [...ANY, 'STARTTLS', 'LOGIN', 'AUTHENTICATE'],
  authenticated: [...ANY, ...MAILBOXES, 'ENABLE'],
  selected: [...ANY, ...MAILBOXES, ...SELECTED],
};

/** The BAD a command gets in a state where it is not valid. */
function refusal(state: State, name: ImapCommandName): string {
  if (state === 'not-authenticated') return 'Not authenticated';
  if (['STARTTLS', 'LOGIN', 'AUTHENTICATE'].includes(name)) return 'Already authenticated';
  if (name === 'ENABLE') return 'ENABLE only in the authenticated state';
  return 'No mailbox selected';
}

const SETUP: Record<State, (s: Session) => void> = {
  'not-authenticated': (s) => void s.out(),
  authenticated: (s) => void s.login().out(),
  selected: (s) => void s.login().select().out(),
};

function open(state: State): Session {
  const w = world();
  w.store.folder('INBOX')!.append(CRLF_MESSAGE('one'));
  w.store.createFolder('Archive');
  const s = w.open();
  SETUP[state](s);
  s.server.takeEvents();
  return s;
}

const STATES: State[] = ['not-authenticated', 'authenticated', 'selected'];
const REFUSALS = /^a BAD (Not authenticated|Already authenticated|No mailbox selected|ENABLE only in the authenticated state)\r$/m;

describe('IMAP command table: every command in every state (I1, I2)', () => {
  for (const state of STATES) {
    for (const name of Object.keys(EXAMPLES) as ImapCommandName[]) {
      const valid = VALID[state].includes(name);
      it(`${state}: ${name} ${valid ? 'runs' : 'is refused'}`, () => {
        const s = open(state);
        const output = s.send(`a ${EXAMPLES[name]}\r\n`);
        if (valid) {
          expect(output).not.toMatch(REFUSALS);
          expect('run' in COMMANDS[state][name]).toBe(true);
        } else {
          expect(output).toBe(`a BAD ${refusal(state, name)}\r\n`);
          expect(s.server.state).toBe(state);
          expect(s.server.takeEvents()).toEqual([{ type: 'command', tag: 'a', name, status: 'BAD' }]);
        }
      });
    }
  }
});
