/**
 * A DNS name's records as a scenario writes them (docs/reference.md §4) and a `dns-set` fault replaces
 * them (§6): MX as `{ preference, host }`, lower-case names without a trailing dot (RFC 4343).
 */
import type { ZoneEntryInput } from './zone.js';

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

/** A record set as the DNS server's zone takes it (only the types the set has). */
export function zoneEntry(records: DnsRecordSet): ZoneEntryInput {
  const entry: { -readonly [K in keyof ZoneEntryInput]: ZoneEntryInput[K] } = { ttl: records.ttlMs };
  if (records.mx.length > 0) entry.mx = records.mx.map((mx) => ({ preference: mx.preference, host: mx.host }));
  if (records.a.length > 0) entry.a = records.a;
  if (records.aaaa.length > 0) entry.aaaa = records.aaaa;
  if (records.cname !== null) entry.cname = records.cname;
  if (records.txt.length > 0) entry.txt = records.txt;
  return entry;
}
