/**
 * The DNS server node: answers `dns-query` datagrams from the zone, following CNAME chains itself as
 * a recursive resolver would (RFC 1034 §3.6.2, §4.3.2 step 3a), with scheduled failures (docs/reference.md
 * §6 `dns`, `dns-set`).
 *
 * Theory of operation. For the question (name, type) the server walks the zone: at each name, a fault
 * matching (name, type) wins (SERVFAIL, NXDOMAIN, or no answer at all for 'timeout'); an absent name
 * is NXDOMAIN; a CNAME (when the type is not CNAME) is appended to the chain and the walk restarts at
 * its target; otherwise the records of the type are the answer (none: NODATA). A name seen twice is
 * a loop, and a chain longer than `cnameChainMax` is refused; both answer SERVFAIL, as BIND and
 * Unbound do. The rcode of a chain is that of its last name (RFC 6604 §2.1).
 *
 * Faults stack: the most recently added fault matching a name wins; undo() removes exactly it.
 * The zone is configuration, not volatile state: it survives the server host's crash; the server
 * binds its port again when the host boots.
 */
import type { Host } from '../net/index.js';
import { ActiveWindows, type Simulator } from '../sim/index.js';
import { type DnsQueryMessage, type DnsRecord, type DnsResponseMessage, type RecordType, recordTypes, type ServerRcode } from './records.js';
import { canonicalName } from './names.js';
import type { Zone, ZoneEntry, ZoneEntryInput } from './zone.js';

export type DnsFaultRcode = 'servfail' | 'nxdomain' | 'timeout';

export interface DnsFault {
  name: string;
  /** Only this type; all types when absent. */
  type?: RecordType;
  rcode: DnsFaultRcode;
}

export interface DnsServerOptions {
  port?: number;
  /** Longest CNAME chain followed (BIND's limit is 16; 8 is ample for scenarios). */
  cnameChainMax?: number;
}

export interface UndoHandle {
  undo(): void;
}

export const dnsPort = 53;
export const cnameChainMaxDefault = 8;

interface Replaced {
  original: ZoneEntry | undefined;
  windows: ActiveWindows<ZoneEntryInput | null>;
}

export class DnsServer {
  readonly host: Host;
  readonly zone: Zone;
  readonly port: number;
  readonly cnameChainMax: number;
  private readonly sim: Simulator;
  private readonly faults: Array<{ name: string; type: RecordType | undefined; rcode: DnsFaultRcode }> = [];
  /** Names whose records a `dns-set` fault replaced: their own entry and the replacements in force. */
  private readonly replacements = new Map<string, Replaced>();

  constructor(host: Host, zone: Zone, options: DnsServerOptions = {}) {
    this.sim = host.network.sim;
    this.host = host;
    this.zone = zone;
    this.port = options.port ?? dnsPort;
    this.cnameChainMax = options.cnameChainMax ?? cnameChainMaxDefault;
    if (!Number.isInteger(this.cnameChainMax) || this.cnameChainMax < 0) throw new RangeError('cnameChainMax must be a non-negative integer');
    if (host.isUp) this.bind();
    host.onBoot(() => this.bind());
  }

  /** Answers for `name` (and `type`, else every type) fail with `rcode` until undo(). */
  setFault(fault: DnsFault): UndoHandle {
    if (fault.type !== undefined && !recordTypes.includes(fault.type)) throw new RangeError(`unknown record type ${fault.type}`);
    const entry = { name: canonicalName(fault.name), type: fault.type, rcode: fault.rcode };
    this.faults.push(entry);
    const fields = { name: entry.name, type: entry.type ?? null, rcode: entry.rcode };
    this.sim.trace.record('dns.fault', fields);
    return {
      undo: () => {
        const index = this.faults.indexOf(entry);
        if (index < 0) return;
        this.faults.splice(index, 1);
        this.sim.trace.record('dns.fault-undone', fields);
      },
    };
  }

  /**
   * Replaces the records of `name` (null removes the name) until undo(). Replacements of one name
   * stack: the latest in force is what the zone answers, and when the last one ends the zone's own
   * records come back (docs/reference.md §6, `dns-set`).
   */
  replace(name: string, records: ZoneEntryInput | null): UndoHandle {
    const key = canonicalName(name);
    let replaced = this.replacements.get(key);
    if (replaced === undefined || replaced.windows.size === 0) {
      replaced = { original: this.zone.get(key), windows: new ActiveWindows<ZoneEntryInput | null>() };
      this.replacements.set(key, replaced);
    }
    const state = replaced;
    const close = state.windows.add(records);
    this.settleName(key, state);
    this.sim.trace.record('dns.replace', { name: key, records: records === null ? null : JSON.stringify(records) });
    let undone = false;
    return {
      undo: () => {
        if (undone) return;
        undone = true;
        close();
        this.settleName(key, state);
        this.sim.trace.record('dns.replace-undone', { name: key });
      },
    };
  }

  /** Makes the zone answer for `key` what its replacements in force say (or its own records). */
  private settleName(key: string, replaced: Replaced): void {
    if (replaced.windows.size === 0) {
      this.zone.restore(key, replaced.original);
      return;
    }
    const records = replaced.windows.latest()!;
    if (records === null) this.zone.remove(key);
    else this.zone.set(key, records);
  }

  /** The answer for a question, or null when a 'timeout' fault swallows it. Pure apart from the zone. */
  answer(id: number, qname: string, qtype: RecordType): DnsResponseMessage | null {
    const name0 = canonicalName(qname);
    const chain: DnsRecord[] = [];
    const seen = new Set<string>();
    let name = name0;
    const respond = (rcode: ServerRcode, answers: DnsRecord[], negativeTtlMs: number | null, detail: string | null): DnsResponseMessage => ({
      kind: 'dns-response',
      id,
      name: name0,
      type: qtype,
      rcode,
      answers,
      cnameChain: chain,
      negativeTtlMs,
      detail,
    });
    for (;;) {
      const fault = this.faultFor(name, qtype);
      if (fault === 'timeout') return null;
      if (fault === 'servfail') return respond('SERVFAIL', [], null, 'fault');
      if (fault === 'nxdomain') return respond('NXDOMAIN', [], this.zone.negativeTtlFor(undefined), 'fault');
      const found = this.zone.lookup(name, qtype);
      if (found.kind === 'nxdomain') return respond('NXDOMAIN', [], this.zone.negativeTtlFor(undefined), null);
      if (found.kind === 'records') {
        return respond('NOERROR', found.records, found.records.length === 0 ? this.zone.negativeTtlFor(found.entry) : null, null);
      }
      seen.add(name);
      const target = found.record.target;
      chain.push(found.record);
      if (seen.has(target)) return respond('SERVFAIL', [], null, 'cname-loop');
      if (chain.length > this.cnameChainMax) return respond('SERVFAIL', [], null, 'cname-chain-too-long');
      name = target;
    }
  }

  private faultFor(name: string, type: RecordType): DnsFaultRcode | null {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const fault = this.faults[i]!;
      if (fault.name === name && (fault.type === undefined || fault.type === type)) return fault.rcode;
    }
    return null;
  }

  private bind(): void {
    this.host.bindDatagram(this.port, (payload, fromAddress, fromPort) => this.onDatagram(payload, fromAddress, fromPort));
  }

  private onDatagram(payload: unknown, fromAddress: string, fromPort: number): void {
    if (!isQuery(payload)) {
      // A malformed query would get FORMERR (RFC 1035 §4.1.1); our only clients are our resolvers.
      this.sim.trace.record('dns.server-malformed', { server: this.host.name, from: fromAddress });
      return;
    }
    const response = this.answer(payload.id, payload.name, payload.type);
    this.sim.trace.record('dns.serve', {
      server: this.host.name,
      id: payload.id,
      name: canonicalName(payload.name),
      type: payload.type,
      rcode: response === null ? 'no-answer' : response.rcode,
      detail: response?.detail ?? null,
    });
    if (response !== null) this.host.sendDatagram(fromAddress, fromPort, response, this.port);
  }
}

function isQuery(payload: unknown): payload is DnsQueryMessage {
  if (typeof payload !== 'object' || payload === null) return false;
  const q = payload as Partial<DnsQueryMessage>;
  return q.kind === 'dns-query' && typeof q.id === 'number' && typeof q.name === 'string' && recordTypes.includes(q.type as RecordType);
}
