/**
 * noOpenRelay() (RFC 5321 §3.6.2): a backup MX with `relay-for` may take mail for the domain on port
 * 25; the same run judged against a scenario where that host lacks `relay-for` — a server that relays
 * for strangers — is caught. The check reads the trace's accepts, not the server's own verdict.
 */
import { noOpenRelay, runMail } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';
import { lines, twoMxWorld } from './worlds.js';

const viaBackup = () =>
  twoMxWorld({ traffic: [{ at: '1m', send: { from: 'carol@elsewhere.test', to: 'bob@example.org', body: 'x', via: 'mx2.example.org', port: 25 } }] });

describe('noOpenRelay()', () => {
  it('passes when the backup MX takes mail for a domain it relays for', () => {
    const run = runMail(viaBackup());
    expect(run.report.messages[0]!.recipients[0]!.hops).toContain('mx2.example.org');
    expect(noOpenRelay()(run)).toEqual([]);
  });

  it('catches a host that accepted on port 25 mail for a domain it neither serves nor relays for', () => {
    const run = runMail(viaBackup());
    const hosts = run.scenario.hosts.map((h) => (h.name === 'mx2.example.org' ? { ...h, relayFor: [] } : h));
    const found = lines(noOpenRelay()({ ...run, scenario: { ...run.scenario, hosts } }));
    expect(found).toEqual([expect.stringMatching(/^mx2\.example\.org accepted <[^>]+> → bob@example\.org on port 25 at t=[0-9dhms. ]+, though example\.org is neither in its domains nor in its relay-for/)]);
  });
});
