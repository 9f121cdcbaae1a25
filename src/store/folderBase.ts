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
import { MessageIndex } from './message-index.js';
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

/**
 * `T` is what a format keeps beside each message in the index (Maildir: where its file is; see
 * message-index.ts), so a folder of a million messages holds no Map and no object per message.
 */
export abstract class FolderBase<T = unknown> implements Folder {
  protected readonly index = new MessageIndex<T>();
  private listeners: Array<(change: FolderChange) => void> = [];
  private messagesCache: MessageRecord[] | null = null;
  /** The highest UID ever held by this object (the index forgets expunged ones when it compacts). */
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
    if (this.messagesCache === null) {
      const list: MessageRecord[] = [];
      for (let slot = 0; slot < this.index.end; slot++) if (this.index.live(slot)) list.push(this.recordAt(slot));
      this.messagesCache = list;
    }
    return this.messagesCache;
  }

  info(uid: number): MessageInfo | undefined {
    return this.alive ? this.record(uid) : undefined;
  }

  read(uid: number): Uint8Array {
    const record = this.record(uid);
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
    const slot = this.index.slotOf(uid);
    if (slot < 0 || !this.alive) throw new Error(`no message with UID ${uid} in ${this.name}`);
    const record = this.recordAt(slot);
    const normalized = normalizeFlags(flags);
    if (normalized.length === record.flags.length && normalized.every((flag, i) => flag === record.flags[i])) return;
    this.writeFlags(record, normalized);
    this.index.setFlags(slot, normalized);
    this.messagesCache = null;
    this.emit({ kind: 'flags', uid, flags: normalized });
  }

  expunge(uids: readonly number[]): void {
    if (!this.alive) return;
    const present = [...new Set(uids)].filter((uid) => this.index.slotOf(uid) >= 0).sort((a, b) => a - b);
    if (present.length === 0) return;
    const records = present.map((uid) => this.record(uid)!);
    const removed = this.lastStates(records);
    this.removeRecords(records);
    for (const uid of present) this.index.remove(this.index.slotOf(uid));
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
    const records = this.messages() as MessageRecord[];
    if (records.length > 0) this.emit({ kind: 'expunged', uids: records.map((record) => record.uid), removed: this.lastStates(records) });
    this.alive = false;
    this.index.clear();
    this.messagesCache = null;
  }

  /** The message with this UID as a fresh object, or undefined. */
  protected record(uid: number): MessageRecord | undefined {
    const slot = this.index.slotOf(uid);
    return slot < 0 ? undefined : this.recordAt(slot);
  }

  private recordAt(slot: number): MessageRecord {
    const index = this.index;
    return { uid: index.uidAt(slot), flags: index.flagsAt(slot), internalDateMs: index.dateAt(slot), size: index.sizeAt(slot) };
  }

  /** Called by a format after its commit reached the disk; `extra` is what it keeps beside the message. */
  protected addRecord(record: MessageRecord, extra: T): void {
    if (!(record.uid > 0 && record.uid <= maxUidAsserted)) throw new Error(`UID out of range: ${record.uid}`);
    if (record.uid <= this.lastUid) throw new Error(`UIDs must ascend (${record.uid} after ${this.lastUid})`);
    this.lastUid = record.uid;
    this.index.append(record.uid, record.flags, record.internalDateMs, record.size, extra);
    this.messagesCache = null;
    this.emit({ kind: 'appended', uids: [record.uid] });
  }

  /** Loads records (any order; indexed ascending by UID) without announcing them: used when the folder is opened. */
  protected loadRecords(records: readonly MessageRecord[], extraOf: (uid: number) => T): void {
    this.index.clear();
    const sorted = [...records].sort((a, b) => a.uid - b.uid);
    // Two records with one UID (a damaged index on disk): the later one is kept, as a Map.set would.
    sorted.forEach((record, i) => {
      if (sorted[i + 1]?.uid !== record.uid) this.index.append(record.uid, record.flags, record.internalDateMs, record.size, extraOf(record.uid));
    });
    // Not Math.max(...uids): a spread of a million arguments throws a RangeError.
    this.lastUid = Math.max(this.lastUid, this.index.lastUid);
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
