/**
 * A host's `catch-all` (docs/reference.md §5): mail for an unknown user of the host's domains is filed
 * in the catch-all user's mailbox (Postfix's luser_relay) instead of being refused with 550 5.1.1; with
 * `any-domain: true` mail for every domain is kept there and nothing is relayed (a capture server).
 */
import { describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { analyseScenarioObject, validateScenarioObject } from '../../src/scenario/load.js';
import { mailbox, recipient } from './world-harness.js';

function world(catchAll: unknown, to: string) {
  return {
    name: 'catch-all',
    until: '1h',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] }, 'elsewhere.net': { mx: ['10 mx.elsewhere.net'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw', carol: 'pw' }, ...(catchAll === undefined ? {} : { 'catch-all': catchAll }) },
      'mx.elsewhere.net': { roles: ['mta', 'mda'], domains: ['elsewhere.net'], users: { dave: 'pw' } },
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to, subject: 'hello', body: 'hi' } }],
  };
}

const runWorld = (catchAll: unknown, to: string, via?: string) => {
  const scenario = world(catchAll, to);
  if (via !== undefined) Object.assign(scenario.traffic[0]!.send, { via, port: 25 });
  return runScenarioWorld(validateScenarioObject(scenario));
};

describe('catch-all', () => {
  it('without one, an unknown user of a local domain is refused and bounced with 5.1.1', () => {
    const { report } = runWorld(undefined, 'nobody@example.org');
    expect(recipient(report, 'nobody@example.org').status).toBe('bounced');
    expect(recipient(report, 'nobody@example.org').bounce?.status).toBe('5.1.1');
  });

  it('an unknown user of a local domain lands in the catch-all mailbox, with its own To kept', () => {
    const { report, world: w } = runWorld('carol', 'Nobody@example.org');
    expect(recipient(report, 'Nobody@example.org').status).toBe('delivered');
    const kept = mailbox(w, 'mx.example.org', 'carol');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^To: <Nobody@example\.org>\r?$/m);
    expect(mailbox(w, 'mx.example.org', 'bob')).toHaveLength(0);
  });

  it('a known user still gets their own mail', () => {
    const { world: w } = runWorld('carol', 'bob@example.org');
    expect(mailbox(w, 'mx.example.org', 'bob')).toHaveLength(1);
    expect(mailbox(w, 'mx.example.org', 'carol')).toHaveLength(0);
  });

  it('a plain catch-all takes only its own domains: another domain is still refused on port 25 (no open relay)', () => {
    const { report, world: w } = runWorld('carol', 'dave@elsewhere.net', 'mx.example.org');
    expect(recipient(report, 'dave@elsewhere.net').status).toBe('rejected');
    expect(recipient(report, 'dave@elsewhere.net').reason).toContain('554 5.7.1');
    expect(mailbox(w, 'mx.example.org', 'carol')).toHaveLength(0);
  });

  it('any-domain: mail for another domain sent to it is kept in the catch-all mailbox, not relayed', () => {
    const { report, world: w } = runWorld({ user: 'carol', 'any-domain': true }, 'dave@elsewhere.net', 'mx.example.org');
    expect(recipient(report, 'dave@elsewhere.net').status).toBe('delivered');
    expect(mailbox(w, 'mx.example.org', 'carol')).toHaveLength(1);
    expect(mailbox(w, 'mx.elsewhere.net', 'dave')).toHaveLength(0);
    expect(report.invariants.find((i) => i.name === 'no-open-relay')).toMatchObject({ passed: true });
  });

  it('the catch-all user must be one of the host\'s users, said at its key', () => {
    const analysis = analyseScenarioObject(world('zed', 'x@example.org'), 'inline');
    expect(analysis.errors.map((p) => [p.path, p.message])).toEqual([
      ['hosts.mx.example.org.catch-all', 'the catch-all mailbox must be a user of this host; zed is not (its users: bob, carol)'],
    ]);
    const nested = analyseScenarioObject(world({ user: 'zed', 'any-domain': true }, 'x@example.org'), 'inline');
    expect(nested.errors.map((p) => p.path)).toEqual(['hosts.mx.example.org.catch-all.user']);
  });
});
