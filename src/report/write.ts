/**
 * Writes the three reports of one run (docs/reference.md §9): `NAME.json` (the report object, pretty
 * printed), `NAME.md` and `NAME.html`, creating the folder. Called by the command line, so it uses
 * node:fs; it reads no clock and draws no random number — the files are a function of the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceEvent } from '../sim/trace.js';
import { type HtmlOptions, renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './types.js';

export interface WriteReportsOptions {
  /** The folder (`reports`, or `--out DIR`); created when missing. */
  outDir: string;
  /** The scenario file's name without its extension: `x` for `scenarios/x.yaml`. */
  baseName: string;
  /** The kept trace events, or null when the trace was not kept (the HTML then says so). */
  traceEvents: readonly TraceEvent[] | null;
  html?: HtmlOptions;
}

export interface WrittenReports {
  json: string;
  markdown: string;
  html: string;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function writeReports(report: Report, options: WriteReportsOptions): WrittenReports {
  mkdirSync(options.outDir, { recursive: true });
  const paths: WrittenReports = {
    json: join(options.outDir, `${options.baseName}.json`),
    markdown: join(options.outDir, `${options.baseName}.md`),
    html: join(options.outDir, `${options.baseName}.html`),
  };
  writeFileSync(paths.json, renderJson(report), 'utf8');
  writeFileSync(paths.markdown, renderMarkdown(report), 'utf8');
  writeFileSync(paths.html, renderHtml(report, options.traceEvents, options.html), 'utf8');
  return paths;
}
