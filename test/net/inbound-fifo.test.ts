/**
 * The segments travelling to an endpoint are a FIFO kept by index in an array that keeps its capacity
 * (src/net/connection.ts `inbound`: emptied by resetting head and tail, not by truncating, which would
 * free the backing store and make every next segment allocate one). The property compares it with the
 * general model, a plain queue: for random writes from both sides, runs of the clock in between and
 * bursts past the compaction threshold (1024 consumed), each side receives exactly the segments the other
 * wrote, whole and in order, and at every point a prefix of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/net/index.js';
import { world } from './helpers.js';

type Op = { write: 'client' | 'server'; size: number } | { run: number } | { burst: 'client' | 'server'; count: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ write: fc.constantFrom('client' as const, 'server' as const), size: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ run: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ burst: fc.constantFrom('client' as const, 'server' as const), count: fc.integer({ min: 1, max: 2500 }) }) },
);

describe('inbound segments: a FIFO by index', () => {
  it('delivers each side exactly what the other wrote, segment by segment, in order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: 1, max: 1000 }), (ops, seed) => {
        const w = world({ minMs: 1, maxMs: 30 }, seed);
        const received = { client: [] as string[], server: [] as string[] };
        const sent = { client: [] as string[], server: [] as string[] };
        const conns: { client: Connection | null; server: Connection | null } = { client: null, server: null };
        const attach = (side: 'client' | 'server', conn: Connection) => {
          conns[side] = conn;
          conn.setHandlers({ onData: (bytes) => received[side].push(Buffer.from(bytes).toString('latin1')), onEnd() {}, onClose() {} });
        };
        w.b.listen(25, (conn) => attach('server', conn));
        w.a.connect(w.b.address, 25, { timeoutMs: 30_000 }, { onConnected: (conn) => attach('client', conn), onFailed() {} });
        w.sim.runUntilIdle();
        let n = 0;
        const write = (from: 'client' | 'server', size: number) => {
          const text = `${n++}:`.padEnd(size + 8, String.fromCharCode(97 + (n % 26)));
          sent[from].push(text);
          conns[from]!.write(Buffer.from(text, 'latin1'));
        };
        const other = (side: 'client' | 'server') => (side === 'client' ? 'server' : 'client');
        for (const o of ops) {
          if ('write' in o) write(o.write, o.size);
          else if ('burst' in o) for (let i = 0; i < o.count; i++) write(o.burst, 1);
          else w.sim.runUntil(w.sim.nowMs + o.run);
          for (const side of ['client', 'server'] as const) expect(received[side]).toEqual(sent[other(side)].slice(0, received[side].length));
        }
        w.sim.runUntilIdle();
        expect(received.server).toEqual(sent.client);
        expect(received.client).toEqual(sent.server);
        for (const side of ['client', 'server'] as const) expect(conns[side]!.inboundHead).toBe(conns[side]!.inboundTail);
      }),
      { numRuns: 60 },
    );
  });
});
