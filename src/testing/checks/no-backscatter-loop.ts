/**
 * `noBackscatterLoop()` — bounces never feed on themselves and mail loops end (docs/delivery.md D2, R7,
 * docs/reference.md §5 `hops`):
 *   - a DSN is never bounced (D2, R7: no error message about an error message);
 *   - a DSN is never about a DSN, nor about any message from the null sender `<>` (D2);
 *   - a mail loop between relays is cut by the hop limit: a path never has more hops than the
 *     strictest `limits.hops` on it allows, and a loop (a host taking the message three times or more;
 *     twice may be a duplicate, E3) that bounces for want of a reply's verdict does so with 5.4.6
 *     (Postfix "mail forwarding loop").
 */
import type { MailRun } from '../types.js';
import { at, builtInCheck, hostConfigOf, messageName } from './common.js';

function backscatter(run: MailRun): string[] {
  const out: string[] = [];
  const byId = new Map(run.report.messages.map((m) => [m.id, m]));
  const bounced = new Set(run.trace.filter((e) => e.kind === 'mail.bounce').map((e) => String(e.messageId)));
  for (const message of run.report.messages) {
    if (message.dsn) {
      for (const r of message.recipients) {
        if (r.bounce !== null || bounced.has(message.messageId)) out.push(`${messageName(message)} (a DSN) → ${r.address} was itself bounced at ${at(r.bounce?.atMs ?? r.finalAtMs ?? run.report.endedAtMs)} (D2, R7)`);
      }
      const about = message.about === null ? undefined : byId.get(message.about);
      if (about?.dsn === true) out.push(`${messageName(message)} sent at ${at(message.submittedAtMs)} is a DSN about the DSN ${messageName(about)} (D2)`);
      else if (about !== undefined && about.from === '') out.push(`${messageName(message)} sent at ${at(message.submittedAtMs)} is a DSN about ${messageName(about)}, whose sender is <> (D2)`);
    }
  }
  return out;
}

/** How many times the host most often on the path took the message. */
const mostVisits = (hops: readonly string[]) => Math.max(0, ...[...new Set(hops)].map((h) => hops.filter((x) => x === h).length));

/** A duplicate (E3) has a host take a message twice; a loop has it come back again and again. */
export const loopVisitsMin = 3;

function loops(run: MailRun): string[] {
  const out: string[] = [];
  for (const message of run.report.messages) {
    for (const r of message.recipients) {
      if (mostVisits(r.hops) < 2) continue;
      const name = `${messageName(message)} → ${r.address}`;
      const path = r.hops.join(' → ');
      const limit = Math.min(...r.hops.map((h) => hostConfigOf(run, h)?.limits.hops ?? Number.POSITIVE_INFINITY));
      const when = at(r.finalAtMs ?? run.report.endedAtMs);
      if (r.hops.length > limit + 1) out.push(`${name} travelled ${r.hops.length} hops, over the hop limit ${limit}, by ${when}: ${path} (§5 hops)`);
      const refused = r.attempts.some((a) => a.result === 'failed');
      if (mostVisits(r.hops) >= loopVisitsMin && r.status === 'bounced' && !refused && r.bounce?.status.startsWith('5.') && r.bounce.status !== '5.4.6') {
        out.push(`${name}: a mail loop (${path}) bounced at ${when} with ${r.bounce.status}, not 5.4.6`);
      }
    }
  }
  return out;
}

/** Checks that no bounce is bounced or answered, and that loops are cut by the hop limit. */
export function noBackscatterLoop() {
  return builtInCheck('noBackscatterLoop', (run) => [...backscatter(run), ...loops(run)]);
}
