/**
 * zod issues → problems a person can act on: the key path, what was expected and what was found, with
 * "did you mean" for a mistyped key or value. Shared by the scenario loader and the sweep loader.
 */
import type { z } from 'zod';
import { knownKeysField } from '../schema/base.js';
import { editDistance } from './cross-check.js';
import type { KeyPath } from './schema-normalise.js';


function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `${typeof value} ${String(value)}`;
}

/** The closest candidate within a small edit distance, for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | null {
  const budget = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const squash = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  for (const candidate of candidates) {
    const distance = squash(candidate) === squash(word) ? 0 : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= budget ? best : null;
}

export interface IssueProblem {
  path: KeyPath;
  message: string;
  atKey: boolean;
}

const mismatchCodes = new Set(['invalid_type', 'invalid_value', 'invalid_union']);
const isDefaultMessage = (message: string) => /^(Invalid|Too (small|big)|Unrecognized)/.test(message);

export function issueProblems(issue: z.core.$ZodIssue, prefix: KeyPath, root: unknown): IssueProblem[] {
  const path: KeyPath = [...prefix, ...(issue.path as KeyPath)];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = ((issue as unknown as Record<string, unknown>)[knownKeysField] as string[] | undefined)?.filter((k) => k !== '$schema') ?? [];
      return issue.keys.map((key) => {
        const suggestion = closest(key, known);
        const message = suggestion
          ? `unknown key "${key}"; did you mean "${suggestion}"?`
          : `unknown key "${key}"${known.length > 0 ? `; expected one of: ${known.join(', ')}` : ''}`;
        return { path: [...path, key], message, atKey: true };
      });
    }
    case 'invalid_union': {
      // Pick the alternative the author evidently meant: the only one whose value had the right
      // type. If none did, the union's own message says what was expected.
      const branches = issue.errors.filter((branch) => !branch.every((i) => i.path.length === 0 && mismatchCodes.has(i.code)));
      const chosen = [...branches].sort((a, b) => a.length - b.length)[0];
      if (chosen !== undefined) return chosen.flatMap((inner) => issueProblems(inner, path, root));
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
    }
    case 'invalid_key': {
      const key = String(issue.path[issue.path.length - 1] ?? '');
      const inner = issue.issues[0]?.message ?? 'invalid key';
      return [{ path, message: `${inner}; got ${JSON.stringify(key)}`, atKey: true }];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const base = isDefaultMessage(issue.message) ? `expected ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}` : issue.message;
      const suggestion = typeof value === 'string' ? closest(value, options) : null;
      return [{ path, message: `${withGot(base, value, path)}${suggestion ? `; did you mean ${suggestion}?` : ''}`, atKey: false }];
    }
    case 'invalid_type': {
      const base = isDefaultMessage(issue.message) ? `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected}` : issue.message;
      return [{ path, message: withGot(base, value, path), atKey: false }];
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && isDefaultMessage(issue.message)) return [{ path, message: 'must not be empty', atKey: false }];
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
    case 'custom':
      return [{ path, message: issue.message, atKey: false }];
    default:
      return [{ path, message: withGot(issue.message, value, path), atKey: false }];
  }
}

function withGot(message: string, value: unknown, path: KeyPath): string {
  const last = path[path.length - 1];
  if (value === undefined && typeof last === 'string') return `${last} is required: ${message}`;
  if (/\bgot\b/.test(message) || typeof value === 'object') return value === null ? `${message}; got an empty value` : message;
  return `${message}; got ${describe(value)}`;
}

