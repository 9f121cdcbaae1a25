/**
 * The new entry's state file written straight to bytes (src/nodes/queue/new-entry-json.ts) against the
 * general path, JSON.stringify: on random entries, whenever the fast path answers, its bytes are those
 * of JSON.stringify(entry) and parse to the same object; it answers for every entry of plain text, and
 * declines (-1) text it cannot write as is. A commit reads back through `loadEntries` either way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newEntryJsonInto } from '../../../src/nodes/queue/new-entry-json.js';
import { commitNewEntry, loadEntries, type QueueEntry, type QueueRecipient } from '../../../src/nodes/queue/queue-entry.js';
import { MemoryDisk } from '../../../src/store/disk.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Plain text (the fast path's) most of the time, any text sometimes. */
const plain = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c)), maxLength: 40 });
/** Mostly plain, with one character at the edges of the fast path's range. */
const edgy = fc.string({ unit: fc.constantFrom('a', ' ', '~', '\x7f', '"', '\\', '\n', '\x1f', 'é', '\u2028', '\ud800', '\x80'), maxLength: 6 });
const text = fc.oneof({ arbitrary: plain, weight: 60 }, { arbitrary: edgy, weight: 2 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 });
const textOrNull = fc.option(text, { nil: null });
const ms = fc.oneof({ arbitrary: fc.nat(), weight: 60 }, { arbitrary: fc.double(), weight: 1 });
const msOrNull = fc.option(ms, { nil: null });

const recipient: fc.Arbitrary<QueueRecipient> = fc.record({
  address: text,
  orcpt: textOrNull,
  notify: fc.constantFrom<QueueRecipient['notify']>(null, [], ['NEVER'], ['SUCCESS', 'DELAY'], ['FAILURE']),
  done: fc.boolean(),
  status: textOrNull,
  diagnostic: textOrNull,
  remoteMta: textOrNull,
  lastAttemptMs: msOrNull,
});

/** An entry with the keys in `MailQueue.enqueue`'s order. */
const entry: fc.Arbitrary<QueueEntry> = fc
  .record({
    queueId: text,
    messageId: text,
    from: text,
    recipients: fc.array(recipient, { minLength: 1, maxLength: 5 }),
    arrivalMs: ms,
    retry: fc.record({ arrivalMs: ms, nullSender: fc.boolean(), firstFailureMs: msOrNull, lastFailureMs: msOrNull, nextAttemptMs: msOrNull, failures: fc.nat(20) }),
    eligibleAtMs: msOrNull,
    warned: fc.boolean(),
    body: fc.constantFrom('7BIT' as const, '8BITMIME' as const, 'BINARYMIME' as const, null),
    smtpUtf8: fc.boolean(),
    requireTls: fc.boolean(),
    ret: fc.constantFrom('FULL' as const, 'HDRS' as const, null),
    envid: textOrNull,
    hopLimitExceeded: fc.boolean(),
  })
  .map(({ body, smtpUtf8, requireTls, ret, envid, hopLimitExceeded, ...rest }) => ({ ...rest, params: { body, smtpUtf8, requireTls, dsn: { ret, envid } }, hopLimitExceeded }));

/** True when every string of the entry is plain and every number a safe integer (the fast path's domain). */
function isPlain(value: unknown): boolean {
  if (typeof value === 'string') return /^[\x20-\x21\x23-\x5b\x5d-\x7f]*$/.test(value);
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.every(isPlain);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isPlain);
  return true;
}

describe('newEntryJsonInto', () => {
  it('writes the bytes of JSON.stringify(entry) whenever it answers, and answers for every plain entry', () => {
    let answered = 0;
    fc.assert(
      fc.property(entry, (e) => {
        const out = new Uint8Array(1 << 16);
        const length = newEntryJsonInto(e, out);
        const general = JSON.stringify(e);
        expect(length >= 0).toBe(isPlain(e));
        if (length < 0) return;
        answered++;
        const fast = out.subarray(0, length);
        expect(fast).toEqual(encoder.encode(general));
        expect(JSON.parse(decoder.decode(fast))).toEqual(JSON.parse(general));
      }),
      { numRuns: 500 },
    );
    expect(answered).toBeGreaterThan(50);
  });

  it('declines an entry that does not fit the buffer, then writes nothing past it', () => {
    fc.assert(
      fc.property(entry, fc.nat(300), (e, size) => {
        const out = new Uint8Array(size + 1);
        out[size] = 0xaa;
        const length = newEntryJsonInto(e, out.subarray(0, size));
        if (length >= 0) expect(decoder.decode(out.subarray(0, length))).toBe(JSON.stringify(e));
        else expect(isPlain(e) ? encoder.encode(JSON.stringify(e)).length > size : true).toBe(true);
        expect(out[size]).toBe(0xaa);
      }),
    );
  });

  it('commitNewEntry writes a state file that loadEntries reads back as the entry, on either path', () => {
    fc.assert(
      fc.property(entry, (e) => {
        fc.pre(typeof e.queueId === 'string' && /^[A-Za-z0-9]+$/.test(e.queueId));
        const disk = new MemoryDisk();
        commitNewEntry(disk.mount(), e, new Uint8Array([1]));
        expect(loadEntries(disk.mount())).toEqual([JSON.parse(JSON.stringify(e))]);
      }),
      { numRuns: 200 },
    );
  });
});
