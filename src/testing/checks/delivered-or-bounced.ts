/**
 * `deliveredOrBounced({ within })` — every recipient a server accepted ends delivered or bounced (a
 * filter's discard, with its reason, counts as an end too) within `within` of its submission
 * (docs/delivery.md R7: a queue gives up after its lifetime and returns the message; R1: accepted
 * mail is never dropped). A recipient still deferred when the run ends before its deadline is not
 * judged: the run was too short to tell.
 *
 * The default deadline is per recipient: for each host on its path, that host's queue lifetime (the
 * final cutoff of the Exim rule under `schedule: exim`, the last offset under `offsets` when later)
 * plus one day for the last retry gap, the scan and the DSN's own trip.
 */
import type { HostConfig } from '../../scenario/schema-types.js';
import type { MailRun } from '../types.js';
import { type Duration, durationMs } from '../duration.js';
import { at, builtInCheck, hostConfigOf, messageName, trafficMessages } from './common.js';

export interface DeliveredOrBouncedOptions {
  /** The deadline after submission (a duration such as `'5d'`, or ms); default from the queues on the path. */
  within?: Duration;
}

/** The slack the default deadline gives each host beyond its lifetime: the last gap, a scan, the DSN's trip. */
export const deliveredOrBouncedMarginMs = 86_400_000;

/** How long a host may hold a message before it must have delivered or returned it. */
function holdMs(host: HostConfig | undefined): number {
  if (host === undefined) return deliveredOrBouncedMarginMs;
  const queue = host.queue;
  const ruleMs = queue.schedule === 'exim' ? (queue.rule.at(-1)?.cutoffMs ?? 0) : 0;
  const offsetsMs = queue.schedule === 'offsets' ? (queue.offsetsMs.at(-1) ?? 0) : 0;
  return Math.max(queue.lifetimeMs, ruleMs, offsetsMs) + deliveredOrBouncedMarginMs;
}

/** Checks that every accepted recipient is delivered or bounced by the deadline (R1, R7). */
export function deliveredOrBounced(options: DeliveredOrBouncedOptions = {}) {
  const withinMs = options.within === undefined ? null : durationMs(options.within, 'deliveredOrBounced({ within })');
  return builtInCheck('deliveredOrBounced', (run: MailRun) => {
    const out: string[] = [];
    const endedAtMs = run.report.endedAtMs;
    for (const message of trafficMessages(run)) {
      for (const r of message.recipients) {
        if (r.hops.length === 0 || r.status === 'rejected') continue; // never accepted
        const allowedMs = withinMs ?? r.hops.reduce((sum, host) => sum + holdMs(hostConfigOf(run, host)), 0);
        const deadlineMs = message.submittedAtMs + allowedMs;
        const name = `${messageName(message)} → ${r.address}`;
        const endedMs = r.status === 'delivered' ? (r.deliveries[0]?.atMs ?? r.finalAtMs) : r.status === 'bounced' ? (r.bounce?.atMs ?? r.finalAtMs) : r.finalAtMs;
        if ((r.status === 'delivered' || r.status === 'bounced') && endedMs !== null && endedMs > deadlineMs) {
          out.push(`${name} was ${r.status} at ${at(endedMs)}, after the deadline ${at(deadlineMs)} (submitted at ${at(message.submittedAtMs)})`);
        } else if (r.status === 'lost') {
          out.push(`${name} was lost: neither delivered nor bounced by the end of the run at ${at(endedAtMs)} (R1)`);
        } else if (r.status === 'deferred' && endedAtMs >= deadlineMs) {
          out.push(`${name} is still ${r.status} at ${at(endedAtMs)}, past the deadline ${at(deadlineMs)} (submitted at ${at(message.submittedAtMs)}; R7)`);
        }
      }
    }
    return out;
  });
}
