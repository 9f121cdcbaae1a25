/**
 * The user documentation stays true to the code:
 *
 * (a) every key path the loader's zod schema accepts is documented in docs/reference.md, and every key
 *     documented there exists in the schema. The schema's paths come from walking the zod objects
 *     (objects, unions, lists, maps, optionals, transforms), so a new key shows up here without anyone
 *     listing it. The reference's convention (stated at its top): each key is a row of a table whose
 *     first column is headed `key` or ``key under `PARENT` `` (several parents separated by commas), and
 *     whose first cell is the key as one code span. `[]` is "each item of a list"; a word in capitals
 *     (`NAME`, `DOMAIN`) is a key the user chooses — a map entry, written `*` in the walked paths.
 * (b) every relative link (file and #anchor) in README.md and docs/*.md resolves; anchors are GitHub's
 *     heading slugs.
 * (c) nothing in the repository still points at the workspace the docs were copied from.
 * (d) every delivery rule id cited beside `docs/delivery.md` (or as the ids that open a test title)
 *     exists in docs/delivery.md.
 * (e) every `docs/reference.md §N` / `docs/delivery.md §N` anywhere in the repository names a numbered
 *     section that exists (about 560 comments, messages and descriptions cite them).
 * (f) every table row in README.md and docs/*.md has as many cells as its header: a missing cell shifts
 *     the rest one column left (a key's meaning shown as its default).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { scenarioSchema } from '../src/scenario/schema.js';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// ---- (a) keys ------------------------------------------------------------------------------------

/** Wrappers that do not change which keys are accepted. */
const transparent = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);
/** Schemas with no keys inside (a tuple here is a pair of host names). */
const leaves = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'tuple', 'transform', 'null']);

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
}

/** Every key path the schema accepts: `a.b`, `list[].key`, `map.*.key`. */
function schemaKeyPaths(schema: z.ZodType, path = '', out = new Set<string>()): Set<string> {
  const def = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  const child = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (transparent.has(def.type) && def.innerType) return schemaKeyPaths(def.innerType, path, out);
  if (def.type === 'pipe' && def.in) return schemaKeyPaths(def.in, path, out);
  if (def.type === 'object' && def.shape) {
    for (const [key, value] of Object.entries(def.shape)) {
      out.add(child(key));
      schemaKeyPaths(value, child(key), out);
    }
    return out;
  }
  if (def.type === 'union' && def.options) {
    for (const option of def.options) schemaKeyPaths(option, path, out);
    return out;
  }
  if (def.type === 'array' && def.element) return schemaKeyPaths(def.element, `${path}[]`, out);
  if (def.type === 'record' && def.valueType) {
    out.add(child('*'));
    return schemaKeyPaths(def.valueType, child('*'), out);
  }
  if (leaves.has(def.type)) return out;
  // A kind of schema this walk does not know could hide keys: say so rather than pass silently.
  throw new Error(`docs.test: cannot walk a zod "${def.type}" at ${path || '(top)'}; teach schemaKeyPaths about it`);
}

const placeholder = /^[A-Z][A-Z0-9_]*$/;

/** `hosts.NAME.users` → `hosts.*.users`; `[]` stays. */
function canonicalKeyPath(path: string): string {
  return path
    .split('.')
    .map((segment) => {
      const list = segment.endsWith('[]') ? '[]' : '';
      const name = list ? segment.slice(0, -2) : segment;
      return (placeholder.test(name) ? '*' : name) + list;
    })
    .join('.');
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** The key paths docs/reference.md documents, each with the line it is on. */
function documentedKeyPaths(markdown: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = markdown.split('\n');
  let prefixes: string[] | null = null;
  let inFence = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) return;
    if (!line.trimStart().startsWith('|')) {
      prefixes = null;
      return;
    }
    const next = lines[index + 1] ?? '';
    const first = cells(line)[0] ?? '';
    if (/^\|[\s|:-]+\|?\s*$/.test(next) && /^\|?\s*-/.test(next.trim())) {
      // A header row: a key table when its first column is headed `key` or ``key under `…` ``.
      if (first === 'key') prefixes = [''];
      else if (/^key under /.test(first)) prefixes = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      else prefixes = null;
      return;
    }
    if (prefixes === null || /^[\s|:-]+$/.test(line)) return;
    const key = /^`([^`]+)`$/.exec(first)?.[1];
    if (key === undefined) return;
    for (const prefix of prefixes) out.set(canonicalKeyPath(prefix === '' ? key : `${prefix}.${key}`), index + 1);
  });
  return out;
}

describe('docs/reference.md documents every scenario key (a)', () => {
  const schemaPaths = schemaKeyPaths(scenarioSchema);
  const documented = documentedKeyPaths(read('docs/reference.md'));

  it('the walk finds the schema keys (sanity: a few known ones)', () => {
    for (const path of ['name', 'hosts.*.queue.warn-after', 'faults[].reply.on', 'dns.*.mx[].preference', 'hosts.*.users.*.filters[].then.forward']) {
      expect(schemaPaths).toContain(path);
    }
  });

  it('every key the schema accepts has a row in docs/reference.md', () => {
    const missing = [...schemaPaths].filter((path) => !documented.has(path));
    expect(missing, 'keys the loader accepts but docs/reference.md does not document (add a table row)').toEqual([]);
  });

  it('every key documented in docs/reference.md exists in the schema', () => {
    const unknown = [...documented].filter(([path]) => !schemaPaths.has(path)).map(([path, line]) => `docs/reference.md:${line}: ${path}`);
    expect(unknown, 'documented keys the loader does not accept').toEqual([]);
  });
});

// ---- (b) links -----------------------------------------------------------------------------------

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** Relative links `[text](target)` outside code: returns the problems, one sentence each. */
function brokenLinks(file: string, markdown: string, readTarget: (path: string) => string | null): string[] {
  const problems: string[] = [];
  let inFence = false;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) return;
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? '';
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — not ours to check
      const [pathPart = '', anchor] = target.split('#');
      const targetPath = pathPart === '' ? file : join(dirname(file), decodeURIComponent(pathPart));
      const where = `${file}:${index + 1}: ${target}`;
      const text = readTarget(targetPath);
      if (text === null) {
        problems.push(`${where}: ${targetPath} does not exist`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (!targetPath.endsWith('.md')) problems.push(`${where}: an anchor into a file that is not Markdown`);
        else if (!headingSlugs(text).has(anchor)) problems.push(`${where}: no heading with the anchor #${anchor} in ${targetPath}`);
      }
    }
  });
  return problems;
}

function readRepoFile(path: string): string | null {
  const full = join(root, path);
  if (!existsSync(full)) return null;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
}

const docFiles = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('relative links in README.md and docs/ resolve (b)', () => {
  it.each(docFiles)('%s', (file) => {
    expect(brokenLinks(file, read(file), readRepoFile)).toEqual([]);
  });

  it('the checker sees a broken file link and a broken anchor', () => {
    const text = 'see [x](docs/nowhere.md), [y](docs/reference.md#no-such-heading) and [z](docs/reference.md#9-the-report)';
    const problems = brokenLinks('README.md', text, readRepoFile);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('docs/nowhere.md does not exist');
    expect(problems[1]).toContain('#no-such-heading');
  });

  it('slugs follow GitHub: punctuation dropped, a dash per space', () => {
    expect([...headingSlugs('## 12. `mailsim serve` — the same servers\n## 5.1 `queue` (and `defaults.queue`)')]).toEqual([
      '12-mailsim-serve--the-same-servers',
      '51-queue-and-defaultsqueue',
    ]);
  });
});

// ---- (c) no pointers to the old workspace --------------------------------------------------------

const scannedRoots = ['src', 'test', 'scripts', 'bench', 'schema', 'docs', '.ci', 'README.md'];
/** Built from parts so this file does not match itself. */
const forbidden = [`../${'shared'}`, ...['SCENARIO', 'DELIVERY', 'ARCHITECTURE'].map((name) => `${name}.md`)];

function filesUnder(path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((entry) => (entry === 'node_modules' ? [] : filesUnder(join(path, entry))));
}

describe('nothing refers to the workspace the docs came from (c)', () => {
  it('no file names the old shared folder or the old contract files', () => {
    const hits: string[] = [];
    for (const file of scannedRoots.flatMap(filesUnder)) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const needle of forbidden) if (text.includes(needle)) hits.push(`${relative(root, join(root, file))}: ${needle}`);
    }
    expect(hits).toEqual([]);
  });
});

// ---- (d) delivery rule ids -----------------------------------------------------------------------

const ruleId = /\b[MRDETPIW]\d{1,2}\b/g;

describe('every delivery rule id cited in src/ and test/ exists in docs/delivery.md (d)', () => {
  const defined = new Set([...read('docs/delivery.md').matchAll(/\*\*([MRDETPIW]\d{1,2})\b/g)].map((m) => m[1]));

  it('the doc defines the rules (sanity)', () => {
    for (const id of ['M1', 'M8', 'R3', 'R8', 'D7', 'E3', 'T1', 'P6', 'I7', 'W2']) expect(defined).toContain(id);
  });

  it('each cited id is defined', () => {
    const undefinedIds: string[] = [];
    for (const file of ['src', 'test'].flatMap(filesUnder)) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const title = /\b(?:it|describe|test)(?:\.each\([^)]*\))?\(\s*['"`]((?:[MRDETPIW]\d{1,2}[/,–\s]*)+):/.exec(line)?.[1];
          const cited = line.includes('docs/delivery.md') ? line : (title ?? '');
          for (const id of cited.match(ruleId) ?? []) if (!defined.has(id)) undefinedIds.push(`${file}:${index + 1}: ${id}`);
        });
    }
    expect(undefinedIds).toEqual([]);
  });
});

// ---- (e) section citations -----------------------------------------------------------------------

/** The numbers of the numbered headings of a page: `## 5. hosts` → 5, `### 5.1 queue` → 5.1. */
function sectionNumbers(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/gm)].map((m) => m[1] ?? ''));
}

describe('every "docs/X.md §N" cited in the repository names a section that exists (e)', () => {
  const sections = new Map(['reference', 'delivery'].map((page) => [page, sectionNumbers(read(`docs/${page}.md`))]));

  it('each citation resolves', () => {
    const dangling: string[] = [];
    for (const file of scannedRoots.flatMap(filesUnder)) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const m of line.matchAll(/docs\/(reference|delivery)\.md §(\d+(?:\.\d+)*)/g)) {
            if (!sections.get(m[1] ?? '')?.has(m[2] ?? '')) dangling.push(`${file}:${index + 1}: ${m[0]}`);
          }
        });
    }
    expect(dangling).toEqual([]);
  });
});

// ---- (f) table shape -----------------------------------------------------------------------------

/** Rows whose cell count differs from their table's header row, as `file:line: n cells, header has m`. */
function raggedTableRows(file: string, markdown: string): string[] {
  const problems: string[] = [];
  let headerCells: number | null = null;
  let inFence = false;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence || !line.trimStart().startsWith('|')) {
      headerCells = null;
      return;
    }
    // GitHub splits cells at every unescaped `|`, inside code spans too.
    const count = cells(line.replace(/\\\|/g, '')).length;
    if (headerCells === null) headerCells = count;
    else if (count !== headerCells) problems.push(`${file}:${index + 1}: ${count} cells, the header has ${headerCells}`);
  });
  return problems;
}

describe('tables in README.md and docs/ are not ragged (f)', () => {
  it.each(docFiles)('%s', (file) => {
    expect(raggedTableRows(file, read(file))).toEqual([]);
  });

  it('the checker sees a row with a cell missing', () => {
    const table = '| key | type | default | meaning |\n|---|---|---|---|\n| `from` | address, required | the sender |\n';
    expect(raggedTableRows('x.md', table)).toEqual(['x.md:3: 3 cells, the header has 4']);
  });
});
