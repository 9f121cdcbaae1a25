/**
 * Schema pieces the scenario file (src/scenario/schema.ts) and the fault kinds (src/faults/) share:
 * the limits on list lengths, a latency value, a pair of hosts, and a DNS zone fragment (docs/reference.md §3.1, §4).
 */
import { z } from 'zod';
import { domainName, duration, editorDefaults, hostName, list, map, oneOrList, strictObject, wholeNumber } from './base.js';
import { defaultDnsTtl, defaultLatency } from './defaults.js';

/** Named limits on list lengths (docs/architecture.md rule 5); far above any hand-written scenario. */
export const scenarioLimits = {
  hostsMax: 1000,
  dnsNamesMax: 10_000,
  recordsPerTypeMax: 100,
  faultsMax: 10_000,
  trafficMax: 100_000,
  expectMax: 10_000,
  filtersMax: 1000,
  recipientsPerSendMax: 1000,
  sendCountMax: 100_000,
  headersMax: 100,
  partitionGroupsMax: 100,
  namesPerListMax: 1000,
  /** Offsets of one `schedule: offsets` (far above any schedule measured in the wild). */
  offsetsMax: 1000,
} as const;
const L = scenarioLimits;

export const latency = z
  .union(
    [
      duration('fixed one-way latency'),
      strictObject(
        { min: duration('smallest latency drawn'), max: duration('largest latency drawn') },
        'latency drawn per connection between min and max',
      ),
    ],
    { error: 'expected a duration such as 20ms, or { min: 5ms, max: 80ms }' },
  )
  .meta({ description: 'one-way delay per segment: a duration, or { min, max } drawn per connection' });
editorDefaults.set(latency, defaultLatency);

export const hostPair = z
  .tuple([hostName('a host'), hostName('another host')], { error: 'expected a pair of host names, such as [mx1.example.org, mx2.example.org]' })
  .meta({ description: 'two host names' });

export const mxEntry = z
  .union(
    [
      z.string().meta({ description: '"PREFERENCE HOST", e.g. "10 mx1.example.org"; "0 ." is a null MX' }),
      strictObject(
        { preference: wholeNumber('MX preference (lower is tried first)', 0, 65_535), host: hostName('the mail exchanger') },
        'an MX record',
      ),
    ],
    { error: 'expected "PREFERENCE HOST" such as "10 mx1.example.org", or { preference, host }' },
  )
  .meta({ description: 'an MX record: "10 mx1.example.org" or { preference: 10, host: mx1.example.org }' });

export const dnsRecordsSchema = strictObject(
  {
    mx: list(mxEntry, 'MX records; ["0 ."] is a null MX (RFC 7505)', L.recordsPerTypeMax).optional(),
    a: oneOrList(z.ipv4({ error: 'expected an IPv4 address such as 10.0.0.10' }), 'an IPv4 address', L.recordsPerTypeMax).optional(),
    aaaa: oneOrList(z.ipv6({ error: 'expected an IPv6 address such as 2001:db8::1' }), 'an IPv6 address', L.recordsPerTypeMax).optional(),
    cname: hostName('canonical name this name is an alias of').optional(),
    txt: oneOrList(z.string(), 'a TXT string', L.recordsPerTypeMax).optional(),
    ttl: duration("this name's TTL", defaultDnsTtl).optional(),
  },
  'the records of one DNS name (docs/reference.md §4)',
);

export const dnsZone = map(domainName('a DNS name'), dnsRecordsSchema, 'DNS names and their records');

/** The records of one DNS name as parsed (before normalisation). */
export type ParsedDnsRecords = z.output<typeof dnsRecordsSchema>;
