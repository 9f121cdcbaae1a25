/**
 * YAML text with positions: parses a document (JSON too: it is YAML 1.2) into a plain value and a
 * locator that maps a key path back to `line:column` in the text. Shared by the scenario loader and
 * the sweep loader (src/sweep/load.ts), so both report problems at the same kind of location.
 *
 * The YAML library keeps a source range on every node; a key path is walked down the document to the
 * node it names (the key itself for unknown keys, the value otherwise, the nearest existing parent for a
 * missing key). Guards: nesting depth (yaml-depth.ts) and alias expansions ("billion laughs").
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Document } from 'yaml';
import { canonicalName } from '../dns/names.js';
import type { KeyPath } from './schema-normalise.js';
import type { ScenarioProblem } from './schema-types.js';
import { firstTooDeepOffset, yamlDepthMax } from './yaml-depth.js';

/** YAML alias expansions allowed (guards against "billion laughs"). */
const yamlAliasCountMax = 1000;
/** Nesting depth walked when locating a path (deeper than any scenario key path). */
const keyPathDepthMax = 64;

export interface Located {
  line: number | null;
  column: number | null;
}

/** Where problems are located: a YAML document, or nothing (plain objects). */
export interface Locator {
  locate(path: KeyPath, atKey: boolean): Located;
}

export const noPositions: Locator = { locate: () => ({ line: null, column: null }) };

function keyMatches(key: unknown, segment: string | number): boolean {
  return String(key) === String(segment);
}

export function yamlLocator(doc: Document, lineCounter: LineCounter): Locator {
  const position = (node: { range?: [number, number, number] | null } | null | undefined): Located => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: null, column: null };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    locate(path, atKey) {
      let current: Node | null = doc.contents as Node | null;
      let best: Located = position(current) ;
      if (best.line === null) best = { line: 1, column: 1 };
      for (let depth = 0; depth < path.length && depth < keyPathDepthMax; depth++) {
        const segment = path[depth] as string | number;
        if (isAlias(current)) current = current.resolve(doc) ?? null;
        if (isMap(current)) {
          const items = current.items;
          const pair =
            items.find((p) => keyMatches(isScalar(p.key) ? p.key.value : p.key, segment)) ??
            // Cross-checks name hosts and DNS names in canonical form; the file may use other case.
            items.find((p) => typeof segment === 'string' && canonicalName(String(isScalar(p.key) ? p.key.value : p.key)) === canonicalName(segment));
          if (!pair) return best;
          const isLast = depth === path.length - 1;
          if (isLast && atKey) return position(pair.key as Node) ;
          const value = pair.value as Node | null;
          best = value?.range ? position(value) : position(pair.key as Node);
          current = value;
        } else if (isSeq(current) && typeof segment === 'number') {
          const item = current.items[segment] as Node | undefined;
          if (!item) return best;
          best = position(item);
          current = item;
        } else {
          return best;
        }
      }
      return best;
    },
  };
}

/** A parsed document: its plain value and where each key path is, or the problems that stopped it. */
export type YamlSource =
  | { ok: true; value: unknown; locator: Locator; warnings: ScenarioProblem[] }
  | { ok: false; errors: ScenarioProblem[]; warnings: ScenarioProblem[] };

/** Parses YAML text; never throws. `what` names the document in messages ("a scenario", "a sweep"). */
export function readYamlSource(text: string, fileName: string, what: string): YamlSource {
  const tooDeepAt = firstTooDeepOffset(text);
  if (tooDeepAt !== null) {
    const { line, column } = lineAndColumn(text, tooDeepAt);
    const message = `nested deeper than ${yamlDepthMax} levels: ${what} needs far fewer (is a bracket or an indentation off?)`;
    return { ok: false, errors: [{ severity: 'error', file: fileName, line, column, path: '', message }], warnings: [] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const syntaxProblem = (severity: 'error' | 'warning') => (e: { pos: [number, number]; message: string }): ScenarioProblem => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { severity, file: fileName, line, column: col, path: '', message: `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${e.message.split('\n')[0]}` };
  };
  const warnings = doc.warnings.map(syntaxProblem('warning'));
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map(syntaxProblem('error')), warnings };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: yamlAliasCountMax }), locator: yamlLocator(doc, lineCounter), warnings };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ severity: 'error', file: fileName, line: 1, column: 1, path: '', message: `cannot read the document: ${message}` }], warnings };
  }
}

/** 1-based line and column of a source offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
