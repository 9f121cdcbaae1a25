/**
 * A small in-memory UserMailStore for the IMAP tests, written to the contract in src/store/mailstore.ts
 * only (the real Maildir/mbox stores live in src/store/). Folders are shared objects, so every session
 * that asks for a folder gets the same one and its watchers see every change, synchronously.
 */
import type { Folder, FolderChange, MessageInfo, UserMailStore } from '../../../src/store/mailstore.js';

const sortFlags = (flags: readonly string[]) => [...new Set(flags)].sort();

export class MemoryFolder implements Folder {
  private readonly stored = new Map<number, { info: MessageInfo; bytes: Uint8Array }>();
  private readonly listeners = new Set<(change: FolderChange) => void>();
  uidNext = 1;
  constructor(
    public name: string,
    readonly uidValidity: number,
    private readonly clock: () => number = () => 1_767_225_600_000,
  ) {}
  info(uid: number): MessageInfo | undefined {
    return this.stored.get(uid)?.info;
  }

  messages(): readonly MessageInfo[] {
    return [...this.stored.values()].map((m) => m.info).sort((a, b) => a.uid - b.uid);
  }
  read(uid: number): Uint8Array {
    const message = this.stored.get(uid);
    if (!message) throw new Error(`no message with UID ${uid}`);
    return message.bytes;
  }
  append(bytes: Uint8Array, options: { flags?: readonly string[]; internalDateMs?: number } = {}): number {
    const uid = this.uidNext++;
    const info = { uid, flags: sortFlags(options.flags ?? []), internalDateMs: options.internalDateMs ?? this.clock(), size: bytes.length };
    this.stored.set(uid, { info, bytes: bytes.slice() });
    this.emit({ kind: 'appended', uids: [uid] });
    return uid;
  }
  setFlags(uid: number, flags: readonly string[]): void {
    const message = this.stored.get(uid);
    if (!message) return;
    message.info = { ...message.info, flags: sortFlags(flags) };
    this.emit({ kind: 'flags', uid, flags: message.info.flags });
  }
  expunge(uids: readonly number[]): void {
    const removed = [...new Set(uids)].sort((a, b) => a - b).flatMap((uid) => this.stored.get(uid) ?? []);
    for (const { info } of removed) this.stored.delete(info.uid);
    if (removed.length > 0) this.emit({ kind: 'expunged', uids: removed.map((m) => m.info.uid), removed });
  }
  watch(listener: (change: FolderChange) => void): () => void {
    // A fresh function object per registration, so one session may watch twice independently.
    const wrapped = (change: FolderChange) => listener(change);
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }
  private emit(change: FolderChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}

export class MemoryStore implements UserMailStore {
  private readonly folders: MemoryFolder[] = [];
  private readonly subscribed = new Set<string>();
  private nextValidity = 1000;
  constructor(readonly user: string) {
    this.createFolder('INBOX');
  }
  private find(name: string): MemoryFolder | undefined {
    const wanted = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
    return this.folders.find((f) => f.name === wanted);
  }
  folderNames(): string[] {
    return this.folders.map((f) => f.name);
  }
  folder(name: string): MemoryFolder | null {
    return this.find(name) ?? null;
  }
  createFolder(name: string): boolean {
    if (this.find(name)) return false;
    const levels = name.split('/');
    for (let i = 1; i < levels.length; i += 1) {
      const parent = levels.slice(0, i).join('/');
      if (!this.find(parent)) this.folders.push(new MemoryFolder(parent, this.nextValidity++));
    }
    this.folders.push(new MemoryFolder(name.toUpperCase() === 'INBOX' ? 'INBOX' : name, this.nextValidity++));
    return true;
  }
  deleteFolder(name: string): boolean {
    const folder = this.find(name);
    if (!folder || folder.name === 'INBOX') return false;
    this.folders.splice(this.folders.indexOf(folder), 1);
    return true;
  }
  renameFolder(from: string, to: string): boolean {
    const folder = this.find(from);
    if (!folder || this.find(to)) return false;
    if (folder.name === 'INBOX') {
      this.createFolder(to);
      const target = this.find(to)!;
      for (const info of folder.messages()) target.append(folder.read(info.uid), { flags: info.flags, internalDateMs: info.internalDateMs });
      folder.expunge(folder.messages().map((m) => m.uid));
      return true;
    }
    folder.name = to;
    return true;
  }
  subscriptions(): string[] {
    return [...this.subscribed];
  }
  setSubscribed(name: string, subscribed: boolean): void {
    if (subscribed) this.subscribed.add(name);
    else this.subscribed.delete(name);
  }
  tryLock(): (() => void) | null {
    return () => {};
  }
}
