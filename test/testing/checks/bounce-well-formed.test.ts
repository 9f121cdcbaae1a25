/**
 * bounceWellFormed() (D1, D3–D5, D7, R5): passes when a 550 5.1.1 comes back to the sender as an RFC
 * 3464 report with its Status, and catches
 *   - a planted MTA that reports every permanent failure as 5.0.0 (vitest's module mocking of
 *     src/mail/status.js, as test/properties/planted-status.test.ts): the Status does not match the reply;
 *   - a planted DSN writer whose report is not multipart/report (src/nodes/mta/dsn.js): no RFC 3464
 *     report reaches the sender.
 */
import { bounceWellFormed, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allMxDownWorld, lines, unknownUserWorld } from './worlds.js';

const planted = vi.hoisted(() => ({ mode: 'none' as 'none' | 'status' | 'plain-dsn' }));

vi.mock('../../../src/mail/status.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/mail/status.js')>();
  return {
    ...original,
    fromReply: (...args: Parameters<typeof original.fromReply>) => {
      const status = original.fromReply(...args);
      return planted.mode === 'status' && args[0].code >= 500 ? { ...status, code: '5.0.0' } : status;
    },
  };
});

vi.mock('../../../src/nodes/mta/dsn.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/mta/dsn.js')>();
  const latin1 = new TextDecoder('latin1');
  return {
    ...original,
    buildDsn: (...args: Parameters<typeof original.buildDsn>) => {
      const built = original.buildDsn(...args);
      if (planted.mode !== 'plain-dsn') return built;
      const text = latin1.decode(built.bytes).replace(/multipart\/report/i, 'multipart/mixed');
      return { ...built, bytes: Uint8Array.from(text, (c) => c.charCodeAt(0)) };
    },
  };
});

afterEach(() => {
  planted.mode = 'none';
});

describe('bounceWellFormed()', () => {
  it('passes on a 550 5.1.1 bounce and on an expiry bounce', () => {
    const run = runMail(unknownUserWorld());
    expect(run.report.messages[0]!.recipients[0]!.status).toBe('bounced');
    expect(bounceWellFormed()(run)).toEqual([]);
    expect(bounceWellFormed()(runMail(allMxDownWorld()))).toEqual([]);
  });

  it('does not ask 5.1.10 of a null MX domain whose mail never left for the smarthost (expired on the sending host)', () => {
    // Found by the bounce property (seed -618467962): the sender routes "*" to a smarthost that refuses
    // connections, so its queue expires the message (4.4.1); the null MX was never looked up (M8).
    const run = runMail({
      name: 'null MX behind an unreachable smarthost',
      until: '1d',
      defaults: { queue: { min: '60s', max: '300s', scan: '60s', lifetime: '2h' } },
      dns: { 'sender.test': { mx: ['10 smtp.sender.test'] }, 'd1.test': { mx: ['0 .'] } },
      hosts: {
        'smtp.sender.test': { roles: ['msa', 'mta', 'mda'], domains: ['sender.test'], users: { alice: 'pw' }, routes: { '*': 'relay.sender.test' } },
        'relay.sender.test': { roles: ['mta'], 'relay-for': ['d1.test'] },
      },
      faults: [{ at: '0s', refuse: 'relay.sender.test' }],
      traffic: [{ at: '0s', send: { from: 'alice@sender.test', to: 'bob@d1.test', subject: 't1', body: 'Hello' } }],
    });
    expect(run.report.messages[0]!.recipients[0]!.bounce?.status).toBe('4.4.1');
    expect(bounceWellFormed()(run)).toEqual([]);
  });

  it('judges a recipient by the DSN its own reporting MTA sent, not by another DSN about the message', () => {
    // Found by the bounce property (seed 153234345): m1 bounces at the sender's host (5.1.1) and, for its
    // other recipient, at a loop host (5.4.6) whose DSN back is refused for good. The first DSN arrives
    // and does not name the loop recipient — nor should it: that one is the stuck DSN's.
    const world = {
      name: 'two bounces of one message, one DSN stuck',
      until: '1d',
      defaults: { queue: { min: '60s', max: '300s', scan: '60s', lifetime: '2h' }, limits: { hops: 4 } },
      dns: { 'sender.test': { mx: ['10 smtp.sender.test'] }, 'd1.test': { mx: ['0 mx1.d1.test'] }, 'loop.test': { mx: ['10 loopa.test'] } },
      hosts: {
        'smtp.sender.test': { roles: ['msa', 'mta', 'mda'], domains: ['sender.test'], users: { alice: 'pw' } },
        'mx1.d1.test': { roles: ['mta', 'mda'], domains: ['d1.test'], users: { bob: 'pw' } },
        'loopa.test': { roles: ['mta'], 'relay-for': ['loop.test'], routes: { 'loop.test': 'loopb.test' } },
        'loopb.test': { roles: ['mta'], 'relay-for': ['loop.test'], routes: { 'loop.test': 'loopa.test' } },
      },
      faults: [{ at: '0s', refuse: 'smtp.sender.test' }],
      traffic: [{ at: '0s', send: { from: 'alice@sender.test', to: ['x@loop.test', 'nobody@d1.test'], subject: 't1', body: 'Hello' } }],
    };
    const run = runMail(world);
    const [loop, unknown] = run.report.messages[0]!.recipients;
    expect([loop!.bounce?.status, unknown!.bounce?.status]).toEqual(['5.4.6', '5.1.1']);
    expect(run.report.messages.filter((m) => m.dsn).map((m) => m.recipients[0]!.status)).toEqual(['delivered', 'deferred']);
    expect(bounceWellFormed()(run)).toEqual([]);
    // The DSN that did arrive is still judged: not a report, it names nobody.
    planted.mode = 'plain-dsn';
    const found = lines(bounceWellFormed()(runMail(world)));
    expect(found).toEqual([expect.stringMatching(/^m1 <[^>]+> → nobody@d1\.test: no RFC 3464 report in alice@sender\.test's mailbox says .*Status 5\.1\.1.*none names it \(D3-D5\)$/)]);
  });

  it('catches a Status that does not match the reply (D5)', () => {
    planted.mode = 'status';
    const found = lines(bounceWellFormed()(runMail(unknownUserWorld())));
    expect(found).toContainEqual(expect.stringMatching(/^m1 <[^>]+> → nobody@example\.org: bounced at t=[0-9dhms. ]+ with Status 5\.0\.0 but the reply said 5\.1\.1 \(D5\)$/));
  });

  it('catches a DSN that is not an RFC 3464 report (D3)', () => {
    planted.mode = 'plain-dsn';
    const found = lines(bounceWellFormed()(runMail(unknownUserWorld())));
    expect(found).toEqual([expect.stringMatching(/^m1 <[^>]+> → nobody@example\.org: no RFC 3464 report in alice@sender\.net's mailbox says .*Status 5\.1\.1.*none names it \(D3-D5\)$/)]);
  });
});
