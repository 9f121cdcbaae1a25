/**
 * The nesting limit of scenario text. The `yaml` package composes documents recursively, so text
 * nested a few thousand levels deep ends in "Maximum call stack size exceeded"; its lexer and parser
 * are iterative. This walks the parser's concrete syntax tree with an explicit stack, before anything
 * recursive runs, and finds the first collection deeper than the limit — where the author is told.
 * No scenario needs more than a dozen levels (hosts → host → queue → key is four).
 */
import { Parser } from 'yaml';

/** Collections inside collections a scenario text may have. */
export const yamlDepthMax = 64;

interface Pending {
  token: unknown;
  depth: number;
}

/** The source offset of the first collection nested deeper than `depthMax`, or null if none is. */
export function firstTooDeepOffset(text: string, depthMax: number = yamlDepthMax): number | null {
  for (const document of new Parser().parse(text)) {
    const stack: Pending[] = [{ token: document, depth: 0 }];
    while (stack.length > 0) {
      const { token, depth } = stack.pop()!;
      if (typeof token !== 'object' || token === null) continue;
      const node = token as { value?: unknown; key?: unknown; items?: unknown[]; offset?: number };
      const isCollection = Array.isArray(node.items);
      const here = isCollection ? depth + 1 : depth;
      if (here > depthMax) return node.offset ?? 0;
      if (node.value !== undefined) stack.push({ token: node.value, depth: here });
      if (node.key !== undefined) stack.push({ token: node.key, depth: here });
      if (isCollection) for (const item of node.items!) stack.push({ token: item, depth: here });
    }
  }
  return null;
}
