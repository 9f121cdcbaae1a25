/**
 * Planted bug for Bounce (D5, D7), through vitest's module mocking of src/mail/status.js: an MTA that
 * reports every permanent failure as 5.0.0, whatever the reply's enhanced code said.
 */
import { describe, expect, it, vi } from 'vitest';
import { bounceOnce } from './checks.js';
import { caughtAndShrunk } from './harness.js';
import { bounceWorld } from './worlds.js';

vi.mock('../../src/mail/status.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/mail/status.js')>();
  return {
    ...original,
    fromReply: (...args: Parameters<typeof original.fromReply>) => {
      const status = original.fromReply(...args);
      return args[0].code >= 500 ? { ...status, code: '5.0.0' } : status;
    },
  };
});

describe('planted bug: a DSN Status that does not match the reply', () => {
  it('is caught by Bounce (D5) and shrunk', () => {
    const failure = caughtAndShrunk('planted-bounce-status', bounceWorld(), bounceOnce, { faultsMax: 1, sendsMax: 2 });
    expect(failure.violations.join('\n')).toMatch(/D5/);
  });
});
