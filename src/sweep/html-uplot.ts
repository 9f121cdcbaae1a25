/**
 * uPlot (MIT, https://github.com/leeoniya/uPlot), the chart library `sweep.html` inlines: its
 * minified script and style sheet, read from the installed `uplot` package when a page is first
 * rendered. The path is resolved from this module (`createRequire(import.meta.url)`), so it works
 * from src/ under tsx and from the built dist/ alike, and from an installed mailsim whose `uplot`
 * sits beside it in node_modules.
 *
 * Both go into the page verbatim, inside `<script>` and `<style>`: a text that could close its
 * element early is refused here, rather than escaped (escaping would change the code).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface UplotAssets {
  js: string;
  css: string;
}

let loaded: UplotAssets | null = null;

export function uplotAssets(): UplotAssets {
  if (loaded !== null) return loaded;
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  if (/<\/script|<!--/i.test(js)) throw new Error('uPlot script contains "</script" or "<!--" and cannot be inlined');
  if (/<\/style/i.test(css)) throw new Error('uPlot style sheet contains "</style" and cannot be inlined');
  loaded = { js, css };
  return loaded;
}
