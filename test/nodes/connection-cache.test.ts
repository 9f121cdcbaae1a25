/**
 * Connection cache on demand end to end (docs/delivery.md R15; Postfix smtp_connection_cache_on_demand,
 * qmgr_entry_select, smtp_reuse.c): mail for one destination arriving back to back goes over fewer
 * connections — a session is left open after its transaction, and the next delivery probes it with
 * RSET and sends its MAIL FROM on it — while a lone message opens, delivers and says QUIT, and a
 * cached session nobody takes is closed after smtp_connection_cache_time_limit without QUIT.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import type { ReportAttempt } from '../../src/report/types.js';

const sender = 'smtp.sender.net';

function run(messages: number, everyMs: number, queue: Record<string, unknown> = {}, mx: Record<string, unknown> = {}, again: Array<Record<string, unknown>> = []) {
  const scenario = {
    name: 'mail for one destination, back to back',
    until: '1h',
    network: { latency: '20ms' },
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx1.example.org'] } },
    hosts: {
      [sender]: { roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' }, queue },
      'mx1.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' }, ...mx },
    },
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'hi', body: 'Hello', count: messages, every: `${everyMs}ms` } }, ...again],
  };
  const { report, world } = runScenarioWorld(validateScenarioObject(scenario, 'cache.yaml'), { keepTrace: true });
  const attempts: ReportAttempt[] = report.messages.filter((m) => !m.dsn).flatMap((m) => m.recipients[0]!.attempts.filter((a) => a.from === sender));
  /** What the sending MTA wrote on each of its connections to the MX, in order. */
  const written = new Map<string, string>();
  /** When the MX last wrote on each of them (the reply to the last dot of an idle session). */
  const lastReplyMs = new Map<string, number>();
  for (const e of world.sim.trace.events) {
    if (e.kind !== 'net.send' || !attempts.some((a) => a.conn === e.conn)) continue;
    if (e.from === sender) written.set(String(e.conn), (written.get(String(e.conn)) ?? '') + String(e.text ?? ''));
    else lastReplyMs.set(String(e.conn), e.t);
  }
  const ends = world.sim.trace.events.filter((e) => e.kind === 'net.end' && e.from === sender && written.has(String(e.conn)));
  return { report, attempts, written, ends, lastReplyMs };
}

describe('connection cache on demand (R15)', () => {
  it('twenty messages 10 ms apart: fewer connections than messages, a reused session gets RSET then MAIL FROM, each delivered once', () => {
    const { report, attempts, written } = run(20, 10);
    expect(attempts).toHaveLength(20);
    expect(attempts.every((a) => a.result === 'accepted')).toBe(true);
    expect(written.size).toBeLessThan(20);
    const reused = [...written.values()].filter((text) => (text.match(/^MAIL FROM:/gm) ?? []).length > 1);
    expect(reused.length).toBeGreaterThan(0);
    for (const text of reused) expect(text).toMatch(/\r\n\.\r\nRSET\r\nMAIL FROM:/);
    for (const message of report.messages.filter((m) => !m.dsn)) expect(message.recipients[0]!.deliveries).toHaveLength(1);
  });

  it('connection-cache: false: one connection per message, each ending with QUIT', () => {
    const { attempts, written } = run(20, 10, { 'connection-cache': false });
    expect(written.size).toBe(20);
    expect(new Set(attempts.map((a) => a.conn)).size).toBe(20);
    for (const text of written.values()) expect(text).toMatch(/QUIT\r\n$/);
  });

  it('a lone message: one connection, QUIT at once, nothing cached', () => {
    const { written, attempts } = run(1, 10);
    expect(written.size).toBe(1);
    expect([...written.values()][0]).toMatch(/\r\n\.\r\nQUIT\r\n$/);
    expect(attempts[0]!.result).toBe('accepted');
  });

  it('a cached session nobody takes is closed 2 s after its transaction, without QUIT (smtp_connection_cache_time_limit)', () => {
    const { written, ends, lastReplyMs } = run(20, 10);
    const idle = [...written].filter(([, text]) => !text.includes('QUIT'));
    expect(idle.length).toBeGreaterThan(0);
    for (const [conn] of idle) {
      const end = ends.find((e) => e.conn === conn);
      expect(end, conn).toBeDefined();
      // The 250 to the dot arrives 20 ms after the MX wrote it; the session then waits 2 s in the cache.
      expect(end!.t - lastReplyMs.get(conn)!).toBe(20 + 2000);
    }
  });

  it('a cached session the server closed meanwhile (server-idle) is not used: the next burst connects anew, nothing is deferred', () => {
    const later = { at: '65s', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'again', body: 'Hello', count: 20, every: '10ms' } };
    const { attempts, written } = run(20, 10, { 'connection-cache-time': '10s' }, { timeouts: { 'server-idle': '1s' } }, [later]);
    expect(attempts).toHaveLength(40);
    expect(attempts.every((a) => a.result === 'accepted')).toBe(true);
    const firstBurst = new Set(attempts.filter((a) => a.atMs < 65_000).map((a) => a.conn));
    expect(attempts.filter((a) => a.atMs >= 65_000 && firstBurst.has(a.conn))).toEqual([]);
    expect(written.size).toBeLessThan(40);
  });
});
