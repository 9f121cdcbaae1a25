/** MX selection, address plans and the per-attempt cursor (docs/delivery.md M1–M8, R6, docs/reference.md §5 routes). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AddressAnswer,
  AttemptCursor,
  type MxCandidate,
  type MxRecord,
  orderByPreference,
  planAddresses,
  routeFor,
  type Shuffle,
  selectMxCandidates,
} from '../../../src/nodes/mta/mx-selection.js';

const identity: Shuffle = (items) => items;
const reverse: Shuffle = (items) => [...items].reverse();

const mx = (...records: Array<[number, string]>) => ({
  kind: 'records' as const,
  records: records.map(([preference, exchange]) => ({ preference, exchange })),
});

function candidates(selection: ReturnType<typeof selectMxCandidates>): MxCandidate[] {
  if (selection.kind !== 'candidates') throw new Error(`expected candidates, got ${JSON.stringify(selection)}`);
  return selection.candidates;
}

describe('MX selection', () => {
  const base = { domain: 'example.org', localNames: ['smtp.sender.net'], shuffle: identity };

  it('M2: NXDOMAIN bounces 5.4.4; a temporary DNS failure defers 4.4.3', () => {
    expect(selectMxCandidates({ ...base, answer: { kind: 'nxdomain' } })).toMatchObject({ kind: 'bounce', status: '5.4.4' });
    expect(selectMxCandidates({ ...base, answer: { kind: 'temporary-failure', detail: 'SERVFAIL' } })).toMatchObject({
      kind: 'defer',
      status: '4.4.3',
    });
  });

  it('M3: no MX records → implicit MX (the domain itself, preference 0)', () => {
    const selection = selectMxCandidates({ ...base, answer: { kind: 'no-records' } });
    expect(selection).toMatchObject({ kind: 'candidates', via: 'implicit-mx' });
    expect(candidates(selection)).toEqual([{ preference: 0, exchange: 'example.org', implicit: true }]);
    // An empty record list is the same thing.
    expect(candidates(selectMxCandidates({ ...base, answer: mx() }))[0]!.exchange).toBe('example.org');
  });

  it('M3: when any MX exists the domain itself is never a candidate', () => {
    const list = candidates(selectMxCandidates({ ...base, answer: mx([10, 'mx1.example.org']) }));
    expect(list.map((c) => c.exchange)).toEqual(['mx1.example.org']);
    expect(list.some((c) => c.implicit)).toBe(false);
  });

  it('M4: ascending preference; equal preferences are ordered by the passed shuffle', () => {
    const answer = mx([20, 'b.example.org'], [10, 'a1.example.org'], [30, 'c.example.org'], [10, 'A2.example.org.']);
    expect(candidates(selectMxCandidates({ ...base, answer })).map((c) => c.exchange)).toEqual([
      'a1.example.org',
      'a2.example.org',
      'b.example.org',
      'c.example.org',
    ]);
    expect(candidates(selectMxCandidates({ ...base, answer, shuffle: reverse })).map((c) => c.exchange)).toEqual([
      'a2.example.org',
      'a1.example.org',
      'b.example.org',
      'c.example.org',
    ]);
  });

  it('M4 property: the order ascends by preference and is the shuffle of each tie group', () => {
    const recordsArb = fc
      .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 5 }).map((p) => p * 10), fc.integer({ min: 0, max: 50 })), {
        minLength: 1,
        maxLength: 15,
        selector: ([, host]) => host,
      })
      .map((pairs) => pairs.map(([preference, host]): MxRecord => ({ preference, exchange: `mx${host}.example.org` })));
    fc.assert(
      fc.property(recordsArb, fc.integer(), (records, seed) => {
        // A seeded permutation, as the kernel's stream would give: sort by a keyed hash.
        const shuffle: Shuffle = (items) =>
          items
            .map((item, i) => ({ item, key: Math.imul((i + 1) * 2654435761, seed | 1) >>> 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item);
        const result = candidates(selectMxCandidates({ ...base, answer: { kind: 'records', records }, shuffle }));
        for (let i = 1; i < result.length; i++) if (result[i]!.preference < result[i - 1]!.preference) return false;
        if (result.length !== records.length) return false;
        const preferences = [...new Set(records.map((r) => r.preference))];
        for (const preference of preferences) {
          const expectedGroup = shuffle(records.filter((r) => r.preference === preference)).map((r) => r.exchange);
          const actualGroup = result.filter((c) => c.preference === preference).map((c) => c.exchange);
          if (JSON.stringify(expectedGroup) !== JSON.stringify(actualGroup)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('M6: a backup MX at preference 20 tries only preferences below 20', () => {
    const answer = mx([10, 'mx1.example.org'], [20, 'mx2.example.org'], [30, 'mx3.example.org'], [20, 'mx2b.example.org']);
    const list = candidates(selectMxCandidates({ ...base, answer, localNames: ['MX2.example.org'] }));
    expect(list.map((c) => c.exchange)).toEqual(['mx1.example.org']);
  });

  it('M6: the local host as the best MX → bounce 5.4.6 "loops back to myself"', () => {
    const answer = mx([10, 'mx1.example.org'], [20, 'mx2.example.org']);
    const selection = selectMxCandidates({ ...base, answer, localNames: ['mx1.example.org'] });
    expect(selection).toEqual({ kind: 'bounce', status: '5.4.6', text: 'mail for example.org loops back to myself' });
  });

  it('M6: implicit MX pointing at ourselves also loops', () => {
    expect(selectMxCandidates({ ...base, answer: { kind: 'no-records' }, localNames: ['example.org'] })).toMatchObject({
      status: '5.4.6',
    });
  });

  it('M8: null MX bounces 5.1.10 at once and never falls back to the domain itself', () => {
    const selection = selectMxCandidates({ ...base, answer: mx([0, '.']) });
    expect(selection).toMatchObject({ kind: 'bounce', status: '5.1.10' });
    if (selection.kind === 'bounce') expect(selection.text).toMatch(/does not accept mail/);
  });

  it('routes: an exact domain beats "*", both skip the MX lookup; a route to ourselves loops', () => {
    const routes = { '*': 'smarthost.isp.net', 'Example.org': 'gw.example.org.' };
    expect(routeFor('example.ORG', routes)).toBe('gw.example.org');
    expect(routeFor('other.net', routes)).toBe('smarthost.isp.net');
    expect(routeFor('other.net', { 'example.org': 'gw' })).toBeNull();
    const selection = selectMxCandidates({ ...base, answer: { kind: 'nxdomain' }, routes });
    expect(selection).toEqual({
      kind: 'candidates',
      via: 'route',
      candidates: [{ preference: 0, exchange: 'gw.example.org', implicit: true }],
    });
    expect(selectMxCandidates({ ...base, answer: mx([10, 'x']), routes, localNames: ['gw.example.org'] })).toMatchObject({
      status: '5.4.6',
    });
  });

  it('orderByPreference keeps singletons without calling the shuffle', () => {
    let calls = 0;
    const counting: Shuffle = (items) => {
      calls++;
      return items;
    };
    orderByPreference([{ preference: 1 }, { preference: 2 }], counting);
    expect(calls).toBe(0);
  });
});

describe('address plans (M5, M7)', () => {
  const cands = (...names: string[]): MxCandidate[] => names.map((exchange, i) => ({ preference: i * 10, exchange, implicit: false }));
  const table =
    (answers: Record<string, AddressAnswer>) =>
    (name: string): AddressAnswer =>
      answers[name] ?? { kind: 'nxdomain' };

  it('M5: at most mx-addresses (5) addresses across candidates, in candidate order', () => {
    const plan = planAddresses({
      domain: 'example.org',
      candidates: cands('a', 'b', 'c'),
      resolve: table({
        a: { kind: 'addresses', addresses: ['10.0.0.1', '10.0.0.2'] },
        b: { kind: 'addresses', addresses: ['10.0.1.1', '10.0.1.2', '10.0.1.3'] },
        c: { kind: 'addresses', addresses: ['10.0.2.1'] },
      }),
    });
    expect(plan.kind).toBe('plan');
    if (plan.kind === 'plan') {
      expect(plan.targets.map((t) => t.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.1.1', '10.0.1.2', '10.0.1.3']);
      expect(plan.targets[2]).toEqual({ exchange: 'b', preference: 10, address: '10.0.1.1' });
    }
  });

  it('M7: targets that do not resolve are skipped; none resolving bounces 5.4.4; a temporary failure defers', () => {
    const partial = planAddresses({
      domain: 'example.org',
      candidates: cands('gone', 'ok'),
      resolve: table({ ok: { kind: 'addresses', addresses: ['10.0.0.9'] } }),
    });
    expect(partial).toEqual({ kind: 'plan', targets: [{ exchange: 'ok', preference: 10, address: '10.0.0.9' }] });
    expect(
      planAddresses({ domain: 'example.org', candidates: cands('gone', 'empty'), resolve: table({ empty: { kind: 'no-records' } }) }),
    ).toMatchObject({ kind: 'bounce', status: '5.4.4' });
    expect(
      planAddresses({
        domain: 'example.org',
        candidates: cands('gone', 'flaky'),
        resolve: table({ flaky: { kind: 'temporary-failure' } }),
      }),
    ).toMatchObject({ kind: 'defer', status: '4.4.3' });
  });

  it('M6 by address: an exchange on one of our own addresses ends the list there', () => {
    const resolve = table({
      a: { kind: 'addresses', addresses: ['10.0.0.1'] },
      me: { kind: 'addresses', addresses: ['10.9.9.9'] },
      c: { kind: 'addresses', addresses: ['10.0.0.3'] },
    });
    const plan = planAddresses({ domain: 'example.org', candidates: cands('a', 'me', 'c'), resolve, localAddresses: ['10.9.9.9'] });
    expect(plan).toEqual({ kind: 'plan', targets: [{ exchange: 'a', preference: 0, address: '10.0.0.1' }] });
    expect(
      planAddresses({ domain: 'example.org', candidates: cands('me', 'c'), resolve, localAddresses: ['10.9.9.9'] }),
    ).toMatchObject({ kind: 'bounce', status: '5.4.6' });
  });
});

describe('attempt cursor (M5, R6)', () => {
  const targets = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((address, i) => ({
    exchange: `mx${i}`,
    preference: i,
    address,
  }));

  it('R6: refused, timeout and a 4xx greeting move on to the next address in the same attempt', () => {
    const cursor = new AttemptCursor(targets);
    expect(cursor.current()?.address).toBe('10.0.0.1');
    expect(cursor.advance('refused')?.address).toBe('10.0.0.2');
    expect(cursor.advance('timeout')?.address).toBe('10.0.0.3');
    expect(cursor.advance('greeting-4xx')?.address).toBe('10.0.0.4');
    expect(cursor.advance('timeout')).toBeNull();
    expect(cursor.exhausted()).toBe(true);
    expect(cursor.sessionsUsed()).toBe(0);
    expect(cursor.tried().map((t) => t.outcome)).toEqual(['refused', 'timeout', 'greeting-4xx', 'timeout']);
    expect(() => cursor.advance('timeout')).toThrow();
  });

  it('M5: at most mx-sessions (2) completed sessions per attempt; failed connects do not count', () => {
    const cursor = new AttemptCursor(targets, 2);
    cursor.advance('session');
    cursor.advance('refused');
    expect(cursor.current()?.address).toBe('10.0.0.3');
    expect(cursor.advance('session')).toBeNull();
    expect(cursor.sessionsUsed()).toBe(2);
  });
});
