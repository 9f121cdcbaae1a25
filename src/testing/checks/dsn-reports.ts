/**
 * The RFC 3464 reports that reached a sender: every message in the mailbox folders the report says a
 * DSN was filed in (its recipient's `deliveries`), read with `parseDsn` (src/nodes/mta/dsn.ts) — which
 * finds a `multipart/report` with a `message/delivery-status` part and returns its fields (D3–D5).
 * A message that is not such a report gives nothing, so a malformed DSN is as good as none.
 */
import { parseDsn } from '../../nodes/mta/dsn.js';
import type { ReportMessage } from '../../report/types.js';
import type { MailRun } from '../types.js';

/** What one per-recipient block of a report says (D5), with its per-message Reporting-MTA (D4). */
export interface ReportedRecipient {
  finalRecipient: string;
  action: string | null;
  status: string | null;
  reportingMta: string | null;
}

/**
 * The per-recipient blocks, by lower-case Final-Recipient, of the reports filed in the folders the
 * DSNs were delivered to. Null when no folder could be read (a host down, a mailbox fetched empty).
 */
export function reportedRecipients(run: MailRun, dsns: readonly ReportMessage[]): Map<string, ReportedRecipient[]> | null {
  const folders = new Set(dsns.flatMap((dsn) => dsn.recipients.flatMap((r) => r.deliveries.map((d) => `${d.host}\n${d.user}\n${d.folder}`))));
  const out = new Map<string, ReportedRecipient[]>();
  let read = false;
  for (const key of folders) {
    const [hostName, userName, folderName] = key.split('\n') as [string, string, string];
    const host = run.world.hosts.get(hostName);
    const user = host?.config.users.find((u) => u.name === userName);
    if (host?.local == null || user === undefined) continue;
    try {
      const folder = host.local.storeOf(user).folder(folderName);
      for (const info of folder?.messages() ?? []) {
        read = true;
        const parsed = parseDsn(folder!.read(info.uid));
        for (const r of parsed?.recipients ?? []) {
          const address = (r.finalRecipient ?? '').toLowerCase();
          out.set(address, [...(out.get(address) ?? []), { finalRecipient: address, action: r.action, status: r.status, reportingMta: parsed!.reportingMta }]);
        }
      }
    } catch {
      // A host that is down at the end cannot be read.
    }
  }
  return read ? out : null;
}
