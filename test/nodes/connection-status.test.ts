/**
 * The status a recipient is deferred with when no reply decided it, in whole worlds (docs/delivery.md
 * R3; RFC 3463 §3.5, as Postfix reports it): 4.4.1 "No answer from host" when the connection attempt
 * was not answered or was refused, 4.4.2 "Bad connection" when a connection was made and then timed
 * out or was lost. The only MX fails the same way for the whole run, so the report's `deferred`
 * recipient carries the last attempt's status (docs/reference.md §9) — in Postfix's words, and with no
 * remote MTA, since no reply gave it (RFC 3464 §2.3.5, D5).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runner/run.js';
import type { ReportRecipient } from '../../src/report/types.js';

async function deferredRecipient(fault: Record<string, unknown>, senderTimeouts: Record<string, string> = {}): Promise<ReportRecipient> {
  const report = await runScenario({
    name: 'the only MX never lets the transaction happen',
    until: '2h',
    network: { latency: '20ms' },
    dns: {
      'sender.net': { mx: ['10 smtp.sender.net'] },
      'example.org': { mx: ['10 mx1.example.org'] },
      'mx1.example.org': { a: '10.0.0.10' },
    },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' }, timeouts: senderTimeouts },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    faults: [{ at: '0s', ...fault }],
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'Hi', body: 'Hello' } }],
  });
  const recipient = report.messages[0]!.recipients[0]!;
  expect(recipient.status).toBe('deferred');
  expect(recipient.attempts.length).toBeGreaterThan(1);
  return recipient;
}

describe('RFC 3463 §3.5 X.4.1 "No answer from host": the connection attempt was not answered', () => {
  it('a connect that times out (the MX is down) defers with 4.4.1', async () => {
    const recipient = await deferredRecipient({ down: 'mx1.example.org' });
    expect(recipient.attempts.every((a) => a.result === 'timeout')).toBe(true);
    expect(recipient).toMatchObject({ statusCode: '4.4.1', diagnostic: 'connect to mx1.example.org[10.0.0.10]:25: Connection timed out', remoteMta: null });
  });

  it('a refused connect defers with 4.4.1', async () => {
    const recipient = await deferredRecipient({ refuse: 'mx1.example.org' });
    expect(recipient.attempts.every((a) => a.result === 'refused')).toBe(true);
    expect(recipient).toMatchObject({ statusCode: '4.4.1', diagnostic: 'connect to mx1.example.org[10.0.0.10]:25: Connection refused', remoteMta: null });
  });
});

describe('RFC 3463 §3.5 X.4.2 "Bad connection": connected, then the transaction could not complete', () => {
  it('connected, then no reply to EHLO within its timeout defers with 4.4.2, not 4.4.1', async () => {
    // 20 ms each way: the EHLO reply comes 40 ms after EHLO went out, after a 10 ms timeout.
    const recipient = await deferredRecipient({ latency: { between: ['smtp.sender.net', 'mx1.example.org'], value: '20ms' } }, { helo: '10ms' });
    expect(recipient.attempts.every((a) => a.result === 'timeout')).toBe(true);
    expect(recipient).toMatchObject({ statusCode: '4.4.2', diagnostic: 'conversation with mx1.example.org[10.0.0.10] timed out while performing the EHLO handshake', remoteMta: null });
  });

  it('connected, then the line is cut before the greeting defers with 4.4.2', async () => {
    const recipient = await deferredRecipient({ drop: { host: 'mx1.example.org', after: 'connect' } });
    expect(recipient.attempts.every((a) => a.result === 'dropped')).toBe(true);
    expect(recipient).toMatchObject({ statusCode: '4.4.2', diagnostic: 'lost connection with mx1.example.org[10.0.0.10] while receiving the initial server greeting', remoteMta: null });
  });
});
