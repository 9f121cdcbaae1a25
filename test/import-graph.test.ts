/**
 * The import graph of src/ has no cycles between directories or between files, and every import goes
 * down the layers (docs/architecture.md "The shape": data and imports flow one way).
 * Imports are read from the source text: static `import`/`export … from` (types included) and dynamic
 * `import('…')` of relative paths.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');

/** Each source file (relative to src/) with the source files it imports. */
function importGraph(root = srcDir): Map<string, string[]> {
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gms)].map((m) => m[1]!),
      ...[...text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    const targets = specifiers.map((s) => relative(root, resolve(root, dirname(file), s.replace(/\.js$/, '.ts'))));
    graph.set(file, [...new Set(targets.filter((t) => known.has(t)))]);
  }
  return graph;
}

/** The strongly connected components with more than one member (Tarjan), each sorted. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

const directoryOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

function directoryGraph(files: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = directoryOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of targets) if (directoryOf(target) !== from) edges.add(directoryOf(target));
  }
  return new Map([...graph].map(([dir, edges]) => [dir, [...edges]]));
}

/**
 * The layers, lowest first (docs/architecture.md "The shape"). A file may import its own directory
 * and the directories of lower layers; directories on one layer do not import each other.
 */
const layers: ReadonlyArray<readonly string[]> = [
  ['sim', 'schema'],
  ['net', 'store'],
  ['dns'],
  ['protocols'],
  ['mail'],
  ['faults'],
  ['nodes'],
  ['scenario'],
  ['report'],
  ['runner'],
  ['bridge', 'sweep'],
  ['testing', 'http'],
  ['explore'],
  ['cli'],
  ['.'],
];
const layerOf = new Map(layers.flatMap((names, rank) => names.map((name) => [name, rank] as const)));

function layerViolations(files: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, targets] of files) {
    const from = directoryOf(file);
    for (const target of targets) {
      const to = directoryOf(target);
      if (to === from) continue;
      const fromRank = layerOf.get(from);
      const toRank = layerOf.get(to);
      if (fromRank === undefined || toRank === undefined) out.push(`${file} → ${target} (a directory without a layer: add it to the list)`);
      else if (toRank >= fromRank) out.push(`${file} → ${target} (${from} may not import ${to})`);
    }
  }
  return out;
}

/** Imports of src/nodes/ from src/report/ (types included): the report is built from src/mail/'s records. */
function reportImportsOfNodes(files: ReadonlyMap<string, readonly string[]>): string[] {
  return [...files].filter(([file]) => directoryOf(file) === 'report').flatMap(([file, targets]) => targets.filter((t) => directoryOf(t) === 'nodes').map((t) => `${file} → ${t}`));
}

describe('the import graph of src/', () => {
  const files = importGraph();

  it('is read: every layer imports something, and the kernel imports no other layer', () => {
    expect(files.size).toBeGreaterThan(100);
    expect((files.get('nodes/world.ts') ?? []).length).toBeGreaterThan(5);
    const kernelOut = [...files].filter(([file]) => file.startsWith('sim/')).flatMap(([, targets]) => targets.filter((t) => !t.startsWith('sim/')));
    expect(kernelOut).toEqual([]);
  });

  it('has no cycle between directories', () => {
    expect(cycles(directoryGraph(files))).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('imports flow one way, down the layers of docs/architecture.md', () => {
    expect(layerViolations(files)).toEqual([]);
  });

  it('the report reads what the mail layer declares, not the nodes: src/report/ imports nothing of src/nodes/', () => {
    expect(reportImportsOfNodes(files)).toEqual([]);
    const planted = new Map(files);
    planted.set('report/build.ts', [...(planted.get('report/build.ts') ?? []), 'nodes/world.ts']);
    expect(reportImportsOfNodes(planted)).toEqual(['report/build.ts → nodes/world.ts']);
  });

  it('finds an import against the layers', () => {
    const planted = new Map(files);
    planted.set('protocols/smtp/server.ts', [...(planted.get('protocols/smtp/server.ts') ?? []), 'nodes/world.ts']);
    expect(layerViolations(planted)).toEqual(['protocols/smtp/server.ts → nodes/world.ts (protocols may not import nodes)']);
  });

  it('finds a planted cycle', () => {
    const planted = new Map(files);
    planted.set('sim/simulator.ts', [...(planted.get('sim/simulator.ts') ?? []), 'nodes/world.ts']);
    expect(cycles(directoryGraph(planted)).flat()).toEqual(expect.arrayContaining(['sim', 'nodes']));
  });
});
