/**
 * `import 'mailsim/testing/vitest/setup'` registers the mail matchers on vitest's expect and brings
 * their types, with no `expect.extend` in the test file (docs/testing.md, "Matchers").
 */
import 'mailsim/testing/vitest/setup';
import { expect, it } from 'vitest';
import { runMail } from 'mailsim/testing';

it('the setup entry extends expect with the mail matchers', () => {
  const run = runMail('scenarios/alice-to-bob.yaml');
  expect(run).toDeliver('bob@example.org', { within: '1m', via: 'mx1.example.org', count: 1 });
  expect(run).toBeFetched('bob@example.org');
  expect(run).not.toBounce('bob@example.org');
  expect(run).toHaveNoLoss();
  expect(() => expect(run).toDeliver('bob@example.org', { within: '100ms' })).toThrow(/^expected bob@example\.org to be delivered \(within 0.1s\), but m1 landed after /);
});
