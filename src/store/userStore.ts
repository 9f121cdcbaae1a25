/**
 * One user's mail store on a host's disk, in Maildir or mbox format: the `UserMailStore` contract
 * (mailstore.ts) plus the stepwise delivery the MDA uses (issue 4, "MDA"; docs/delivery.md W1, W2, I3, P4).
 *
 * Layout under ROOT (for example "mail/bob"):
 *   Maildir: ROOT/{tmp,new,cur} is INBOX; ROOT/.Name/ a folder (Maildir++: "a/b" is ".a.b");
 *            ROOT/mailsim-folders and ROOT/subscriptions hold the folder order and subscriptions.
 *   mbox:    ROOT/INBOX and ROOT/<encoded name> are the folders; ROOT/.mailsim/ holds the index of
 *            each (mbox.ts), mailsim-folders and subscriptions.
 * mailsim-folders lists folders in creation order (folderNames() promises it) and the last UIDVALIDITY
 * handed out, so a folder deleted and created again never gets the same UIDVALIDITY twice (RFC 3501
 * §2.3.1.1). A folder found on disk but not in the list (a crash between the two writes, or another
 * program) is adopted; a listed one that is gone is forgotten.
 *
 * Everything in memory here — open folder objects, the POP3 maildrop lock, the delivery counter — is
 * lost on a crash; a store built again from the same disk after `up` sees what was committed.
 * Use one store object per (host boot, user): `openUserMailStore` memoises by disk handle and root,
 * so every session (MDA, POP3, IMAP) of a boot shares it and hears every change (watch).
 */
import type { Disk } from './disk.js';
import { joinPath } from './disk.js';
import type { Delivery, FolderBase, FolderContext, WriteOptions } from './folderBase.js';
import { createMaildirFolder, MaildirFolder } from './maildir.js';
import type { Folder, UserMailStore } from './mailstore.js';
import { MBOX_APPEND_CHUNK_BYTES_DEFAULT, MboxFolder } from './mbox.js';
import { canonicalFolderName, decodeFolderName, encodeFolderName, parentFolderNames } from './names.js';

export type MailboxFormat = 'maildir' | 'mbox';

export interface UserMailStoreOptions {
  format: MailboxFormat;
  /** The mailbox owner ("bob" or "bob@example.org", as the host names its users). */
  user: string;
  /** Absolute Unix ms now (SIM_EPOCH_MS + virtual time in the simulator). */
  clockMs: () => number;
  /** Goes into Maildir file names (maildir(5)). */
  hostName: string;
  /** mbox only: bytes per append step of a delivery (default 4096; a delivery always has ≥ 2 steps). */
  mboxAppendChunkBytes?: number;
}

/** A UserMailStore the MDA can deliver into, one disk step at a time. */
export interface DeliverableMailStore extends UserMailStore {
  readonly format: MailboxFormat;
  /**
   * Starts delivering a message into a folder, created on demand (filters may file into "Junk").
   * Returns null when the folder is momentarily locked by another delivery (mbox): the MDA defers,
   * as Postfix's local(8) does on a busy mailbox. Throws for an invalid folder name (caller misuse).
   */
  beginDelivery(folder: string, bytes: Uint8Array, options?: WriteOptions): Delivery | null;
}

/** Folders one user may have (Dovecot has no default limit; this is a sanity bound). */
export const FOLDERS_PER_USER_MAX = 1000;

const FOLDERS_FILE = 'mailsim-folders';
const SUBSCRIPTIONS_FILE = 'subscriptions';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What differs between the formats: where a folder lives and how it is made, removed and moved. */
interface FormatDriver {
  readonly metaDir: string;
  discover(): string[];
  create(name: string): void;
  open(name: string, context: FolderContext): FolderBase;
  remove(name: string): void;
  move(from: string, to: string): void;
}

/**
 * A folder found on disk under another spelling of its name than names.ts writes now — an earlier
 * mailsim's (%XX escapes of UTF-8), or raw UTF-8 from another program — moves to the current one (the
 * one Dovecot reads), unless something is there already. Returns whether it moved.
 */
function adoptSpelling(disk: Disk, found: string, canonical: string): boolean {
  if (found === canonical || disk.exists(canonical) || !disk.exists(found)) return false;
  disk.rename(found, canonical);
  return true;
}

function maildirDriver(disk: Disk, root: string, nextUnique: () => number): FormatDriver {
  const dirOf = (name: string) => (name === 'INBOX' ? root : joinPath(root, `.${encodeFolderName(name)}`));
  return {
    metaDir: root,
    discover: () =>
      disk
        .list(root)
        .filter((entry) => entry.isDir && entry.name.startsWith('.') && entry.name.length > 1)
        .filter((entry) => disk.exists(joinPath(root, entry.name, 'cur')))
        .map((entry) => {
          const name = decodeFolderName(entry.name.slice(1));
          if (canonicalFolderName(name) === name) adoptSpelling(disk, joinPath(root, entry.name), dirOf(name));
          return name;
        }),
    create: (name) => createMaildirFolder(disk, dirOf(name), name !== 'INBOX'),
    open: (name, context) => new MaildirFolder(name, disk, dirOf(name), context, { next: nextUnique }),
    remove: (name) => void disk.unlink(dirOf(name)),
    move: (from, to) => disk.rename(dirOf(from), dirOf(to)),
  };
}

function mboxDriver(disk: Disk, root: string, chunkBytes: number): FormatDriver {
  const metaDir = joinPath(root, '.mailsim');
  const fileOf = (name: string) => joinPath(root, name === 'INBOX' ? 'INBOX' : encodeFolderName(name));
  const indexOf = (name: string) => joinPath(metaDir, `${name === 'INBOX' ? 'INBOX' : encodeFolderName(name)}.index`);
  return {
    metaDir,
    discover: () =>
      disk
        .list(root)
        .filter((entry) => !entry.isDir && !entry.name.startsWith('.') && entry.name !== 'INBOX')
        .map((entry) => {
          const name = decodeFolderName(entry.name);
          if (canonicalFolderName(name) === name && adoptSpelling(disk, joinPath(root, entry.name), fileOf(name))) adoptSpelling(disk, joinPath(metaDir, `${entry.name}.index`), indexOf(name));
          return name;
        }),
    create: (name) => {
      if (!disk.exists(fileOf(name))) disk.write(fileOf(name), new Uint8Array());
    },
    open: (name, context) => new MboxFolder(name, disk, fileOf(name), indexOf(name), context, chunkBytes),
    remove: (name) => {
      disk.unlink(fileOf(name));
      disk.unlink(indexOf(name));
    },
    move: (from, to) => {
      disk.rename(fileOf(from), fileOf(to));
      if (disk.exists(indexOf(from))) disk.rename(indexOf(from), indexOf(to));
    },
  };
}

class DiskUserMailStore implements DeliverableMailStore {
  readonly user: string;
  readonly format: MailboxFormat;
  private readonly driver: FormatDriver;
  /** Folder names other than INBOX, in creation order. */
  private names: string[] = [];
  private lastUidValidity = 0;
  private readonly open = new Map<string, FolderBase>();
  private subscribed: string[] = [];
  private lockOwner: string | null = null;
  private uniqueCounter = 0;
  private readonly context: FolderContext;

  constructor(
    private readonly disk: Disk,
    root: string,
    options: UserMailStoreOptions,
  ) {
    this.user = options.user;
    this.format = options.format;
    this.driver =
      options.format === 'maildir'
        ? maildirDriver(disk, root, () => ++this.uniqueCounter)
        : mboxDriver(disk, root, options.mboxAppendChunkBytes ?? MBOX_APPEND_CHUNK_BYTES_DEFAULT);
    this.context = {
      clockMs: options.clockMs,
      hostName: options.hostName,
      allocateUidValidity: () => {
        this.lastUidValidity = Math.max(Math.floor(options.clockMs() / 1000), this.lastUidValidity + 1);
        this.writeFolderList();
        return this.lastUidValidity;
      },
    };
    this.load();
  }

  private metaPath(file: string): string {
    return joinPath(this.driver.metaDir, file);
  }

  private load(): void {
    this.driver.create('INBOX');
    const listed = decoder.decode(this.disk.read(this.metaPath(FOLDERS_FILE)) ?? new Uint8Array()).split('\n');
    const header = /^mailsim-folders 1 U(\d+)$/.exec(listed[0] ?? '');
    this.lastUidValidity = header ? Number(header[1]) : 0;
    const onDisk = new Set(this.driver.discover().map(canonicalFolderName).filter((n): n is string => n !== null && n !== 'INBOX'));
    const names = listed.slice(1).filter((name) => onDisk.has(name));
    for (const name of [...onDisk].sort()) if (!names.includes(name)) names.push(name);
    this.names = [...new Set(names)];
    this.subscribed = decoder
      .decode(this.disk.read(this.metaPath(SUBSCRIPTIONS_FILE)) ?? new Uint8Array())
      .split('\n')
      .filter((line) => line !== '');
    if (!header || names.length !== listed.slice(1).filter((l) => l !== '').length) this.writeFolderList();
  }

  private writeFolderList(): void {
    const text = [`mailsim-folders 1 U${this.lastUidValidity}`, ...this.names].join('\n');
    const temporary = this.metaPath(`${FOLDERS_FILE}.tmp`);
    this.disk.write(temporary, encoder.encode(`${text}\n`));
    this.disk.rename(temporary, this.metaPath(FOLDERS_FILE));
  }

  private exists(name: string): boolean {
    return name === 'INBOX' || this.names.includes(name);
  }

  folderNames(): string[] {
    return ['INBOX', ...this.names];
  }

  folder(name: string): Folder | null {
    return this.openFolder(name);
  }

  private openFolder(name: string): FolderBase | null {
    const canonical = canonicalFolderName(name);
    if (canonical === null || !this.exists(canonical)) return null;
    let folder = this.open.get(canonical);
    if (!folder) {
      folder = this.driver.open(canonical, this.context);
      this.open.set(canonical, folder);
    }
    return folder;
  }

  createFolder(name: string): boolean {
    const canonical = canonicalFolderName(name);
    if (canonical === null || this.exists(canonical)) return false;
    const toCreate = [...parentFolderNames(canonical), canonical].filter((n) => !this.exists(n));
    if (this.names.length + toCreate.length > FOLDERS_PER_USER_MAX) return false;
    for (const folderName of toCreate) {
      this.driver.create(folderName);
      this.names.push(folderName);
    }
    this.writeFolderList();
    return true;
  }

  deleteFolder(name: string): boolean {
    const canonical = canonicalFolderName(name);
    if (canonical === null || canonical === 'INBOX' || !this.exists(canonical)) return false;
    const folder = this.open.get(canonical);
    if (folder instanceof MboxFolder && folder.locked) return false;
    folder?.retire();
    this.open.delete(canonical);
    this.names = this.names.filter((n) => n !== canonical);
    this.driver.remove(canonical);
    this.writeFolderList();
    return true;
  }

  renameFolder(from: string, to: string): boolean {
    const source = canonicalFolderName(from);
    const target = canonicalFolderName(to);
    if (source === null || target === null || !this.exists(source) || this.exists(target)) return false;
    if (target.startsWith(`${source}/`)) return false;
    if (source === 'INBOX') return this.renameInbox(target);
    const moving = [source, ...this.names.filter((n) => n.startsWith(`${source}/`))];
    const renamed = (n: string) => target + n.slice(source.length);
    if (moving.some((n) => this.exists(renamed(n)))) return false;
    if (moving.some((n) => { const f = this.open.get(n); return f instanceof MboxFolder && f.locked; })) return false;
    for (const parent of parentFolderNames(target)) if (!this.exists(parent)) this.createFolder(parent);
    for (const name of moving) {
      this.open.get(name)?.retire();
      this.open.delete(name);
      this.driver.move(name, renamed(name));
    }
    this.names = this.names.map((n) => (moving.includes(n) ? renamed(n) : n));
    this.writeFolderList();
    return true;
  }

  /** RFC 3501 §6.3.5: renaming INBOX moves its messages into the new folder and leaves INBOX empty. */
  private renameInbox(target: string): boolean {
    const inbox = this.openFolder('INBOX')!;
    if (inbox instanceof MboxFolder && inbox.locked) return false;
    if (!this.createFolder(target)) return false;
    const destination = this.openFolder(target)!;
    const uids: number[] = [];
    for (const message of inbox.messages()) {
      destination.append(inbox.read(message.uid), { flags: message.flags, internalDateMs: message.internalDateMs });
      uids.push(message.uid);
    }
    inbox.expunge(uids);
    return true;
  }

  subscriptions(): string[] {
    return [...this.subscribed];
  }

  setSubscribed(name: string, subscribed: boolean): void {
    const canonical = canonicalFolderName(name);
    if (canonical === null) return;
    const has = this.subscribed.includes(canonical);
    if (has === subscribed) return;
    this.subscribed = subscribed ? [...this.subscribed, canonical] : this.subscribed.filter((n) => n !== canonical);
    const temporary = this.metaPath(`${SUBSCRIPTIONS_FILE}.tmp`);
    this.disk.write(temporary, encoder.encode(this.subscribed.map((n) => `${n}\n`).join('')));
    this.disk.rename(temporary, this.metaPath(SUBSCRIPTIONS_FILE));
  }

  tryLock(owner: string): (() => void) | null {
    if (this.lockOwner !== null) return null;
    this.lockOwner = owner;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.lockOwner = null;
    };
  }

  beginDelivery(folderName: string, bytes: Uint8Array, options: WriteOptions = {}): Delivery | null {
    const canonical = canonicalFolderName(folderName);
    if (canonical === null) throw new Error(`invalid folder name: ${JSON.stringify(folderName)}`);
    if (!this.exists(canonical) && !this.createFolder(canonical)) throw new Error(`cannot create folder ${canonical}`);
    const folder = this.openFolder(canonical)!;
    if (folder instanceof MboxFolder && folder.locked) return null;
    return folder.beginWrite(bytes, options);
  }
}

/** A new store object over the files under `root` (loads, repairs and indexes what it finds). */
export function createUserMailStore(disk: Disk, root: string, options: UserMailStoreOptions): DeliverableMailStore {
  return new DiskUserMailStore(disk, root, options);
}

const storesByDisk = new WeakMap<Disk, Map<string, DeliverableMailStore>>();

/**
 * The store object of `root` for this disk handle, created on first use: every session of one host
 * boot shares it. A handle mounted after a crash gets fresh objects rebuilt from the disk.
 */
export function openUserMailStore(disk: Disk, root: string, options: UserMailStoreOptions): DeliverableMailStore {
  let stores = storesByDisk.get(disk);
  if (!stores) {
    stores = new Map();
    storesByDisk.set(disk, stores);
  }
  let store = stores.get(root);
  if (!store) {
    store = createUserMailStore(disk, root, options);
    stores.set(root, store);
  } else if (store.format !== options.format) {
    throw new Error(`${root} is already open as ${store.format}`);
  }
  return store;
}

export type { Delivery, WriteOptions } from './folderBase.js';
