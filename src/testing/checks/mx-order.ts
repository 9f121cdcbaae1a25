/**
 * `mxOrder()` — within one queue attempt, an MTA tries a domain's MX hosts in ascending preference
 * (docs/delivery.md M4; equal preferences in any order), so a backup comes only after the primary;
 * a host that is itself an MX of the domain never tries its own preference or a worse one (M6); and
 * it connects to no host that is not an MX of the domain.
 *
 * The MX sets are the validated scenario's DNS. Skipped: a domain the sending host routes elsewhere
 * (`routes`, a smarthost), a domain without MX records (implicit MX, M3: one candidate) or with a
 * null MX, and a domain whose records a `dns-set` fault changes during the run.
 */
import type { MxRecord } from '../../scenario/schema-types.js';
import type { MailRun } from '../types.js';
import { at, builtInCheck, hostConfigOf } from './common.js';
import { type AttemptGroup, attemptGroups } from './trace-views.js';

/** The MX records of each domain the check can judge (see above). */
function mxSets(run: MailRun): Map<string, MxRecord[]> {
  const changed = new Set(run.scenario.faults.flatMap((f) => (f.action.kind === 'dns-set' ? f.action.entries.map((e) => e.name) : [])));
  const out = new Map<string, MxRecord[]>();
  for (const entry of run.scenario.dns) {
    const mx = entry.records.mx;
    if (mx.length === 0 || mx.some((r) => r.host === '.') || changed.has(entry.name) || entry.records.cname !== null) continue;
    out.set(entry.name, mx);
  }
  return out;
}

const routedElsewhere = (run: MailRun, host: string, domain: string) => (hostConfigOf(run, host)?.routes ?? []).some((r) => r.domain === domain || r.domain === '*');

function groupViolations(group: AttemptGroup, mx: readonly MxRecord[]): string[] {
  const out: string[] = [];
  const preferenceOf = (host: string) => mx.find((r) => r.host === host)?.preference;
  const own = preferenceOf(group.host);
  const where = `${group.host} for ${group.messageId}`;
  let previous = Number.NEGATIVE_INFINITY;
  for (const connection of group.connections) {
    const preference = preferenceOf(connection.to);
    if (preference === undefined) {
      out.push(`${where} connected to ${connection.to} at ${at(connection.atMs)}, not an MX of ${group.domain} (M4)`);
      continue;
    }
    if (preference < previous) {
      const order = group.connections.map((c) => `${c.to}(${preferenceOf(c.to) ?? '?'})`).join(' → ');
      out.push(`${where} tried ${group.domain}'s MX out of order at ${at(connection.atMs)}: ${order} (M4)`);
    }
    if (own !== undefined && preference >= own) out.push(`${where} (itself MX ${own} of ${group.domain}) tried ${connection.to} at preference ${preference} at ${at(connection.atMs)} (M6)`);
    previous = Math.max(previous, preference);
  }
  return out;
}

/** Checks that MX hosts are tried in preference order, backups after primaries (M4, M6). */
export function mxOrder() {
  return builtInCheck('mxOrder', (run) => {
    const sets = mxSets(run);
    return attemptGroups(run.trace).flatMap((group) => {
      const mx = sets.get(group.domain);
      if (mx === undefined || routedElsewhere(run, group.host, group.domain)) return [];
      return groupViolations(group, mx);
    });
  });
}
