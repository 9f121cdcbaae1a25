/**
 * A relay that will not send a message to an MX for a reason of that MX which will not pass — the
 * message is larger than the SIZE the MX states (RFC 1870 §6) — returns it with 5.3.4 (Postfix:
 * "message size … exceeds size limit … of server …") when no MX can take it, and delivers through
 * the next MX when one can. Before, the refusal was taken for a lost connection: deferred as 4.4.2
 * and retried for the whole queue lifetime.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { mailbox, recipient } from './world-harness.js';

function run(mx2: boolean) {
  return runScenarioWorld(
    validateScenarioObject({
      name: 'too big for the MX',
      until: '6d',
      dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx1.example.org', ...(mx2 ? ['20 mx2.example.org'] : [])] } },
      hosts: {
        'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
        'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' }, limits: { 'message-size': '2kB' } },
        ...(mx2 ? { 'mx2.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } } } : {}),
      },
      traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'big', size: '10kB' } }],
    }),
  );
}

describe('a message larger than the MX takes (RFC 1870 §6)', () => {
  it('the only MX: returned with 5.3.4 at the first attempt, naming the server', () => {
    const { report } = run(false);
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.3.4');
    expect(bob.bounce?.atMs).toBeLessThan(10 * 60_000);
    expect(JSON.stringify(bob.bounce)).toContain('exceeds the size limit of server mx1.example.org');
  });

  it('a second MX without the limit: delivered there in the same attempt', () => {
    const { world, report } = run(true);
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
    expect(mailbox(world, 'mx2.example.org', 'bob')).toHaveLength(1);
  });
});
