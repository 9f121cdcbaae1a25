/**
 * Every recipient in the JSON report carries its outcome in RFC 3464 terms (docs/reference.md §9):
 * `statusCode` (RFC 3463), `diagnostic` (the remote reply or the local reason) and `remoteMta` (the
 * host that gave it; null for a local decision). A bounced recipient used to say `reason: null`, with
 * the diagnostic only in the HTML.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import type { ReportRecipient } from '../../src/report/types.js';

function world(extra: { faults?: unknown[]; traffic: unknown[]; until?: string; dns?: Record<string, unknown> }) {
  return {
    name: 'outcomes',
    until: extra.until ?? '1d',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] }, ...extra.dns },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    faults: extra.faults ?? [],
    traffic: extra.traffic,
  };
}

const send = (to: string) => ({ at: '1m', send: { from: 'alice@sender.net', to, subject: 's', body: 'b' } });

async function recipientOf(scenario: unknown, address: string): Promise<ReportRecipient> {
  const report = await runScenario(scenario);
  const found = report.messages.flatMap((m) => m.recipients).find((r) => r.address === address);
  if (found === undefined) throw new Error(`no recipient ${address}`);
  return found;
}

describe('recipient outcome in the JSON report', () => {
  it('bounced by a remote 5xx: its code, the reply, the host that said it', async () => {
    const scenario = world({ faults: [{ at: '0s', reply: { host: 'mx.example.org', on: 'rcpt', code: 550, text: '5.7.1 not welcome here' } }], traffic: [send('bob@example.org')] });
    const r = await recipientOf(scenario, 'bob@example.org');
    expect(r).toMatchObject({ status: 'bounced', statusCode: '5.7.1', remoteMta: 'mx.example.org' });
    expect(r.diagnostic).toMatch(/^550 5\.7\.1 not welcome here/);
    expect(r.reason).toBe(r.diagnostic);
    expect(r.bounce).toMatchObject({ status: '5.7.1', remoteMta: 'mx.example.org', diagnostic: r.diagnostic });
  });

  it('bounced for an unknown user at the final host', async () => {
    const r = await recipientOf(world({ traffic: [send('nobody@example.org')] }), 'nobody@example.org');
    expect(r).toMatchObject({ status: 'bounced', statusCode: '5.1.1', remoteMta: 'mx.example.org' });
    expect(r.diagnostic).toMatch(/^550 5\.1\.1 /);
  });

  it('bounced by a null MX: a local decision (no remote MTA)', async () => {
    const r = await recipientOf(world({ dns: { 'nomail.example': { mx: ['0 .'] } }, traffic: [send('x@nomail.example')] }), 'x@nomail.example');
    expect(r).toMatchObject({ status: 'bounced', statusCode: '5.1.10', remoteMta: null });
    expect(r.diagnostic).toMatch(/does not accept mail/); // RFC 7505 §3
  });

  it('bounced at expiry carries the last attempt: scenarios/all-mx-down-bounce.yaml', async () => {
    const report = await runScenario(loadScenario('scenarios/all-mx-down-bounce.yaml'));
    const r = report.messages[0]!.recipients[0]!;
    expect(r.status).toBe('bounced');
    expect(r.statusCode).toMatch(/^[45]\.4\.\d+$/);
    expect(r.diagnostic).toMatch(/connect to .*(timed out|refused)/i);
    // No server replied: no remote MTA gave the diagnostic (RFC 3464 §2.3.5, D5), in the bounce as in the verdict.
    expect(r.remoteMta).toBeNull();
    expect(r.bounce).toMatchObject({ diagnostic: r.diagnostic, remoteMta: null });
  });

  it('deferred at the end of the run: the last attempt’s code, reply and host', async () => {
    const scenario = world({ until: '30m', faults: [{ at: '0s', reply: { host: 'mx.example.org', on: 'rcpt', code: 451, text: '4.3.0 try later' } }], traffic: [send('bob@example.org')] });
    const r = await recipientOf(scenario, 'bob@example.org');
    expect(r).toMatchObject({ status: 'deferred', statusCode: '4.3.0', remoteMta: 'mx.example.org', reason: 'still queued when the run ended' });
    expect(r.diagnostic).toMatch(/^451 4\.3\.0 try later/);
  });

  it('delivered: 2.0.0, the reply of the hop that handed it over, the delivering host', async () => {
    const r = await recipientOf(world({ traffic: [send('bob@example.org')] }), 'bob@example.org');
    expect(r).toMatchObject({ status: 'delivered', statusCode: '2.0.0', remoteMta: 'mx.example.org', reason: null });
    expect(r.diagnostic).toMatch(/^250 /);
  });

  it('rejected at submission: the refusal and the submission server', async () => {
    const scenario = world({ faults: [{ at: '0s', reply: { host: 'smtp.sender.net', on: 'rcpt', code: 554, text: '5.7.1 submission refused' } }], traffic: [send('bob@example.org')] });
    const r = await recipientOf(scenario, 'bob@example.org');
    expect(r).toMatchObject({ status: 'rejected', statusCode: '5.7.1', remoteMta: 'smtp.sender.net' });
    expect(r.diagnostic).toMatch(/^554 5\.7\.1 submission refused/);
  });
});
