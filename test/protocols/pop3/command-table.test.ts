/**
 * The POP3 server's command table (src/protocols/pop3/server.ts COMMANDS; RFC 1939 §3–§7, RFC 2449,
 * RFC 2595; docs/delivery.md P1, P3): every verb in both command states. A verb not valid in the state
 * gets exactly "-ERR <verb> not valid in the <STATE> state", changes nothing and counts towards
 * `badCommandsMax`; a valid one is never refused for its state. The validity lists are written from
 * the RFCs, not read off the table.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/protocols/pop3/server.js';
import { converse, deliver, mailWorld } from './helpers.js';

const VERBS = ['USER', 'PASS', 'APOP', 'CAPA', 'STLS', 'QUIT', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL'] as const;
const VALID: Record<'authorization' | 'transaction', readonly string[]> = {
  authorization: ['USER', 'PASS', 'APOP', 'CAPA', 'STLS', 'QUIT'],
  transaction: ['STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL', 'CAPA', 'QUIT'],
};

function open(state: 'authorization' | 'transaction') {
  const world = mailWorld();
  deliver(world.store, 'Subject: one\r\n\r\nhello\r\n');
  // One bad command is the limit, so a refusal that counts ends the session.
  const server = world.server({ limits: { badCommandsMax: 1 } });
  server.takeOutput();
  if (state === 'transaction') converse(server, 'USER bob\r\nPASS secret pw\r\n', false);
  return { world, server };
}

describe('POP3 command table: every verb in both command states', () => {
  for (const state of ['authorization', 'transaction'] as const) {
    for (const verb of VERBS) {
      const valid = VALID[state].includes(verb);
      it(`${state}: ${verb} ${valid ? 'runs' : 'is refused and counted'}`, () => {
        const { world, server } = open(state);
        const { output } = converse(server, `${verb}\r\n`, false);
        if (valid) {
          expect(output).not.toMatch(/not valid in the/);
          expect('run' in COMMANDS[state][verb]).toBe(true);
        } else {
          expect(output).toBe(`-ERR ${verb} not valid in the ${state.toUpperCase()} state\r\n-ERR too many bad commands, closing\r\n`);
          expect(server.state).toBe('closed');
          // Nothing was removed, and the lock is free again (P1, P4).
          expect(world.store.folder('INBOX')!.messages()).toHaveLength(1);
          const next = world.server();
          next.takeOutput();
          expect(converse(next, 'USER bob\r\nPASS secret pw\r\n', false).output).toMatch(/^\+OK send PASS\r\n\+OK bob has 1 message/);
        }
      });
    }
  }
});
