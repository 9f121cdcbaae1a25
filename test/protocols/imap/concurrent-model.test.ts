/**
 * Model-based test (fast-check `fc.commands`) of THREE sessions on one INBOX, the class of bug
 * imaptest's stress run finds (issue 19 §4.8): new mail delivered by the MDA's path (the store's
 * append), APPEND, STORE, EXPUNGE, FETCH, NOOP, and IDLE, drawn in any order.
 *
 * The model is the mailbox (UID → flags) and, per session, only what the server has told it: its
 * view (sequence number → UID, from EXISTS, EXPUNGE and FETCH UID) and the flags it heard (FETCH
 * FLAGS, solicited or not). Checked on every response: EXPUNGE and FETCH name sequence numbers inside
 * the view, a FETCH of a known number names the same UID, EXISTS never shrinks the view, no EXPUNGE
 * during FETCH or STORE (RFC 3501 §7.4.1). At a NOOP the view must be the mailbox's UIDs in order and
 * every flag heard the mailbox's (RFC 3501 §7.3.1, §7.4.1, §7.4.2; docs/delivery.md I3, I4). A session
 * in IDLE must be up to date after every change any other actor makes (RFC 2177). A FETCH or STORE of
 * a message another session expunged, not yet announced, still succeeds and reads that message (RFC 2180
 * §4.1.1). The planted bugs at the end show the model notices lost flag updates and a silent IDLE.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Selection } from '../../../src/protocols/imap/selection.js';
import { CRLF_MESSAGE, type Session, type World, world } from './harness.js';

const SESSIONS = 3;
type Who = 0 | 1 | 2;

interface Model {
  /** UID → flags, ascending by UID: the mailbox as stored. */
  inbox: Map<number, string[]>;
  uidNext: number;
}

interface Told {
  /** seq − 1 → UID; null while only an EXISTS announced it. */
  view: Array<number | null>;
  /** UID → flags as last heard. */
  flags: Map<number, string[]>;
  idle: boolean;
}

interface Real {
  w: World;
  sessions: Session[];
  told: Told[];
  counter: number;
}

const FLAGS = ['\\Seen', '\\Flagged', '\\Deleted', '$Work'] as const;
const sorted = (flags: Iterable<string>) => [...new Set(flags)].sort();
const withoutRecent = (flags: string[]) => sorted(flags.filter((f) => f !== '\\Recent'));

/** Applies the untagged responses in `output` to what a session was told. */
function hear(told: Told, output: string, expungeAllowed: boolean): void {
  for (const line of output.split('\r\n')) {
    let m = /^\* (\d+) EXPUNGE$/.exec(line);
    if (m) {
      expect(expungeAllowed, `EXPUNGE during FETCH/STORE (RFC 3501 §7.4.1): ${line}`).toBe(true);
      const seq = Number(m[1]);
      expect(seq).toBeGreaterThanOrEqual(1);
      expect(seq).toBeLessThanOrEqual(told.view.length);
      const [uid] = told.view.splice(seq - 1, 1);
      if (uid !== null && uid !== undefined) told.flags.delete(uid);
      continue;
    }
    m = /^\* (\d+) EXISTS$/.exec(line);
    if (m) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(told.view.length);
      while (told.view.length < Number(m[1])) told.view.push(null);
      continue;
    }
    m = /^\* (\d+) FETCH \((.*)$/.exec(line); // a literal's bytes follow on the next lines
    if (m) {
      const seq = Number(m[1]);
      expect(seq).toBeGreaterThanOrEqual(1);
      expect(seq).toBeLessThanOrEqual(told.view.length);
      const uid = /UID (\d+)/.exec(m[2]!);
      if (uid) {
        if (told.view[seq - 1] !== null) expect(Number(uid[1])).toBe(told.view[seq - 1]);
        told.view[seq - 1] = Number(uid[1]);
      }
      const flags = /FLAGS \(([^)]*)\)/.exec(m[2]!);
      const known = told.view[seq - 1];
      if (flags && known !== null && known !== undefined) told.flags.set(known, withoutRecent(flags[1]!.split(' ').filter(Boolean)));
    }
  }
}

/** Sends one command and hears its answer; returns the output and the tagged status. */
function say(real: Real, who: Who, command: string, expungeAllowed = true): { out: string; status: string | undefined } {
  real.counter += 1;
  const tag = `t${real.counter}`;
  const out = real.sessions[who]!.send(`${tag} ${command}\r\n`);
  hear(real.told[who]!, out, expungeAllowed);
  return { out, status: new RegExp(`(?:^|\\r\\n)${tag} (OK|NO|BAD)[^\\r]*\\r\\n$`).exec(out)?.[1] };
}

/** The told view agrees with the mailbox: every announcement made, known UIDs in place, flags heard right. */
function expectUpToDate(model: Model, told: Told): void {
  const uids = [...model.inbox.keys()];
  expect(told.view.length).toBe(uids.length);
  told.view.forEach((uid, i) => {
    if (uid !== null) expect(uid).toBe(uids[i]);
  });
  for (const [uid, flags] of told.flags) expect(flags, `flags of UID ${uid}`).toEqual(model.inbox.get(uid));
}

/** After any change: each idling session heard of it at once (RFC 2177). */
function checkIdlers(model: Model, real: Real, except: Who | null): void {
  real.told.forEach((told, who) => {
    if (!told.idle || who === except) return;
    hear(told, real.sessions[who]!.out(), true);
    expectUpToDate(model, told);
  });
}

function pick(told: Told, fraction: number): number | null {
  return told.view.length === 0 ? null : 1 + Math.min(told.view.length - 1, Math.floor(fraction * told.view.length));
}

abstract class SessionCommand implements fc.Command<Model, Real> {
  constructor(readonly who: Who) {}
  /** A session in IDLE sends nothing but DONE. */
  check = (model: Readonly<Model>) => !idleIn(model, this.who);
  abstract run(model: Model, real: Real): void;
}

/** New mail, as the MDA delivers it: straight into the store, no IMAP session involved. */
class Deliver implements fc.Command<Model, Real> {
  constructor(readonly flags: string[]) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const uid = real.w.store.folder('INBOX')!.append(CRLF_MESSAGE(`m${model.uidNext}`), { flags: this.flags });
    expect(uid).toBe(model.uidNext); // I3
    model.inbox.set(uid, sorted(this.flags));
    model.uidNext += 1;
    checkIdlers(model, real, null);
  }
  toString = () => `DELIVER(${this.flags.join(' ')})`;
}

class Append extends SessionCommand {
  constructor(
    who: Who,
    readonly flags: string[],
  ) {
    super(who);
  }
  run(model: Model, real: Real): void {
    const message = new TextDecoder().decode(CRLF_MESSAGE(`m${model.uidNext}`));
    const { out, status } = say(real, this.who, `APPEND INBOX (${this.flags.join(' ')}) {${message.length}+}\r\n${message}`);
    expect(status).toBe('OK');
    expect(out).toContain(`[APPENDUID 1000 ${model.uidNext}]`); // RFC 4315, I3
    model.inbox.set(model.uidNext, sorted(this.flags));
    model.uidNext += 1;
    checkIdlers(model, real, this.who);
  }
  override toString = () => `APPEND(s${this.who}, ${this.flags.join(' ')})`;
}

class Store extends SessionCommand {
  constructor(
    who: Who,
    readonly fraction: number,
    readonly mode: '+' | '-' | '',
    readonly flags: string[],
    readonly silent: boolean,
  ) {
    super(who);
  }
  run(model: Model, real: Real): void {
    const told = real.told[this.who]!;
    const seq = pick(told, this.fraction);
    if (seq === null) return;
    if (told.view[seq - 1] === null) say(real, this.who, `FETCH ${seq} (UID FLAGS)`, false); // which message it is
    const { status } = say(real, this.who, `STORE ${seq} ${this.mode}FLAGS${this.silent ? '.SILENT' : ''} (${this.flags.join(' ')})`, false);
    expect(status).toBe('OK'); // even for a message expunged elsewhere, not yet announced (RFC 2180 §4.1.1)
    const uid = told.view[seq - 1]!;
    const current = model.inbox.get(uid);
    if (current === undefined) return; // expunged elsewhere: only this session's copy changed
    const next = this.mode === '' ? sorted(this.flags) : this.mode === '+' ? sorted([...current, ...this.flags]) : current.filter((f) => !this.flags.includes(f));
    model.inbox.set(uid, next);
    if (this.silent) told.flags.set(uid, next); // the client knows what it asked for
    else expect(told.flags.get(uid)).toEqual(next);
    checkIdlers(model, real, this.who);
  }
  override toString = () => `STORE(s${this.who}, ${this.fraction.toFixed(2)}, ${this.mode}FLAGS${this.silent ? '.SILENT' : ''} ${this.flags.join(' ')})`;
}

class Expunge extends SessionCommand {
  run(model: Model, real: Real): void {
    expect(say(real, this.who, 'EXPUNGE').status).toBe('OK');
    for (const [uid, flags] of [...model.inbox]) if (flags.includes('\\Deleted')) model.inbox.delete(uid); // I5
    expectUpToDate(model, real.told[this.who]!);
    checkIdlers(model, real, this.who);
  }
  override toString = () => `EXPUNGE(s${this.who})`;
}

/** FETCH one message: the UID the view names, its own bytes, the stored flags (RFC 2180 §4.1.1 when expunged elsewhere). */
class Fetch extends SessionCommand {
  constructor(
    who: Who,
    readonly fraction: number,
  ) {
    super(who);
  }
  run(model: Model, real: Real): void {
    const told = real.told[this.who]!;
    const seq = pick(told, this.fraction);
    if (seq === null) return;
    const { out, status } = say(real, this.who, `FETCH ${seq} (UID FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])`, false);
    expect(status).toBe('OK');
    const uid = told.view[seq - 1]!;
    expect(uid).not.toBeNull();
    expect(out).toContain(`Subject: m${uid}\r\n`);
    const stored = model.inbox.get(uid);
    if (stored !== undefined) expect(told.flags.get(uid)).toEqual(stored);
  }
  override toString = () => `FETCH(s${this.who}, ${this.fraction.toFixed(2)})`;
}

class Noop extends SessionCommand {
  run(model: Model, real: Real): void {
    expect(say(real, this.who, 'NOOP').status).toBe('OK');
    const told = real.told[this.who]!;
    expectUpToDate(model, told);
    if (told.view.length > 0) say(real, this.who, 'FETCH 1:* (UID FLAGS)', false); // learn the rest
    expect(told.view).toEqual([...model.inbox.keys()]);
    for (const [uid, flags] of model.inbox) expect(told.flags.get(uid)).toEqual(flags);
  }
  override toString = () => `NOOP(s${this.who})`;
}

class IdleStart extends SessionCommand {
  run(model: Model, real: Real): void {
    real.counter += 1;
    const told = real.told[this.who]!;
    const out = real.sessions[this.who]!.send(`t${real.counter} IDLE\r\n`);
    expect(out.startsWith('+ ')).toBe(true);
    hear(told, out, true);
    told.idle = true;
    setIdle(model, this.who, true);
    expectUpToDate(model, told); // what was pending comes right after "+ idling"
  }
  override toString = () => `IDLE(s${this.who})`;
}

class IdleDone extends SessionCommand {
  override check = (model: Readonly<Model>) => idleIn(model, this.who);
  run(model: Model, real: Real): void {
    const told = real.told[this.who]!;
    const out = real.sessions[this.who]!.send('DONE\r\n');
    expect(out).toMatch(/^t\d+ OK IDLE terminated\r\n$/); // everything was said while idling
    told.idle = false;
    setIdle(model, this.who, false);
  }
  override toString = () => `DONE(s${this.who})`;
}

// fast-check's check() sees the model only, so the model keeps which sessions idle too.
const idling = new WeakMap<Readonly<Model>, Set<Who>>();
const idleIn = (model: Readonly<Model>, who: Who) => idling.get(model)?.has(who) ?? false;
function setIdle(model: Model, who: Who, on: boolean): void {
  const set = idling.get(model) ?? new Set<Who>();
  if (on) set.add(who);
  else set.delete(who);
  idling.set(model, set);
}

const who = fc.constantFrom<Who>(0, 1, 2);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const flagSet = fc.uniqueArray(fc.constantFrom(...FLAGS), { maxLength: 3 });
const commands = [
  flagSet.map((f) => new Deliver(f)),
  fc.tuple(who, flagSet).map(([w, f]) => new Append(w, f)),
  fc.tuple(who, fraction, fc.constantFrom('+' as const, '-' as const, '' as const), flagSet, fc.boolean()).map(([w, x, m, f, s]) => new Store(w, x, m, f, s)),
  who.map((w) => new Expunge(w)),
  fc.tuple(who, fraction).map(([w, x]) => new Fetch(w, x)),
  who.map((w) => new Noop(w)),
  who.map((w) => new IdleStart(w)),
  who.map((w) => new IdleDone(w)),
];

function setup(): { model: Model; real: Real } {
  const w = world();
  const sessions = Array.from({ length: SESSIONS }, () => w.open().login());
  const real: Real = { w, sessions, told: sessions.map(() => ({ view: [], flags: new Map(), idle: false })), counter: 0 };
  for (const index of [0, 1, 2] as const) expect(say(real, index, 'SELECT INBOX').status).toBe('OK');
  return { model: { inbox: new Map(), uidNext: 1 }, real };
}

function property(numRuns: number, seed?: number): void {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
      const { model, real } = setup();
      fc.modelRun(() => ({ model, real }), cmds);
      for (const index of [0, 1, 2] as const) {
        if (idleIn(model, index)) new IdleDone(index).run(model, real);
        new Noop(index).run(model, real);
      }
    }),
    { numRuns, seed },
  );
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Runs `body` with a method of Selection (private ones too: this is a planted bug) replaced, then puts it back. */
function withPlanted(name: string, replace: (original: Method) => Method, body: () => void): void {
  const prototype = Selection.prototype as unknown as Record<string, Method>;
  const original = prototype[name]!;
  prototype[name] = replace(original);
  try {
    body();
  } finally {
    prototype[name] = original;
  }
}

describe('IMAP: three concurrent sessions on one mailbox (fc.commands model)', () => {
  it('what each session is told agrees with the mailbox: delivery, APPEND, STORE, EXPUNGE, FETCH, NOOP, IDLE', () => {
    property(200);
  });

  it('a fixed interleaving: FETCH and STORE of a message expunged meanwhile, while a third session idles', () => {
    const { model, real } = setup();
    new IdleStart(2).run(model, real);
    for (const flags of [[], ['\\Seen'], []]) new Deliver(flags).run(model, real);
    new Noop(0).run(model, real);
    new Noop(1).run(model, real);
    new Store(1, 0.5, '+', ['\\Deleted'], true).run(model, real);
    new Expunge(1).run(model, real);
    new Fetch(0, 0.5).run(model, real); // UID 2: gone from the store, still readable for s0
    new Store(0, 0.5, '+', ['$Work'], false).run(model, real);
    new IdleDone(2).run(model, real);
    new Noop(0).run(model, real);
    expect(real.told[0]!.view).toEqual([1, 3]);
  });

  it('catches a planted bug: flag changes by other sessions are never announced', () => {
    const forgetFlags = (original: Method): Method =>
      function (this: unknown, ...args: unknown[]) {
        (this as { pendingFlags: Set<number> }).pendingFlags.clear();
        return original.apply(this, args);
      };
    withPlanted('takeUpdates', forgetFlags, () => expect(() => property(300, 1)).toThrow(/Counterexample/));
  });

  it('catches a planted bug: a session in IDLE hears nothing until DONE', () => {
    const silent = (original: Method): Method =>
      function (this: unknown, ...args: unknown[]) {
        const selection = this as { onChange: () => void };
        const onChange = selection.onChange;
        selection.onChange = () => {};
        try {
          return original.apply(this, args);
        } finally {
          selection.onChange = onChange;
        }
      };
    withPlanted('record', silent, () => expect(() => property(300, 1)).toThrow(/Counterexample/));
  });
});
