/**
 * The scripted DNS (docs/architecture.md "src/dns"): the zone, the DNS server node and the caching stub
 * resolver every host runs.
 */
export {
  type DnsQueryMessage,
  type DnsRecord,
  type DnsResponseMessage,
  isNullMx,
  type MxRecord,
  type RecordType,
  type ResolverRcode,
  recordTypes,
  type ServerRcode,
} from './records.js';
export { canonicalName } from './names.js';
export {
  type AddressResult,
  cacheEntriesMaxDefault,
  type DnsResult,
  type MxResult,
  pendingQueriesMaxDefault,
  resolverAttemptsDefault,
  resolverTimeoutMsDefault,
  StubResolver,
  type StubResolverOptions,
} from './resolver.js';
export { cnameChainMaxDefault, type DnsFault, type DnsFaultRcode, DnsServer, type DnsServerOptions, dnsPort, type UndoHandle } from './server.js';
export {
  type MxInput,
  mxPreferenceMax,
  nameOctetsMax,
  negativeTtlMsDefault,
  recordsPerTypeMax,
  ttlMsDefault,
  ttlMsMax,
  Zone,
  type ZoneEntry,
  type ZoneEntryInput,
  ZoneError,
  type ZoneInput,
  type ZoneLookup,
  type ZoneOptions,
} from './zone.js';
