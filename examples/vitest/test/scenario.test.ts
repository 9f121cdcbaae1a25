/**
 * A scenario test with matchers: run our file once with the primary down for two hours and say what
 * must happen in the words of mail — delivered to Bob through the backup MX within three hours,
 * nothing lost. A failing matcher prints the message's journey (attempts, replies, times).
 */
import { runMail, scenarioObjectOf } from 'mailsim/testing';
import { mailMatchers } from 'mailsim/testing/vitest';
import { describe, expect, it } from 'vitest';

expect.extend(mailMatchers);

describe('our MX setup, primary down for two hours', () => {
  const scenario = { ...scenarioObjectOf('scenarios/our-mail.yaml'), faults: [{ at: '0s', down: 'mx1.example.org', until: '2h' }] };
  const run = runMail(scenario);

  it('delivers both messages to Bob within three hours, through the backup MX', () => {
    expect(run).toDeliver('bob@example.org', { within: '3h', count: 2 });
    expect(run).toHaveNoLoss();
  });

  it('bounces nothing', () => {
    expect(run).not.toBounce('bob@example.org');
  });
});
