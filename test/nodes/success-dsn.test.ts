/**
 * Success notices (RFC 3461 §4.1, §5.2.2; RFC 3464 §2.3.3; docs/delivery.md D6): a recipient sent with
 * NOTIFY=SUCCESS gets `Action: delivered` from the host that files it in a mailbox. A relay whose next
 * hop offers DSN passes NOTIFY on and reports nothing itself; a relay whose next hop does not (tested
 * against a real one in test/interop/success-dsn.test.ts) reports `Action: relayed`. Without SUCCESS,
 * nothing is sent on success. (DSN was advertised, but NOTIFY=SUCCESS never produced a notice.)
 */
import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/nodes/mta/dsn.js';
import type { World } from '../../src/nodes/world.js';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

function world(notify: unknown, to = 'bob@example.org') {
  return validateScenarioObject({
    name: 'success notices',
    until: '1d',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret', carol: 'pw' } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to, subject: 'report back', body: 'hi', ...(notify === undefined ? {} : { notify }) } }],
  });
}

/** The delivery status notifications in alice's INBOX at smtp.sender.net. */
function noticesFor(w: World) {
  const host = w.hosts.get('smtp.sender.net')!;
  const alice = host.config.users.find((u) => u.name === 'alice')!;
  const inbox = host.local!.storeOf(alice).folder('INBOX')!;
  return inbox
    .messages()
    .map((m) => parseDsn(inbox.read(m.uid)))
    .filter((dsn) => dsn !== null);
}

describe('NOTIFY=SUCCESS', () => {
  it('delivered at the final host: one notice from it, Action: delivered, 2.0.0; the relay hop passed NOTIFY on and sent none', () => {
    const { world: w, report } = runScenarioWorld(world(['success', 'failure']));
    const notices = noticesFor(w);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ reportingMta: 'mx.example.org' });
    expect(notices[0]!.recipients).toEqual([expect.objectContaining({ finalRecipient: 'bob@example.org', action: 'delivered', status: '2.0.0' })]);
    const dsn = report.messages.find((m) => m.dsn)!;
    expect(dsn).toMatchObject({ from: '', about: 'm1' });
    expect(dsn.recipients[0]).toMatchObject({ address: 'alice@sender.net', status: 'delivered' });
    expect(report.passed).toBe(true);
  });

  it('a local recipient at the submission host gets its notice from that host', () => {
    const { world: w } = runScenarioWorld(world('success', 'carol@sender.net'));
    const notices = noticesFor(w);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ reportingMta: 'smtp.sender.net' });
    expect(notices[0]!.recipients[0]).toMatchObject({ action: 'delivered', status: '2.0.0' });
  });

  it.each([[undefined], [['failure']], ['never']])('NOTIFY %j: no notice on success', (notify) => {
    const { world: w, report } = runScenarioWorld(world(notify));
    expect(noticesFor(w)).toEqual([]);
    expect(report.messages.filter((m) => m.dsn)).toEqual([]);
  });

  it('never stands alone', () => {
    expect(() => world(['never', 'success'])).toThrow(/never stands alone/);
  });
});
