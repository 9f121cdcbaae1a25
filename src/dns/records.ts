/**
 * DNS record and message shapes shared by the zone, the server and the stub resolver. Messages travel
 * as structured datagram payloads (the virtual network carries objects for DNS); no wire format.
 *
 * Names are compared case-insensitively (RFC 4343) and without the trailing root dot: "Example.ORG."
 * and "example.org" are one name. The null MX target (RFC 7505) is kept as ".".
 */

export type RecordType = 'A' | 'AAAA' | 'MX' | 'CNAME' | 'TXT';
export const recordTypes: readonly RecordType[] = ['A', 'AAAA', 'MX', 'CNAME', 'TXT'];

export type DnsRecord =
  | { readonly type: 'A'; readonly name: string; readonly ttlMs: number; readonly address: string }
  | { readonly type: 'AAAA'; readonly name: string; readonly ttlMs: number; readonly address: string }
  | { readonly type: 'MX'; readonly name: string; readonly ttlMs: number; readonly preference: number; readonly exchange: string }
  | { readonly type: 'CNAME'; readonly name: string; readonly ttlMs: number; readonly target: string }
  | { readonly type: 'TXT'; readonly name: string; readonly ttlMs: number; readonly text: string };

export type MxRecord = Extract<DnsRecord, { type: 'MX' }>;

/** What the server can answer (RFC 1035 §4.1.1 RCODE 0, 2, 3); TIMEOUT is the resolver's own verdict. */
export type ServerRcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
export type ResolverRcode = ServerRcode | 'TIMEOUT';

export interface DnsQueryMessage {
  readonly kind: 'dns-query';
  readonly id: number;
  readonly name: string;
  readonly type: RecordType;
}

export interface DnsResponseMessage {
  readonly kind: 'dns-response';
  readonly id: number;
  /** The question, echoed. */
  readonly name: string;
  readonly type: RecordType;
  readonly rcode: ServerRcode;
  /** Records of the asked type at the end of the CNAME chain (empty for NODATA and errors). */
  readonly answers: readonly DnsRecord[];
  /** The CNAME records followed from the question's name, in order (RFC 1034 §3.6.2). */
  readonly cnameChain: readonly DnsRecord[];
  /** How long a negative answer (NXDOMAIN, NODATA) may be cached (RFC 2308 §5), else null. */
  readonly negativeTtlMs: number | null;
  /** Why a SERVFAIL happened (cname-loop, cname-chain-too-long, fault), for the trace. */
  readonly detail: string | null;
}

/** True for the RFC 7505 null MX: a single MX with preference 0 and the root as exchange. */
export function isNullMx(records: readonly DnsRecord[]): boolean {
  return records.length === 1 && records[0]!.type === 'MX' && records[0]!.exchange === '.' && records[0]!.preference === 0;
}

/** A copy of `record` with another TTL (for answers served from a cache). */
export function withTtl(record: DnsRecord, ttlMs: number): DnsRecord {
  // Written out per type (not `{ ...record, ttlMs }`, a slow path in V8): every answer served from a
  // cache copies its records. Same keys in the same order as the zone's records.
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { type: record.type, name: record.name, ttlMs, address: record.address };
    case 'MX':
      return { type: 'MX', name: record.name, ttlMs, preference: record.preference, exchange: record.exchange };
    case 'CNAME':
      return { type: 'CNAME', name: record.name, ttlMs, target: record.target };
    case 'TXT':
      return { type: 'TXT', name: record.name, ttlMs, text: record.text };
  }
}
