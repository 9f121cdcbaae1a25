/**
 * noBackscatterLoop() (D2, R7, §5 hops): a DSN to a sender whose domain does not exist is dropped, not
 * bounced (D2), and a loop between two relays ends with 5.4.6 at the hop limit — both pass; a planted
 * MTA that reports on null-sender mail too (vitest's module mocking of src/nodes/mta/dsn.js
 * `decideDsn` and `buildDsn`) bounces the bounce, and is caught; so is a loop that ends with another status.
 */
import { noBackscatterLoop, runMail } from 'mailsim/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lines, twoMxWorld } from './worlds.js';

/** The planted MTA reports on the next null-sender failure only (more would feed on themselves until `until`). */
const planted = vi.hoisted(() => ({ reportOnNullSender: false, left: 0 }));

vi.mock('../../../src/nodes/mta/dsn.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/nodes/mta/dsn.js')>();
  return {
    ...original,
    decideDsn: (input: Parameters<typeof original.decideDsn>[0]) => {
      if (!planted.reportOnNullSender || input.originalSender !== '' || planted.left === 0) return original.decideDsn(input);
      planted.left--;
      return { kind: 'send-dsn' as const };
    },
    // The writer refuses a report about null-sender mail (an assertion): the planted MTA writes it anyway.
    buildDsn: (input: Parameters<typeof original.buildDsn>[0]) =>
      original.buildDsn(planted.reportOnNullSender && input.originalSender === '' ? { ...input, originalSender: 'postmaster@nowhere.test' } : input),
  };
});

afterEach(() => {
  planted.reportOnNullSender = false;
});

/** A stranger whose domain does not exist writes to an unknown user through the backup MX. */
const ghostWorld = () =>
  twoMxWorld({ traffic: [{ at: '1m', send: { from: 'ghost@nowhere.test', to: 'nobody@example.org', body: 'x', via: 'mx2.example.org', port: 25 } }] });

const loopWorld = () =>
  twoMxWorld({
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx1.example.org'] }, 'loop.test': { mx: ['10 loopa.test'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'hunter2' } },
      'loopa.test': { roles: ['mta'], 'relay-for': ['loop.test'], routes: { 'loop.test': 'loopb.test' }, limits: { hops: 8 } },
      'loopb.test': { roles: ['mta'], 'relay-for': ['loop.test'], routes: { 'loop.test': 'loopa.test' }, limits: { hops: 8 } },
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'x@loop.test', body: 'x' } }],
  });

describe('noBackscatterLoop()', () => {
  it('passes when the undeliverable DSN to a null-sender is dropped (D2)', () => {
    const run = runMail(ghostWorld());
    expect(run.report.messages.filter((m) => m.dsn)).toHaveLength(1);
    expect(noBackscatterLoop()(run)).toEqual([]);
  });

  it('catches an MTA that bounces a bounce', () => {
    planted.reportOnNullSender = true;
    planted.left = 1;
    const found = lines(noBackscatterLoop()(runMail(ghostWorld())));
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(/\(a DSN\) → ghost@nowhere\.test was itself bounced at t=[0-9dhms. ]+ \(D2, R7\)|is a DSN about the DSN/);
  });

  it('passes when a loop between relays ends with 5.4.6 at the hop limit, and catches one that ends otherwise', () => {
    const run = runMail(loopWorld());
    const recipient = run.report.messages[0]!.recipients[0]!;
    expect(recipient.bounce?.status).toBe('5.4.6');
    expect(noBackscatterLoop()(run)).toEqual([]);
    const doctored = { ...run, report: { ...run.report, messages: run.report.messages.map((m, i) => (i === 0 ? { ...m, recipients: [{ ...recipient, bounce: { ...recipient.bounce!, status: '5.0.0' } }] } : m)) } };
    expect(lines(noBackscatterLoop()(doctored))).toEqual([expect.stringMatching(/^m1 <[^>]+> → x@loop\.test: a mail loop \(smtp\.sender\.net → loopa\.test → loopb\.test → .*\) bounced at t=[0-9dhms. ]+ with 5\.0\.0, not 5\.4\.6$/)]);
  });
});
