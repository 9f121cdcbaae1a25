/**
 * The "small world" of issue 2: a DNS, a client and a mail host. The client resolves the domain's MX,
 * then the exchange's address, connects, exchanges bytes, and the mail host goes down mid-way (and
 * boots later, so the client's next write is answered with a reset). Run twice with one seed → the
 * same traceDigest; another seed draws other latencies → another digest (docs/architecture.md rule 4).
 */
import { describe, expect, it } from 'vitest';
import { DnsServer, StubResolver, Zone } from '../../src/dns/index.js';
import { type Connection, Network } from '../../src/net/index.js';
import { Simulator } from '../../src/sim/index.js';
import { dec, enc } from './helpers.js';

function runSmallWorld(seed: number, keepTrace = true) {
  const sim = new Simulator({ seed, keepTrace });
  const net = new Network(sim, { latency: { minMs: 5, maxMs: 80 } });
  const ns = net.addHost('ns.test', '10.0.0.53');
  const client = net.addHost('client.test', '10.0.0.1');
  const mx = net.addHost('mx.example.org', '10.0.0.10');
  new DnsServer(ns, new Zone({ 'example.org': { mx: ['10 mx.example.org'] }, 'mx.example.org': { a: '10.0.0.10' } }));
  const resolver = new StubResolver(sim, client, ns.address);
  const log: string[] = [];

  // The mail host: greets, answers each line with "250 ok <n>", and re-listens when it boots.
  const serve = () =>
    mx.listen(25, (conn) => {
      let lines = 0;
      conn.setHandlers({
        onData: (bytes) => conn.write(enc(`250 ok ${++lines} ${dec(bytes).trim()}\r\n`)),
        onEnd: () => conn.end(),
        onClose: (reason) => log.push(`${sim.nowMs} server close ${reason}`),
      });
      conn.write(enc('220 mx.example.org\r\n'));
    });
  serve();
  mx.onBoot(serve);
  sim.at(400, () => net.setDown(mx));
  sim.at(5_000, () => net.setUp(mx));

  // The client: MX → A → connect → a line every 100 ms.
  resolver.resolveMx('example.org', (mxResult) => {
    log.push(`${sim.nowMs} mx ${mxResult.rcode} ${mxResult.mx.map((m) => m.exchange).join(',')}`);
    resolver.resolveAddresses(mxResult.mx[0]!.exchange, (addr) => {
      log.push(`${sim.nowMs} addr ${addr.addresses.join(',')}`);
      client.connect(addr.addresses[0]!, 25, { timeoutMs: 30_000 }, {
        onConnected: (conn: Connection) => {
          log.push(`${sim.nowMs} connected`);
          let sent = 0;
          const tick = () => {
            if (conn.state !== 'open') return;
            conn.write(enc(`LINE ${++sent}\r\n`));
            if (sent < 80) sim.after(100, tick);
          };
          conn.setHandlers({
            onData: (bytes) => log.push(`${sim.nowMs} got ${dec(bytes).trim()}`),
            onEnd: () => log.push(`${sim.nowMs} end`),
            onClose: (reason) => log.push(`${sim.nowMs} client close ${reason}`),
          });
          tick();
        },
        onFailed: (reason) => log.push(`${sim.nowMs} failed ${reason}`),
      });
    });
  });
  const result = sim.runUntil(60_000);
  return { digest: sim.trace.digest(), log, result, sim };
}

describe('small world', () => {
  it('same seed → same trace digest; the story happened as told', () => {
    const first = runSmallWorld(7);
    const second = runSmallWorld(7);
    expect(second.digest).toBe(first.digest);
    expect(second.log).toEqual(first.log);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const log = first.log.join('\n');
    expect(log).toMatch(/mx NOERROR mx\.example\.org/);
    expect(log).toMatch(/addr 10\.0\.0\.10/);
    expect(log).toMatch(/connected/);
    expect(log).toMatch(/got 220 mx\.example\.org/);
    expect(log).toMatch(/got 250 ok 1 LINE 1/);
    expect(log).toMatch(/400 server close host-down/);
    expect(log).toMatch(/client close reset/); // the first write after the boot at 5000 is reset
    const resetAt = Number(/(\d+) client close reset/.exec(log)![1]);
    expect(resetAt).toBeGreaterThan(5_000);
    expect(first.result.reason).toBe('idle');
  });

  it('another seed draws other latencies → a different digest', () => {
    expect(runSmallWorld(8).digest).not.toBe(runSmallWorld(7).digest);
  });

  it('the digest does not depend on keeping the trace', () => {
    const kept = runSmallWorld(7);
    const unkept = runSmallWorld(7, false);
    expect(unkept.sim.trace.events).toEqual([]);
    expect(unkept.digest).toBe(kept.digest);
    expect(kept.sim.trace.count).toBe(kept.sim.trace.events.length);
    expect(kept.sim.trace.toJsonLines().split('\n').filter(Boolean)).toHaveLength(kept.sim.trace.count);
  });
});
