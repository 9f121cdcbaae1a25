/**
 * A soft failure before the transaction starts is a failure of the host, not of the recipients: the
 * next MX is tried in the same attempt (docs/delivery.md R6; Postfix smtp_connect / smtp_helo, and
 * smtp_skip_5xx_greeting for a 5xx greeting). Each case scripts the primary MX to fail at one
 * pre-transaction step for 20 minutes while the backup relays; the message sent at 1m must go to the
 * backup at once, not wait for the primary to recover.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runner/run.js';

const minuteMs = 60_000;
/** Far more than one failed session's round trips, far less than the first retry (R8: 5 minutes). */
const sameAttemptMs = 10_000;

function world(fault: Record<string, unknown>) {
  return {
    name: 'primary MX fails before the transaction; backup relays',
    until: '1d',
    dns: {
      'sender.net': { mx: ['10 smtp.sender.net'] },
      'example.org': { mx: ['10 mx1.example.org', '20 mx2.example.org'] },
    },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
      'mx2.example.org': { roles: ['mta'], 'relay-for': ['example.org'] },
    },
    faults: [{ at: '0s', until: '20m', ...fault }],
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'Hi', body: 'Hello' } }],
  };
}

const cases: Array<[string, Record<string, unknown>]> = [
  ['421 greeting', { reply: { host: 'mx1.example.org', on: 'connect', code: 421, text: '4.3.2 service not available' } }],
  ['554 greeting', { reply: { host: 'mx1.example.org', on: 'connect', code: 554, text: '5.7.1 no service here' } }],
  ['EHLO refused with 4xx', { reply: { host: 'mx1.example.org', on: 'ehlo', code: 451, text: '4.3.0 try later' } }],
  ['EHLO refused with 5xx', { reply: { host: 'mx1.example.org', on: 'ehlo', code: 550, text: '5.7.1 go away' } }],
  ['line dropped after the greeting', { drop: { host: 'mx1.example.org', after: 'connect' } }],
  ['line dropped after EHLO', { drop: { host: 'mx1.example.org', after: 'ehlo' } }],
  ['connection refused', { refuse: 'mx1.example.org' }],
];

describe('pre-transaction soft failure at a non-final MX: the next MX in the same attempt (R6)', () => {
  it.each(cases)('%s', async (_name, fault) => {
    const report = await runScenario(world(fault));
    const recipient = report.messages[0]!.recipients[0]!;
    const relayAttempts = recipient.attempts.filter((a) => a.from === 'smtp.sender.net');
    const first = relayAttempts[0]!;
    expect(first.to).toBe('mx1.example.org');
    expect(first.result).not.toBe('accepted');
    // The backup is tried in the same attempt, right after the failing primary (only the failed
    // session's own round trips in between, far below the 5-minute first retry), and takes the message.
    const second = relayAttempts[1]!;
    expect(second).toMatchObject({ to: 'mx2.example.org', result: 'accepted' });
    expect(second.atMs - first.atMs).toBeLessThan(sameAttemptMs);
    expect(first.atMs).toBeLessThan(2 * minuteMs);
    expect(recipient.status).toBe('delivered');
  });
});
