/**
 * mxOrder() (M4, M6): passes when the MTA walks the MX list in preference order, and catches a planted
 * MTA that walks it backwards (vitest's module mocking of src/nodes/mta/mx-selection.js, as
 * test/properties/planted-mx.test.ts) — seen when every MX fails, so each attempt tries them all.
 */
import { mxOrder, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allMxDownWorld, lines, twoMxWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ reverse: false }));

vi.mock('../../../src/nodes/mta/mx-selection.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/mta/mx-selection.js')>();
  return {
    ...original,
    selectMxCandidates: (input: Parameters<typeof original.selectMxCandidates>[0]) => {
      const selection = original.selectMxCandidates(input);
      if (selection.kind !== 'candidates' || !planted.reverse) return selection;
      return { ...selection, candidates: [...selection.candidates].reverse() };
    },
  };
});

afterEach(() => {
  planted.reverse = false;
});

describe('mxOrder()', () => {
  it('passes when the MX hosts are tried in preference order, the backup after the primary', () => {
    const run = runMail(allMxDownWorld({ until: '1d' }));
    expect(run.report.messages[0]!.recipients[0]!.attempts.slice(0, 2).map((a) => a.to)).toEqual(['mx1.example.org', 'mx2.example.org']);
    expect(mxOrder()(run)).toEqual([]);
    expect(mxOrder()(runMail(twoMxWorld()))).toEqual([]);
  });

  it('catches an MTA that tries the backup first', () => {
    planted.reverse = true;
    const found = lines(mxOrder()(runMail(allMxDownWorld({ until: '1d' }))));
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/^smtp\.sender\.net for <[^>]+> tried example\.org's MX out of order at t=[0-9dhms. ]+.*: mx2\.example\.org\(20\) → mx1\.example\.org\(10\) \(M4\)$/);
  });

  it('catches a backup MX that tries an MX as bad as itself (M6)', () => {
    // mx2 holds the message (mx1 down at first) while a doctored DNS makes mx1 look worse than mx2.
    const run = runMail(twoMxWorld({ faults: [{ at: '0s', down: 'mx1.example.org', until: '2h' }], traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', body: 'x', via: 'mx2.example.org', port: 25 } }] }));
    expect(mxOrder()(run)).toEqual([]);
    const dns = run.scenario.dns.map((e) => (e.name === 'example.org' ? { ...e, records: { ...e.records, mx: [{ preference: 30, host: 'mx1.example.org' }, { preference: 20, host: 'mx2.example.org' }] } } : e));
    const found = lines(mxOrder()({ ...run, scenario: { ...run.scenario, dns } }));
    expect(found).toContainEqual(expect.stringMatching(/^mx2\.example\.org for <[^>]+> \(itself MX 20 of example\.org\) tried mx1\.example\.org at preference 30 at t=[0-9dhms. ]+.*\(M6\)$/));
  });
});
