/**
 * Flag spelling (RFC 3501 §2.3.2): flags compare case-insensitively; system flags are stored in their
 * canonical spelling (SYSTEM_FLAGS of the store contract), keywords as first given. \Recent is a
 * session property, never stored, and a client cannot set it (§6.4.6).
 */
import { SYSTEM_FLAGS } from '../../store/mailstore.js';

export const SEEN_FLAG = '\\Seen';
export const DELETED_FLAG = '\\Deleted';
export const RECENT_FLAG = '\\Recent';

/** Canonical spelling of a flag, or null for \Recent and unknown system (backslash) flags. */
export function canonicalFlag(flag: string): string | null {
  if (!flag.startsWith('\\')) return flag;
  const system = SYSTEM_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase());
  return system ?? null;
}

/** Sorted, de-duplicated (case-insensitively) flags, as the store contract wants them. */
export function normalizeFlags(flags: readonly string[]): string[] {
  const byLower = new Map<string, string>();
  for (const flag of flags) {
    const canonical = canonicalFlag(flag);
    if (canonical !== null && !byLower.has(canonical.toLowerCase())) byLower.set(canonical.toLowerCase(), canonical);
  }
  return [...byLower.values()].sort();
}

export function hasFlag(flags: readonly string[], flag: string): boolean {
  const lower = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === lower);
}

/** The result of STORE's FLAGS / +FLAGS / -FLAGS (RFC 3501 §6.4.6). */
export function applyStore(current: readonly string[], mode: 'set' | 'add' | 'remove', flags: readonly string[]): string[] {
  const given = normalizeFlags(flags);
  if (mode === 'set') return given;
  if (mode === 'add') return normalizeFlags([...current, ...given]);
  const removed = new Set(given.map((f) => f.toLowerCase()));
  return normalizeFlags(current.filter((f) => !removed.has(f.toLowerCase())));
}
