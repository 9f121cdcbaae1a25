/**
 * expectations() and reportInvariants() (docs/reference.md §8): the scenario's own `expect` as a check —
 * passes when it holds, one violation per item that did not, in words that name the item.
 */
import { expectations, reportInvariants, runMail } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';
import { lines, twoMxWorld } from './worlds.js';

describe('expectations()', () => {
  it('passes when every item of expect holds', () => {
    const run = runMail(twoMxWorld({ expect: [{ delivered: 'bob@example.org', via: 'mx1.example.org', within: '1h' }] }));
    expect(expectations()(run)).toEqual([]);
    expect(reportInvariants()(run)).toEqual([]);
  });

  it('reports each item that did not hold', () => {
    const run = runMail(twoMxWorld({ expect: [{ delivered: 'bob@example.org', via: 'mx2.example.org' }, { 'no-bounces': true }] }));
    expect(lines(expectations()(run))).toEqual([expect.stringMatching(/^expect \{"delivered":"bob@example\.org","via":"mx2\.example\.org"\} did not hold at the end of the run \(t=[0-9dhms. ]+\): /)]);
  });

  it('reportInvariants reports a failed invariant of the report', () => {
    const run = runMail(twoMxWorld({ faults: [{ at: '0s', reply: { host: 'mx1.example.org', on: 'dot', code: 250 } }] }));
    expect(lines(reportInvariants()(run))).toEqual([expect.stringMatching(/^invariant no-loss failed: lost: m1 → bob@example\.org/)]);
  });
});
