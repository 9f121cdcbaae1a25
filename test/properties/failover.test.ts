/**
 * Failover (docs/delivery.md M4, M6, R6): within one attempt the MX hosts are tried in ascending
 * preference, a backup MX never tries its own preference or worse; equal preferences are shuffled
 * with the seed; and when a reachable MX accepts, the mail is delivered, never bounced.
 */
import { describe, expect, it } from 'vitest';
import { failoverOrder, preTransactionFailover, reachableMeansDelivered } from './checks.js';
import { assertProperty, propertyTimeoutMs, runWorld, runs } from './harness.js';
import { orderingWorld, preTransactionWorld, reachableWorld } from './worlds.js';

describe('property: failover (M4, M6, R6)', () => {
  it('MX hosts are tried in ascending preference; own preference and worse never (M4, M6)', () => {
    assertProperty('failover-order', orderingWorld(), failoverOrder, { numRuns: runs(60) });
  }, propertyTimeoutMs);

  it('a reachable accepting MX means delivered, never bounced (R6)', () => {
    assertProperty('failover-reachable', reachableWorld(), (w, r) => [...reachableMeansDelivered(w, r), ...failoverOrder(w, r)], { numRuns: runs(40) });
  }, propertyTimeoutMs);

  it('a soft failure before MAIL FROM at a non-final MX is followed by the next MX in the same attempt (R6)', () => {
    assertProperty('failover-pre-transaction', preTransactionWorld(), (w, r) => [...preTransactionFailover(w, r), ...failoverOrder(w, r)], { numRuns: runs(40) });
  }, propertyTimeoutMs);

  it('equal preferences are shuffled with the seed: each tied MX comes first for some seed (M4)', () => {
    const firstTried = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const scenario = {
        name: 'tie',
        seed,
        until: '1h',
        dns: { 'sender.test': { mx: ['10 smtp.sender.test'] }, 'd1.test': { mx: ['10 dead1.d1.test', '10 dead2.d1.test', '10 dead3.d1.test', '20 mx1.d1.test'] }, 'dead1.d1.test': { a: '10.99.0.1' }, 'dead2.d1.test': { a: '10.99.0.2' }, 'dead3.d1.test': { a: '10.99.0.3' } },
        hosts: { 'smtp.sender.test': { roles: ['msa', 'mta'], domains: ['sender.test'], users: { alice: 'pw' } }, 'mx1.d1.test': { domains: ['d1.test'], users: { bob: 'pw' } } },
        traffic: [{ at: '1m', send: { from: 'alice@sender.test', to: 'bob@d1.test', body: 'x' } }],
      };
      const attempts = runWorld(scenario).report.messages[0]!.recipients[0]!.attempts;
      firstTried.add(attempts[0]!.to);
      expect(attempts.map((a) => a.to).at(-1)).toBe('mx1.d1.test');
    }
    expect(firstTried).toEqual(new Set(['dead1.d1.test', 'dead2.d1.test', 'dead3.d1.test']));
  });
});
