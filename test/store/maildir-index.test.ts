/**
 * The Maildir folder's compact index (src/store/maildir.ts: the disk path alone for a file in new/ without
 * keywords, an object otherwise; the set of names only for files found at open; issue 21). The
 * property compares it with the general model, a plain map of each message's bytes and flags: after
 * random appends (with and without flags and keywords), flag changes, expunges and reloads after a
 * crash, the folder lists exactly the model's UIDs and flags and reads back each message's bytes, and a
 * new delivery after a reload never reuses a name or a UID.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/store/disk.js';
import { createUserMailStore } from '../../src/store/userStore.js';

const enc = new TextEncoder();
const T0 = 1_767_225_600_000;
const flagChoices = ['\\Seen', '\\Flagged', '\\Deleted', 'work', '$Label1'];

type Op = { append: number; flags: string[] } | { setFlags: number; flags: string[] } | { expunge: number } | { reload: true };
const flags = fc.subarray(flagChoices);
const op: fc.Arbitrary<Op> = fc.oneof(
  // Few distinct messages: equal sizes make equal names likelier (the name carries the sizes), so a reload
  // that reused a name would be caught.
  fc.record({ append: fc.nat(2), flags: fc.oneof(fc.constant([] as string[]), flags) }),
  fc.record({ setFlags: fc.nat(20), flags }),
  fc.record({ expunge: fc.nat(20) }),
  fc.record({ reload: fc.constant(true as const) }),
);

const message = (n: number) => enc.encode(`Subject: m${n}\r\nX: ${'h'.repeat(n * 7)}\r\n\r\n${'body line\r\n'.repeat(40 + n)}`);

describe('Maildir index', () => {
  it('lists and reads exactly what a plain model holds under appends, flag changes, expunges and reloads', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const platter = new MemoryDisk();
        const open = () => createUserMailStore(platter.mount(), 'mail/bob', { format: 'maildir', user: 'bob', clockMs: () => T0, hostName: 'mx.example.org' });
        let inbox = open().folder('INBOX')!;
        const model = new Map<number, { bytes: Uint8Array; flags: string[] }>();
        for (const o of ops) {
          const uids = [...model.keys()];
          if ('append' in o) {
            const uid = inbox.append(message(o.append), { flags: o.flags });
            expect(model.has(uid)).toBe(false);
            model.set(uid, { bytes: message(o.append), flags: [...o.flags].sort() });
          } else if ('setFlags' in o && uids.length > 0) {
            const uid = uids[o.setFlags % uids.length]!;
            inbox.setFlags(uid, o.flags);
            model.get(uid)!.flags = [...o.flags].sort();
          } else if ('expunge' in o && uids.length > 0) {
            const uid = uids[o.expunge % uids.length]!;
            inbox.expunge([uid]);
            model.delete(uid);
          } else if ('reload' in o) {
            platter.crash();
            inbox = open().folder('INBOX')!;
          }
          expect(inbox.messages().map((m) => [m.uid, [...m.flags].sort()])).toEqual([...model].map(([uid, m]) => [uid, m.flags]));
          for (const [uid, m] of model) expect(inbox.read(uid)).toEqual(m.bytes);
          expect(platter.filePaths().filter((path) => /\/(new|cur)\//.test(path)).length).toBe(model.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
