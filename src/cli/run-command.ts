/**
 * `mailsim run FILE...` (docs/reference.md §10): runs each scenario, prints one line per scenario (✓/✗,
 * name, simulated time, wall time), writes reports/NAME.{json,md,html}, and with `--json` prints only
 * the JSON report (an array for several files). `--trace FILE` writes the event trace as JSON lines.
 * Exit 0 when every expectation and invariant held, 1 when something did not, 2 on bad input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { writeReports } from '../report/write.js';
import type { Report } from '../report/types.js';
import { isScenarioError } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import { runScenarioWorld } from '../runner/run.js';
import { seedMax, seedMin } from '../schema/defaults.js';
import type { Scenario } from '../scenario/schema-types.js';
import { formatDurationMs } from '../schema/units.js';
import { paint } from './output.js';

export interface RunCommandOptions {
  seed?: string;
  out: string;
  json?: boolean;
  trace?: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export function runCommand(files: readonly string[], options: RunCommandOptions): number {
  const err = paint(process.stderr);
  let seed: number | undefined;
  if (options.seed !== undefined) {
    // The same rule as `seed:` in a file (docs/reference.md §3): a whole number from seedMin to seedMax.
    const value = Number(options.seed);
    if (!/^\d+$/.test(options.seed) || value < seedMin || value > seedMax) {
      process.stderr.write(`mailsim run: --seed takes a whole number from ${seedMin} to ${seedMax}, as seed: in a file does; got "${options.seed}"\n`);
      return EXIT_BAD_INPUT;
    }
    seed = value;
  }

  // Load everything first: a bad file stops the run before anything is simulated (exit 2).
  const scenarios: Scenario[] = [];
  let bad = false;
  for (const file of files) {
    try {
      const scenario = loadScenario(file);
      for (const warning of scenario.warnings) {
        process.stderr.write(`${err.yellow('warning')} ${warning.file}${warning.line !== null ? `:${warning.line}:${warning.column}` : ''}: ${warning.path ? `${warning.path}: ` : ''}${warning.message}\n`);
      }
      scenarios.push(scenario);
    } catch (error) {
      if (!isScenarioError(error)) throw error;
      bad = true;
      for (const line of error.format()) process.stderr.write(`${line}\n`);
    }
  }
  if (bad) return EXIT_BAD_INPUT;

  const out = paint(process.stdout);
  const reports: Report[] = [];
  const traceLines: string[] = [];
  for (const scenario of scenarios) {
    const keepTrace = true; // the HTML report shows the transcripts
    const { report, world } = runScenarioWorld(scenario, { ...(seed !== undefined ? { seed } : {}), keepTrace, wallClockMs: () => performance.now() });
    reports.push(report);
    if (options.trace !== undefined) {
      if (scenarios.length > 1) traceLines.push(JSON.stringify({ kind: 'scenario', file: scenario.file, seed: report.scenario.seed }));
      const text = world.sim.trace.toJsonLines();
      if (text.length > 0) traceLines.push(text.trimEnd());
    }
    const baseName = basename(scenario.file, extname(scenario.file));
    writeReports(report, { outDir: options.out, baseName, traceEvents: world.sim.trace.events });
    if (!options.json) {
      const mark = report.passed ? out.green('✓') : out.red('✗');
      const failures = [...report.expectations.filter((e) => !e.passed).map((e) => `expect ${JSON.stringify(e.expect)}: ${e.detail}`), ...report.invariants.filter((i) => !i.passed).map((i) => `${i.name}: ${i.detail}`)];
      process.stdout.write(
        `${mark} ${report.scenario.name} ${out.dim(`(${scenario.file}, seed ${report.scenario.seed}, simulated ${formatDurationMs(report.endedAtMs)}, wall ${report.stats.wallMs}ms) → ${options.out}/${baseName}.{json,md,html}`)}\n`,
      );
      for (const failure of failures) process.stdout.write(`    ${out.red(failure)}\n`);
    }
  }
  if (options.trace !== undefined) {
    const dir = options.trace.includes('/') ? options.trace.slice(0, options.trace.lastIndexOf('/')) : '';
    if (dir !== '') mkdirSync(dir, { recursive: true });
    writeFileSync(options.trace, traceLines.length > 0 ? `${traceLines.join('\n')}\n` : '');
  }
  if (options.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  return reports.every((r) => r.passed) ? EXIT_OK : EXIT_FAILED;
}
