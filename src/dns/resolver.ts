/**
 * The caching stub resolver every host runs (docs/reference.md §4: "resolvers on every host cache answers
 * for their TTL (negative answers too)"). It asks one DNS server over the virtual network, so a down
 * or partitioned DNS host makes lookups time out.
 *
 * Theory of operation.
 * - resolve(name, type, cb) answers from the cache while the entry is fresh, else sends a query
 *   datagram; identical questions in flight share one query. No answer within `timeoutMs` → resend,
 *   up to `attempts` sends in all; then the result is TIMEOUT.
 * - Caching (RFC 2308): NOERROR with records is cached for the smallest TTL among the answer and the
 *   CNAME chain (RFC 2181 §5.2); NXDOMAIN and NODATA for the server's negative TTL (see zone.ts);
 *   SERVFAIL and TIMEOUT are not cached (RFC 2308 §7 allows it; we keep temporary failures
 *   temporary). TTLs count from when the answer arrived. An entry is served only while
 *   now < storedAt + ttl — never at or past its expiry — and served records carry their remaining TTL.
 * - The cache is volatile: a crash of the host clears it and abandons lookups in flight (their
 *   callbacks never run; the services that asked are gone too). Boot binds the port again.
 * - Results are always delivered in a kernel event of their own, never inside resolve().
 *
 * Trace kinds: dns.query, dns.answer (fromCache true/false), dns.timeout, dns.stray.
 */
import type { DatagramBinding, Host } from '../net/index.js';
import type { Simulator } from '../sim/index.js';
import {
  type DnsQueryMessage,
  type DnsRecord,
  type DnsResponseMessage,
  type MxRecord,
  type RecordType,
  type ResolverRcode,
  recordTypes,
  withTtl,
} from './records.js';
import { canonicalName } from './names.js';
import { dnsPort } from './server.js';

export interface DnsResult {
  rcode: ResolverRcode;
  /** The question (normalised). */
  name: string;
  type: RecordType;
  /** Records of the asked type (after the CNAME chain); empty unless NOERROR with data. */
  records: DnsRecord[];
  cnameChain: DnsRecord[];
  fromCache: boolean;
}

export interface MxResult extends DnsResult {
  mx: MxRecord[];
}

export interface AddressResult {
  rcode: ResolverRcode;
  name: string;
  /** IPv4 addresses first, then IPv6, in zone order. */
  addresses: string[];
  records: DnsRecord[];
  cnameChain: DnsRecord[];
  /** True when both lookups came from the cache. */
  fromCache: boolean;
}

export interface StubResolverOptions {
  /** Wait for an answer per attempt (glibc's default is 5 s, resolv.conf `timeout`). */
  timeoutMs?: number;
  /** Sends per lookup (glibc's default is 2, resolv.conf `attempts`). */
  attempts?: number;
  serverPort?: number;
  /** Bound on cache entries; the oldest entry is evicted first. */
  cacheEntriesMax?: number;
  /** Bound on distinct questions in flight. */
  pendingQueriesMax?: number;
}

interface CacheEntry {
  rcode: 'NOERROR' | 'NXDOMAIN';
  records: readonly DnsRecord[];
  cnameChain: readonly DnsRecord[];
  storedAtMs: number;
  expiresAtMs: number;
  /** The records as the dns.answer trace describes them (the same on every hit). */
  answersText: string;
}

interface Pending {
  id: number;
  key: string;
  name: string;
  type: RecordType;
  callbacks: Array<(result: DnsResult) => void>;
  sends: number;
  timer: number;
}

export const resolverTimeoutMsDefault = 5_000;
export const resolverAttemptsDefault = 2;
export const cacheEntriesMaxDefault = 10_000;
export const pendingQueriesMaxDefault = 10_000;

export class StubResolver {
  readonly host: Host;
  readonly serverAddress: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly serverPort: number;
  readonly cacheEntriesMax: number;
  readonly pendingQueriesMax: number;
  private readonly sim: Simulator;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pendingByKey = new Map<string, Pending>();
  private readonly pendingById = new Map<number, Pending>();
  private nextQueryId = 1;
  private binding: DatagramBinding | null = null;

  constructor(sim: Simulator, host: Host, serverAddress: string, options: StubResolverOptions = {}) {
    this.sim = sim;
    this.host = host;
    this.serverAddress = serverAddress;
    this.timeoutMs = options.timeoutMs ?? resolverTimeoutMsDefault;
    this.attempts = options.attempts ?? resolverAttemptsDefault;
    this.serverPort = options.serverPort ?? dnsPort;
    this.cacheEntriesMax = options.cacheEntriesMax ?? cacheEntriesMaxDefault;
    this.pendingQueriesMax = options.pendingQueriesMax ?? pendingQueriesMaxDefault;
    if (!Number.isSafeInteger(this.timeoutMs) || this.timeoutMs < 1) throw new RangeError('timeoutMs must be a positive integer');
    if (!Number.isSafeInteger(this.attempts) || this.attempts < 1) throw new RangeError('attempts must be a positive integer');
    if (host.isUp) this.bind();
    host.onCrash(() => this.crash());
    host.onBoot(() => this.bind());
  }

  /** Cache entries currently held (fresh or not yet evicted). */
  get cacheSize(): number {
    return this.cache.size;
  }

  resolve(rawName: string, type: RecordType, callback: (result: DnsResult) => void): void {
    if (!recordTypes.includes(type)) throw new RangeError(`unknown record type ${type}`);
    if (!this.host.isUp) throw new Error(`${this.host.name}: resolve while the host is down`);
    const name = canonicalName(rawName);
    const key = `${type} ${name}`;
    const cached = this.freshEntry(key);
    if (cached !== null) {
      const ageMs = this.sim.nowMs - cached.storedAtMs;
      const result: DnsResult = {
        rcode: cached.rcode,
        name,
        type,
        records: withAge(cached.records, ageMs),
        cnameChain: withAge(cached.cnameChain, ageMs),
        fromCache: true,
      };
      this.traceAnswer(result, cached.expiresAtMs - this.sim.nowMs, cached.answersText);
      this.deliverLater(callback, result);
      return;
    }
    const inFlight = this.pendingByKey.get(key);
    if (inFlight !== undefined) {
      inFlight.callbacks.push(callback);
      return;
    }
    if (this.pendingByKey.size >= this.pendingQueriesMax) throw new RangeError(`${this.host.name}: more than pendingQueriesMax DNS questions in flight`);
    const pending: Pending = { id: this.nextQueryId++, key, name, type, callbacks: [callback], sends: 0, timer: -1 };
    this.pendingByKey.set(key, pending);
    this.pendingById.set(pending.id, pending);
    this.send(pending);
  }

  /** MX lookup for a mail domain (docs/delivery.md M1–M3: the caller applies the MX rules). */
  resolveMx(domain: string, callback: (result: MxResult) => void): void {
    this.resolve(domain, 'MX', (result) => {
      const mx: MxRecord[] = [];
      for (const r of result.records) if (r.type === 'MX') mx.push(r);
      const { rcode, name, type, records, cnameChain, fromCache } = result;
      callback({ rcode, name, type, records, cnameChain, fromCache, mx });
    });
  }

  /**
   * A then AAAA. NXDOMAIN for A ends it (the name does not exist for any type). Any address makes the
   * result NOERROR; with none, a temporary failure (SERVFAIL, TIMEOUT) of either lookup wins over
   * NODATA, so the caller defers rather than bounces (docs/delivery.md M2).
   */
  resolveAddresses(name: string, callback: (result: AddressResult) => void): void {
    this.resolve(name, 'A', (a) => {
      if (a.rcode === 'NXDOMAIN') {
        callback({ rcode: 'NXDOMAIN', name: a.name, addresses: [], records: [], cnameChain: a.cnameChain, fromCache: a.fromCache });
        return;
      }
      this.resolve(name, 'AAAA', (aaaa) => {
        const records = a.records.concat(aaaa.records);
        const addresses: string[] = [];
        for (const r of records) if (r.type === 'A' || r.type === 'AAAA') addresses.push(r.address);
        let rcode: ResolverRcode;
        if (addresses.length > 0) rcode = 'NOERROR';
        else if (a.rcode === 'TIMEOUT' || a.rcode === 'SERVFAIL') rcode = a.rcode;
        else if (aaaa.rcode === 'TIMEOUT' || aaaa.rcode === 'SERVFAIL') rcode = aaaa.rcode;
        else if (aaaa.rcode === 'NXDOMAIN') rcode = 'NXDOMAIN';
        else rcode = 'NOERROR';
        const cnameChain = a.cnameChain.length > 0 ? a.cnameChain : aaaa.cnameChain;
        callback({ rcode, name: a.name, addresses, records, cnameChain, fromCache: a.fromCache && aaaa.fromCache });
      });
    });
  }

  /** Forgets every cached answer. */
  clearCache(): void {
    this.cache.clear();
  }

  private freshEntry(key: string): CacheEntry | null {
    const entry = this.cache.get(key);
    if (entry === undefined) return null;
    if (this.sim.nowMs >= entry.expiresAtMs) {
      this.cache.delete(key);
      return null;
    }
    return entry;
  }

  private send(pending: Pending): void {
    pending.sends++;
    const query: DnsQueryMessage = { kind: 'dns-query', id: pending.id, name: pending.name, type: pending.type };
    this.sim.trace.record('dns.query', { host: this.host.name, id: pending.id, name: pending.name, type: pending.type, attempt: pending.sends });
    pending.timer = this.sim.after(this.timeoutMs, (p: Pending) => this.onTimeout(p), pending);
    this.host.sendDatagram(this.serverAddress, this.serverPort, query, this.binding!.port);
  }

  private onTimeout(pending: Pending): void {
    if (this.pendingById.get(pending.id) !== pending) return;
    if (pending.sends < this.attempts) {
      this.send(pending);
      return;
    }
    this.sim.trace.record('dns.timeout', { host: this.host.name, id: pending.id, name: pending.name, type: pending.type });
    this.finish(pending, { rcode: 'TIMEOUT', name: pending.name, type: pending.type, records: [], cnameChain: [], fromCache: false });
  }

  private onDatagram(payload: unknown, fromAddress: string): void {
    const response = payload as Partial<DnsResponseMessage> | null;
    const pending = typeof response?.id === 'number' ? this.pendingById.get(response.id) : undefined;
    if (
      pending === undefined ||
      fromAddress !== this.serverAddress ||
      response!.kind !== 'dns-response' ||
      response!.name !== pending.name ||
      response!.type !== pending.type
    ) {
      // RFC 5452 §4.3: an answer that does not match an outstanding question is dropped.
      this.sim.trace.record('dns.stray', { host: this.host.name, from: fromAddress });
      return;
    }
    const message = response as DnsResponseMessage;
    const records = [...message.answers];
    const cnameChain = [...message.cnameChain];
    this.sim.cancel(pending.timer);
    const result: DnsResult = { rcode: message.rcode, name: pending.name, type: pending.type, records, cnameChain, fromCache: false };
    const ttlMs = this.store(pending.key, message);
    this.finish(pending, result, ttlMs);
  }

  /** Caches a response when it may be cached; returns the TTL it got (0: not cached). */
  private store(key: string, message: DnsResponseMessage): number {
    let ttlMs = 0;
    if (message.rcode === 'NOERROR' && message.answers.length > 0) {
      ttlMs = Number.POSITIVE_INFINITY;
      for (const r of message.answers) ttlMs = Math.min(ttlMs, r.ttlMs);
      for (const r of message.cnameChain) ttlMs = Math.min(ttlMs, r.ttlMs);
    } else if (message.rcode === 'NXDOMAIN' || message.rcode === 'NOERROR') {
      ttlMs = message.negativeTtlMs ?? 0;
      for (const r of message.cnameChain) ttlMs = Math.min(ttlMs, r.ttlMs);
    }
    if (!(ttlMs > 0)) return 0;
    this.cache.delete(key); // re-insert at the end: eviction order is by storage time
    if (this.cache.size >= this.cacheEntriesMax) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, {
      rcode: message.rcode as 'NOERROR' | 'NXDOMAIN',
      records: message.answers,
      cnameChain: message.cnameChain,
      storedAtMs: this.sim.nowMs,
      expiresAtMs: this.sim.nowMs + ttlMs,
      answersText: describeRecords(message.answers),
    });
    return ttlMs;
  }

  private finish(pending: Pending, result: DnsResult, ttlMs = 0): void {
    this.pendingById.delete(pending.id);
    this.pendingByKey.delete(pending.key);
    this.traceAnswer(result, ttlMs);
    for (const callback of pending.callbacks) this.deliverLater(callback, result);
  }

  /** Runs the callback in its own event, unless the host crashed in between (its asker is gone). */
  private deliverLater(callback: (result: DnsResult) => void, result: DnsResult): void {
    const epoch = this.host.bootEpoch;
    this.sim.at(this.sim.nowMs, () => {
      if (this.host.bootEpoch === epoch && this.host.isUp) callback(result);
    });
  }

  /** `answersText`: describeRecords(result.records), when already known (a cache hit). */
  private traceAnswer(result: DnsResult, ttlMs: number, answersText = describeRecords(result.records)): void {
    this.sim.trace.record('dns.answer', {
      host: this.host.name,
      name: result.name,
      type: result.type,
      rcode: result.rcode,
      answers: answersText,
      chain: result.cnameChain.length,
      ttlMs,
      fromCache: result.fromCache,
    });
  }

  private bind(): void {
    const port = this.host.allocateEphemeralPort();
    this.binding = this.host.bindDatagram(port, (payload, fromAddress) => this.onDatagram(payload, fromAddress));
  }

  private crash(): void {
    for (const pending of this.pendingById.values()) this.sim.cancel(pending.timer);
    this.pendingById.clear();
    this.pendingByKey.clear();
    this.cache.clear();
    this.binding = null;
  }
}

/** Cached records as served `ageMs` after they were stored: their TTLs count down. */
function withAge(records: readonly DnsRecord[], ageMs: number): DnsRecord[] {
  const aged: DnsRecord[] = [];
  for (const r of records) aged.push(withTtl(r, r.ttlMs - ageMs));
  return aged;
}

function describeRecords(records: readonly DnsRecord[]): string {
  return records.map(describeRecord).join(' ');
}

function describeRecord(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return r.address;
    case 'MX':
      return `${r.preference}:${r.exchange}`;
    case 'CNAME':
      return r.target;
    case 'TXT':
      return JSON.stringify(r.text);
  }
}
