/**
 * A fault of the scenario's `faults` list, normalised (docs/reference.md §6).
 */
import type { DnsEntry, DnsRecordType } from '../dns/record-set.js';
import type { LatencySpec } from '../net/latency.js';
import type { SmtpStage } from '../protocols/smtp/stages.js';

export type DnsFaultRcode = 'servfail' | 'nxdomain' | 'timeout';

export type FaultAction =
  | { kind: 'down'; host: string }
  | { kind: 'up'; host: string }
  | { kind: 'refuse'; host: string; port: number }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'latency'; between: [string, string]; latency: LatencySpec }
  | { kind: 'dns'; name: string; type: DnsRecordType | null; rcode: DnsFaultRcode }
  | { kind: 'dns-set'; entries: DnsEntry[] }
  | { kind: 'reply'; host: string; on: SmtpStage; code: number; text: string; times: number | null; probability: number | null }
  | { kind: 'drop'; host: string; after: SmtpStage; times: number | null; probability: number | null }
  | { kind: 'flaky'; host: string; probability: number };

export interface FaultSpec {
  /** Position in the `faults` list (0-based), for reports. */
  index: number;
  atMs: number;
  untilMs: number | null;
  action: FaultAction;
}
