/**
 * Cross-checks between parts of a scenario (the list): what is an error, what is only a
 * warning, and that port 25 may come from anyone (RFC 5321 §3.6: no authentication on relay).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseScenarioFile, analyseScenarioText } from '../../src/scenario/load.js';

const base = [
  'name: x',
  'dns:',
  '  example.org: { mx: ["10 mx.example.org"] }',
  'hosts:',
  '  mx.example.org: { roles: [mta, mda, pop3, imap], domains: [example.org], users: { bob: pw } }',
  '  smtp.sender.net: { roles: [msa, mta], domains: [sender.net], users: { alice: secret, nopw: { filters: [] } } }',
];
const analyse = (...lines: string[]) => analyseScenarioText([...base, ...lines, ''].join('\n'), 's.yaml');
const summary = (problems: Array<{ line: number | null; path: string; message: string }>) => problems.map((p) => `${p.line} ${p.path}: ${p.message}`);

describe('cross-checks', () => {
  it('the base scenario is clean', () => {
    const a = analyse();
    expect([a.errors, a.warnings]).toEqual([[], []]);
  });

  it('an MX at a host defined nowhere is a warning, not an error; a host or an A record makes it known', () => {
    const a = analyseScenarioText(
      [...base, 'faults:', '  - { at: 1h, dns-set: { example.org: { mx: ["10 mx.example.org", "20 ghost.example.org", "30 outside.test"] } } }', ''].join('\n').replace(
        '  example.org: { mx: ["10 mx.example.org"] }',
        '  example.org: { mx: ["10 mx.example.org", "20 backup.example.org", "30 outside.test"] }\n  outside.test: { a: 192.0.2.1 }',
      ),
      's.yaml',
    );
    expect(a.errors).toEqual([]);
    expect(a.scenario).not.toBeNull();
    expect(summary(a.warnings)).toEqual([
      '3 dns.example.org.mx[1]: the MX target backup.example.org is not a host and has no address record; connections to it will fail',
      '9 faults[0].dns-set.example.org.mx[1]: the MX target ghost.example.org is not a host and has no address record; connections to it will fail',
    ]);
    expect(a.warnings[0]!.severity).toBe('warning');
  });

  it('a send on 587/465 from a user no host knows is an error; on port 25 anyone may send', () => {
    const a = analyse(
      'traffic:',
      '  - { at: 1m, send: { from: mallory@sender.net, to: bob@example.org } }',
      '  - { at: 1m, send: { from: alice@unknown.test, to: bob@example.org, port: 465 } }',
      '  - { at: 1m, send: { from: spam@anywhere.test, to: bob@example.org, port: 25 } }',
      '  - { at: 1m, send: { from: nopw@sender.net, to: bob@example.org } }',
      '  - { at: 1m, send: { from: ALICE@Sender.Net, to: bob@example.org } }',
    );
    expect(summary(a.errors)).toEqual([
      '8 traffic[0].send.from: no host knows the user mallory@sender.net (a host with sender.net in domains and mallory in users), so it cannot authenticate on port 587; add the user, or send on port 25',
      '9 traffic[1].send.from: no host knows the user alice@unknown.test (a host with unknown.test in domains and alice in users), so it cannot authenticate on port 465; add the user, or send on port 25',
      '9 traffic[1].send.from: no host has role msa and unknown.test in domains; set via: HOST',
      '11 traffic[3].send.from: the user nopw@sender.net has no password, so it cannot authenticate on port 587',
    ]);
  });

  it('a fetch for a missing mailbox is an error; a host without the protocol role is a warning', () => {
    const a = analyse(
      'traffic:',
      '  - { at: 1m, fetch: { user: carol@example.org, protocol: pop3 } }',
      '  - { at: 1m, fetch: { user: bob@nowhere.test, protocol: imap } }',
      '  - { at: 1m, fetch: { user: alice@sender.net, protocol: imap } }',
      '  - { at: 1m, fetch: { user: bob@example.org, protocol: imap, host: mx.exampel.org } }',
    );
    expect(summary(a.errors)).toEqual([
      '8 traffic[0].fetch.user: mx.example.org has no mailbox carol@example.org (the user must be in its users and the domain in its domains)',
      '9 traffic[1].fetch.user: no host has nowhere.test in domains, so the mailbox nowhere.test does not exist'.replace('mailbox nowhere.test', 'mailbox bob@nowhere.test'),
      '11 traffic[3].fetch.host: the host mx.exampel.org is not defined in hosts (did you mean mx.example.org?)',
    ]);
    expect(summary(a.warnings)).toEqual(['10 traffic[2].fetch.protocol: smtp.sender.net does not have role imap, so the fetch will be refused']);
  });

  it('faults, via, links and expectations naming unknown hosts are errors; routes to unknown hosts are warnings', () => {
    const a = analyseScenarioFile(join(import.meta.dirname, 'fixtures', 'broken-references.yaml'));
    expect(a.errors.map((p) => p.path)).toEqual([
      'hosts.other.sender.net.address',
      'faults[0].down',
      'faults[1].until',
      'traffic[0].send.from',
      'traffic[2].send.via',
      'traffic[3].fetch.user',
      'expect[0].via',
    ]);
    expect(a.warnings.map((p) => p.path)).toEqual([
      'dns.example.org.mx[1]',
      'hosts.mx.example.org.routes.partner.test',
      'traffic[4].fetch.protocol',
      'expect[0].delivered',
      'expect[1].fetched',
    ]);
    // The port-25 send from spam@anywhere.test (traffic[1]) is not among the errors.
    expect(a.errors.some((p) => p.path.startsWith('traffic[1]'))).toBe(false);
  });

  it('every fault action that names a host is checked', () => {
    const a = analyse(
      'network: { links: [ { between: [mx.example.org, nope1.test], latency: 5ms } ] }',
      'faults:',
      '  - { at: 1m, up: nope2.test }',
      '  - { at: 1m, refuse: nope3.test, port: 587 }',
      '  - { at: 1m, flaky: nope4.test, probability: 0.1 }',
      '  - { at: 1m, reply: { host: nope5.test, on: rcpt, code: 550 } }',
      '  - { at: 1m, drop: { host: nope6.test, after: dot } }',
      '  - { at: 1m, partition: [[mx.example.org], [nope7.test]] }',
      '  - { at: 1m, latency: { between: [nope8.test, mx.example.org], value: 1s } }',
    );
    expect(a.errors.map((p) => p.message.match(/nope\d/)?.[0])).toEqual(['nope1', 'nope2', 'nope3', 'nope4', 'nope5', 'nope6', 'nope7', 'nope8']);
    expect(a.errors.map((p) => p.path)).toEqual([
      'network.links[0].between[1]',
      'faults[0].up',
      'faults[1].refuse',
      'faults[2].flaky',
      'faults[3].reply.host',
      'faults[4].drop.host',
      'faults[5].partition[1][0]',
      'faults[6].latency.between[0]',
    ]);
  });

  it('duplicate addresses: two hosts on one IP is an error, one mailbox on two hosts a warning', () => {
    const a = analyse('  other.example.org: { address: 10.1.1.1, domains: [example.org], users: { bob: pw } }', '  third.example.org: { address: 10.1.1.1 }');
    expect(summary(a.errors)).toEqual(['8 hosts.third.example.org.address: third.example.org and other.example.org have the same address 10.1.1.1']);
    expect(summary(a.warnings)).toEqual(['7 hosts.other.example.org.users.bob: the mailbox bob@example.org also exists on mx.example.org']);
  });

  it('expectations about addresses no traffic sends to are warnings', () => {
    const a = analyse(
      'traffic:',
      '  - { at: 1m, send: { from: alice@sender.net, to: [bob@example.org] } }',
      'expect:',
      '  - { delivered: Bob@EXAMPLE.org }',
      '  - { bounced: carol@example.org }',
      '  - { deferred: dave@example.org }',
      '  - { rejected: erin@example.org }',
    );
    expect(a.errors).toEqual([]);
    expect(a.warnings.map((p) => p.path)).toEqual(['expect[1].bounced', 'expect[2].deferred', 'expect[3].rejected']);
  });
});
