/**
 * A queued message as the MTA keeps it on disk: the envelope, per-recipient progress and the retry
 * bookkeeping, beside the message bytes. Writing it is the commit of docs/delivery.md R1 (the server
 * answers 250 only after `writeEntry` returned); a crash loses nothing that was written, and the queue
 * is rebuilt from these files on boot.
 *
 * Layout on the host's disk: `queue/<id>.eml` (the message) then `queue/<id>.json` (the state). An
 * .eml without its .json is an unfinished commit (nothing was acknowledged) and is removed on boot.
 */
import { type MailParams, plainMailParams } from '../../protocols/smtp/types.js';
import type { Disk } from '../../store/disk.js';
import type { QueueEntry, QueueRecipient } from './entry-types.js';
import { newEntryJsonInto } from './new-entry-json.js';

export type { QueueEntry, QueueRecipient } from './entry-types.js';

export const queueDir = 'queue';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/**
 * The state file is encoded into this scratch buffer (the disk copies what it is given), so a retry
 * allocates no array for it. A larger state (thousands of recipients) is encoded apart.
 */
const stateScratchBytes = 1 << 16;
const stateScratch = new Uint8Array(stateScratchBytes);
/** A UTF-8 character takes at most this many bytes per UTF-16 code unit. */
const utf8BytesPerCodeUnitMax = 3;

export function entryPaths(queueId: string): { message: string; state: string } {
  return { message: `${queueDir}/${queueId}.eml`, state: `${queueDir}/${queueId}.json` };
}

/** Commits a new entry: the message first, then the state that makes it real. */
export function commitNewEntry(disk: Disk, entry: QueueEntry, message: Uint8Array): void {
  const paths = entryPaths(entry.queueId);
  disk.write(paths.message, message);
  // Straight into the scratch buffer when every field is plain (new-entry-json.ts), else the general path.
  const length = newEntryJsonInto(entry, stateScratch);
  if (length >= 0) disk.write(paths.state, stateScratch.subarray(0, length));
  else writeJson(disk, paths.state, JSON.stringify(entry));
}

/** Rewrites the state of an entry after an attempt. */
export function writeEntryState(disk: Disk, entry: QueueEntry): void {
  const frozen = frozenPartsOf(entry);
  writeJson(disk, frozen.statePath, entryStateJson(entry, frozen));
}

/** Writes JSON text as UTF-8 through the scratch buffer (the disk copies what it is given). */
function writeJson(disk: Disk, path: string, json: string): void {
  // Too big for the scratch buffer (thousands of recipients): encoded apart.
  if (json.length * utf8BytesPerCodeUnitMax > stateScratchBytes) disk.write(path, encoder.encode(json));
  else disk.write(path, stateScratch.subarray(0, encoder.encodeInto(json, stateScratch).written));
}

// -------------------------------------------------------------------------------------------------
// The state file's JSON, from parts
//
// A deferred entry is rewritten after every attempt (a week of retries is ~150 writes per message),
// and JSON.stringify of the whole entry was the costliest step of an attempt. Most of the entry never
// changes after the commit (ids, envelope, arrival, DSN parameters), so the JSON text of those parts
// is made once per entry and only the fields an attempt changes are encoded each time. The text is
// exactly JSON.stringify(entry) for an entry built by `MailQueue.enqueue` or read by `loadEntries`
// (same keys, same order; test/nodes/pure/queue-entry.test.ts checks it), so the file reads back the
// same. (Encoding the unchanging parts to bytes once as well was slower: many small copies cost more
// than one encodeInto of the whole text.)

/** An entry's unchanging fields as JSON text, and its state path (made once per entry). */
interface FrozenParts {
  statePath: string;
  /** `{"queueId":…,"messageId":…,"from":…,"recipients":[` */
  head: string;
  /** Per recipient: `{"address":…,"orcpt":…,"notify":…,"done":` (after a `,` but for the first). */
  recipientHeads: string[];
  /** Per recipient: the JSON of its last status fields, remembered (they rarely change between retries). */
  recipientStatus: RecipientStatusJson[];
  /** `],"arrivalMs":…,"retry":` */
  middle: string;
  /** `,"params":…,"hopLimitExceeded":…}` */
  tail: string;
}

interface RecipientStatusJson {
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  /** `"status":…,"diagnostic":…,"remoteMta":…` for the three values above. */
  json: string;
}

const frozenPartsByEntry = new WeakMap<QueueEntry, FrozenParts>();

function frozenPartsOf(entry: QueueEntry): FrozenParts {
  const known = frozenPartsByEntry.get(entry);
  // The recipient list never changes length after the commit; the check keeps a misuse harmless.
  if (known !== undefined && known.recipientHeads.length === entry.recipients.length) return known;
  const parts: FrozenParts = {
    statePath: entryPaths(entry.queueId).state,
    head: `{"queueId":${JSON.stringify(entry.queueId)},"messageId":${JSON.stringify(entry.messageId)},"from":${JSON.stringify(entry.from)},"recipients":[`,
    recipientHeads: entry.recipients.map(
      (r, i) => `${i > 0 ? ',' : ''}{"address":${JSON.stringify(r.address)},"orcpt":${JSON.stringify(r.orcpt)},"notify":${JSON.stringify(r.notify)},"done":`,
    ),
    recipientStatus: entry.recipients.map(() => ({ status: null, diagnostic: null, remoteMta: null, json: statusJson(null, null, null) })),
    middle: `],"arrivalMs":${jsonNumber(entry.arrivalMs)},"retry":`,
    tail: `,"params":${JSON.stringify(entry.params)},"hopLimitExceeded":${entry.hopLimitExceeded}}`,
  };
  frozenPartsByEntry.set(entry, parts);
  return parts;
}

/** JSON.stringify(entry), from the frozen parts and the fields an attempt changes. */
function entryStateJson(entry: QueueEntry, frozen: FrozenParts): string {
  let json = frozen.head;
  const recipients = entry.recipients;
  for (let i = 0; i < recipients.length; i++) {
    const r = recipients[i]!;
    const status = recipientStatusJson(frozen.recipientStatus[i]!, r);
    json += `${frozen.recipientHeads[i]}${r.done},${status},"lastAttemptMs":${jsonNumberOrNull(r.lastAttemptMs)}}`;
  }
  const retry = entry.retry;
  return (
    `${json}${frozen.middle}{"arrivalMs":${jsonNumber(retry.arrivalMs)},"nullSender":${retry.nullSender}` +
    `,"firstFailureMs":${jsonNumberOrNull(retry.firstFailureMs)},"lastFailureMs":${jsonNumberOrNull(retry.lastFailureMs)}` +
    `,"nextAttemptMs":${jsonNumberOrNull(retry.nextAttemptMs)},"failures":${jsonNumber(retry.failures)}}` +
    `,"eligibleAtMs":${jsonNumberOrNull(entry.eligibleAtMs)},"warned":${entry.warned}${frozen.tail}`
  );
}

/** The recipient's status fields as JSON, re-made only when one of them changed. */
function recipientStatusJson(known: RecipientStatusJson, r: QueueRecipient): string {
  if (known.status !== r.status || known.diagnostic !== r.diagnostic || known.remoteMta !== r.remoteMta) {
    known.status = r.status;
    known.diagnostic = r.diagnostic;
    known.remoteMta = r.remoteMta;
    known.json = statusJson(r.status, r.diagnostic, r.remoteMta);
  }
  return known.json;
}

function statusJson(status: string | null, diagnostic: string | null, remoteMta: string | null): string {
  return `"status":${JSON.stringify(status)},"diagnostic":${JSON.stringify(diagnostic)},"remoteMta":${JSON.stringify(remoteMta)}`;
}

/** As JSON.stringify writes a number: non-finite ones as null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

function jsonNumberOrNull(value: number | null): string {
  return value === null ? 'null' : jsonNumber(value);
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
    if (bytes !== null) entries.push(entryFromJson(JSON.parse(decoder.decode(bytes)) as StoredEntry));
  }
  return entries;
}

/**
 * A state file as an older mailsim may have written it: before the parameters were kept whole, only
 * `ret` and `envid` were (`serve --maildir` queues persist across versions).
 */
type StoredEntry = QueueEntry | (Omit<QueueEntry, 'params'> & { params?: undefined; ret: MailParams['dsn']['ret']; envid: string | null });

/** The entry of a state file, in today's shape whatever version wrote it. */
export function entryFromJson(stored: StoredEntry): QueueEntry {
  if (stored.params !== undefined) return stored;
  const { ret, envid, hopLimitExceeded, ...rest } = stored;
  return { ...rest, params: plainMailParams({ ret: ret ?? null, envid: envid ?? null }), hopLimitExceeded };
}
