/**
 * `noLoss()` — nothing accepted is lost (docs/reference.md §8 no-loss; docs/delivery.md R1, D2, E3):
 * every recipient a server accepted with a 2xx ends delivered, bounced, still queued (and then some
 * queue really holds it), or discarded with a reason — crashes included. The log is cross-checked
 * against the stores: every landing it claims is in a mailbox (a host that is down cannot be read, and
 * one whose users fetched without `keep` is not compared).
 */
import type { MailRun } from '../types.js';
import { at, builtInCheck, messageName } from './common.js';

/** Checks that nothing accepted vanished (R1, D2). */
export function noLoss() {
  return builtInCheck('noLoss', (run) => [...recipientLosses(run), ...storeMismatches(run)]);
}

function recipientLosses(run: MailRun): string[] {
  const out: string[] = [];
  const queued = new Set(run.world.queuedRecipients().map((q) => `${q.messageId}\n${q.address.toLowerCase()}`));
  const endedAt = at(run.report.endedAtMs);
  for (const message of run.report.messages) {
    for (const r of message.recipients) {
      const name = `${messageName(message)} → ${r.address}`;
      if (r.status === 'lost') out.push(`${name} was accepted and then lost: neither delivered, bounced, queued nor discarded at ${endedAt} (R1)`);
      if (r.status === 'discarded' && (r.reason === null || r.reason === '')) out.push(`${name} discarded without a reason at ${at(r.finalAtMs ?? run.report.endedAtMs)} (D2)`);
      if (r.status === 'deferred' && r.hops.length > 0 && !queued.has(`${message.messageId}\n${r.address.toLowerCase()}`)) {
        out.push(`${name} is "deferred" at ${endedAt} but no queue holds it (R1)`);
      }
    }
  }
  return out;
}

/** Host by host, the landings the log claims against the messages the mailboxes hold. */
function storeMismatches(run: MailRun): string[] {
  const out: string[] = [];
  // A fetch that does not keep what it read (POP3 DELE, IMAP expunge) empties the mailbox: not comparable.
  const emptied = new Set(run.scenario.traffic.flatMap((item) => (item.kind === 'fetch' && !item.fetch.keep ? [item.fetch.host] : [])));
  for (const host of run.world.hosts.values()) {
    if (host.local === null || emptied.has(host.name)) continue;
    let stored = 0;
    try {
      for (const user of host.config.users) {
        const store = host.local.storeOf(user);
        for (const folder of store.folderNames()) stored += store.folder(folder)?.messages().length ?? 0;
      }
    } catch {
      continue;
    }
    const landings = run.report.messages.reduce((n, m) => n + m.recipients.reduce((k, r) => k + r.deliveries.filter((d) => d.host === host.name).length, 0), 0);
    if (stored !== landings) out.push(`the log counts ${landings} landing(s) on ${host.name} but its mailboxes hold ${stored} at ${at(run.report.endedAtMs)} (R1)`);
  }
  return out;
}
