/**
 * Model-based test (fast-check `fc.commands`) of the IMAP mailbox with TWO concurrent sessions on the
 * same INBOX: APPEND, STORE, EXPUNGE, COPY, MOVE and NOOP in any order from either session.
 *
 * Each session's client view (sequence number → UID, and flags) is tracked only from what the server
 * said: `* n EXPUNGE` removes entry n (renumbering, docs/delivery.md I4), `* n EXISTS` grows the view,
 * `* n FETCH (UID u FLAGS (…))` fills it in. The Check command makes a session NOOP, then FETCH 1:*:
 * every sequence number must name the UID the tracked view expects, and UIDs and flags must equal
 * the model's (I3, I4). A server that renumbers wrongly, loses an update, or lets flags drift fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRLF_MESSAGE, type Session, type World, world } from './harness.js';

interface Model {
  /** UID → flags, ascending by UID. */
  inbox: Map<number, string[]>;
  uidNext: number;
  archived: number;
}

interface Real {
  w: World;
  sessions: [Session, Session];
  /** Per session: the client's view, seq − 1 → UID (null until learnt). */
  views: [Array<number | null>, Array<number | null>];
  /** Per session: flags by UID as the client last heard them (FETCH responses, solicited or not). */
  flags: [Map<number, string[]>, Map<number, string[]>];
  counter: number;
}

const FLAG_CHOICES = ['\\Seen', '\\Flagged', '\\Deleted', 'Junk'] as const;
const sorted = (flags: Iterable<string>) => [...new Set(flags)].sort();
const withoutRecent = (flags: string[]) => flags.filter((f) => f !== '\\Recent').sort();

/** Applies untagged responses to a tracked view; returns the FETCH data seen (seq → uid, flags). */
function apply(
  view: Array<number | null>,
  output: string,
  heardFlags: Map<number, string[]> = new Map(),
): Array<{ seq: number; uid: number | null; flags: string[] | null }> {
  const fetched: Array<{ seq: number; uid: number | null; flags: string[] | null }> = [];
  for (const line of output.split('\r\n')) {
    let m = /^\* (\d+) EXPUNGE$/.exec(line);
    if (m) {
      const seq = Number(m[1]);
      expect(seq).toBeGreaterThanOrEqual(1);
      expect(seq).toBeLessThanOrEqual(view.length);
      view.splice(seq - 1, 1);
      continue;
    }
    m = /^\* (\d+) EXISTS$/.exec(line);
    if (m) {
      const count = Number(m[1]);
      expect(count).toBeGreaterThanOrEqual(view.length); // EXISTS never shrinks the view (RFC 3501 §7.3.1)
      while (view.length < count) view.push(null);
      continue;
    }
    m = /^\* (\d+) FETCH \((.*)\)$/.exec(line);
    if (m) {
      const seq = Number(m[1]);
      expect(seq).toBeLessThanOrEqual(view.length);
      const uidMatch = /UID (\d+)/.exec(m[2]!);
      const flagsMatch = /FLAGS \(([^)]*)\)/.exec(m[2]!);
      const uid = uidMatch ? Number(uidMatch[1]) : null;
      if (uid !== null) {
        const known = view[seq - 1];
        if (known !== null && known !== undefined) expect(uid).toBe(known);
        view[seq - 1] = uid;
      }
      const flags = flagsMatch ? flagsMatch[1]!.split(' ').filter(Boolean) : null;
      const known = view[seq - 1];
      if (flags && known !== null && known !== undefined) heardFlags.set(known, withoutRecent(flags));
      fetched.push({ seq, uid, flags });
    }
  }
  return fetched;
}

function say(real: Real, who: 0 | 1, command: string): string {
  real.counter += 1;
  const out = real.sessions[who].send(`t${real.counter} ${command}\r\n`);
  apply(real.views[who], out, real.flags[who]);
  return out;
}

/**
 * Learns the UIDs of view entries that only an EXISTS announced. The FETCH may itself carry an
 * EXISTS the server still owed this session (the other session appended meanwhile), so it is
 * repeated until every entry is known (a bounded number of times: nothing appends in between).
 */
function learn(real: Real, who: 0 | 1): void {
  const view = real.views[who];
  for (let round = 0; round < 3; round++) {
    const first = view.indexOf(null);
    if (first === -1) break;
    say(real, who, `FETCH ${first + 1}:${view.length} (UID FLAGS)`);
    // A message announced and then expunged by the other session has no FETCH data left (RFC 2180
    // §4.1); FETCH may not announce the expunge (RFC 3501 §7.4.1), NOOP does.
    if (view.includes(null)) say(real, who, 'NOOP');
  }
  expect(view.includes(null)).toBe(false);
}

function pick(view: Array<number | null>, fraction: number): { seq: number; uid: number } | null {
  if (view.length === 0) return null;
  const seq = 1 + Math.min(view.length - 1, Math.floor(fraction * view.length));
  return { seq, uid: view[seq - 1]! };
}

const tagged = (out: string) => /(?:^|\r\n)t\d+ (OK|NO|BAD)[^\r]*\r\n$/.exec(out)?.[1];

class AppendCommand implements fc.Command<Model, Real> {
  constructor(
    readonly who: 0 | 1,
    readonly flags: string[],
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const message = CRLF_MESSAGE(`m${model.uidNext}`);
    const flagList = this.flags.length > 0 ? `(${this.flags.join(' ')}) ` : '';
    const out = say(real, this.who, `APPEND INBOX ${flagList}{${message.length}+}\r\n${new TextDecoder().decode(message)}`);
    expect(out).toMatch(new RegExp(`OK \\[APPENDUID 1000 ${model.uidNext}\\]`)); // I3
    model.inbox.set(model.uidNext, sorted(this.flags));
    model.uidNext += 1;
    learn(real, this.who);
  }
  toString = () => `APPEND(s${this.who}, ${this.flags.join(' ')})`;
}

class StoreCommand implements fc.Command<Model, Real> {
  constructor(
    readonly who: 0 | 1,
    readonly fraction: number,
    readonly mode: '+' | '-' | '',
    readonly flags: string[],
    readonly byUid: boolean,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    // A NO may have carried an EXISTS (RFC 3501 §7.3.1) that no `learn` followed: learn first, so
    // the target's UID is known (FETCH never announces an expunge, so stale entries stay stale).
    learn(real, this.who);
    const target = pick(real.views[this.who], this.fraction);
    if (!target) return;
    const set = this.byUid ? target.uid : target.seq;
    const out = say(real, this.who, `${this.byUid ? 'UID ' : ''}STORE ${set} ${this.mode}FLAGS (${this.flags.join(' ')})`);
    const current = model.inbox.get(target.uid);
    if (!current) {
      // Gone in the store, not yet announced to this session: still in its view (RFC 2180 §4.1.1).
      expect(tagged(out)).toBe('OK');
      return;
    }
    expect(tagged(out)).toBe('OK');
    const next =
      this.mode === '' ? sorted(this.flags) : this.mode === '+' ? sorted([...current, ...this.flags]) : current.filter((f) => !this.flags.includes(f));
    model.inbox.set(target.uid, next);
    const echoed = apply([...real.views[this.who]], out).find((f) => f.flags !== null && real.views[this.who][f.seq - 1] === target.uid);
    expect(withoutRecent(echoed!.flags!)).toEqual(next);
  }
  toString = () => `STORE(s${this.who}, ${this.fraction.toFixed(2)}, ${this.mode}FLAGS ${this.flags.join(' ')}${this.byUid ? ', UID' : ''})`;
}

class ExpungeCommand implements fc.Command<Model, Real> {
  constructor(readonly who: 0 | 1) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(tagged(say(real, this.who, 'EXPUNGE'))).toBe('OK');
    for (const [uid, flags] of [...model.inbox]) if (flags.includes('\\Deleted')) model.inbox.delete(uid); // I5
    learn(real, this.who);
  }
  toString = () => `EXPUNGE(s${this.who})`;
}

class CopyMoveCommand implements fc.Command<Model, Real> {
  constructor(
    readonly who: 0 | 1,
    readonly fraction: number,
    readonly move: boolean,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    // A NO may have carried an EXISTS (RFC 3501 §7.3.1) that no `learn` followed: learn first, so
    // the target's UID is known (FETCH never announces an expunge, so stale entries stay stale).
    learn(real, this.who);
    const target = pick(real.views[this.who], this.fraction);
    if (!target) return;
    const out = say(real, this.who, `${this.move ? 'MOVE' : 'COPY'} ${target.seq} Archive`);
    if (!model.inbox.has(target.uid)) {
      expect(tagged(out)).toBe('NO');
      return;
    }
    expect(tagged(out)).toBe('OK');
    expect(out).toContain(`[COPYUID 1001 ${target.uid} ${model.archived + 1}]`); // RFC 4315
    model.archived += 1;
    if (this.move) model.inbox.delete(target.uid);
    learn(real, this.who);
  }
  toString = () => `${this.move ? 'MOVE' : 'COPY'}(s${this.who}, ${this.fraction.toFixed(2)})`;
}

/** NOOP brings the session up to date; its view must then equal the model exactly. */
class CheckCommand implements fc.Command<Model, Real> {
  constructor(readonly who: 0 | 1) {}
  check = () => true;
  run(model: Model, real: Real): void {
    say(real, this.who, 'NOOP');
    const view = real.views[this.who];
    const expectedUids = [...model.inbox.keys()];
    expect(view.length).toBe(expectedUids.length);
    // What the client heard (untagged FETCH FLAGS from the other session's STOREs included).
    for (const uid of view) expect(real.flags[this.who].get(uid!)).toEqual(model.inbox.get(uid!));
    if (view.length === 0) return;
    const out = say(real, this.who, 'FETCH 1:* (UID FLAGS)');
    const fetched = apply([...view], out);
    expect(fetched.map((f) => f.seq)).toEqual(expectedUids.map((_, i) => i + 1));
    expect(fetched.map((f) => f.uid)).toEqual(expectedUids);
    expect(view).toEqual(expectedUids);
    for (const f of fetched) expect(withoutRecent(f.flags ?? [])).toEqual(model.inbox.get(f.uid!));
  }
  toString = () => `CHECK(s${this.who})`;
}

const who = fc.constantFrom(0 as const, 1 as const);
const flagSet = fc.uniqueArray(fc.constantFrom(...FLAG_CHOICES), { maxLength: 3 });
const commands = [
  fc.tuple(who, flagSet).map(([w, f]) => new AppendCommand(w, f)),
  fc
    .tuple(who, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('+' as const, '-' as const, '' as const), flagSet, fc.boolean())
    .map(([w, x, m, f, u]) => new StoreCommand(w, x, m, f, u)),
  who.map((w) => new ExpungeCommand(w)),
  fc.tuple(who, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()).map(([w, x, m]) => new CopyMoveCommand(w, x, m)),
  who.map((w) => new CheckCommand(w)),
];

function setup(): { model: Model; real: Real } {
  const w = world();
  w.store.createFolder('Archive');
  const sessions: [Session, Session] = [w.open().login(), w.open().login()];
  const real: Real = { w, sessions, views: [[], []], flags: [new Map(), new Map()], counter: 0 };
  for (const index of [0, 1] as const) say(real, index, 'SELECT INBOX');
  return { model: { inbox: new Map(), uidNext: 1, archived: 0 }, real };
}

describe('IMAP mailbox model (fc.commands, two sessions)', () => {
  it('sequence numbers, UIDs and flags of both sessions agree with the model', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
        const { model, real } = setup();
        fc.modelRun(() => ({ model, real }), cmds);
        new CheckCommand(0).run(model, real);
        new CheckCommand(1).run(model, real);
      }),
      { numRuns: 250 },
    );
  });

  it('a fixed interleaving: expunges announced late still renumber correctly', () => {
    const { model, real } = setup();
    for (let i = 0; i < 4; i += 1) new AppendCommand(0, []).run(model, real);
    new CheckCommand(1).run(model, real);
    new StoreCommand(0, 0.3, '+', ['\\Deleted'], false).run(model, real);
    new StoreCommand(0, 0.9, '+', ['\\Deleted'], false).run(model, real);
    new ExpungeCommand(0).run(model, real);
    new StoreCommand(1, 0.9, '+', ['\\Seen'], false).run(model, real); // stale view: message 4 is gone
    new CheckCommand(1).run(model, real);
    expect(real.views[1]).toEqual([1, 3]);
  });
});
