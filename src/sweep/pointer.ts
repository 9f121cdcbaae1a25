/**
 * RFC 6901 JSON Pointers into a scenario's YAML shape, as a sweep's `vary:` and `zip:` keys name them
 * (docs/research.md §2): `/faults/0/until`, `/hosts/smtp.sender.net/queue/schedule`.
 *
 * Syntax (RFC 6901 §3): "" is the whole document (refused here: a sweep varies parts); otherwise each
 * reference token follows a "/", with "~1" for "/" and "~0" for "~" (§4: decode ~1 before ~0, so "~01"
 * is "~1"); any other "~" is an error. An array index is "0" or digits without a leading zero (§4).
 *
 * Setting a value works on a copy (the base scenario is shared by every point): an existing key or
 * index is replaced, index = length appends; a missing key of a mapping is added, and missing
 * mappings on the way are created (so `/hosts/h/queue/schedule` works when the base has no `queue:`),
 * except when the missing key is a near miss of one that exists (a typo would otherwise add a host).
 */
import { closest } from '../scenario/zod-problems.js';

export type PointerResult = { ok: true; tokens: string[] } | { ok: false; message: string };

/** Parses a pointer into its reference tokens (RFC 6901 §3, §4). */
export function parsePointer(text: string): PointerResult {
  if (text === '') return { ok: false, message: 'the empty pointer "" is the whole scenario; a sweep varies a part of it, e.g. /faults/0/until' };
  if (!text.startsWith('/')) return { ok: false, message: `a JSON Pointer starts with "/" (RFC 6901 §3), e.g. /${text}` };
  const raw = text.slice(1).split('/');
  const tokens: string[] = [];
  for (const token of raw) {
    if (/~(?![01])/.test(token)) return { ok: false, message: `"~" must be followed by 0 or 1 in a JSON Pointer (RFC 6901 §3: ~0 is "~", ~1 is "/"); got "${token}"` };
    tokens.push(token.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return { ok: true, tokens };
}

export type SetResult = { ok: true; value: unknown } | { ok: false; message: string };

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy of `document` with `value` at `tokens`; the document itself is not changed. */
export function setAtPointer(document: unknown, tokens: readonly string[], value: unknown): SetResult {
  return setFrom(document, tokens, 0, value);
}

function setFrom(node: unknown, tokens: readonly string[], depth: number, value: unknown): SetResult {
  if (depth === tokens.length) return { ok: true, value };
  const token = tokens[depth] as string;
  const where = depth === 0 ? 'the scenario' : `/${tokens.slice(0, depth).map(escapeToken).join('/')}`;
  if (Array.isArray(node)) {
    if (!/^(0|[1-9]\d*)$/.test(token)) return { ok: false, message: `${where} is a list: "${token}" is not an index (0, 1, 2 …)` };
    const index = Number(token);
    if (index > node.length) return { ok: false, message: `${where} has ${node.length} item${node.length === 1 ? '' : 's'}: there is no index ${index}` };
    const inner = setFrom(node[index], tokens, depth + 1, value);
    if (!inner.ok) return inner;
    const copy = [...node];
    copy[index] = inner.value;
    return { ok: true, value: copy };
  }
  if (node === undefined || node === null || isMapping(node)) {
    const mapping = node ?? {};
    if (!(token in mapping)) {
      const near = closest(token, Object.keys(mapping));
      if (near !== null) return { ok: false, message: `${where} has no key "${token}"; did you mean "${near}"?` };
    }
    const inner = setFrom(mapping[token], tokens, depth + 1, value);
    if (!inner.ok) return inner;
    return { ok: true, value: { ...mapping, [token]: inner.value } };
  }
  return { ok: false, message: `${where} is ${JSON.stringify(node)}, not a mapping or a list: cannot go into it with "${token}"` };
}

/** A token as written in a pointer (RFC 6901 §3). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
