/**
 * atLeastOnce() (E3) and noDuplicates(). The RFC 1047 duplicate (a connection lost after the dot) is
 * allowed by atLeastOnce and caught by noDuplicates; a planted client that takes the server's 250 to
 * the dot for a 451 and sends again (vitest's module mocking of src/nodes/smtp-client-session.js, as
 * test/properties/planted-duplicate.test.ts) duplicates with no line lost: atLeastOnce catches it.
 */
import { atLeastOnce, noDuplicates, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lines, twoMxWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ misread: false }));

vi.mock('../../../src/nodes/smtp-client-session.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/smtp-client-session.js')>();
  const seen = new WeakMap<object, Set<string>>();
  return {
    ...original,
    runSmtpSession: (request: Parameters<typeof original.runSmtpSession>[0], done: Parameters<typeof original.runSmtpSession>[1]) =>
      original.runSmtpSession(request, (outcome) => {
        const transaction = outcome.kind === 'session' ? outcome.transactions[0] : undefined;
        const keys = seen.get(request.sim) ?? new Set<string>();
        seen.set(request.sim, keys);
        const key = `${request.address}|${transaction?.id}`;
        if (!planted.misread || transaction === undefined || keys.has(key) || !transaction.recipients.some((r) => r.outcome === 'accepted')) {
          done(outcome);
          return;
        }
        keys.add(key);
        const misread = { code: 451, enhanced: '4.3.0', lines: ['misread 250'] };
        done({
          ...outcome,
          transactions: [{ ...transaction, recipients: transaction.recipients.map((r) => (r.outcome === 'accepted' ? { ...r, outcome: 'deferred' as const, reply: misread } : r)) }],
        } as typeof outcome);
      }),
  };
});

afterEach(() => {
  planted.misread = false;
});

const lostAfterDot = () => twoMxWorld({ faults: [{ at: '0s', drop: { host: 'mx1.example.org', after: 'dot', times: 1 } }] });

describe('atLeastOnce() and noDuplicates()', () => {
  it('both pass on a plain delivery', () => {
    const run = runMail(twoMxWorld());
    expect([...atLeastOnce()(run), ...noDuplicates()(run)]).toEqual([]);
  });

  it('a line lost after the dot: a duplicate atLeastOnce allows (E3) and noDuplicates reports', () => {
    const run = runMail(lostAfterDot());
    expect(atLeastOnce()(run)).toEqual([]);
    expect(lines(noDuplicates()(run))).toEqual([expect.stringMatching(/^m1 <[^>]+> → bob@example\.org landed 2 times \(the second at t=[0-9dhms. ]+/)]);
  });

  it('a reply to the dot held past the client timeout: a duplicate atLeastOnce allows (E3) and noDuplicates reports', () => {
    const run = runMail(twoMxWorld({ faults: [{ at: '0s', delay: { host: 'mx1.example.org', on: 'dot', by: '20m', times: 1 } }] }));
    expect(atLeastOnce()(run)).toEqual([]);
    expect(lines(noDuplicates()(run))).toEqual([expect.stringMatching(/^m1 <[^>]+> → bob@example\.org landed 2 times/)]);
  });

  it('atLeastOnce catches a client that sends again after a 250', () => {
    planted.misread = true;
    const found = lines(atLeastOnce()(runMail(twoMxWorld())));
    expect(found).toEqual([expect.stringMatching(/^m1 <[^>]+> → bob@example\.org landed \d+ times .* with no connection lost after the dot and no crash \(E3\)$/)]);
  });
});
