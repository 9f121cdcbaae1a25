/**
 * `mailsim check` reports every problem of a file in one pass (docs/reference.md §10). Shape errors
 * (a wrong type, an unknown key) stop the schema, and the cross-checks (a fault naming an unknown host,
 * a sender no host knows) need a valid scenario. So when the shape is wrong, the loader repairs a copy
 * of the document just enough to be valid — it sets aside what the shape errors point at — and runs the
 * semantic checks on that copy, keeping only what they say about the untouched parts:
 *
 * - an item of `faults`, `traffic` or `expect` with a shape error is left out (nothing refers to items
 *   by position; the problems of later items are mapped back to their original index);
 * - a key of a host or DNS entry with a shape error is removed (the host stays, since others name it),
 *   and the semantic problems that name that host are dropped: its defaults stand in for what was
 *   written, so what is said about it could be wrong;
 * - a top-level scalar (`seed`, `until`, `description`, `name`) is replaced by its default; a key of
 *   `network` or `defaults` is removed.
 *
 * Anything else (say, `hosts` is not a mapping) leaves nothing to check against: the shape errors alone
 * are reported. Repairs run a few rounds, since removing a key can reveal another shape error.
 */
import type { KeyPath, PathProblem } from './schema-normalise.js';
import { isRecord } from './schema.js';

const listSections = new Set(['faults', 'traffic', 'expect']);
const entrySections = new Set(['hosts', 'dns']);
const scalarDefaults: Record<string, unknown> = { name: 'unnamed', seed: undefined, until: undefined, description: undefined, $schema: undefined };

export interface Repair {
  /** The repaired copy of the document. */
  value: Record<string, unknown>;
  /** Maps a semantic problem of the copy back onto the document, or null to drop it. */
  translate(problem: PathProblem): PathProblem | null;
}

/** A mutable repair under way: the copy, the items left out per list, the hosts touched. */
interface Work {
  value: Record<string, unknown>;
  /** Per list section: the original indexes of the items still in the copy. */
  kept: Map<string, number[]>;
  /** Hosts a repair changed, and the key it changed (null: the whole entry). */
  touched: Array<{ host: string; key: string | null }>;
}


/**
 * Repairs a copy of `raw` until `issuesOf` (the schema: null when the value is valid, else the paths
 * of its shape errors) accepts it, in at most `roundsMax` rounds; null when that cannot be done.
 */
export function repairForChecks(raw: unknown, issuesOf: (value: unknown) => KeyPath[] | null, roundsMax = 3): Repair | null {
  const work = startRepair(raw);
  if (work === null) return null;
  for (let round = 0; round < roundsMax; round++) {
    const issues = issuesOf(work.value);
    if (issues === null) return translator(work);
    for (const path of issues) if (!repairAt(work, path)) return null;
    dropLeftOut(work);
  }
  return issuesOf(work.value) === null ? translator(work) : null;
}

function startRepair(raw: unknown): Work | null {
  if (!isRecord(raw)) return null;
  const value = structuredClone(raw);
  const kept = new Map<string, number[]>();
  for (const section of listSections) {
    const list = value[section];
    if (Array.isArray(list)) kept.set(section, list.map((_, index) => index));
  }
  return { value, kept, touched: [] };
}

/** A marker for list items left out; `dropLeftOut` removes them and keeps the index map right. */
const removed = Symbol('removed');

/** Sets aside what one shape error points at (`path` is in the copy's current terms); false if it cannot. */
function repairAt(work: Work, path: KeyPath): boolean {
  const [section, second, third] = path;
  if (typeof section !== 'string') return false;
  const value = work.value;
  if (listSections.has(section) && typeof second === 'number' && Array.isArray(value[section])) {
    const list = value[section] as unknown[];
    if (second < list.length) list[second] = removed;
    return true;
  }
  if (entrySections.has(section) && typeof second === 'string' && isRecord(value[section])) {
    if (section === 'hosts') work.touched.push({ host: second.toLowerCase(), key: typeof third === 'string' ? third : null });
    // The smallest cut: the element or key the error names, so the rest of the entry still counts.
    if (!removeAt(value, path)) (value[section] as Record<string, unknown>)[second] = {};
    return true;
  }
  if ((section === 'network' || section === 'defaults') && isRecord(value[section])) {
    if (!removeAt(value, path)) delete value[section];
    return true;
  }
  if (section in scalarDefaults) {
    const fallback = scalarDefaults[section];
    if (fallback === undefined) delete value[section];
    else value[section] = fallback;
    return true;
  }
  return false;
}

/** Removes the key or list element at `path` (at least two deep); false when the path does not lead there. */
function removeAt(root: Record<string, unknown>, path: KeyPath): boolean {
  if (path.length < 3) return false;
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (Array.isArray(parent) && typeof step === 'number') parent = parent[step];
    else if (isRecord(parent) && typeof step === 'string') parent = parent[step];
    else return false;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent.splice(last, 1);
    return true;
  }
  if (isRecord(parent) && typeof last === 'string' && last in parent) {
    delete parent[last];
    return true;
  }
  return false;
}

function dropLeftOut(work: Work): void {
  for (const [section, kept] of work.kept) {
    const list = work.value[section];
    if (!Array.isArray(list)) continue;
    const stay = list.map((item, index) => ({ item, index })).filter(({ item }) => item !== removed);
    work.value[section] = stay.map(({ item }) => item);
    work.kept.set(section, stay.map(({ index }) => kept[index]!));
  }
}

/** Keys of a host that decide who its users are: a repair there makes every user check unreliable. */
const userDefiningKeys = new Set([null, 'domains', 'users']);

function translator(work: Work): Repair {
  const touchedHosts = new Set(work.touched.map((t) => t.host));
  const usersUnsure = work.touched.some((t) => userDefiningKeys.has(t.key));
  return {
    value: work.value,
    translate(problem) {
      const [section, index, ...rest] = problem.path;
      if (section === 'hosts' && typeof index === 'string' && touchedHosts.has(index.toLowerCase())) return null;
      // A suggestion ("did you mean mx1…?") may name a repaired host; the subject of the problem may not.
      const subject = problem.message.replace(/ \(did you mean [^)]*\)/g, '').toLowerCase();
      const names = subject.split(/[^a-z0-9.-]+/).map((word) => word.replace(/\.+$/, ''));
      if (names.some((name) => touchedHosts.has(name))) return null;
      if (usersUnsure && /\buser\b|\bmailbox\b|in domains/.test(subject)) return null;
      if (typeof section === 'string' && typeof index === 'number' && work.kept.has(section)) {
        const original = work.kept.get(section)![index];
        return original === undefined ? null : { ...problem, path: [section, original, ...rest] };
      }
      return problem;
    },
  };
}
