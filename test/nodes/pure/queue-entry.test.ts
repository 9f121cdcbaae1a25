/**
 * The queue entry's state file: `writeEntryState` builds its bytes from parts remembered per entry
 * (for speed), and they must stay exactly those of JSON.stringify(entry), so `loadEntries` reads back
 * the same entry — after any sequence of attempts changing the fields an attempt changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitNewEntry, entryPaths, loadEntries, type QueueEntry, type QueueRecipient, writeEntryState } from '../../../src/nodes/queue/queue-entry.js';
import { MemoryDisk } from '../../../src/store/disk.js';

const decoder = new TextDecoder();

function newEntry(queueId: string, overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    queueId,
    messageId: `<${queueId}@sender.net>`,
    from: 'alice@sender.net',
    recipients: [
      { address: 'bob@example.org', orcpt: null, notify: null, done: false, status: null, diagnostic: null, remoteMta: null, lastAttemptMs: null },
    ],
    arrivalMs: 1000,
    retry: { arrivalMs: 1000, nullSender: false, firstFailureMs: null, lastFailureMs: null, nextAttemptMs: null, failures: 0 },
    eligibleAtMs: null,
    warned: false,
    params: { body: null, smtpUtf8: false, requireTls: false, dsn: { ret: null, envid: null } },
    hopLimitExceeded: false,
    ...overrides,
  };
}

function stateText(disk: MemoryDisk, queueId: string): string {
  return decoder.decode(disk.readFile(entryPaths(queueId).state)!);
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const textOrNull = fc.option(text, { nil: null });
const msOrNull = fc.option(fc.nat(), { nil: null });

describe('writeEntryState', () => {
  it('writes JSON.stringify(entry) byte for byte, attempt after attempt', () => {
    fc.assert(
      fc.property(
        fc.record({
          messageId: text,
          from: text,
          envid: textOrNull,
          ret: fc.constantFrom('FULL' as const, 'HDRS' as const, null),
          body: fc.constantFrom('7BIT' as const, '8BITMIME' as const, null),
          utf8: fc.boolean(),
          requireTls: fc.boolean(),
          hops: fc.boolean(),
        }),
        fc.array(fc.record({ address: text, orcpt: textOrNull, notify: fc.constantFrom<QueueRecipient['notify']>(null, ['NEVER'], ['SUCCESS', 'DELAY']) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(
          fc.record({ done: fc.boolean(), status: textOrNull, diagnostic: textOrNull, remoteMta: textOrNull, atMs: msOrNull, eligibleAtMs: msOrNull, warned: fc.boolean() }),
          { maxLength: 5 },
        ),
        (head, recipients, attempts) => {
          const disk = new MemoryDisk();
          const entry = newEntry('Q000001', {
            messageId: head.messageId,
            from: head.from,
            params: { body: head.body, smtpUtf8: head.utf8, requireTls: head.requireTls, dsn: { ret: head.ret, envid: head.envid } },
            hopLimitExceeded: head.hops,
            recipients: recipients.map((r) => ({ ...r, done: false, status: null, diagnostic: null, remoteMta: null, lastAttemptMs: null })),
          });
          commitNewEntry(disk.mount(), entry, new Uint8Array([1, 2, 3]));
          for (const [n, attempt] of attempts.entries()) {
            for (const r of entry.recipients) {
              r.done = attempt.done;
              r.status = attempt.status;
              r.diagnostic = attempt.diagnostic;
              r.remoteMta = attempt.remoteMta;
              r.lastAttemptMs = attempt.atMs;
            }
            entry.retry = { ...entry.retry, lastFailureMs: attempt.atMs, nextAttemptMs: attempt.eligibleAtMs, failures: n + 1 };
            entry.eligibleAtMs = attempt.eligibleAtMs;
            entry.warned = attempt.warned;
            writeEntryState(disk.mount(), entry);
            expect(stateText(disk, entry.queueId)).toBe(JSON.stringify(entry));
          }
          expect(loadEntries(disk.mount())).toEqual([entry]);
        },
      ),
    );
  });

  it('encodes a state too big for its scratch buffer apart', () => {
    const disk = new MemoryDisk();
    const entry = newEntry('Q000002');
    commitNewEntry(disk.mount(), entry, new Uint8Array(1));
    entry.recipients[0]!.diagnostic = 'é'.repeat(40_000);
    writeEntryState(disk.mount(), entry);
    expect(stateText(disk, entry.queueId)).toBe(JSON.stringify(entry));
    entry.recipients[0]!.diagnostic = 'short again';
    writeEntryState(disk.mount(), entry);
    expect(stateText(disk, entry.queueId)).toBe(JSON.stringify(entry));
  });
});

describe('loadEntries', () => {
  it('reads a state file of the format before the envelope parameters were kept whole (ret/envid only)', () => {
    const disk = new MemoryDisk();
    const mounted = disk.mount();
    const current = newEntry('Q0000AA');
    const { params, ...rest } = current;
    const old = { ...rest, ret: 'HDRS', envid: 'env-7', hopLimitExceeded: false };
    mounted.write(entryPaths('Q0000AA').message, new Uint8Array([1]));
    mounted.write(entryPaths('Q0000AA').state, new TextEncoder().encode(JSON.stringify(old)));
    const [loaded] = loadEntries(mounted);
    expect(loaded).toEqual({ ...current, params: { body: null, smtpUtf8: false, requireTls: false, dsn: { ret: 'HDRS', envid: 'env-7' } } });
    expect(params.requireTls).toBe(false);
  });

  it('reads today’s format unchanged, parameters included', () => {
    const disk = new MemoryDisk();
    const entry = newEntry('Q0000AB', { params: { body: '8BITMIME', smtpUtf8: true, requireTls: true, dsn: { ret: 'FULL', envid: null } } });
    commitNewEntry(disk.mount(), entry, new Uint8Array([1]));
    expect(loadEntries(disk.mount())).toEqual([entry]);
  });
});
