/**
 * Planted bug for At-least-once (E3), through vitest's module mocking of
 * src/nodes/smtp-client-session.js: a client that, once per connection target, takes the server's
 * 250 to the dot for a 451 and sends the message again — a duplicate with no line lost after the dot.
 */
import { describe, expect, it, vi } from 'vitest';
import { atLeastOnce } from './checks.js';
import { caughtAndShrunk } from './harness.js';
import { anyWorld } from './worlds.js';

vi.mock('../../src/nodes/smtp-client-session.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/nodes/smtp-client-session.js')>();
  const ignored = new WeakMap<object, Set<string>>();
  return {
    ...original,
    runSmtpSession: (request: Parameters<typeof original.runSmtpSession>[0], done: Parameters<typeof original.runSmtpSession>[1]) =>
      original.runSmtpSession(request, (outcome) => {
        const seen = ignored.get(request.sim) ?? new Set<string>();
        ignored.set(request.sim, seen);
        const transaction = outcome.kind === 'session' ? outcome.transactions[0] : undefined;
        const key = `${request.address}|${transaction?.id}`;
        if (transaction === undefined || seen.has(key) || !transaction.recipients.some((r) => r.outcome === 'accepted')) {
          done(outcome);
          return;
        }
        seen.add(key);
        const misread = { code: 451, enhanced: '4.3.0', lines: ['misread 250'] };
        done({
          ...outcome,
          transactions: [{ ...transaction, recipients: transaction.recipients.map((r) => (r.outcome === 'accepted' ? { ...r, outcome: 'deferred' as const, reply: misread } : r)) }],
        } as typeof outcome);
      }),
  };
});

describe('planted bug: a client that retries after a 250', () => {
  it('is caught by At-least-once (E3) and shrunk', () => {
    const failure = caughtAndShrunk('planted-duplicate', anyWorld(), atLeastOnce, { faultsMax: 1 });
    expect(failure.violations.join('\n')).toMatch(/landed \d+ times/);
  });
});
