/**
 * What `withWorld` shows of a world between two steps (docs/testing.md, "Step by step: withWorld"):
 * a host's queue as `mailq` lists it, and the messages filed in an address's mailboxes.
 *
 * Theory of operation. Looking must not change what happens next. The queue listing only reads
 * (`MailQueue.listing`). A mailbox is read from a scratch copy of the user's files on the host's
 * platter — opening the store on the host's own disk would create INBOX and allocate its UIDVALIDITY
 * now, not when the MDA first delivers, and so change the run. The copy shows what is committed: a
 * delivery half-way through its disk steps (docs/delivery.md W1, W2) is not there yet.
 */
import type { MailHost } from '../nodes/mail-host.js';
import { getHeader } from '../nodes/mail/headers.js';
import type { QueueListing } from '../nodes/queue/mail-queue.js';
import type { World } from '../nodes/world.js';
import { SIM_EPOCH_MS } from '../sim/calendar.js';
import { MemoryDisk } from '../store/disk.js';
import { createUserMailStore } from '../store/userStore.js';

export type { QueueListing } from '../nodes/queue/mail-queue.js';

/** One message filed in a mailbox. */
export interface MailboxMessage {
  /** The host whose mailbox holds it. */
  readonly host: string;
  readonly folder: string;
  readonly uid: number;
  readonly messageId: string | null;
  readonly subject: string | null;
  readonly from: string | null;
  /** The stored flags (`\Seen` once an IMAP client fetched it). */
  readonly flags: readonly string[];
  /** When it was filed, in virtual ms from the start of the run. */
  readonly filedAtMs: number;
  /** The message as stored (CRLF line ends), headers the MTAs and the MDA added included. */
  readonly text: string;
}

/** The mail host named `name`, or an error naming the hosts there are. */
export function mailHostOf(world: World, name: string): MailHost {
  const host = world.hosts.get(name.toLowerCase());
  if (host === undefined) throw new Error(`no mail host ${name} in this world; the hosts are ${[...world.hosts.keys()].join(', ')}`);
  return host;
}

/** What `host` has queued now, with each entry's next attempt time. */
export function queueOf(world: World, host: string): QueueListing[] {
  return mailHostOf(world, host).queue.listing();
}

/** Every message filed for `address`, on every host with a mailbox for it, INBOX first, then by folder and UID. */
export function filedFor(world: World, address: string): MailboxMessage[] {
  const out: MailboxMessage[] = [];
  for (const host of world.hosts.values()) {
    const user = host.local?.userFor(address) ?? null;
    if (user === null) continue;
    const root = `mail/${user.name}`;
    const scratch = new MemoryDisk();
    const disk = scratch.mount();
    for (const path of host.platter.filePaths()) {
      if (path.startsWith(`${root}/`)) disk.write(path, host.platter.readFile(path) ?? new Uint8Array());
    }
    const store = createUserMailStore(disk, root, { format: host.config.mailbox, user: user.name, clockMs: () => SIM_EPOCH_MS + world.sim.nowMs, hostName: host.name });
    const decoder = new TextDecoder();
    for (const folderName of store.folderNames()) {
      const folder = store.folder(folderName);
      for (const info of folder?.messages() ?? []) {
        const bytes = folder!.read(info.uid);
        const header = (name: string) => getHeader(bytes, name)?.trim() ?? null;
        out.push({
          host: host.name,
          folder: folderName,
          uid: info.uid,
          messageId: header('Message-ID'),
          subject: header('Subject'),
          from: header('From'),
          flags: info.flags,
          filedAtMs: info.internalDateMs - SIM_EPOCH_MS,
          text: decoder.decode(bytes),
        });
      }
    }
  }
  return out;
}
