/**
 * What Maildir and mbox folders share: the in-memory index of messages (ascending by UID), the
 * listeners, flag normalisation and the stepwise delivery contract (issue 4, "MDA"; docs/delivery.md W1, W2).
 *
 * A format subclass owns the disk layout; this class owns the view. Every change is made on disk
 * first and then in memory, and listeners hear of it synchronously afterwards, so every session on
 * the same store object sees the same folder (RFC 3501 §7.3.1, §7.4.1, §7.4.2 untagged updates).
 *
 * The in-memory index is a cache of the disk: a crash loses it, and a store rebuilt after `up` reloads
 * it from the files (and the uidlist / index sidecar) — UIDs and flags included (docs/delivery.md I3, P5).
 */
import type { ExpungedMessage, Folder, FolderChange, MessageInfo } from './mailstore.js';
import { normalizeFlags } from './names.js';

/** A delivery in steps, so the simulator can put a crash between any two of them (docs/delivery.md W1, W2). */
export interface Delivery {
  readonly folder: string;
  /** Disk steps still to run with `step()` before `commit()` (Maildir: 0; mbox: the chunks left). */
  readonly stepsLeft: number;
  /** Runs the next disk step (mbox: appends the next chunk of the message). */
  step(): void;
  /**
   * Runs the remaining steps and the final one (Maildir: rename tmp → new, the instant of delivery;
   * mbox: the last chunk, then the index), then announces the message. Returns its UID.
   */
  commit(): number;
  /** Abandons the delivery cleanly (not a crash): Maildir unlinks the tmp file, mbox cuts the file back. */
  abort(): void;
}

/** What a delivery or an APPEND carries besides the bytes. */
export interface WriteOptions {
  flags?: readonly string[];
  internalDateMs?: number;
  /** The envelope sender for the mbox From_ line; "" (null reverse-path) is written MAILER-DAEMON. */
  envelopeFrom?: string;
}

/** The store-wide services a folder needs. */
export interface FolderContext {
  readonly clockMs: () => number;
  readonly hostName: string;
  /** A fresh UIDVALIDITY for a folder whose index is new (monotone per store, persisted). */
  allocateUidValidity(): number;
}

export interface MessageRecord extends MessageInfo {}

const maxUidAsserted = 0xffff_ffff; // RFC 3501 §2.3.1.1: UIDs are 32-bit

export abstract class FolderBase implements Folder {
  protected readonly records = new Map<number, MessageRecord>();
  private listeners: Array<(change: FolderChange) => void> = [];
  private messagesCache: MessageRecord[] | null = null;
  /** The highest UID ever held by this object (a Map has no cheap "last key"). */
  private lastUid = 0;
  /** False once the folder was deleted or renamed away; the object is then inert. */
  alive = true;

  /** UIDVALIDITY and UIDNEXT as the format's index on disk records them (RFC 3501 §2.3.1.1). */
  protected validity = 0;
  protected next = 1;

  get uidValidity(): number {
    return this.validity;
  }
  get uidNext(): number {
    return this.next;
  }

  constructor(readonly name: string) {}

  messages(): readonly MessageInfo[] {
    if (!this.alive) return [];
    this.messagesCache ??= [...this.records.values()];
    return this.messagesCache;
  }

  info(uid: number): MessageInfo | undefined {
    return this.alive ? this.records.get(uid) : undefined;
  }

  read(uid: number): Uint8Array {
    const record = this.records.get(uid);
    if (!record || !this.alive) throw new Error(`no message with UID ${uid} in ${this.name}`);
    return this.readRecord(record);
  }

  append(bytes: Uint8Array, options: { flags?: readonly string[]; internalDateMs?: number } = {}): number {
    const delivery = this.beginWrite(bytes, options);
    return delivery.commit();
  }

  /** Starts a stepwise write; `append` is this plus an immediate commit. */
  beginWrite(bytes: Uint8Array, options: WriteOptions): Delivery {
    if (!this.alive) throw new Error(`folder ${this.name} no longer exists`);
    return this.startWrite(bytes, { ...options, flags: normalizeFlags(options.flags ?? []) });
  }

  setFlags(uid: number, flags: readonly string[]): void {
    const record = this.records.get(uid);
    if (!record || !this.alive) throw new Error(`no message with UID ${uid} in ${this.name}`);
    const normalized = normalizeFlags(flags);
    if (normalized.length === record.flags.length && normalized.every((flag, i) => flag === record.flags[i])) return;
    this.writeFlags(record, normalized);
    this.records.set(uid, { ...record, flags: normalized });
    this.messagesCache = null;
    this.emit({ kind: 'flags', uid, flags: normalized });
  }

  expunge(uids: readonly number[]): void {
    if (!this.alive) return;
    const present = [...new Set(uids)].filter((uid) => this.records.has(uid)).sort((a, b) => a - b);
    if (present.length === 0) return;
    const records = present.map((uid) => this.records.get(uid)!);
    const removed = this.lastStates(records);
    this.removeRecords(records);
    for (const uid of present) this.records.delete(uid);
    this.messagesCache = null;
    this.emit({ kind: 'expunged', uids: present, removed });
  }

  watch(listener: (change: FolderChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** The folder is gone (deleted or renamed away): sessions hear every message expunged. */
  retire(): void {
    const uids = [...this.records.keys()];
    if (uids.length > 0) this.emit({ kind: 'expunged', uids, removed: this.lastStates([...this.records.values()]) });
    this.alive = false;
    this.records.clear();
    this.messagesCache = null;
  }

  /** Called by a format after its commit reached the disk. */
  protected addRecord(record: MessageRecord): void {
    if (!(record.uid > 0 && record.uid <= maxUidAsserted)) throw new Error(`UID out of range: ${record.uid}`);
    if (record.uid <= this.lastUid) throw new Error(`UIDs must ascend (${record.uid} after ${this.lastUid})`);
    this.lastUid = record.uid;
    this.records.set(record.uid, record);
    this.messagesCache = null;
    this.emit({ kind: 'appended', uids: [record.uid] });
  }

  /** Loads records (ascending by UID) without announcing them: used when the folder is opened. */
  protected loadRecords(records: readonly MessageRecord[]): void {
    this.records.clear();
    for (const record of [...records].sort((a, b) => a.uid - b.uid)) this.records.set(record.uid, record);
    this.lastUid = Math.max(this.lastUid, ...this.records.keys());
    this.messagesCache = null;
  }

  /** The messages' last state, read only when someone listens (a session may still show them, RFC 2180 §4.1.1). */
  private lastStates(records: readonly MessageRecord[]): ExpungedMessage[] {
    if (this.listeners.length === 0) return [];
    return records.map((record) => {
      const { uid, flags, internalDateMs, size } = record;
      return { info: { uid, flags, internalDateMs, size }, bytes: this.readRecord(record) };
    });
  }

  private emit(change: FolderChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  protected abstract readRecord(record: MessageRecord): Uint8Array;
  protected abstract startWrite(bytes: Uint8Array, options: WriteOptions & { flags: string[] }): Delivery;
  protected abstract writeFlags(record: MessageRecord, flags: string[]): void;
  protected abstract removeRecords(records: MessageRecord[]): void;
}
