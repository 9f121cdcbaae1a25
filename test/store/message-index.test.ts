/**
 * The folders' column index (src/store/message-index.ts, used by folderBase.ts; issue 21) against the
 * general model, a plain Map keyed by UID. First the index alone: under random appends (UIDs ascending
 * with gaps), lookups of present, expunged and never-seen UIDs, flag and extra changes, removals (enough
 * of them to compact it, more than once) and iteration, it holds exactly what the Map holds, in UID
 * order. Then whole folders, Maildir and mbox: under appends, info/read, flag changes, expunges of
 * several UIDs at once and reloads from the disk, `messages()`, `info()`, `read()` and `uidNext` agree
 * with the Map model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import { MessageIndex } from '../../src/store/message-index.js';
import { createUserMailStore } from '../../src/store/userStore.js';

type IndexOp =
  | { append: number; date: number; size: number }
  | { remove: number }
  | { setFlags: number; flags: string[] }
  | { setExtra: number; extra: string }
  | { lookup: number };

const flagLists = fc.subarray(['\\Seen', '\\Flagged', '\\Deleted', 'work']);
const indexOp: fc.Arbitrary<IndexOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ append: fc.integer({ min: 1, max: 3 }), date: fc.integer({ min: 0, max: 2 ** 45 }), size: fc.nat(10 ** 9) }) },
  { weight: 3, arbitrary: fc.record({ remove: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ setFlags: fc.nat(1000), flags: flagLists }) },
  { weight: 1, arbitrary: fc.record({ setExtra: fc.nat(1000), extra: fc.string({ maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ lookup: fc.nat(400) }) },
);

interface Model {
  flags: readonly string[];
  date: number;
  size: number;
  extra: string;
}

function contents(index: MessageIndex<string>): Array<[number, Model]> {
  const out: Array<[number, Model]> = [];
  for (let slot = 0; slot < index.end; slot++) {
    if (index.live(slot)) out.push([index.uidAt(slot), { flags: index.flagsAt(slot), date: index.dateAt(slot), size: index.sizeAt(slot), extra: index.extraAt(slot) }]);
  }
  return out;
}

function applyIndexOp(index: MessageIndex<string>, model: Map<number, Model>, state: { lastUid: number }, o: IndexOp): void {
  const uids = [...model.keys()];
  if ('append' in o) {
    const uid = state.lastUid + o.append;
    state.lastUid = uid;
    index.append(uid, [], o.date, o.size, `m${uid}`);
    model.set(uid, { flags: [], date: o.date, size: o.size, extra: `m${uid}` });
  } else if ('lookup' in o) {
    // Present, expunged and never-seen UIDs alike: the index finds exactly the model's.
    const slot = index.slotOf(o.lookup);
    expect(slot >= 0).toBe(model.has(o.lookup));
    if (slot >= 0) expect(index.uidAt(slot)).toBe(o.lookup);
  } else if (uids.length > 0) {
    const uid = uids[('remove' in o ? o.remove : 'setFlags' in o ? o.setFlags : o.setExtra) % uids.length]!;
    const slot = index.slotOf(uid);
    if ('remove' in o) {
      index.remove(slot);
      model.delete(uid);
    } else if ('setFlags' in o) {
      index.setFlags(slot, o.flags);
      model.get(uid)!.flags = o.flags;
    } else {
      index.setExtra(slot, o.extra);
      model.get(uid)!.extra = o.extra;
    }
  }
}

describe('MessageIndex', () => {
  it('holds exactly what a Map by UID holds, in UID order, through appends, lookups, changes, removals and compactions', () => {
    fc.assert(
      fc.property(fc.array(indexOp, { maxLength: 300 }), (ops) => {
        const index = new MessageIndex<string>();
        const model = new Map<number, Model>();
        const state = { lastUid: 0 };
        for (const o of ops) {
          applyIndexOp(index, model, state, o);
          expect(index.size).toBe(model.size);
          expect(contents(index)).toEqual([...model]);
        }
        for (let uid = 0; uid <= state.lastUid + 1; uid++) expect(index.slotOf(uid) >= 0).toBe(model.has(uid));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a UID that does not ascend', () => {
    const index = new MessageIndex<undefined>();
    index.append(5, [], 0, 1, undefined);
    expect(() => index.append(5, [], 0, 1, undefined)).toThrow(/ascend/);
    expect(() => index.append(3, [], 0, 1, undefined)).toThrow(/ascend/);
  });
});

const enc = new TextEncoder();
const T0 = 1_767_225_600_000;

type FolderOp =
  | { append: number; flags: string[] }
  | { setFlags: number; flags: string[] }
  | { expunge: number[] }
  | { info: number }
  | { reload: true };

const folderOp: fc.Arbitrary<FolderOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ append: fc.nat(3), flags: fc.oneof(fc.constant([] as string[]), flagLists) }) },
  { weight: 2, arbitrary: fc.record({ setFlags: fc.nat(50), flags: flagLists }) },
  { weight: 2, arbitrary: fc.record({ expunge: fc.array(fc.nat(50), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ info: fc.nat(60) }) },
  { weight: 1, arbitrary: fc.record({ reload: fc.constant(true as const) }) },
);

const message = (n: number) => enc.encode(`Subject: m${n}\r\nX: ${'h'.repeat(n * 5)}\r\n\r\n${'body line\r\n'.repeat(30 + n)}`);

interface Stored {
  bytes: Uint8Array;
  flags: string[];
  size: number;
}

describe.each(['maildir', 'mbox'] as const)('a %s folder on the column index', (format) => {
  it('lists, finds and reads exactly what a Map by UID holds, through appends, flag changes, expunges and reloads', () => {
    fc.assert(
      fc.property(fc.array(folderOp, { maxLength: 40 }), (ops) => {
        const platter = new MemoryDisk();
        const open = () => createUserMailStore(platter.mount(), 'mail/bob', { format, user: 'bob', clockMs: () => T0, hostName: 'mx.example.org' });
        let inbox = open().folder('INBOX')!;
        const model = new Map<number, Stored>();
        let highest = 0;
        for (const o of ops) {
          const uids = [...model.keys()];
          if ('append' in o) {
            const uid = inbox.append(message(o.append), { flags: o.flags });
            expect(uid).toBeGreaterThan(highest);
            highest = uid;
            model.set(uid, { bytes: message(o.append), flags: [...o.flags].sort(), size: message(o.append).length });
          } else if ('setFlags' in o && uids.length > 0) {
            const uid = uids[o.setFlags % uids.length]!;
            inbox.setFlags(uid, o.flags);
            model.get(uid)!.flags = [...o.flags].sort();
          } else if ('expunge' in o && uids.length > 0) {
            const chosen = o.expunge.map((n) => uids[n % uids.length]!);
            inbox.expunge([...chosen, highest + 7]);
            for (const uid of chosen) model.delete(uid);
          } else if ('info' in o) {
            const info = inbox.info(o.info);
            expect(info === undefined).toBe(!model.has(o.info));
          } else if ('reload' in o) {
            platter.crash();
            inbox = open().folder('INBOX')!;
          }
          expect(inbox.uidNext).toBe(highest + 1);
          expect(inbox.messages().map((m) => [m.uid, [...m.flags].sort(), m.internalDateMs, m.size])).toEqual(
            [...model].map(([uid, m]) => [uid, m.flags, T0, m.size]),
          );
          for (let uid = 0; uid <= highest + 1; uid++) expect(inbox.info(uid) !== undefined).toBe(model.has(uid));
          for (const [uid, m] of model) {
            expect(inbox.info(uid)).toEqual(inbox.messages().find((info) => info.uid === uid));
            expect(inbox.read(uid)).toEqual(m.bytes);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
