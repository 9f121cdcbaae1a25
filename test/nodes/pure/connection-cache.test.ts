/**
 * The SMTP client's connection cache (src/nodes/queue/connection-cache.ts; docs/delivery.md R15):
 * Postfix's smtp_connection_cache_time_limit (2 s) and smtp_connection_reuse_time_limit (300 s).
 */
import { describe, expect, it } from 'vitest';
import { ConnectionCache, connectionReuseTimeMs } from '../../../src/nodes/queue/connection-cache.js';
import type { ParkedSession } from '../../../src/nodes/smtp-client-session.js';

function harness() {
  let nowMs = 0;
  let nextTimer = 1;
  const timers = new Map<number, { atMs: number; fn: () => void }>();
  const cache = new ConnectionCache(
    {
      nowMs: () => nowMs,
      after: (delayMs, fn) => {
        const id = nextTimer++;
        timers.set(id, { atMs: nowMs + delayMs, fn });
        return id as never;
      },
      cancel: (id) => void timers.delete(id as never),
    },
    2000,
  );
  const advance = (toMs: number) => {
    nowMs = toMs;
    for (const [id, timer] of [...timers]) {
      if (timer.atMs <= toMs) {
        timers.delete(id);
        timer.fn();
      }
    }
  };
  return { cache, advance };
}

function session(conn: string, openedAtMs = 0) {
  const calls: string[] = [];
  let open = true;
  const parked: ParkedSession = {
    conn,
    openedAtMs,
    uses: 1,
    isOpen: () => open,
    reuse: () => calls.push('reuse'),
    close: () => {
      calls.push('quit');
      open = false;
    },
    hangUp: () => {
      calls.push('hang-up');
      open = false;
    },
  };
  return { parked, calls, end: () => (open = false) };
}

const target = { exchange: 'mx1.example.org', address: '10.0.0.1', preference: 10 } as never;

describe('ConnectionCache (R15)', () => {
  it('a session put for a destination is taken by the next delivery to it, the newest first', () => {
    const h = harness();
    const a = session('c1');
    const b = session('c2');
    h.cache.put('example.org', a.parked, target);
    h.cache.put('example.org', b.parked, target);
    expect(h.cache.take('other.example')).toBeNull();
    expect(h.cache.take('example.org')?.session.conn).toBe('c2');
    expect(h.cache.take('example.org')?.session.conn).toBe('c1');
    expect(h.cache.take('example.org')).toBeNull();
  });

  it('a session nobody takes within smtp_connection_cache_time_limit is closed without QUIT', () => {
    const h = harness();
    const a = session('c1');
    h.cache.put('example.org', a.parked, target);
    h.advance(1999);
    expect(a.calls).toEqual([]);
    h.advance(2000);
    expect(a.calls).toEqual(['hang-up']);
    expect(h.cache.take('example.org')).toBeNull();
    expect(h.cache.size).toBe(0);
  });

  it('a session the server closed meanwhile is not handed out', () => {
    const h = harness();
    const a = session('c1');
    h.cache.put('example.org', a.parked, target);
    a.end();
    expect(h.cache.take('example.org')).toBeNull();
  });

  it('a session older than smtp_connection_reuse_time_limit is not cached: QUIT at once', () => {
    const h = harness();
    h.advance(connectionReuseTimeMs);
    const a = session('c1', 0);
    h.cache.put('example.org', a.parked, target);
    expect(a.calls).toEqual(['quit']);
    expect(h.cache.take('example.org')).toBeNull();
  });
});
