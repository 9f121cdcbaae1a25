/**
 * Issue 19 §1: the POP3 and IMAP autologout are scenario keys (`timeouts.pop3-idle`, `timeouts.imap-idle`,
 * defaults 10m and 30m), not below their RFC floors (RFC 1939 §3, RFC 9051 §5.4). A client in a world
 * connects to each service, says nothing, and the test records when the server hangs up.
 */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/net/connection.js';
import { World } from '../../src/nodes/world.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

function silentClientClosedAtMs(timeouts: Record<string, string>, port: number): number | null {
  const world = new World(
    validateScenarioObject({
      name: 'a client that never speaks',
      until: '3h',
      hosts: {
        'mail.example.org': { roles: ['mta', 'mda', 'pop3', 'imap'], domains: ['example.org'], users: { bob: 'pw' }, timeouts },
        'client.example.org': { roles: ['mta'] },
      },
    }),
  );
  const server = world.hosts.get('mail.example.org')!;
  const client = world.hosts.get('client.example.org')!;
  let closedAtMs: number | null = null;
  world.sim.at(1_000, () =>
    client.netHost.connect(server.netHost.address, port, { timeoutMs: 30_000 }, {
      onConnected: (conn: Connection) =>
        conn.setHandlers({
          onData: () => {},
          onEnd: () => {
            closedAtMs ??= world.sim.nowMs;
          },
          onClose: () => {
            closedAtMs ??= world.sim.nowMs;
          },
        }),
      onFailed: () => {},
    }),
  );
  world.run();
  return closedAtMs;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 60_000));

describe('timeouts.pop3-idle and timeouts.imap-idle', () => {
  it('default to 10 and 30 minutes', () => {
    expect(minutes(silentClientClosedAtMs({}, 110))).toBe(10);
    expect(minutes(silentClientClosedAtMs({}, 143))).toBe(30);
  });

  it('set the autologout of the host’s POP3 and IMAP servers', () => {
    expect(minutes(silentClientClosedAtMs({ 'pop3-idle': '25m' }, 110))).toBe(25);
    expect(minutes(silentClientClosedAtMs({ 'imap-idle': '45m' }, 143))).toBe(45);
  });

  it('are not below the RFC floors', () => {
    const load = (timeouts: Record<string, string>) => () => validateScenarioObject({ name: 'x', hosts: { 'a.example': { timeouts } } }, 'x.yaml');
    expect(load({ 'pop3-idle': '5m' })).toThrow(/RFC 1939 §3/);
    expect(load({ 'imap-idle': '29m' })).toThrow(/RFC 9051 §5\.4/);
  });
});
