/**
 * Duplicates. Delivery is at-least-once (RFC 1047, docs/delivery.md E3): a recipient may get a message
 * twice when a connection broke after the final dot, or a host holding it crashed before it wrote the
 * result down.
 *   `atLeastOnce()`  — a duplicate only for one of those reasons (E3);
 *   `noDuplicates()` — no duplicates at all: not an invariant of mail, but what a user asks when
 *                      duplicates matter to them (`mailsim explore --check no-duplicates`).
 */
import type { Report } from '../../report/types.js';
import { at, builtInCheck, messageName } from './common.js';
import { downIntervals } from './trace-views.js';

/** A recipient who got one message more than once. */
export interface Duplicate {
  address: string;
  messageId: string;
  /** The report's id ("m1"). */
  id: string;
  landings: number;
  /** When the second landing happened. */
  secondAtMs: number;
}

/** Every recipient of the report that got a message more than once. */
export function duplicatesIn(report: Report): Duplicate[] {
  const out: Duplicate[] = [];
  for (const message of report.messages) {
    for (const r of message.recipients) {
      if (r.deliveries.length > 1) out.push({ address: r.address, messageId: message.messageId, id: message.id, landings: r.deliveries.length, secondAtMs: r.deliveries[1]!.atMs });
    }
  }
  return out;
}

/** Checks that no recipient got a message more than once. */
export function noDuplicates() {
  return builtInCheck('noDuplicates', (run) =>
    duplicatesIn(run.report).map((d) => `${d.id} ${d.messageId} → ${d.address} landed ${d.landings} times (the second at ${at(d.secondAtMs)})`),
  );
}

/**
 * Checks that a recipient gets a message twice only if a connection broke after `.` was sent (a
 * `dropped` attempt), the submission's line was lost after its dot (a `drop … after: dot` on the
 * first hop — the MUA's submission is not an attempt in the report, §9), the reply to a dot was held
 * past the client's timeout (a `delay … on: dot` on the path), or a host on its path crashed (E3).
 */
export function atLeastOnce() {
  return builtInCheck('atLeastOnce', (run) => {
    const out: string[] = [];
    const downs = downIntervals(run.trace);
    const dropsAfterDotOn = new Set(run.scenario.faults.flatMap((f) => (f.action.kind === 'drop' && f.action.after === 'dot' ? [f.action.host] : [])));
    // A reply to the dot held past the client's timeout: the client gives up on a message the server took.
    const delaysAtDotOn = new Set(run.scenario.faults.flatMap((f) => (f.action.kind === 'delay' && f.action.on === 'dot' ? [f.action.host] : [])));
    for (const message of run.report.messages) {
      for (const r of message.recipients) {
        if (r.deliveries.length < 2) continue;
        const dropped = r.attempts.some((a) => a.result === 'dropped');
        const crashed = r.hops.some((host) => downs.has(host));
        const first = r.hops[0];
        const submissionLost = first !== undefined && (dropsAfterDotOn.has(first) || delaysAtDotOn.has(first));
        const relayTimedOut = r.attempts.some((a) => a.result === 'timeout') && r.hops.some((host) => delaysAtDotOn.has(host));
        if (!dropped && !crashed && !submissionLost && !relayTimedOut) {
          out.push(`${messageName(message)} → ${r.address} landed ${r.deliveries.length} times (the second at ${at(r.deliveries[1]!.atMs)}) with no connection lost after the dot and no crash (E3)`);
        }
      }
    }
    return out;
  });
}
