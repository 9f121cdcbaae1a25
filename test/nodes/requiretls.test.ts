/**
 * REQUIRETLS (RFC 8689) end to end, added as one extension file (src/protocols/smtp/extensions/requiretls.ts):
 * alice sends with `requiretls: true`; her MSA takes MAIL FROM … REQUIRETLS only over TLS when it
 * offers REQUIRETLS; the parameter travels in the queue file; the MTA relays it only over TLS to an MX
 * that offers REQUIRETLS, tries the next MX when one does not, and returns the message with 5.7.30
 * (headers only) when none does. A server offers REQUIRETLS on TLS sessions only.
 */
import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import type { World } from '../../src/nodes/world.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { mailbox, recipient } from './world-harness.js';

interface Options {
  msa?: boolean;
  mx1?: { requiretls?: boolean; tls?: boolean };
  mx2?: { requiretls?: boolean } | null;
  requiretls?: boolean;
}

function run(options: Options) {
  const mx2 = options.mx2 ?? null;
  const scenario = validateScenarioObject({
    name: 'requiretls',
    until: '2d',
    dns: {
      'sender.net': { mx: ['10 smtp.sender.net'] },
      'example.org': { mx: ['10 mx1.example.org', ...(mx2 === null ? [] : ['20 mx2.example.org'])] },
    },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' }, requiretls: options.msa ?? true },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' }, requiretls: options.mx1?.requiretls ?? true, tls: options.mx1?.tls ?? true },
      ...(mx2 === null ? {} : { 'mx2.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' }, requiretls: mx2.requiretls ?? true } }),
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'secret plans', body: 'the plans', requiretls: options.requiretls ?? true } }],
  });
  return runScenarioWorld(scenario, { keepTrace: true });
}

/** The MAIL FROM lines one host's SMTP client wrote (the MUA writes to the MSA, the MSA to the MX). */
function mailFromLinesBy(world: World, client: 'mua.mailsim.invalid' | 'smtp.sender.net'): string[] {
  const lines: string[] = [];
  for (const event of world.sim.trace.events) {
    if (event.kind !== 'net.send' || event.from !== client || typeof event.text !== 'string') continue;
    for (const line of event.text.split('\r\n')) if (line.startsWith('MAIL FROM:')) lines.push(line);
  }
  return lines;
}

function noticesFor(world: World) {
  const host = world.hosts.get('smtp.sender.net')!;
  const alice = host.config.users.find((u) => u.name === 'alice')!;
  const inbox = host.local!.storeOf(alice).folder('INBOX');
  if (inbox === null) return [];
  return inbox.messages().map((m) => new TextDecoder().decode(inbox.read(m.uid)));
}

describe('REQUIRETLS (RFC 8689)', () => {
  it('every hop offers it: delivered, and MAIL FROM carries REQUIRETLS on both hops (the queue kept it)', () => {
    const { world, report } = run({});
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
    expect(mailFromLinesBy(world, 'mua.mailsim.invalid')).toEqual([expect.stringMatching(/ REQUIRETLS$/)]);
    expect(mailFromLinesBy(world, 'smtp.sender.net')).toEqual([expect.stringMatching(/ REQUIRETLS$/)]);
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(1);
  });

  it('without requiretls the parameter is never sent (and the digests of other scenarios do not move)', () => {
    const { world, report } = run({ requiretls: false });
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
    expect(mailFromLinesBy(world, 'smtp.sender.net')).toEqual([expect.not.stringMatching(/REQUIRETLS/)]);
  });

  it('the only MX does not offer it: returned to alice with 5.7.30, the notice carries the headers only', () => {
    const { world, report } = run({ mx1: { requiretls: false } });
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('bounced');
    expect(bob.bounce?.status).toBe('5.7.30');
    expect(mailFromLinesBy(world, 'smtp.sender.net')).toEqual([]);
    const notices = noticesFor(world);
    expect(notices).toHaveLength(1);
    const dsn = parseDsn(new TextEncoder().encode(notices[0]!));
    expect(dsn?.recipients[0]).toMatchObject({ finalRecipient: 'bob@example.org', action: 'failed', status: '5.7.30' });
    expect(notices[0]).toContain('text/rfc822-headers');
    expect(notices[0]).not.toContain('the plans');
  });

  it('an MX with REQUIRETLS configured but no TLS never offers it (offered on TLS sessions only): 5.7.30', () => {
    const { report } = run({ mx1: { requiretls: true, tls: false } });
    expect(recipient(report, 'bob@example.org').bounce?.status).toBe('5.7.30');
  });

  it('the first MX does not offer it, the second does: delivered through the second (RFC 8689 §4.2.1)', () => {
    const { world, report } = run({ mx1: { requiretls: false }, mx2: { requiretls: true } });
    expect(recipient(report, 'bob@example.org').status).toBe('delivered');
    expect(mailbox(world, 'mx2.example.org', 'bob')).toHaveLength(1);
    expect(mailbox(world, 'mx1.example.org', 'bob')).toHaveLength(0);
  });

  it('the MSA does not offer it: the MUA does not send, and says why', () => {
    const { report } = run({ msa: false });
    const bob = recipient(report, 'bob@example.org');
    expect(bob.status).toBe('rejected');
    expect(JSON.stringify(bob)).toContain('REQUIRETLS');
  });
});
