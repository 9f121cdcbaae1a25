/**
 * A DNS name's records as a scenario writes them (docs/reference.md §4) and a `dns-set` fault replaces
 * them (§6): MX as `{ preference, host }`, lower-case names without a trailing dot (RFC 4343).
 */

/** Record types a scenario may name (lower case, as written in a scenario file). */
export type DnsRecordType = 'mx' | 'a' | 'aaaa' | 'cname' | 'txt';

export interface MxRecord {
  preference: number;
  /** Lower-case host name; `.` for a null MX (RFC 7505). */
  host: string;
}

/** The records of one DNS name. Empty lists mean "no such records" (NODATA for that type). */
export interface DnsRecordSet {
  mx: MxRecord[];
  a: string[];
  aaaa: string[];
  cname: string | null;
  txt: string[];
  ttlMs: number;
}

export interface DnsEntry {
  name: string;
  records: DnsRecordSet;
  /** True when the loader added this entry (or its `a` record) for a host without an address record (§4). */
  auto: boolean;
}
