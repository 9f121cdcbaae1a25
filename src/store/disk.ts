/**
 * The virtual disk of one host: what survives a crash (issue 4, "Virtual disk"; docs/delivery.md R1, W1, W2).
 *
 * Theory of operation. A host's durable state is a tree of files (path → bytes) and directories. The
 * `Disk` interface is the small, synchronous API every store writes through; `MemoryDisk` is the
 * simulator's implementation, and a real-filesystem one (for `mailsim serve --maildir DIR`) maps each
 * call onto node:fs the obvious way (writeFileSync+fsync, appendFileSync+fsync, renameSync, …).
 *
 * Durability model: every call is durable when it returns (as if followed by fsync), and every call is
 * atomic — a crash happens *between* calls, never inside one. Multi-step operations (the Maildir
 * tmp→new delivery, an mbox append written in chunks) are therefore split into several calls, and the
 * simulator schedules them as separate events, so a crash can fall between any two of them.
 *
 * What a host holds only in memory (store objects, caches, locks, queues not yet written) is lost on a
 * crash. `MemoryDisk` is the platter; a booted host gets a *handle* from `mount()`. `crash()` fences every
 * handle mounted so far, so a stale object of the dead "process" that still tries to touch the disk is
 * caught (it throws `DiskCrashedError`: a simulator bug, not a peer error). After `up`, the host mounts a
 * fresh handle and rebuilds its state from what is on the platter.
 *
 * Paths are relative, '/'-separated, without empty, "." or ".." segments. Writing a file creates its
 * missing parent directories (as `mkdir -p` would for a real-filesystem implementation).
 *
 * Storage: a file written whole keeps its own head and shares its tail after the first blank line (a
 * message body) with every file holding the same bytes (file-buffer.ts, chunks.ts; issue 21); reads
 * always return fresh copies, so the sharing is invisible to callers. Such a file's head is packed (coded
 * against recent heads) only `packAfterFiles` files later: a queue file lives a few ms and is gone by then.
 */

import { ChunkStore } from './chunks.js';
import { FileBuffer } from './file-buffer.js';

/**
 * How many files written whole with a shared tail come after one before its head is packed
 * (file-buffer.ts). A message's queue files are removed once it is delivered, a few ms later, and are
 * then never packed; in the bench's bulk world they are written and gone within ~100 such files.
 */
export const packAfterFiles = 256;

/** One entry of a directory listing. */
export interface DiskEntry {
  readonly name: string;
  readonly isDir: boolean;
}

export interface Disk {
  /** The file's bytes (a copy), or null if there is no such file. */
  read(path: string): Uint8Array | null;
  /** The file's length in bytes, or null if there is no such file. */
  size(path: string): number | null;
  /** Creates or replaces the file (parents created); `bytes` is copied before it returns (the caller may reuse it). */
  write(path: string, bytes: Uint8Array): void;
  /** Appends to the file, creating it if missing (parents created). */
  append(path: string, bytes: Uint8Array): void;
  /**
   * Atomically renames a file or a directory (with its subtree); an existing file at `to` is replaced,
   * an existing directory at `to` is an error. Throws if `from` does not exist.
   */
  rename(from: string, to: string): void;
  /** Removes a file, or a directory with its subtree; false if nothing was there. */
  unlink(path: string): boolean;
  /** True if a file or a directory exists at the path. */
  exists(path: string): boolean;
  /** Creates a directory and its missing parents; idempotent. */
  mkdir(path: string): void;
  /** The direct children of a directory, sorted by name (code unit order); [] if it does not exist. */
  list(dir: string): DiskEntry[];
}

/** A handle was used after its host crashed (the simulator forgot to drop a stale object). */
export class DiskCrashedError extends Error {
  constructor(path: string) {
    super(`disk handle used after a crash (path ${path})`);
    this.name = 'DiskCrashedError';
  }
}

/** The platter is full (`bytesMax`): the caller answers with a temporary failure (RFC 3463 4.3.1 / 5.2.2). */
export class DiskFullError extends Error {
  constructor(path: string, bytesMax: number) {
    super(`disk full (${bytesMax} bytes) writing ${path}`);
    this.name = 'DiskFullError';
  }
}

/** Longest path accepted, in bytes of UTF-16 code units (a sanity limit like PATH_MAX). */
export const PATH_LENGTH_MAX = 4096;

/** Validates a path and returns its segments; throws on a malformed path (caller misuse). */
export function pathSegments(path: string): string[] {
  validatePath(path);
  return path.split('/');
}

/**
 * Throws on a malformed path (caller misuse): empty or too long, an empty, "." or ".." segment, or
 * a NUL. One pass over the characters, nothing allocated: every new file of a delivery is checked.
 */
export function validatePath(path: string): void {
  if (path.length === 0 || path.length > PATH_LENGTH_MAX) throw new Error(`bad disk path length: ${path.length}`);
  let segmentStart = 0;
  for (let i = 0; i <= path.length; i++) {
    const code = i === path.length ? SLASH : path.charCodeAt(i);
    if (code === 0) throw new Error(`bad disk path: ${JSON.stringify(path)}`);
    if (code !== SLASH) continue;
    const length = i - segmentStart;
    const dots = length <= 2 && path.charCodeAt(segmentStart) === DOT && (length === 1 || path.charCodeAt(segmentStart + 1) === DOT);
    if (length === 0 || dots) throw new Error(`bad disk path: ${JSON.stringify(path)}`);
    segmentStart = i + 1;
  }
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** Joins path parts with '/', skipping empty parts (so a root of '' works). */
export function joinPath(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

function parentOf(path: string): string | null {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? null : path.slice(0, slash);
}

export interface MemoryDiskOptions {
  /** Capacity of the platter; writes beyond it throw DiskFullError. Default: unlimited. */
  bytesMax?: number;
  /** Files made with a shared tail after one before its head is packed; default `packAfterFiles` (tests use a few). */
  packAfterFiles?: number;
}

/** The in-memory platter of one host. Mount it to get a `Disk`; crash it to fence old handles. */
export class MemoryDisk {
  private readonly files = new Map<string, FileBuffer>();
  /** Identical file tails (message bodies) stored once, shared by every file that holds them. */
  private readonly chunks = new ChunkStore();
  /** Every directory that exists (a parent of a file always exists; '' is the root and implicit). */
  private readonly dirs = new Set<string>();
  private readonly bytesMax: number;
  private bytesUsed = 0;
  /** The last `packAfterFiles` files made with a shared tail, a ring: each is packed when its slot is reused. */
  private readonly unpacked: (FileBuffer | undefined)[];
  private unpackedNext = 0;
  /** Incremented by each crash; a handle is live only while its epoch is current. */
  private epoch = 0;

  constructor(options: MemoryDiskOptions = {}) {
    this.bytesMax = options.bytesMax ?? Number.POSITIVE_INFINITY;
    const delay = options.packAfterFiles ?? packAfterFiles;
    if (!Number.isSafeInteger(delay) || delay < 1) throw new RangeError(`packAfterFiles must be a positive integer, not ${delay}`);
    this.unpacked = new Array(delay);
  }

  /** A handle for the current boot of the host. */
  mount(): Disk {
    return new MountedMemoryDisk(this, this.epoch);
  }

  /** The host lost power: every handle mounted so far is dead; the platter's contents stay. */
  crash(): void {
    this.epoch += 1;
  }

  /** Every file path, sorted: for reports and tests. */
  filePaths(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Distinct shared tails held (src/store/chunks.ts): for tests and the bench. */
  get sharedChunks(): number {
    return this.chunks.size;
  }

  /** Total bytes stored. */
  get usedBytes(): number {
    return this.bytesUsed;
  }

  /** @internal the operations behind a live handle. */
  op(epoch: number, path: string): this {
    if (epoch !== this.epoch) throw new DiskCrashedError(path);
    return this;
  }

  // A path already in `files` was validated when the file was made, is not a directory, and has all
  // its parents (unlink and rename move or remove a directory's files with it), so operations on an
  // existing file skip those checks: a queue entry's state is rewritten after every retry.

  readFile(path: string): Uint8Array | null {
    const file = this.files.get(path);
    if (file === undefined) validatePath(path);
    return file?.copy() ?? null;
  }

  fileSize(path: string): number | null {
    const file = this.files.get(path);
    if (file === undefined) validatePath(path);
    return file?.length ?? null;
  }

  writeFile(path: string, bytes: Uint8Array): void {
    const existing = this.files.get(path);
    if (existing !== undefined) {
      this.reserve(path, bytes.length - existing.length);
      // Nothing outside holds a FileBuffer's storage (reads return copies), so it can be overwritten.
      existing.replace(bytes, this.chunks);
      return;
    }
    validatePath(path);
    if (this.dirs.has(path)) throw new Error(`cannot write a directory: ${path}`);
    this.reserve(path, bytes.length);
    this.makeParents(path);
    this.files.set(path, this.newFile(bytes));
  }

  appendFile(path: string, bytes: Uint8Array): void {
    validatePath(path);
    if (this.dirs.has(path)) throw new Error(`cannot append to a directory: ${path}`);
    this.reserve(path, bytes.length);
    this.makeParents(path);
    const file = this.files.get(path);
    if (file) file.append(bytes, this.chunks);
    else this.files.set(path, this.newFile(bytes));
  }

  /** A new file; one with a shared tail waits in `unpacked`, and packs the one whose slot it takes. */
  private newFile(bytes: Uint8Array): FileBuffer {
    const file = new FileBuffer(bytes, this.chunks);
    if (file.packable) {
      const slot = this.unpackedNext;
      this.unpacked[slot]?.pack(this.chunks);
      this.unpacked[slot] = file;
      this.unpackedNext = slot + 1 === this.unpacked.length ? 0 : slot + 1;
    }
    return file;
  }

  renamePath(from: string, to: string): void {
    validatePath(from);
    validatePath(to);
    if (from === to) return;
    const file = this.files.get(from);
    if (file) {
      if (this.dirs.has(to)) throw new Error(`rename onto a directory: ${to}`);
      const replaced = this.files.get(to);
      if (replaced) {
        this.bytesUsed -= replaced.length;
        replaced.release(this.chunks);
      }
      this.makeParents(to);
      this.files.delete(from);
      this.files.set(to, file);
      return;
    }
    if (!this.dirs.has(from)) throw new Error(`rename of a missing path: ${from}`);
    if (this.dirs.has(to) || this.files.has(to)) throw new Error(`rename onto an existing path: ${to}`);
    if (to.startsWith(`${from}/`)) throw new Error(`rename into itself: ${from} → ${to}`);
    this.makeParents(to);
    const prefix = `${from}/`;
    for (const dir of [...this.dirs]) {
      if (dir === from || dir.startsWith(prefix)) {
        this.dirs.delete(dir);
        this.dirs.add(to + dir.slice(from.length));
      }
    }
    for (const [path, buffer] of [...this.files]) {
      if (path.startsWith(prefix)) {
        this.files.delete(path);
        this.files.set(to + path.slice(from.length), buffer);
      }
    }
  }

  unlinkPath(path: string): boolean {
    validatePath(path);
    const file = this.files.get(path);
    if (file) {
      this.bytesUsed -= file.length;
      file.release(this.chunks);
      this.files.delete(path);
      return true;
    }
    if (!this.dirs.has(path)) return false;
    const prefix = `${path}/`;
    for (const dir of [...this.dirs]) if (dir === path || dir.startsWith(prefix)) this.dirs.delete(dir);
    for (const [filePath, buffer] of [...this.files]) {
      if (filePath.startsWith(prefix)) {
        this.bytesUsed -= buffer.length;
        buffer.release(this.chunks);
        this.files.delete(filePath);
      }
    }
    return true;
  }

  pathExists(path: string): boolean {
    validatePath(path);
    return this.files.has(path) || this.dirs.has(path);
  }

  makeDir(path: string): void {
    validatePath(path);
    if (this.files.has(path)) throw new Error(`mkdir over a file: ${path}`);
    this.makeParents(path);
    this.dirs.add(path);
  }

  listDir(dir: string): DiskEntry[] {
    if (dir !== '') validatePath(dir);
    const prefix = dir === '' ? '' : `${dir}/`;
    const entries = new Map<string, boolean>();
    const consider = (path: string, isFile: boolean) => {
      if (!path.startsWith(prefix)) return;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) entries.set(rest, !isFile);
      else entries.set(rest.slice(0, slash), true);
    };
    for (const path of this.dirs) consider(path, false);
    for (const path of this.files.keys()) consider(path, true);
    return [...entries]
      .map(([name, isDir]) => ({ name, isDir }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private reserve(path: string, deltaBytes: number): void {
    if (this.bytesUsed + deltaBytes > this.bytesMax) throw new DiskFullError(path, this.bytesMax);
    this.bytesUsed += deltaBytes;
  }

  private makeParents(path: string): void {
    for (let parent = parentOf(path); parent !== null; parent = parentOf(parent)) {
      if (this.files.has(parent)) throw new Error(`a file is in the way: ${parent}`);
      if (this.dirs.has(parent)) return;
      this.dirs.add(parent);
    }
  }
}

/** A handle on a `MemoryDisk` for one boot; every call checks the handle is not from a crashed boot. */
class MountedMemoryDisk implements Disk {
  constructor(
    private readonly platter: MemoryDisk,
    private readonly epoch: number,
  ) {}
  read(path: string): Uint8Array | null {
    return this.platter.op(this.epoch, path).readFile(path);
  }
  size(path: string): number | null {
    return this.platter.op(this.epoch, path).fileSize(path);
  }
  write(path: string, bytes: Uint8Array): void {
    this.platter.op(this.epoch, path).writeFile(path, bytes);
  }
  append(path: string, bytes: Uint8Array): void {
    this.platter.op(this.epoch, path).appendFile(path, bytes);
  }
  rename(from: string, to: string): void {
    this.platter.op(this.epoch, from).renamePath(from, to);
  }
  unlink(path: string): boolean {
    return this.platter.op(this.epoch, path).unlinkPath(path);
  }
  exists(path: string): boolean {
    return this.platter.op(this.epoch, path).pathExists(path);
  }
  mkdir(path: string): void {
    this.platter.op(this.epoch, path).makeDir(path);
  }
  list(dir: string): DiskEntry[] {
    return this.platter.op(this.epoch, dir).listDir(dir);
  }
}
