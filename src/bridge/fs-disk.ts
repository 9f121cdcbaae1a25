/**
 * A `Disk` (src/store/disk.ts) on the real filesystem, for `mailsim serve --maildir DIR`: every call
 * maps onto node:fs the obvious way and is durable when it returns (write/append are followed by
 * fsync; rename is rename(2), atomic on one filesystem — the Maildir tmp → new commit, W1).
 *
 * `locate` turns a store path into a file-system path; the serve host maps `mail/USER/…` to
 * `DIR/USER/…` (so DIR/USER is a Maildir that mutt, Dovecot and Python's `mailbox` read) and everything
 * else (the queue) to `DIR/.mailsim/…`.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Disk, type DiskEntry, pathSegments } from '../store/disk.js';

export class FsDisk implements Disk {
  constructor(private readonly locate: (path: string) => string) {}

  /** The usual layout of the serve host (see the top of the file). */
  static forMaildirRoot(root: string): FsDisk {
    return new FsDisk((path) => (path === 'mail' ? root : path.startsWith('mail/') ? join(root, path.slice('mail/'.length)) : join(root, '.mailsim', path)));
  }

  read(path: string): Uint8Array | null {
    try {
      return new Uint8Array(readFileSync(this.at(path)));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  size(path: string): number | null {
    const stat = statSync(this.at(path), { throwIfNoEntry: false });
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
    if (statSync(source, { throwIfNoEntry: false }) === undefined) throw new Error(`rename of a missing path: ${from}`);
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`rename onto an existing directory: ${to}`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(source, target);
  }

  unlink(path: string): boolean {
    const target = this.at(path);
    if (statSync(target, { throwIfNoEntry: false }) === undefined) return false;
    rmSync(target, { recursive: true, force: true });
    return true;
  }

  exists(path: string): boolean {
    return existsSync(this.at(path));
  }

  mkdir(path: string): void {
    mkdirSync(this.at(path), { recursive: true });
  }

  list(dir: string): DiskEntry[] {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir === '' ? this.locate('') : this.at(dir), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .map((entry) => ({ name: entry.name, isDir: entry.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private at(path: string): string {
    pathSegments(path); // rejects '', '.', '..' and NUL: a store bug, never a peer's input
    return this.locate(path);
  }

  private writeWith(path: string, bytes: Uint8Array, flags: 'w' | 'a'): void {
    const target = this.at(path);
    mkdirSync(dirname(target), { recursive: true });
    const fd = openSync(target, flags);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ENOENT';
}
