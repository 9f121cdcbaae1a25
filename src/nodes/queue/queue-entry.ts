/**
 * A queued message as the MTA keeps it on disk: the envelope, per-recipient progress and the retry
 * bookkeeping, beside the message bytes. Writing it is the commit of DELIVERY.md R1 (the server
 * answers 250 only after `writeEntry` returned); a crash loses nothing that was written, and the queue
 * is rebuilt from these files on boot.
 *
 * Layout on the host's disk: `queue/<id>.eml` (the message) then `queue/<id>.json` (the state). An
 * .eml without its .json is an unfinished commit (nothing was acknowledged) and is removed on boot.
 */
import { Buffer } from 'node:buffer';
import type { DsnRcptParams } from '../../protocols/smtp/types.js';
import type { Disk } from '../../store/disk.js';
import type { RetryRecord } from '../mta/schedule.js';

export interface QueueRecipient {
  address: string;
  /** ORCPT as received, or null (RFC 3461 §4.2). */
  orcpt: string | null;
  notify: DsnRcptParams['notify'];
  /** Delivered, relayed, bounced or discarded: nothing more to do for it here. */
  done: boolean;
  /** The latest RFC 3463 status and diagnostic, for a DSN at expiry (D5). */
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  lastAttemptMs: number | null;
}

export interface QueueEntry {
  queueId: string;
  /** The Message-ID header value: the identity that survives relaying (the mail log's key). */
  messageId: string;
  /** Reverse-path; "" for a DSN (D1). */
  from: string;
  recipients: QueueRecipient[];
  arrivalMs: number;
  retry: RetryRecord;
  /** When the next attempt may start (null: now). */
  eligibleAtMs: number | null;
  /** A `delayed` DSN was sent (warn-after). */
  warned: boolean;
  ret: 'FULL' | 'HDRS' | null;
  envid: string | null;
  /** `Received:` count was over limits.hops when it arrived: bounce 5.4.6 (loop detection). */
  hopLimitExceeded: boolean;
}

export const queueDir = 'queue';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/**
 * The state file is encoded into this scratch buffer (the disk copies what it is given), so a retry
 * allocates no array for it. A larger state (thousands of recipients) is encoded apart.
 */
const stateScratchBytes = 1 << 16;
const stateScratch = Buffer.allocUnsafe(stateScratchBytes);
/** A UTF-8 character takes at most this many bytes per UTF-16 code unit. */
const utf8BytesPerCodeUnitMax = 3;

export function entryPaths(queueId: string): { message: string; state: string } {
  return { message: `${queueDir}/${queueId}.eml`, state: `${queueDir}/${queueId}.json` };
}

/** Commits a new entry: the message first, then the state that makes it real. */
export function commitNewEntry(disk: Disk, entry: QueueEntry, message: Uint8Array): void {
  const paths = entryPaths(entry.queueId);
  disk.write(paths.message, message);
  disk.write(paths.state, encoder.encode(JSON.stringify(entry)));
}

/** Rewrites the state of an entry after an attempt. */
export function writeEntryState(disk: Disk, entry: QueueEntry): void {
  const json = JSON.stringify(entry);
  const path = entryPaths(entry.queueId).state;
  if (json.length * utf8BytesPerCodeUnitMax > stateScratchBytes) disk.write(path, encoder.encode(json));
  else disk.write(path, stateScratch.subarray(0, stateScratch.write(json, 0, 'utf8')));
}

export function removeEntry(disk: Disk, queueId: string): void {
  const paths = entryPaths(queueId);
  disk.unlink(paths.state);
  disk.unlink(paths.message);
}

export function readMessage(disk: Disk, queueId: string): Uint8Array {
  const bytes = disk.read(entryPaths(queueId).message);
  if (bytes === null) throw new Error(`queue file ${queueId}.eml is missing`);
  return bytes;
}

/** Every committed entry on the disk, in queue-id order; unfinished commits are removed. */
export function loadEntries(disk: Disk): QueueEntry[] {
  const entries: QueueEntry[] = [];
  const names = disk.list(queueDir).map((entry) => entry.name);
  const states = new Set(names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)));
  for (const name of names) {
    if (name.endsWith('.eml') && !states.has(name.slice(0, -4))) disk.unlink(`${queueDir}/${name}`);
  }
  for (const queueId of states) {
    const bytes = disk.read(entryPaths(queueId).state);
    if (bytes !== null) entries.push(JSON.parse(decoder.decode(bytes)) as QueueEntry);
  }
  return entries;
}
