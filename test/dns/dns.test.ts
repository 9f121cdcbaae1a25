/**
 * The scripted DNS (issue 2; docs/reference.md §4, §6): record types, CNAME chains and their limit,
 * NXDOMAIN vs NODATA, caching (positive and negative, RFC 2308), each failure, DNS host down or
 * partitioned, and the property that a resolver never serves an answer past its TTL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DnsResult, DnsServer, isNullMx, type RecordType, StubResolver, Zone, type ZoneInput } from '../../src/dns/index.js';
import { Network } from '../../src/net/index.js';
import { Simulator } from '../../src/sim/index.js';

const LATENCY = 10;

function dnsWorld(zoneInput: ZoneInput, options: { cnameChainMax?: number; seed?: number } = {}) {
  const sim = new Simulator({ seed: options.seed ?? 1, keepTrace: true });
  const net = new Network(sim, { latency: { minMs: LATENCY, maxMs: LATENCY } });
  const dnsHost = net.addHost('ns.test', '10.0.0.53');
  const client = net.addHost('client.test', '10.0.0.1');
  const zone = new Zone(zoneInput);
  const server = new DnsServer(dnsHost, zone, { cnameChainMax: options.cnameChainMax ?? 8 });
  const resolver = new StubResolver(sim, client, dnsHost.address, { timeoutMs: 1000, attempts: 2 });
  /** Resolves and runs the simulation until the answer is in. */
  const ask = (name: string, type: RecordType): DnsResult => {
    let result: DnsResult | null = null;
    resolver.resolve(name, type, (r) => (result = r));
    while (result === null && sim.pendingCount > 0) sim.runUntil(sim.nextEventTimeMs()!);
    if (result === null) throw new Error('no answer');
    return result;
  };
  return { sim, net, zone, server, resolver, ask, dnsHost, client };
}

const zoneInput: ZoneInput = {
  'example.org': { mx: ['10 mx1.example.org', { preference: 20, host: 'MX2.example.org.' }], txt: 'v=spf1 -all', ttl: 60_000 },
  'mx1.example.org': { a: '10.0.0.10', aaaa: ['2001:db8::10'] },
  'mx2.example.org': { a: ['10.0.0.20', '10.0.0.21'] },
  'alias.example.org': { cname: 'mx1.example.org', ttl: 30_000 },
  'alias2.example.org': { cname: 'alias.example.org' },
  'dangling.example.org': { cname: 'nowhere.example.org' },
  'loop1.example.org': { cname: 'loop2.example.org' },
  'loop2.example.org': { cname: 'loop1.example.org' },
  'nomail.example.org': { mx: ['0 .'] },
};

describe('zone', () => {
  it('parses each record type; names are case-insensitive, trailing dot optional', () => {
    const zone = new Zone(zoneInput);
    const mx = zone.lookup('EXAMPLE.org.', 'MX');
    expect(mx.kind === 'records' && mx.records).toEqual([
      { type: 'MX', name: 'example.org', ttlMs: 60_000, preference: 10, exchange: 'mx1.example.org' },
      { type: 'MX', name: 'example.org', ttlMs: 60_000, preference: 20, exchange: 'mx2.example.org' },
    ]);
    const null_ = zone.lookup('nomail.example.org', 'MX');
    expect(null_.kind === 'records' && isNullMx(null_.records)).toBe(true);
    expect(zone.get('mx1.example.org')!.ttlMs).toBe(3_600_000);
  });

  it('rejects bad input with the key path', () => {
    expect(() => new Zone({ 'a.org': { mx: ['ten mx.a.org'] } })).toThrow(/a\.org\.mx\[0\]/);
    expect(() => new Zone({ 'a.org': { a: '10.0.0.300' } })).toThrow(/IPv4/);
    expect(() => new Zone({ 'a.org': { cname: 'b.org', a: '10.0.0.1' } })).toThrow(/CNAME/);
    expect(() => new Zone({ 'a.org': { mx: ['0 .', '10 mx.a.org'] } })).toThrow(/null MX/);
    expect(() => new Zone({ 'a.org': { ttl: -1 } })).toThrow(/TTL/);
  });
});

describe('server and resolver', () => {
  it('answers A, AAAA, MX, TXT and CNAME through the network, one round trip', () => {
    const w = dnsWorld(zoneInput);
    const a = w.ask('mx2.example.org', 'A');
    expect(a.rcode).toBe('NOERROR');
    expect(a.records.map((r) => r.type === 'A' && r.address)).toEqual(['10.0.0.20', '10.0.0.21']);
    expect(w.sim.nowMs).toBe(2 * LATENCY);
    expect(w.ask('mx1.example.org', 'AAAA').records).toEqual([{ type: 'AAAA', name: 'mx1.example.org', ttlMs: 3_600_000, address: '2001:db8::10' }]);
    expect(w.ask('example.org', 'TXT').records).toEqual([{ type: 'TXT', name: 'example.org', ttlMs: 60_000, text: 'v=spf1 -all' }]);
    expect(w.ask('example.org', 'MX').records).toHaveLength(2);
    expect(w.ask('alias.example.org', 'CNAME').records).toEqual([{ type: 'CNAME', name: 'alias.example.org', ttlMs: 30_000, target: 'mx1.example.org' }]);
  });

  it('follows CNAME chains and returns the chain; the chain TTL bounds the cache', () => {
    const w = dnsWorld(zoneInput);
    const r = w.ask('alias2.example.org', 'A');
    expect(r.rcode).toBe('NOERROR');
    expect(r.cnameChain.map((c) => c.type === 'CNAME' && c.target)).toEqual(['alias.example.org', 'mx1.example.org']);
    expect(r.records.map((x) => x.type === 'A' && x.address)).toEqual(['10.0.0.10']);
    w.sim.runUntil(w.sim.nowMs + 29_000);
    expect(w.ask('alias2.example.org', 'A').fromCache).toBe(true);
    w.sim.runUntil(w.sim.nowMs + 1_000); // 30 s (the alias's TTL) after the answer arrived
    expect(w.ask('alias2.example.org', 'A').fromCache).toBe(false);
  });

  it('a dangling CNAME is NXDOMAIN with the chain (RFC 6604); a loop or an over-long chain is SERVFAIL', () => {
    const w = dnsWorld(zoneInput);
    const dangling = w.ask('dangling.example.org', 'A');
    expect(dangling.rcode).toBe('NXDOMAIN');
    expect(dangling.cnameChain).toHaveLength(1);
    expect(w.ask('loop1.example.org', 'A').rcode).toBe('SERVFAIL');
    const short = dnsWorld(zoneInput, { cnameChainMax: 1 });
    expect(short.ask('alias.example.org', 'A').rcode).toBe('NOERROR');
    expect(short.ask('alias2.example.org', 'A').rcode).toBe('SERVFAIL');
    expect(short.sim.trace.events.some((e) => e.kind === 'dns.serve' && e.detail === 'cname-chain-too-long')).toBe(true);
  });

  it('NXDOMAIN for absent names, NODATA for present names without the type; both cached negatively', () => {
    const w = dnsWorld(zoneInput);
    const nx = w.ask('absent.example.org', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    const nodata = w.ask('mx2.example.org', 'MX');
    expect(nodata).toMatchObject({ rcode: 'NOERROR', records: [], fromCache: false });
    // Negative answers are cached for the zone's negative TTL (300 s), NODATA at most the name's TTL.
    w.sim.runUntil(w.sim.nowMs + 299_000);
    expect(w.ask('absent.example.org', 'A')).toMatchObject({ rcode: 'NXDOMAIN', fromCache: true });
    expect(w.ask('mx2.example.org', 'MX')).toMatchObject({ rcode: 'NOERROR', fromCache: true });
    w.sim.runUntil(w.sim.nowMs + 1_000);
    expect(w.ask('absent.example.org', 'A').fromCache).toBe(false);
  });

  it('positive answers expire at their TTL and served records carry the remaining TTL', () => {
    const w = dnsWorld(zoneInput);
    const first = w.ask('example.org', 'MX');
    expect(first.records[0]!.ttlMs).toBe(60_000);
    w.sim.runUntil(w.sim.nowMs + 59_999);
    const cached = w.ask('example.org', 'MX');
    expect(cached.fromCache).toBe(true);
    expect(cached.records[0]!.ttlMs).toBe(1);
    w.sim.runUntil(w.sim.nowMs + 1);
    expect(w.ask('example.org', 'MX').fromCache).toBe(false);
  });

  it('faults: servfail and nxdomain answer at once and are not (servfail) cached; timeout retries then gives TIMEOUT', () => {
    const w = dnsWorld(zoneInput);
    const servfail = w.server.setFault({ name: 'example.org', type: 'MX', rcode: 'servfail' });
    expect(w.ask('example.org', 'MX').rcode).toBe('SERVFAIL');
    expect(w.ask('example.org', 'TXT').rcode).toBe('NOERROR'); // the fault is for MX only
    servfail.undo();
    expect(w.ask('example.org', 'MX')).toMatchObject({ rcode: 'NOERROR', fromCache: false });
    const nx = w.server.setFault({ name: 'mx1.example.org', rcode: 'nxdomain' });
    expect(w.ask('mx1.example.org', 'AAAA').rcode).toBe('NXDOMAIN');
    expect(w.ask('alias.example.org', 'A').rcode).toBe('NXDOMAIN'); // faults apply along the chain
    nx.undo();
    w.server.setFault({ name: 'mx2.example.org', rcode: 'timeout' });
    const start = w.sim.nowMs;
    expect(w.ask('mx2.example.org', 'A').rcode).toBe('TIMEOUT');
    expect(w.sim.nowMs - start).toBe(2000); // two attempts × 1000 ms
    expect(w.sim.trace.events.filter((e) => e.kind === 'dns.query' && e.name === 'mx2.example.org')).toHaveLength(2);
  });

  it('replacement: the cache keeps the old answer until its TTL, then the new one is seen; undo restores', () => {
    const w = dnsWorld(zoneInput);
    expect(w.ask('example.org', 'MX').records).toHaveLength(2);
    const handle = w.server.replace('example.org', { mx: ['5 backup.example.org'], ttl: 60_000 });
    expect(w.ask('example.org', 'MX')).toMatchObject({ fromCache: true });
    w.sim.runUntil(w.sim.nowMs + 60_000);
    const fresh = w.ask('example.org', 'MX');
    expect(fresh.records.map((r) => r.type === 'MX' && r.exchange)).toEqual(['backup.example.org']);
    handle.undo();
    w.resolver.clearCache();
    expect(w.ask('example.org', 'MX').records).toHaveLength(2);
    w.server.replace('example.org', null);
    w.resolver.clearCache();
    expect(w.ask('example.org', 'MX').rcode).toBe('NXDOMAIN');
  });

  it('a DNS host that is down or partitioned away gives TIMEOUT; after boot it answers again', () => {
    const w = dnsWorld(zoneInput);
    w.net.setDown(w.dnsHost);
    expect(w.ask('example.org', 'MX').rcode).toBe('TIMEOUT');
    w.net.setUp(w.dnsHost);
    expect(w.ask('example.org', 'MX').rcode).toBe('NOERROR');
    w.resolver.clearCache();
    const cut = w.net.partition([['client.test'], ['ns.test']]);
    expect(w.ask('example.org', 'MX').rcode).toBe('TIMEOUT');
    cut.heal();
    expect(w.ask('example.org', 'MX').rcode).toBe('NOERROR');
  });

  it('identical questions in flight share one query; a crash of the resolver host drops cache and callbacks', () => {
    const w = dnsWorld(zoneInput);
    const got: string[] = [];
    w.resolver.resolve('example.org', 'MX', (r) => got.push(`1 ${r.rcode}`));
    w.resolver.resolve('EXAMPLE.ORG', 'MX', (r) => got.push(`2 ${r.rcode}`));
    w.sim.runUntilIdle();
    expect(got).toEqual(['1 NOERROR', '2 NOERROR']);
    expect(w.sim.trace.events.filter((e) => e.kind === 'dns.query')).toHaveLength(1);
    expect(w.resolver.cacheSize).toBe(1);
    w.resolver.resolve('mx1.example.org', 'A', () => got.push('lost'));
    w.net.setDown(w.client);
    expect(w.resolver.cacheSize).toBe(0);
    w.net.setUp(w.client);
    w.sim.runUntilIdle();
    expect(got).toHaveLength(2);
    expect(w.ask('mx1.example.org', 'A').rcode).toBe('NOERROR');
  });

  it('resolveMx and resolveAddresses', () => {
    const w = dnsWorld(zoneInput);
    const results: string[] = [];
    w.resolver.resolveMx('example.org', (r) => results.push(r.mx.map((m) => `${m.preference} ${m.exchange}`).join(',')));
    w.resolver.resolveAddresses('mx1.example.org', (r) => results.push(`${r.rcode} ${r.addresses.join(',')}`));
    w.resolver.resolveAddresses('mx2.example.org', (r) => results.push(`${r.rcode} ${r.addresses.join(',')}`));
    w.resolver.resolveAddresses('absent.example.org', (r) => results.push(`${r.rcode} ${r.addresses.join(',')}`));
    w.sim.runUntilIdle();
    expect(results).toEqual(['10 mx1.example.org,20 mx2.example.org', 'NXDOMAIN ', 'NOERROR 10.0.0.10,2001:db8::10', 'NOERROR 10.0.0.20,10.0.0.21']);
  });

  // Property (issue 2): a resolver never serves an answer past its TTL. Random TTLs, random record
  // replacements and random query times; every cached answer must equal the last fresh answer for
  // that question and be served strictly before arrival + TTL.
  // Planted bugs caught: `now > expiresAt` instead of `>=` in freshEntry; ignoring the CNAME's TTL.
  it('property: a resolver never serves an answer past its TTL', () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('query' as const), name: fc.constantFrom('a.test', 'b.test', 'c.test'), waitMs: fc.integer({ min: 0, max: 400 }) }),
      // Queries right at the edge of the last answer's expiry (−1, 0, +1 ms), where off-by-ones live.
      fc.record({ kind: fc.constant('edge' as const), name: fc.constantFrom('a.test', 'b.test', 'c.test'), deltaMs: fc.integer({ min: -1, max: 1 }) }),
      fc.record({
        kind: fc.constant('replace' as const),
        name: fc.constantFrom('a.test', 'b.test'),
        ttl: fc.integer({ min: 0, max: 300 }),
        octet: fc.integer({ min: 1, max: 254 }),
        waitMs: fc.integer({ min: 0, max: 400 }),
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.array(action, { maxLength: 40 }), (ttlA, ttlC, actions) => {
        const w = dnsWorld({ 'a.test': { a: '10.1.0.1', ttl: ttlA }, 'c.test': { cname: 'a.test', ttl: ttlC } });
        const fresh = new Map<string, { atMs: number; ttlMs: number; answer: string }>();
        const key = (r: DnsResult) => `${r.name}`;
        const answer = (r: DnsResult) => `${r.rcode} ${r.records.map((x) => (x.type === 'A' ? x.address : '')).join(',')}`;
        for (const act of actions) {
          if (act.kind === 'edge') {
            const last = fresh.get(act.name);
            const targetMs = last === undefined ? w.sim.nowMs : last.atMs + last.ttlMs + act.deltaMs;
            w.sim.runUntil(Math.max(w.sim.nowMs, targetMs));
          } else w.sim.runUntil(w.sim.nowMs + act.waitMs);
          if (act.kind === 'replace') {
            w.server.replace(act.name, { a: `10.1.0.${act.octet}`, ttl: act.ttl });
            continue;
          }
          const r = w.ask(act.name, 'A');
          if (!r.fromCache) {
            const ttls = [...r.records, ...r.cnameChain].map((x) => x.ttlMs);
            const ttlMs = r.rcode === 'NXDOMAIN' ? w.zone.negativeTtlMs : Math.min(...ttls);
            fresh.set(key(r), { atMs: w.sim.nowMs, ttlMs, answer: answer(r) });
          } else {
            const last = fresh.get(key(r));
            expect(last).toBeDefined();
            expect(w.sim.nowMs).toBeLessThan(last!.atMs + last!.ttlMs);
            expect(answer(r)).toBe(last!.answer);
            for (const x of [...r.records, ...r.cnameChain]) expect(x.ttlMs).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
