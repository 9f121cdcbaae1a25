/**
 * A `Disk` (src/store/disk.ts) on the real filesystem, for `mailsim serve --maildir DIR`.
 *
 * `locate` turns a store path into a file-system path; the serve host maps `mail/USER/…` to
 * `DIR/USER/…` (so DIR/USER is a Maildir that mutt, Dovecot and Python's `mailbox` read) and everything
 * else (the queue) to `DIR/.mailsim/…`.
 *
 * Theory of operation. Without `groupCommit` every call is durable when it returns: a write is followed
 * by fsync, a rename or unlink by an fsync of the directories it changed. That costs a few fsyncs per
 * message, each a millisecond or more on the event loop, so the serve host uses group commit instead:
 * - A write is kept in memory (`dirty`, keyed by the path it is at now) and reaches the file system only
 *   at the next flush; reads, `size`, `exists` and `list` see it at once. Why: a message delivered
 *   locally writes two queue files and removes them again about 2 ms later. Created and removed on the
 *   real disk, every such pair leaves two freshly deleted inodes behind, and ext4 without a journal
 *   (the bench machine's) skips inodes deleted in the last seconds one by one at each create
 *   (`recently_deleted` in the kernel): open(O_CREAT) then cost up to ~1 ms of kernel CPU per file
 *   (46 % of serve's profile under smtp-source). Kept in memory, such files never exist on disk at all.
 * - A rename or unlink of a file is not done at once but appended to `ops`, in call order, because it
 *   may publish or retire data that is not durable yet: the Maildir tmp → new rename must come after
 *   the tmp file's fsync (docs/delivery.md W1), and the queue files may go only after the message is safe in
 *   its mailbox. Until an op is done, reads, `exists` and `list` see the disk as if it were (`overlay`).
 * - A flush, a few ms after the first mutation of a group (`groupCommitDelayMs`) and never two at once,
 *   writes the group's files where they were first written, fsyncs them in parallel (the libuv thread
 *   pool; the file system commits them together), then does the group's ops in order, fsyncs the directories they touched, and tells the
 *   `DurableSequence` that everything up to the group's last mutation is durable. The socket adapter
 *   holds each reply that depends on a mutation until then (durability.ts) — so the 250 to the final dot
 *   still goes out only after the message is on disk (R1).
 * - A group ends before its files that are only a few ms old (`youngFileMs`, the cut in `groupCut`):
 *   they, and the reply to every later mutation, wait for the next flush. A message committed just before a flush
 *   is then usually in its Maildir by the next one, and its queue files never reach the disk.
 * - A file written and then removed within one group is never written at all (if it was renamed
 *   first, it is written for its rename but not fsynced): nothing was promised about it (no reply that
 *   depends on it has gone out), and the flush that removes it makes the removal and whatever replaced
 *   it durable. This is the common case of a message delivered locally at once: its queue files (.eml,
 *   .json) live for about two milliseconds, so only the Maildir file is written and fsynced.
 * - Rare operations — renaming or removing a directory, writing a path that a pending op involves,
 *   too many files or bytes in one group — first drain everything synchronously (`drain()`), as the plain mode
 *   does after every call. A renamed directory takes its unflushed files along, so it must be flushed.
 * A crash (kill -9, power loss) before a flush loses only mutations whose replies were still held; the
 *   process's own stop drains (`ServeHost.shutDown`).
 */
import { closeSync, type Dirent, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Disk, type DiskEntry, pathSegments } from '../store/disk.js';
import { DurableSequence } from './durability.js';

/**
 * How long a group collects mutations after its first one before it is flushed. A message delivered
 * locally is in its Maildir about 2 ms after the commit (two 1 ms steps, src/nodes/mda/local-transport.ts),
 * so with this wait one flush usually covers the whole life of the message and its queue files need no
 * fsync; longer only delays every reply that waits for the disk.
 */
export const groupCommitDelayMs = 4;
/**
 * A file first written less than this long before a flush is left for the next group, with every
 * mutation after its first write (the cut, `groupCut`). Why: a message committed just before the
 * flush would otherwise have its two queue files written and fsynced, then removed ~2 ms later when it
 * lands in its Maildir — two wasted creates and fsyncs, and two freshly deleted inodes that every
 * later create on this file system skips one by one (the `recently_deleted` cost at the top of the
 * file), a cost that grows over a long run. Held back, such files are usually gone before they are due.
 */
export const youngFileMs = 3;
/** Unflushed files beyond which a write drains at once instead. */
export const dirtyFilesMax = 1024;
/** Unflushed bytes (held in memory) beyond which a write drains at once instead. */
export const dirtyBytesMax = 64 * 1024 * 1024;
/** Pending renames and unlinks beyond which one drains at once instead. */
export const deferredOpsMax = 4096;

/** A file written in the group being collected, not on the file system yet. */
interface DirtyFile {
  /** Where the flush writes it: the path of its first write (its renames are ops that move it from there). */
  writeAt: string;
  /** 'w': `chunks` are the whole file; 'a': they go after what is on disk at `writeAt`. */
  flags: 'w' | 'a';
  chunks: Uint8Array[];
  /** The mutation that made it dirty, and when (performance.now()): young files wait (`youngFileMs`). */
  firstSeq: number;
  firstMs: number;
}

/**
 * Bytes of a dirty file that were thrown away before any flush wrote them (the file was removed,
 * renamed over, or rewritten): the state between these two mutations had them, the disk never will.
 */
interface DroppedBytes {
  firstSeq: number;
  droppedSeq: number;
}

type DeferredOp = { seq: number; kind: 'rename'; from: string; to: string } | { seq: number; kind: 'unlink'; path: string };

export interface FsDiskOptions {
  /** Make mutations durable in groups in the background (see the top of the file); default false. */
  groupCommit?: boolean;
}

export class FsDisk implements Disk {
  /** Which mutations are durable; the socket adapter waits on it (durability.ts). */
  readonly durability = new DurableSequence();
  private readonly groupCommit: boolean;
  /** Files written in the group being collected, by the real path they are at now; written by the next flush. */
  private readonly dirty = new Map<string, DirtyFile>();
  /** Files renamed and then removed in this group: written for their renames, never fsynced. */
  private scratch: DirtyFile[] = [];
  /** Dirty bytes dropped since the last flush that could still matter to a cut (see `groupCut`). */
  private dropped: DroppedBytes[] = [];
  private dirtyBytes = 0;
  /** Renames and unlinks of files not done yet, in call order. */
  private ops: DeferredOp[] = [];
  /** What the pending ops will have done: real path → the real path its bytes are at now, null = gone. */
  private readonly overlay = new Map<string, string | null>();
  /** Directories known to exist: `mkdir -p` once per directory, not once per write. */
  private readonly knownDirs = new Set<string>();
  /** The flush in progress: the group's last mutation, and its descriptors until they are closed. */
  private flushing: { seq: number; fds: number[]; replaces: Replace[] } | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** performance.now() of the first mutation of the group being collected. */
  private groupStartedMs = 0;

  constructor(
    private readonly locate: (path: string) => string,
    options: FsDiskOptions = {},
  ) {
    this.groupCommit = options.groupCommit ?? false;
  }

  /**
   * The usual layout of the serve host (see the top of the file). Opening the tree first removes the
   * rewrite siblings a crash left behind (`removeStaleReplacements`).
   */
  static forMaildirRoot(root: string, options: FsDiskOptions = {}): FsDisk {
    removeStaleReplacements(root);
    return new FsDisk((path) => (path === 'mail' ? root : path.startsWith('mail/') ? join(root, path.slice('mail/'.length)) : join(root, '.mailsim', path)), options);
  }

  read(path: string): Uint8Array | null {
    const target = this.at(path);
    const dirty = this.dirty.get(target);
    if (dirty !== undefined) return new Uint8Array(contentOf(dirty)); // a copy, as from the file
    const now = this.resolve(target);
    if (now === null) return null;
    try {
      return new Uint8Array(readFileSync(now));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  size(path: string): number | null {
    const target = this.at(path);
    const dirty = this.dirty.get(target);
    if (dirty !== undefined) return contentOf(dirty).length;
    const now = this.resolve(target);
    const stat = now === null ? undefined : statSync(now, { throwIfNoEntry: false });
    return stat?.isFile() ? stat.size : null;
  }

  write(path: string, bytes: Uint8Array): void {
    this.writeWith(path, bytes, 'w');
  }

  append(path: string, bytes: Uint8Array): void {
    this.writeWith(path, bytes, 'a');
  }

  rename(from: string, to: string): void {
    const source = this.at(from);
    const target = this.at(to);
    if (source === target) return;
    const sourceIsDirty = this.dirty.has(source);
    const sourceNow = this.resolve(source);
    const sourceStat = sourceIsDirty || sourceNow === null ? undefined : statSync(sourceNow, { throwIfNoEntry: false });
    if (!sourceIsDirty && sourceStat === undefined) throw new Error(`rename of a missing path: ${from}`);
    const targetNow = this.resolve(target);
    if (!this.dirty.has(target) && targetNow !== null && statSync(targetNow, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`rename onto an existing directory: ${to}`);
    this.ensureDir(dirname(target));
    if (sourceStat?.isDirectory()) {
      this.drain();
      this.knownDirs.clear();
      renameSync(source, target);
      return;
    }
    this.defer({ seq: 0, kind: 'rename', from: source, to: target });
  }

  unlink(path: string): boolean {
    const target = this.at(path);
    const dirty = this.dirty.get(target);
    if (dirty !== undefined && dirty.writeAt === target && !isThere(target)) {
      // Written in this group and never on the file system: forgetting it is the whole removal.
      this.startMutation();
      this.forgetDirty(target);
      this.endMutation();
      return true;
    }
    const now = this.resolve(target);
    const stat = dirty !== undefined || now === null ? undefined : statSync(now, { throwIfNoEntry: false });
    if (dirty === undefined && stat === undefined) return false;
    if (stat?.isDirectory()) {
      this.drain();
      this.knownDirs.clear();
      rmSync(target, { recursive: true, force: true });
      return true;
    }
    this.defer({ seq: 0, kind: 'unlink', path: target });
    return true;
  }

  exists(path: string): boolean {
    const target = this.at(path);
    if (this.dirty.has(target)) return true;
    const now = this.resolve(target);
    return now !== null && isThere(now);
  }

  mkdir(path: string): void {
    this.ensureDir(this.at(path));
  }

  list(dir: string): DiskEntry[] {
    const real = dir === '' ? this.locate('') : this.at(dir);
    const isDirByName = new Map<string, boolean>();
    try {
      for (const entry of readdirSync(real, { withFileTypes: true })) {
        // A rewrite's sibling (replaceSuffix) is not a file of the store: it becomes one by its rename.
        if ((entry.isFile() && !entry.name.endsWith(replaceSuffix)) || entry.isDirectory()) isDirByName.set(entry.name, entry.isDirectory());
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    for (const [path, now] of this.overlay) {
      if (dirname(path) !== real) continue;
      if (now === null) isDirByName.delete(basename(path));
      else isDirByName.set(basename(path), false); // only files are ever pending
    }
    for (const path of this.dirty.keys()) {
      if (dirname(path) === real) isDirByName.set(basename(path), false);
    }
    return [...isDirByName]
      .map(([name, isDir]) => ({ name, isDir }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Makes every mutation so far durable, synchronously (stop, rare operations, the plain mode). */
  drain(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const inFlight = this.flushing;
    if (inFlight !== null) {
      // Still in the background's hands: make its files durable and put its rewrites in place now,
      // before this drain's ops (which may rename or remove those very files) run.
      for (const fd of inFlight.fds) fsyncSync(fd);
      for (const dir of this.runOps(0, inFlight.replaces)) fsyncDirectorySync(dir);
      inFlight.replaces = [];
    }
    const { fds, scratchFds, replaces } = this.writeOut(this.durability.latest);
    for (const fd of fds) {
      fsyncSync(fd);
      closeSync(fd);
    }
    for (const fd of scratchFds) closeSync(fd);
    const dirs = this.runOps(this.durability.latest, replaces);
    for (const dir of dirs) fsyncDirectorySync(dir);
    this.durability.markDurable(this.durability.latest);
  }

  private at(path: string): string {
    pathSegments(path); // rejects '', '.', '..' and NUL: a store bug, never a peer's input
    return this.locate(path);
  }

  /** Where the bytes of a real path are now, given the pending ops; null if it is gone. */
  private resolve(path: string): string | null {
    const now = this.overlay.get(path);
    return now === undefined ? path : now;
  }

  private ensureDir(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.knownDirs.add(dir);
  }

  private writeWith(path: string, bytes: Uint8Array, flags: 'w' | 'a'): void {
    const target = this.at(path);
    if (this.overlay.has(target)) this.drain(); // a pending rename or unlink involves this path: do it first
    this.ensureDir(dirname(target));
    this.startMutation();
    const copy = new Uint8Array(bytes); // a copy: the caller may reuse its buffer (a Buffer's slice would be a view)
    const older = this.dirty.get(target);
    if (older === undefined) this.dirty.set(target, { writeAt: target, flags, chunks: [copy], firstSeq: this.durability.latest, firstMs: performance.now() });
    else if (flags === 'a') older.chunks.push(copy);
    else {
      this.dropped.push({ firstSeq: older.firstSeq, droppedSeq: this.durability.latest });
      for (const chunk of older.chunks) this.dirtyBytes -= chunk.length;
      older.flags = 'w';
      older.chunks = [copy];
    }
    this.dirtyBytes += copy.length;
    this.endMutation();
  }

  private defer(op: DeferredOp): void {
    this.startMutation();
    op.seq = this.durability.latest;
    this.ops.push(op);
    this.applyToOverlay(op);
    if (op.kind === 'rename') {
      this.forgetDirty(op.to); // replaced: its bytes are never needed
      const file = this.dirty.get(op.from);
      if (file !== undefined) {
        this.dirty.delete(op.from);
        this.dirty.set(op.to, file);
      }
    } else {
      this.forgetDirty(op.path); // removed before its flush: no fsync needed (see the top of the file)
    }
    this.endMutation();
  }

  /** A dirty file is replaced or removed: never written, or only for the renames that move it (scratch). */
  private forgetDirty(path: string): void {
    const file = this.dirty.get(path);
    if (file === undefined) return;
    this.dirty.delete(path);
    for (const chunk of file.chunks) this.dirtyBytes -= chunk.length;
    this.dropped.push({ firstSeq: file.firstSeq, droppedSeq: this.durability.latest });
    if (file.writeAt !== path) this.scratch.push(file);
  }

  /**
   * Writes the files that became dirty up to mutation `cut` where they were first written (with
   * whatever was appended or rewritten since) and every scratch file; returns their open descriptors
   * (to fsync) and those of the scratch files (only to close). Younger files stay dirty.
   */
  private writeOut(cut: number): { fds: number[]; scratchFds: number[]; replaces: Replace[] } {
    const written: Array<{ fd: number; replace: Replace | null }> = [];
    for (const [path, file] of this.dirty) {
      if (file.firstSeq > cut) continue;
      written.push(writeFile(file));
      this.dirty.delete(path);
      for (const chunk of file.chunks) this.dirtyBytes -= chunk.length;
    }
    const scratchWritten = this.scratch.map(writeFile);
    this.scratch = [];
    // A later cut can only fall after `cut`: bytes dropped by then no longer constrain it.
    this.dropped = this.dropped.filter((drop) => drop.droppedSeq > cut);
    // A rewritten file is fsynced even as scratch: its rename replaces bytes that were durable.
    const fds = [...written, ...scratchWritten.filter((w) => w.replace !== null)].map((w) => w.fd);
    const scratchFds = scratchWritten.filter((w) => w.replace === null).map((w) => w.fd);
    const replaces = [...written, ...scratchWritten].flatMap((w) => (w.replace === null ? [] : [w.replace]));
    return { fds, scratchFds, replaces };
  }

  private applyToOverlay(op: DeferredOp): void {
    if (op.kind === 'rename') {
      this.overlay.set(op.to, this.resolve(op.from));
      this.overlay.set(op.from, null);
    } else {
      this.overlay.set(op.path, null);
    }
  }

  private startMutation(): void {
    if (this.dirty.size === 0 && this.ops.length === 0) this.groupStartedMs = performance.now();
    this.durability.mutated();
  }

  private endMutation(): void {
    if (!this.groupCommit || this.dirty.size > dirtyFilesMax || this.dirtyBytes > dirtyBytesMax || this.ops.length > deferredOpsMax) this.drain();
    else this.scheduleFlush();
  }

  /**
   * Puts the rewritten files in place (their new bytes are durable by now), then does the pending ops
   * up to `seq` in order; returns the directories they changed.
   */
  private runOps(seq: number, replaces: readonly Replace[]): Set<string> {
    const dirs = new Set<string>();
    for (const replace of replaces) {
      renameSync(replace.from, replace.to);
      dirs.add(dirname(replace.to));
    }
    let done = 0;
    for (; done < this.ops.length && this.ops[done]!.seq <= seq; done++) {
      const op = this.ops[done]!;
      if (op.kind === 'rename') {
        renameSync(op.from, op.to);
        dirs.add(dirname(op.from));
        dirs.add(dirname(op.to));
      } else {
        removeFile(op.path);
        dirs.add(dirname(op.path));
      }
    }
    if (done > 0) {
      this.ops = this.ops.slice(done);
      this.overlay.clear();
      for (const op of this.ops) this.applyToOverlay(op);
    }
    return dirs;
  }

  /**
   * The last mutation this flush makes durable: all of them, except from the first file that is still
   * young (`youngFileMs`) on. The disk then holds every mutation up to the cut, or a later version of
   * it — unless a file of the group was written by the cut and dropped after it (removed, renamed over,
   * rewritten): those bytes were never written, so the cut moves before that file's first write. A
   * message's queue files dropped once it is in its (young) Maildir file keep its commit out of the cut,
   * so its 250 waits for the group that writes the Maildir file (R1).
   */
  private groupCut(): number {
    const youngSinceMs = performance.now() - youngFileMs;
    let cut = this.durability.latest;
    for (const file of this.dirty.values()) if (file.firstMs > youngSinceMs && file.firstSeq <= cut) cut = file.firstSeq - 1;
    for (let moved = true; moved; ) {
      moved = false;
      for (const drop of this.dropped) {
        if (drop.firstSeq <= cut && cut < drop.droppedSeq) {
          cut = drop.firstSeq - 1;
          moved = true;
        }
      }
    }
    return cut;
  }

  /** The group being collected starts with the oldest file a cut left dirty (or now, if none). */
  private restartGroup(): void {
    let startedMs = performance.now();
    for (const file of this.dirty.values()) startedMs = Math.min(startedMs, file.firstMs);
    this.groupStartedMs = startedMs;
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.flushing !== null) return; // the running flush schedules the next
    if (this.dirty.size === 0 && this.scratch.length === 0 && this.ops.length === 0) {
      // Nothing to write (e.g. a file written and removed again in memory): what was done is durable.
      this.durability.markDurable(this.durability.latest);
      return;
    }
    const waitMs = Math.max(0, this.groupStartedMs + groupCommitDelayMs - performance.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, waitMs);
  }

  /** One group in the background: fsync its files, do its ops, fsync their directories (top of the file). */
  private flush(): void {
    const seq = this.groupCut();
    if (seq <= this.durability.durable) {
      // Everything pending is too young (or tied to something young): look again once what is young
      // now is not any more.
      this.groupStartedMs = performance.now() + youngFileMs - groupCommitDelayMs;
      this.scheduleFlush();
      return;
    }
    const { fds, scratchFds, replaces } = this.writeOut(seq);
    this.restartGroup();
    for (const fd of scratchFds) closeSync(fd);
    const flushing = { seq, fds, replaces };
    this.flushing = flushing;
    fsyncAll(fds, () => {
      for (const fd of fds) closeSync(fd);
      flushing.fds = [];
      // A drain meanwhile may have put the rewrites in place already (it empties the list); taken
      // here, they are not done again by a drain during the directory fsyncs.
      const replaces = flushing.replaces;
      flushing.replaces = [];
      const dirFds = [...this.runOps(seq, replaces)].map((dir) => openSync(dir, 'r'));
      fsyncAll(dirFds, () => {
        for (const fd of dirFds) closeSync(fd);
        this.flushing = null;
        this.durability.markDurable(seq);
        this.scheduleFlush();
      });
    });
  }
}

/** What a dirty file holds now. */
function contentOf(file: DirtyFile): Uint8Array {
  const base = file.flags === 'a' ? readIfThere(file.writeAt) : null;
  return base === null && file.chunks.length === 1 ? file.chunks[0]! : Buffer.concat(base === null ? file.chunks : [base, ...file.chunks]);
}

function readIfThere(path: string): Uint8Array | null {
  try {
    return readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/**
 * A file that already exists is not rewritten in place (truncated, then written: a crash in between
 * would leave it empty or half written — a queue entry's state after a retry, say — where the Disk
 * contract promises every call is atomic). Its new bytes go to a sibling with this suffix, which is
 * fsynced and then renamed over it.
 */
export const replaceSuffix = '.mailsim-replace';

interface Replace {
  from: string;
  to: string;
}

/** Maildir message folders: their files are written once and renamed, never rewritten through a sibling. */
const messageFolders = new Set(['cur', 'new', 'tmp']);

/**
 * Removes every rewrite sibling (`replaceSuffix`) under `dir`: what a crash between a sibling's write
 * and its rename left. The old file is still whole in its place (the rewrite never happened, and
 * nothing that depended on it was acknowledged), so the sibling is only litter that `list` hides.
 * Safe only before the disk is used — a flush in progress owns live siblings — so it runs when the
 * tree is opened. Maildir message folders are not searched (nothing in them is rewritten). Returns
 * how many it removed.
 */
export function removeStaleReplacements(dir: string): number {
  let removed = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!messageFolders.has(entry.name)) removed += removeStaleReplacements(path);
    } else if (entry.isFile() && entry.name.endsWith(replaceSuffix)) {
      unlinkSync(path);
      removed++;
    }
  }
  return removed;
}

/** Writes a dirty file to the file system; returns its descriptor (still open) and the rename that puts it in place, if any. */
function writeFile(file: DirtyFile): { fd: number; replace: Replace | null } {
  const { fd, replace } = openFor(file);
  try {
    for (const chunk of file.chunks) {
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { fd, replace };
}

/**
 * Opens where a dirty file's bytes go: appended to its path, or a new file created there — exclusively
 * ('wx'), which answers "is something there already?" in the same system call as the create (most
 * files are new: a Maildir file, a queue file) — or, when something is, the sibling that replaces it.
 */
function openFor(file: DirtyFile): { fd: number; replace: Replace | null } {
  if (file.flags === 'a') return { fd: openSync(file.writeAt, 'a'), replace: null };
  try {
    return { fd: openSync(file.writeAt, 'wx'), replace: null };
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  const sibling = `${file.writeAt}${replaceSuffix}`;
  return { fd: openSync(sibling, 'w'), replace: { from: sibling, to: file.writeAt } };
}

/**
 * fsyncs the descriptors in parallel and calls `done` when all are durable. A failed fsync is a failed
 * disk: it is thrown, so the process stops with the replies that waited for it unsent.
 */
function fsyncAll(fds: readonly number[], done: () => void): void {
  let left = fds.length;
  if (left === 0) {
    done();
    return;
  }
  for (const fd of fds) {
    fsync(fd, (error) => {
      if (error) throw error;
      left -= 1;
      if (left === 0) done();
    });
  }
}

/** Removes a file that may be gone already (rmSync's rimraf costs an lstat and more per call). */
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * existsSync without its cost: Node 20's throws and catches an error (with a stack trace) for every
 * missing path, and the bridge asks about missing paths several times per message.
 */
function isThere(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // e.g. ENOTDIR: a file where a directory was expected, as existsSync says
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ENOENT';
}
