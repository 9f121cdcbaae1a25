/**
 * Writing what a failed property leaves behind (docs/testing.md "assertMail"): the shrunk scenario as
 * a complete scenario file that `mailsim run` replays, with a description saying how it was found and
 * what it violated, and the HTML report of its run (docs/reference.md §9.3). `mailsim explore` writes
 * its counterexample file through `writeCounterexample` too.
 *
 * The files are a function of the case and its run: no clock, no random name — the same search
 * writes the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderHtml } from '../report/html.js';
import type { MailRun, ScenarioObject, Violation } from './types.js';

/** Writes `DIR/NAME.counterexample.yaml` and returns its path. */
export function writeCounterexample(dir: string, baseName: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${baseName}.counterexample.yaml`);
  writeFileSync(path, text);
  return path;
}

/** `check: message`, the one line a violation is shown as. */
export function violationLine(violation: Violation): string {
  return `${violation.check}: ${violation.message}`;
}

/** The scenario with a description of how it was found (the user's own description kept below). */
export function counterexampleScenarioText(source: ScenarioObject, foundBy: string, violations: readonly Violation[]): string {
  const lines = [`Counterexample found by ${foundBy}; violated:`, ...violations.map((v) => `  - ${violationLine(v)}`)];
  const previous = source.description;
  if (typeof previous === 'string' && previous.trim() !== '') lines.push('', previous.trimEnd());
  const { name, description: _description, ...rest } = source;
  return stringify({ ...(name === undefined ? {} : { name }), description: `${lines.join('\n')}\n`, ...rest }, { lineWidth: 0 });
}

export interface WrittenCounterexample {
  /** The scenario file (`mailsim run FILE` replays it). */
  scenario: string;
  /** Its run's HTML report, or null when the run crashed before it had one. */
  html: string | null;
}

/** Writes the scenario file and, when the run got that far, its HTML report: `DIR/NAME.counterexample.{yaml,html}`. */
export function writeCounterexampleFiles(dir: string, baseName: string, input: { source: ScenarioObject; foundBy: string; violations: readonly Violation[]; run: MailRun | null }): WrittenCounterexample {
  const scenario = writeCounterexample(dir, baseName, counterexampleScenarioText(input.source, input.foundBy, input.violations));
  if (input.run === null) return { scenario, html: null };
  const html = join(dir, `${baseName}.counterexample.html`);
  writeFileSync(html, renderHtml(input.run.report, input.run.trace));
  return { scenario, html };
}
