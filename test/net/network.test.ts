/**
 * The virtual network (issue 2): latency, ordering, half-close, reset, refused, connect timeout,
 * host down/up, partitions, latency changes, flaky links, TLS, datagrams.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConnectFailure, type Connection, Network } from '../../src/net/index.js';
import { Simulator } from '../../src/sim/index.js';
import { enc, Recorder, world } from './helpers.js';

/** Connects a→b:port with recorders on both sides; returns them once run. */
function pair(w: ReturnType<typeof world>, port = 25, timeoutMs = 30_000) {
  const server = new Recorder(w.sim);
  const client = new Recorder(w.sim);
  const outcome: { connectedAt: number | null; failed: ConnectFailure | null; failedAt: number | null } = { connectedAt: null, failed: null, failedAt: null };
  w.a.connect(w.b.address, port, { timeoutMs }, {
    onConnected: (conn) => {
      outcome.connectedAt = w.sim.nowMs;
      client.attach(conn);
    },
    onFailed: (reason) => {
      outcome.failed = reason;
      outcome.failedAt = w.sim.nowMs;
    },
  });
  return { server, client, outcome };
}

function listenRecording(w: ReturnType<typeof world>, server: Recorder, port = 25, onAccept?: (c: Connection) => void) {
  w.b.listen(port, (conn) => {
    server.attach(conn);
    onAccept?.(conn);
  });
}

describe('connect', () => {
  it('costs one round trip; the server accepts after one latency', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client, outcome } = pair(w);
    let acceptedAt = -1;
    listenRecording(w, server, 25, () => (acceptedAt = w.sim.nowMs));
    w.sim.runUntilIdle();
    expect(acceptedAt).toBe(10);
    expect(outcome.connectedAt).toBe(20);
    expect(client.conn!.remoteAddress).toBe('10.0.0.2');
    expect(server.conn!.remoteAddress).toBe('10.0.0.1');
    expect(server.conn!.localPort).toBe(25);
    expect(client.conn!.id).toBe(server.conn!.id);
  });

  it('a greeting written on accept arrives right after the connection is established', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client } = pair(w);
    listenRecording(w, server, 25, (c) => c.write(enc('220 hi\r\n')));
    w.sim.runUntilIdle();
    expect(client.log).toEqual(['20 data 220 hi\r\n']);
  });

  it('a closed port is refused after one round trip', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { outcome } = pair(w, 26);
    w.sim.runUntilIdle();
    expect(outcome).toEqual({ connectedAt: null, failed: 'refused', failedAt: 20 });
  });

  it('a refuse fault refuses a listening port until undone', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const server = new Recorder(w.sim);
    listenRecording(w, server);
    const fault = w.net.refuse('b.test', 25);
    const first = pair(w);
    w.sim.runUntilIdle();
    expect(first.outcome.failed).toBe('refused');
    fault.undo();
    const second = pair(w);
    w.sim.runUntilIdle();
    expect(second.outcome.connectedAt).not.toBeNull();
  });

  it('an unknown address or a down host times out after timeoutMs', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const failures: Array<[ConnectFailure, number]> = [];
    w.a.connect('10.9.9.9', 25, { timeoutMs: 500 }, { onConnected: () => expect.fail(), onFailed: (r) => failures.push([r, w.sim.nowMs]) });
    w.net.setDown('b.test');
    w.a.connect(w.b.address, 25, { timeoutMs: 700 }, { onConnected: () => expect.fail(), onFailed: (r) => failures.push([r, w.sim.nowMs]) });
    w.sim.runUntilIdle();
    expect(failures).toEqual([
      ['timeout', 500],
      ['timeout', 700],
    ]);
  });

  it('a SYN-ACK after the client gave up gets a reset, so the server side closes', () => {
    const w = world({ minMs: 100, maxMs: 100 });
    const server = new Recorder(w.sim);
    listenRecording(w, server);
    const { outcome } = pair(w, 25, 150);
    w.sim.runUntilIdle();
    expect(outcome.failed).toBe('timeout');
    expect(server.closed).toBe('reset');
    expect(server.log).toEqual(['300 close reset']); // SYN-ACK reaches the client at 200, RST back at 300
  });
});

describe('streams', () => {
  it('delivers bytes in order with the latency, FIFO per direction', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client } = pair(w);
    listenRecording(w, server);
    w.sim.runUntil(20);
    client.conn!.write(enc('one '));
    w.sim.runUntil(25);
    client.conn!.write(enc('two '));
    client.conn!.write(enc('three'));
    w.sim.runUntilIdle();
    expect(server.log).toEqual(['30 data one ', '35 data two ', '35 data three']);
  });

  it('never reorders when the latency drops mid-connection', () => {
    const w = world({ minMs: 100, maxMs: 100 });
    const { server, client } = pair(w);
    listenRecording(w, server);
    w.sim.runUntil(200);
    client.conn!.write(enc('slow '));
    w.net.setLinkLatency('a.test', 'b.test', { minMs: 5, maxMs: 5 });
    client.conn!.write(enc('fast'));
    w.sim.runUntil(250);
    client.conn!.write(enc('!'));
    w.sim.runUntilIdle();
    // "fast" would arrive at 205 but must wait for "slow" (300); "!" sent at 250 arrives at 300 too.
    expect(server.log).toEqual(['300 data slow ', '300 data fast', '300 data !']);
  });

  it('half-close: the peer gets onEnd after the data, can still reply, then both close', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client } = pair(w);
    listenRecording(w, server);
    w.sim.runUntil(20);
    client.conn!.write(enc('QUIT'));
    client.conn!.end();
    expect(() => client.conn!.write(enc('x'))).toThrow(/after end/);
    w.sim.runUntil(30);
    expect(server.log).toEqual(['30 data QUIT', '30 end']);
    server.conn!.write(enc('221 bye'));
    server.conn!.end();
    w.sim.runUntilIdle();
    expect(client.log).toEqual(['40 data 221 bye', '40 end', '40 close closed']);
    expect(server.log.at(-1)).toBe('30 close closed');
    expect(w.a.connections.size + w.b.connections.size).toBe(0);
  });

  it('reset: the peer gets onClose(reset) one latency later, after the data in flight', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client } = pair(w);
    listenRecording(w, server);
    w.sim.runUntil(20);
    client.conn!.write(enc('partial'));
    client.conn!.reset();
    expect(client.conn!.state).toBe('closed');
    w.sim.runUntilIdle();
    expect(server.log).toEqual(['30 data partial', '30 close reset']);
    expect(client.closed).toBeNull(); // the side that resets is not called back
  });

  it('TLS: both sides call startTls; the handshake costs the client one round trip', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const ready: string[] = [];
    const { server, client } = pair(w);
    listenRecording(w, server, 25, (conn) => {
      conn.write(enc('220 go ahead'));
      conn.startTls(() => ready.push(`server ${w.sim.nowMs}`));
    });
    w.sim.runUntil(20);
    expect(client.data).toBe('220 go ahead');
    client.conn!.startTls(() => {
      ready.push(`client ${w.sim.nowMs}`);
      client.conn!.write(enc('EHLO'));
    });
    w.sim.runUntilIdle();
    expect(ready).toEqual(['server 30', 'client 40']);
    expect(client.conn!.secure && server.conn!.secure).toBe(true);
    expect(server.log.at(-1)).toBe('50 data EHLO');
    expect(() => client.conn!.startTls(() => undefined)).toThrow(/twice/);
  });
});

describe('host down and up', () => {
  it('down: the host side is told host-down, the peer hears nothing; a late segment after boot gets a reset', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const { server, client } = pair(w);
    listenRecording(w, server);
    const crashes: number[] = [];
    const boots: number[] = [];
    w.b.onCrash(() => crashes.push(w.sim.nowMs));
    w.b.onBoot(() => boots.push(w.sim.nowMs));
    w.sim.runUntil(100);
    w.net.setDown('b.test');
    expect(server.closed).toBe('host-down');
    expect(crashes).toEqual([100]);
    expect(w.b.listeners.size).toBe(0);
    client.conn!.write(enc('into the void'));
    w.sim.runUntil(200);
    expect(client.closed).toBeNull(); // silence, as with real TCP
    expect(server.log).toEqual(['100 close host-down']);
    const handle = w.net.setUp('b.test');
    expect(boots).toEqual([200]);
    client.conn!.write(enc('hello again'));
    w.sim.runUntilIdle();
    expect(client.log).toEqual(['220 close reset']);
    expect(w.sim.trace.events.filter((e) => e.kind === 'net.drop')).toHaveLength(1);
    handle.undo();
    expect(w.b.isUp).toBe(false);
  });

  it('a crashing client abandons its pending connects without callbacks', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const server = new Recorder(w.sim);
    listenRecording(w, server);
    const { outcome } = pair(w, 25, 1000);
    w.net.setDown('a.test');
    w.sim.runUntilIdle();
    expect(outcome).toEqual({ connectedAt: null, failed: null, failedAt: null });
    expect(() => w.a.connect(w.b.address, 25, { timeoutMs: 10 }, { onConnected: () => undefined, onFailed: () => undefined })).toThrow(/down/);
  });
});

describe('partitions, latency draws, flaky', () => {
  it('a partition blocks connects across the cut until healed', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const server = new Recorder(w.sim);
    listenRecording(w, server);
    const cut = w.net.partition([['a.test'], ['b.test']]);
    const blocked = pair(w, 25, 300);
    w.sim.runUntilIdle();
    expect(blocked.outcome.failed).toBe('timeout');
    cut.heal();
    const open = pair(w, 25, 300);
    w.sim.runUntilIdle();
    expect(open.outcome.connectedAt).not.toBeNull();
  });

  // Property (issue 2): a partition blocks exactly the pairs in different groups; unnamed hosts reach all.
  // Planted bug caught: treating an unnamed host as its own group (`gb !== ga` with gb undefined).
  it('property: a partition blocks exactly the pairs in different groups', () => {
    const hostCount = 6;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 2 }), { minLength: hostCount, maxLength: hostCount }), (groupOfHost) => {
        const sim = new Simulator({ seed: 1 });
        const net = new Network(sim, { latency: { minMs: 5, maxMs: 5 } });
        const hosts = Array.from({ length: hostCount }, (_, i) => net.addHost(`h${i}`, `10.0.0.${i + 1}`));
        for (const h of hosts) h.bindDatagram(9, () => undefined);
        const groups: string[][] = [[], [], []];
        groupOfHost.forEach((g, i) => {
          if (g >= 0) groups[g]!.push(`h${i}`);
        });
        const handle = net.partition(groups);
        // Every ordered pair exchanges a datagram; count what arrives.
        const arrived = new Set<string>();
        for (const h of hosts) h.datagramBindings.set(9, (_p, from) => arrived.add(`${from}>${h.address}`));
        for (const from of hosts) for (const to of hosts) if (from !== to) from.sendDatagram(to.address, 9, null, 9);
        sim.runUntilIdle();
        for (const [i, from] of hosts.entries()) {
          for (const [j, to] of hosts.entries()) {
            if (i === j) continue;
            const gi = groupOfHost[i]!;
            const gj = groupOfHost[j]!;
            const shouldBlock = gi >= 0 && gj >= 0 && gi !== gj;
            expect(arrived.has(`${from.address}>${to.address}`)).toBe(!shouldBlock);
            expect(net.canReach(from, to)).toBe(!shouldBlock);
          }
        }
        handle.heal();
        expect(hosts.every((x) => hosts.every((y) => net.canReach(x, y)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('latency drawn per connection from the link stream: deterministic per seed, differs across seeds', () => {
    const latencies = (seed: number) => {
      const w = world({ minMs: 5, maxMs: 500 }, seed);
      const server = new Recorder(w.sim);
      listenRecording(w, server);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = w.sim.nowMs;
        pair(w);
        w.sim.runUntilIdle();
        times.push((w.sim.nowMs - start) / 2);
      }
      return times;
    };
    const first = latencies(1);
    expect(latencies(1)).toEqual(first);
    expect(latencies(2)).not.toEqual(first);
    for (const t of first) expect(t >= 5 && t <= 500).toBe(true);
  });

  it('setLinkLatency applies to new connections and is undone', () => {
    const w = world({ minMs: 10, maxMs: 10 });
    const server = new Recorder(w.sim);
    listenRecording(w, server);
    const slow = w.net.setLinkLatency('b.test', 'a.test', { minMs: 1000, maxMs: 1000 });
    expect(w.net.linkLatency('a.test', 'b.test')).toEqual({ minMs: 1000, maxMs: 1000 });
    const p1 = pair(w);
    w.sim.runUntilIdle();
    expect(p1.outcome.connectedAt).toBe(2000);
    slow.undo();
    const start = w.sim.nowMs;
    const p2 = pair(w);
    w.sim.runUntilIdle();
    expect(p2.outcome.connectedAt! - start).toBe(20);
  });

  it('flaky: each attempt times out with probability p, from its own stream', () => {
    const run = (seed: number, p: number) => {
      const w = world({ minMs: 1, maxMs: 1 }, seed);
      const server = new Recorder(w.sim);
      listenRecording(w, server);
      w.net.setFlaky('b.test', p);
      const outcomes: string[] = [];
      for (let i = 0; i < 400; i++) {
        w.a.connect(w.b.address, 25, { timeoutMs: 50 }, {
          onConnected: (c) => {
            outcomes.push('ok');
            c.setHandlers({ onData() {}, onEnd() {}, onClose() {} });
          },
          onFailed: (r) => outcomes.push(r),
        });
      }
      w.sim.runUntilIdle();
      return outcomes;
    };
    const out = run(1, 0.3);
    const timeouts = out.filter((o) => o === 'timeout').length;
    expect(timeouts).toBeGreaterThan(80); // 400 × 0.3 = 120 expected; 80..160 is > 4 sigma wide
    expect(timeouts).toBeLessThan(160);
    expect(run(1, 0.3)).toEqual(out);
    expect(run(1, 0).every((o) => o === 'ok')).toBe(true);
    expect(run(1, 1).every((o) => o === 'timeout')).toBe(true);
  });
});

describe('datagrams', () => {
  it('arrive after the latency, carry objects, and vanish when the target is down or unbound', () => {
    const w = world({ minMs: 7, maxMs: 7 });
    const got: Array<[unknown, string, number, number]> = [];
    w.b.bindDatagram(53, (payload, from, port) => got.push([payload, from, port, w.sim.nowMs]));
    w.a.sendDatagram(w.b.address, 53, { q: 'x' }, 5000);
    w.a.sendDatagram(w.b.address, 54, { q: 'unbound' }, 5000);
    w.sim.runUntilIdle();
    w.net.setDown(w.b);
    w.a.sendDatagram(w.b.address, 53, { q: 'down' }, 5000);
    w.sim.runUntilIdle();
    expect(got).toEqual([[{ q: 'x' }, '10.0.0.1', 5000, 7]]);
    expect(w.sim.trace.events.filter((e) => e.kind === 'net.dgram-drop')).toHaveLength(2);
  });
});
