// Model-based test of the POP3 maildrop (fc.commands; docs/delivery.md P1, P2, P5): DELE, RSET, QUIT, a
// dropped connection and new mail arriving, checked against a tiny model. Message numbers, sizes, UIDLs,
// contents and what is left after each session always agree with the model.
// Planted-bug check: with RSET leaving the first message marked, or with a drop running UPDATE, this
// test fails with a shrunk command list (seen failing, then restored).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pop3ServerMachine } from '../../../src/protocols/pop3/server.js';
import { converse, deliver, mailWorld } from './helpers.js';

interface ModelMessage {
  uid: number;
  body: string;
}
interface Model {
  maildrop: ModelMessage[];
  nextUid: number;
  /** The open session's snapshot and marks, or null. */
  session: { messages: ModelMessage[]; marked: Set<number> } | null;
}
interface Real {
  world: ReturnType<typeof mailWorld>;
  server: Pop3ServerMachine | null;
}

const size = (body: string) => new TextEncoder().encode(body).length;
const send = (real: Real, line: string) => converse(real.server!, `${line}\r\n`, false).output;

class Deliver implements fc.Command<Model, Real> {
  constructor(readonly body: string) {}
  check = () => true;
  run(model: Model, real: Real) {
    const uid = deliver(real.world.store, this.body);
    expect(uid).toBe(model.nextUid);
    model.maildrop.push({ uid: model.nextUid++, body: this.body });
  }
  toString = () => `Deliver(${JSON.stringify(this.body)})`;
}

class Connect implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => model.session === null;
  run(model: Model, real: Real) {
    real.server = real.world.server();
    real.server.takeOutput();
    const output = converse(real.server, 'USER bob\r\nPASS secret pw\r\n', false).output;
    model.session = { messages: [...model.maildrop], marked: new Set() };
    const octets = model.maildrop.reduce((sum, m) => sum + size(m.body), 0);
    expect(output).toContain(`+OK bob has ${model.maildrop.length} message${model.maildrop.length === 1 ? '' : 's'} (${octets} octets)`);
  }
  toString = () => 'Connect';
}

const live = (model: Model) => model.session!.messages.map((m, i) => ({ ...m, number: i + 1 })).filter((m) => !model.session!.marked.has(m.number));

class Listing implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    const expected = live(model);
    const octets = expected.reduce((sum, m) => sum + size(m.body), 0);
    expect(send(real, 'STAT')).toBe(`+OK ${expected.length} ${octets}\r\n`);
    expect(send(real, 'LIST')).toBe(`+OK ${expected.length} messages (${octets} octets)\r\n${expected.map((m) => `${m.number} ${size(m.body)}\r\n`).join('')}.\r\n`);
    const uidValidity = real.world.store.folder('INBOX')!.uidValidity;
    expect(send(real, 'UIDL')).toBe(`+OK unique-id listing follows\r\n${expected.map((m) => `${m.number} ${uidValidity}.${m.uid}\r\n`).join('')}.\r\n`);
  }
  toString = () => 'Listing';
}

class Retr implements fc.Command<Model, Real> {
  constructor(readonly number: number) {}
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    const output = send(real, `RETR ${this.number}`);
    const message = model.session!.messages[this.number - 1];
    if (!message) expect(output).toMatch(/^-ERR no such message/);
    else if (model.session!.marked.has(this.number)) expect(output).toBe(`-ERR message ${this.number} already deleted\r\n`);
    else expect(output).toBe(`+OK ${size(message.body)} octets\r\n${message.body.replace(/^\./gm, '..')}.\r\n`);
  }
  toString = () => `Retr(${this.number})`;
}

class Dele implements fc.Command<Model, Real> {
  constructor(readonly number: number) {}
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    const output = send(real, `DELE ${this.number}`);
    const exists = this.number <= model.session!.messages.length;
    if (exists && !model.session!.marked.has(this.number)) {
      expect(output).toBe(`+OK message ${this.number} deleted\r\n`);
      model.session!.marked.add(this.number);
    } else {
      expect(output).toMatch(/^-ERR/);
    }
  }
  toString = () => `Dele(${this.number})`;
}

class Rset implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    model.session!.marked.clear();
    const all = model.session!.messages;
    const octets = all.reduce((sum, m) => sum + size(m.body), 0);
    expect(send(real, 'RSET')).toBe(`+OK maildrop has ${all.length} messages (${octets} octets)\r\n`);
  }
  toString = () => 'Rset';
}

class Quit implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    const removed = new Set([...model.session!.marked].map((n) => model.session!.messages[n - 1]!.uid));
    model.maildrop = model.maildrop.filter((m) => !removed.has(m.uid));
    model.session = null;
    const left = model.maildrop.length;
    expect(send(real, 'QUIT')).toBe(`+OK mx1.example.org POP3 server signing off (${left} message${left === 1 ? '' : 's'} left)\r\n`);
    expect(real.server!.closed).toBe(true);
    real.server = null;
  }
  toString = () => 'Quit';
}

class Drop implements fc.Command<Model, Real> {
  check = (model: Readonly<Model>) => model.session !== null;
  run(model: Model, real: Real) {
    real.server!.receiveEof(2);
    model.session = null; // P1: nothing removed
    real.server = null;
  }
  toString = () => 'Drop';
}

/** After every command: the store holds exactly the model's maildrop, and the lock is free iff no session. */
function checkStore(model: Model, real: Real) {
  const inbox = real.world.store.folder('INBOX')!;
  expect(inbox.messages().map((m) => m.uid)).toEqual(model.maildrop.map((m) => m.uid));
  expect(inbox.messages().map((m) => m.size)).toEqual(model.maildrop.map((m) => size(m.body)));
  const probe = real.world.store.tryLock('probe');
  expect(probe === null).toBe(model.session !== null);
  probe?.();
}

const body = fc
  .array(fc.constantFrom('Subject: x', '', '.dot', '..', 'From me', 'text line'), { minLength: 1, maxLength: 4 })
  .map((lines) => `${lines.join('\r\n')}\r\n`);
const number = fc.integer({ min: 1, max: 4 });

describe('POP3 maildrop against a model (fc.commands)', () => {
  for (const format of ['maildir', 'mbox'] as const) {
    it(`${format}: numbers, sizes, UIDLs and what is left always agree`, () => {
      const commands = [
        body.map((b) => new Deliver(b)),
        fc.constant(new Connect()),
        fc.constant(new Connect()),
        fc.constant(new Listing()),
        number.map((n) => new Retr(n)),
        number.map((n) => new Dele(n)),
        fc.constant(new Rset()),
        fc.constant(new Quit()),
        fc.constant(new Drop()),
      ];
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 40, size: '+1' }), (cmds) => {
          const model: Model = { maildrop: [], nextUid: 1, session: null };
          const real: Real = { world: mailWorld(format), server: null };
          fc.modelRun(() => ({ model, real }), [...cmds].flatMap((cmd) => [cmd, new CheckAfter(cmd)]));
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** Wraps a check of the store after each command (fc.modelRun runs commands only). */
class CheckAfter implements fc.Command<Model, Real> {
  constructor(private readonly after: fc.Command<Model, Real>) {}
  check = () => true;
  run(model: Model, real: Real) {
    checkStore(model, real);
  }
  toString = () => `check(${this.after.toString()})`;
}
