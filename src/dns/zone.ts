/**
 * The scripted zone (docs/reference.md §4): a map from a name to its records, built from the scenario's
 * plain `dns` object (durations already converted to ms by the scenario layer).
 *
 * Input per name: `mx` (["10 mx1.example.org"] or [{ preference, host }]; null MX "0 .", RFC 7505),
 * `a` / `aaaa` (one address or a list), `cname` (a target), `txt` (string or list), `ttl` (ms,
 * default 1 h). A name with a CNAME has no other data (RFC 1034 §3.6.2, RFC 2181 §10.1).
 *
 * Lookups (`lookup(name, type)`) answer one step, without following CNAMEs — the server does that:
 * absent name → NXDOMAIN; CNAME at the name (and the type is not CNAME) → the CNAME; else the
 * records of the type, possibly none (NODATA: the name exists, RFC 2308 §2.2).
 *
 * Negative caching TTL (RFC 2308 §5 takes min(SOA MINIMUM, SOA TTL); this zone has no SOA): an
 * NXDOMAIN may be cached for `negativeTtlMs` (default 300 s, a common SOA MINIMUM), a NODATA for
 * min(the name's TTL, negativeTtlMs).
 */
import type { DnsRecord, RecordType } from './records.js';
import { canonicalName } from './names.js';

export type MxInput = string | { preference: number; host: string };

export interface ZoneEntryInput {
  mx?: readonly MxInput[];
  a?: string | readonly string[];
  aaaa?: string | readonly string[];
  cname?: string;
  txt?: string | readonly string[];
  /** This name's TTL in ms (docs/reference.md §4 `ttl`, default 1 h). */
  ttl?: number;
}

export type ZoneInput = Readonly<Record<string, ZoneEntryInput>>;

export interface ZoneOptions {
  defaultTtlMs?: number;
  negativeTtlMs?: number;
}

export interface ZoneEntry {
  readonly name: string;
  readonly ttlMs: number;
  readonly records: readonly DnsRecord[];
  readonly cname: DnsRecord | null;
}

export type ZoneLookup =
  | { kind: 'nxdomain' }
  | { kind: 'cname'; record: Extract<DnsRecord, { type: 'CNAME' }>; entry: ZoneEntry }
  | { kind: 'records'; records: DnsRecord[]; entry: ZoneEntry };

export const ttlMsDefault = 3_600_000;
export const negativeTtlMsDefault = 300_000;
/** RFC 2181 §8: a TTL is at most 2^31 − 1 seconds. */
export const ttlMsMax = (2 ** 31 - 1) * 1000;
/** RFC 1035 §3.3.9: PREFERENCE is a 16-bit integer. */
export const mxPreferenceMax = 65_535;
/** RFC 1035 §2.3.4: a name is at most 255 octets. */
export const nameOctetsMax = 255;
/** Records per name and type, so a scenario typo cannot build a giant answer. */
export const recordsPerTypeMax = 1000;

export class ZoneError extends Error {
  /** Key path of the offending value, e.g. "example.org.mx[1]". */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

export class Zone {
  readonly defaultTtlMs: number;
  readonly negativeTtlMs: number;
  private readonly entries = new Map<string, ZoneEntry>();

  constructor(input: ZoneInput = {}, options: ZoneOptions = {}) {
    this.defaultTtlMs = checkTtl(options.defaultTtlMs ?? ttlMsDefault, 'defaultTtlMs');
    this.negativeTtlMs = checkTtl(options.negativeTtlMs ?? negativeTtlMsDefault, 'negativeTtlMs');
    for (const name of Object.keys(input)) this.set(name, input[name]!);
  }

  /** Replaces every record of `name` (docs/reference.md §6 `dns-set`); returns the previous entry. */
  set(name: string, input: ZoneEntryInput): ZoneEntry | undefined {
    const entry = buildEntry(name, input, this.defaultTtlMs);
    const previous = this.entries.get(entry.name);
    this.entries.set(entry.name, entry);
    return previous;
  }

  /** Restores an entry returned by `set`/`remove` (or removes the name when undefined). */
  restore(name: string, entry: ZoneEntry | undefined): void {
    const key = canonicalName(name);
    if (entry === undefined) this.entries.delete(key);
    else this.entries.set(key, entry);
  }

  /** Removes a name (it then answers NXDOMAIN); returns the previous entry. */
  remove(name: string): ZoneEntry | undefined {
    const key = canonicalName(name);
    const previous = this.entries.get(key);
    this.entries.delete(key);
    return previous;
  }

  get(name: string): ZoneEntry | undefined {
    return this.entries.get(canonicalName(name));
  }

  has(name: string): boolean {
    return this.entries.has(canonicalName(name));
  }

  /** The names, in the order they were first added. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  lookup(name: string, type: RecordType): ZoneLookup {
    const entry = this.entries.get(canonicalName(name));
    if (entry === undefined) return { kind: 'nxdomain' };
    if (entry.cname !== null && type !== 'CNAME') return { kind: 'cname', record: entry.cname as Extract<DnsRecord, { type: 'CNAME' }>, entry };
    const records = type === 'CNAME' ? (entry.cname === null ? [] : [entry.cname]) : entry.records.filter((r) => r.type === type);
    return { kind: 'records', records, entry };
  }

  /** The negative TTL for a NODATA at `entry`, or an NXDOMAIN when entry is undefined. */
  negativeTtlFor(entry: ZoneEntry | undefined): number {
    return entry === undefined ? this.negativeTtlMs : Math.min(entry.ttlMs, this.negativeTtlMs);
  }
}

function checkTtl(ttlMs: number, path: string): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 0 || ttlMs > ttlMsMax) throw new ZoneError(path, `TTL must be an integer number of ms in 0..${ttlMsMax}, got ${ttlMs}`);
  return ttlMs;
}

function checkName(raw: string, path: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ZoneError(path, 'empty domain name');
  const name = canonicalName(raw.trim());
  if (name.length > nameOctetsMax) throw new ZoneError(path, `name longer than ${nameOctetsMax} octets (RFC 1035 §2.3.4)`);
  if (name !== '.' && name.split('.').some((label) => label.length === 0 || label.length > 63)) {
    throw new ZoneError(path, `bad domain name "${raw}" (labels are 1–63 octets, RFC 1035 §2.3.4)`);
  }
  return name;
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6 = /^[0-9a-fA-F:.]+$/;

function buildEntry(rawName: string, input: ZoneEntryInput, defaultTtlMs: number): ZoneEntry {
  const name = checkName(rawName, rawName);
  if (typeof input !== 'object' || input === null) throw new ZoneError(name, 'expected a map of records');
  const ttlMs = input.ttl === undefined ? defaultTtlMs : checkTtl(input.ttl, `${name}.ttl`);
  const records: DnsRecord[] = [];
  const capped = <T>(values: readonly T[], key: string) => {
    if (values.length > recordsPerTypeMax) throw new ZoneError(`${name}.${key}`, `more than ${recordsPerTypeMax} records`);
    return values;
  };

  capped(input.mx ?? [], 'mx').forEach((mx, i) => {
    const path = `${name}.mx[${i}]`;
    let preference: number;
    let host: string;
    if (typeof mx === 'string') {
      const match = /^\s*(\d+)\s+(\S+)\s*$/.exec(mx);
      if (!match) throw new ZoneError(path, `expected "PREFERENCE HOST", got "${mx}"`);
      preference = Number(match[1]);
      host = match[2]!;
    } else {
      preference = mx.preference;
      host = mx.host;
    }
    if (!Number.isInteger(preference) || preference < 0 || preference > mxPreferenceMax) throw new ZoneError(path, `preference must be 0..${mxPreferenceMax} (RFC 1035 §3.3.9)`);
    const exchange = checkName(host, path);
    if (exchange === '.' && (preference !== 0 || (input.mx?.length ?? 0) !== 1)) {
      throw new ZoneError(path, 'a null MX "0 ." must be the only MX record, with preference 0 (RFC 7505 §3)');
    }
    records.push({ type: 'MX', name, ttlMs, preference, exchange });
  });
  capped(list(input.a), 'a').forEach((address, i) => {
    if (typeof address !== 'string' || !ipv4.test(address)) throw new ZoneError(`${name}.a[${i}]`, `not an IPv4 address: ${String(address)}`);
    records.push({ type: 'A', name, ttlMs, address });
  });
  capped(list(input.aaaa), 'aaaa').forEach((address, i) => {
    if (typeof address !== 'string' || !ipv6.test(address) || !address.includes(':')) throw new ZoneError(`${name}.aaaa[${i}]`, `not an IPv6 address: ${String(address)}`);
    records.push({ type: 'AAAA', name, ttlMs, address: address.toLowerCase() });
  });
  capped(list(input.txt), 'txt').forEach((text, i) => {
    if (typeof text !== 'string') throw new ZoneError(`${name}.txt[${i}]`, 'TXT data must be a string');
    records.push({ type: 'TXT', name, ttlMs, text });
  });

  let cname: DnsRecord | null = null;
  if (input.cname !== undefined) {
    if (records.length > 0) throw new ZoneError(`${name}.cname`, 'a name with a CNAME can have no other records (RFC 1034 §3.6.2)');
    const target = checkName(input.cname, `${name}.cname`);
    cname = { type: 'CNAME', name, ttlMs, target };
  }
  return { name, ttlMs, records: Object.freeze(records.map((r) => Object.freeze(r))), cname: cname && Object.freeze(cname) };
}
