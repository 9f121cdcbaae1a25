/**
 * `mailsim explore FILE` (docs/reference.md §13): searches fault schedules for one that breaks the scenario
 * and writes the shrunk counterexample as `OUT/NAME.counterexample.yaml`.
 *
 * Options: --runs N (200), --seed N (random when absent, always printed so the search can be repeated),
 * --faults LIST (fault actions to draw, default all), --check LIST (built-in checks of mailsim/testing
 * by name, default expect,invariants, or modules of the user's own: check-list.ts), --out DIR (reports). Progress goes to stderr: a counter rewritten in place on a terminal, a line every
 * tenth of the runs otherwise; ANSI only on a TTY without NO_COLOR. Exit 0 nothing broke, 1 a
 * counterexample was written (its path and the violated check are printed), 2 bad input — a bad file
 * gets the loader's located messages, an unknown name in --faults/--check or a check module that does
 * not load a clear one.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'yaml';
import { counterexampleText, describeViolation, writeCounterexample } from '../explore/counterexample.js';
import { type ExploreProgress, explore, exploreRunsMax } from '../explore/explore.js';
import { type FaultKindName, faultKindNames } from '../testing/arbitraries/schedule.js';
import { formatProblem } from '../scenario/errors.js';
import { analyseScenarioFile } from '../scenario/load.js';
import { violationsOf } from '../testing/check.js';
import { defaultCheckNames } from '../testing/checks/names.js';
import { runMail } from '../testing/run.js';
import type { MailCheck, Violation } from '../testing/types.js';
import { checksOfList } from './check-list.js';
import { paint, useColour } from './output.js';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from './run-command.js';

export interface ExploreCommandOptions {
  runs?: string;
  seed?: string;
  faults?: string;
  check?: string;
  out: string;
}

import { exploreRunsDefault } from '../explore/names.js';

export { exploreRunsDefault };

function bad(message: string): number {
  process.stderr.write(`mailsim explore: ${message}\n`);
  return EXIT_BAD_INPUT;
}

/** Splits "a,b, c" and checks every name against the allowed ones; returns the names or an error message. */
export function parseNameList<T extends string>(text: string, allowed: readonly T[], option: string): T[] | string {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return `${option} needs at least one name; choose from ${allowed.join(', ')}`;
  const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
  if (unknown.length > 0) return `${option}: unknown name${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; choose from ${allowed.join(', ')}`;
  return [...new Set(names)] as T[];
}

function integerOption(text: string, option: string, min: number, max: number): number | string {
  if (!/^-?\d+$/.test(text.trim())) return `${option} takes a whole number, got "${text}"`;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) return `${option} must be between ${min} and ${max}, got ${text}`;
  return value;
}

/** Progress on stderr: in place on a terminal, a line per tenth of the runs elsewhere. */
function progressReporter(runs: number): { update: (p: ExploreProgress) => void; finish: () => void } {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  const ansi = useColour(stream);
  const step = Math.max(1, Math.ceil(runs / 10));
  let lastLine = '';
  let shrinkAnnounced = false;
  const text = (p: ExploreProgress) => (p.phase === 'search' ? `run ${p.run}/${p.runs}` : `violation at run ${p.run}; shrinking (${p.shrinkSteps} smaller schedules tried)`);
  return {
    update(p) {
      if (tty) {
        const line = `  ${text(p)}`;
        stream.write(ansi ? `\r\u001b[K${line}` : `\r${line.padEnd(lastLine.length)}`);
        lastLine = line;
      } else if (p.phase === 'search' && (p.run % step === 0 || p.run === 1)) {
        stream.write(`  ${text(p)}\n`);
      } else if (p.phase === 'shrink' && !shrinkAnnounced) {
        shrinkAnnounced = true;
        stream.write(`  violation at run ${p.run}; shrinking\n`);
      }
    },
    finish() {
      if (tty && lastLine !== '') stream.write(ansi ? '\r\u001b[K' : `\r${' '.repeat(lastLine.length)}\r`);
    },
  };
}

/** Checks that read only the report: the search need not keep each run's trace for them. */
const reportOnlyChecks = new Set(['expect', 'invariants', 'no-duplicates', 'expectations', 'delivered-or-bounced']);

/** Checks whose violations `mailsim run` reproduces by itself (no-duplicates through added expectations). */
const runJudges = new Set(['expect', 'invariants', 'no-duplicates', 'crash']);

export async function exploreCommand(file: string, options: ExploreCommandOptions, randomSeed: () => number): Promise<number> {
  const runs = options.runs === undefined ? exploreRunsDefault : integerOption(options.runs, '--runs', 1, exploreRunsMax);
  if (typeof runs === 'string') return bad(runs);
  const seed = options.seed === undefined ? randomSeed() : integerOption(options.seed, '--seed', -(2 ** 31), 2 ** 31 - 1);
  if (typeof seed === 'string') return bad(seed);
  const kinds = options.faults === undefined ? [...faultKindNames] : parseNameList<FaultKindName>(options.faults, faultKindNames, '--faults');
  if (typeof kinds === 'string') return bad(kinds);
  const checkList = options.check ?? defaultCheckNames.join(',');
  const checks = await checksOfList(checkList);
  if (typeof checks === 'string') return bad(checks);

  const analysis = analyseScenarioFile(file);
  if (analysis.scenario === null || analysis.errors.length > 0) {
    for (const problem of analysis.errors) process.stderr.write(`${formatProblem(problem)}\n`);
    return EXIT_BAD_INPUT;
  }
  const scenario = analysis.scenario;
  const sourceText = readFileSync(file, 'utf8');
  const base = parse(sourceText) as Record<string, unknown>;

  const err = paint(process.stderr);
  process.stderr.write(
    `mailsim explore ${file}: seed ${seed}, ${runs} runs, faults ${options.faults === undefined ? 'all' : kinds.join(',')}, checks ${checks.map((c) => c.checkName).join(',')}\n`,
  );
  if (scenario.faults.length > 0) process.stderr.write(`  ${err.dim(`(the scenario's own ${scenario.faults.length} fault(s) are replaced by generated ones)`)}\n`);

  const progress = progressReporter(runs);
  const keepTrace = !checks.every((c) => reportOnlyChecks.has(c.checkName));
  const outcome = explore(base, file, { runs, seed, kinds, checks, keepTrace, onProgress: progress.update });
  progress.finish();

  const out = paint(process.stdout);
  const repeat = `mailsim explore ${file} --seed ${seed} --runs ${runs}${options.faults !== undefined ? ` --faults ${kinds.join(',')}` : ''}${options.check !== undefined ? ` --check ${checkList}` : ''}`;
  const found = outcome.counterexample;
  if (found === null) {
    process.stdout.write(`${out.green('✓')} nothing broke in ${outcome.runsDone} runs (seed ${seed})\n`);
    return EXIT_OK;
  }

  const baseName = basename(file, extname(file));
  const text = counterexampleText({
    sourceText,
    scenario: base,
    faults: found.faults,
    violations: found.violations,
    report: found.report,
    foundBy: `\`${repeat}\` (fast-check path ${found.path}, ${found.shrinks} shrink steps)`,
  });
  const path = writeCounterexample(options.out, baseName, text);
  const replayed = replays(path, checks);
  process.stdout.write(
    `${out.red('✗')} counterexample after ${outcome.runsDone} run(s), shrunk to ${found.faults.length} fault(s) in ${found.shrinks} step(s): ${path}\n`,
  );
  // A thrown check's stack runs over several lines: indent them under their violation.
  for (const violation of found.violations) process.stdout.write(`    ${out.red(describeViolation(violation).replaceAll('\n', '\n      '))}\n`);
  process.stdout.write(`  replay: mailsim run ${path}${replayed ? '' : out.yellow('  (warning: the replay did not fail; please report this)')}\n`);
  const beyondRun = [...new Set(found.violations.map((v) => v.check).filter((name) => !runJudges.has(name)))];
  if (beyondRun.length > 0) process.stdout.write(`  ${out.dim(`(mailsim run judges expect and the invariants; ${beyondRun.join(', ')}: re-check with runMail(FILE) and the same check of mailsim/testing)`)}\n`);
  process.stdout.write(`  repeat: ${repeat}\n`);
  return EXIT_FAILED;
}

/** True when the written file, run again, breaks the same checks (or still crashes the simulator). */
function replays(path: string, checks: readonly MailCheck[]): boolean {
  let violations: Violation[];
  try {
    violations = violationsOf(runMail(path), checks);
  } catch {
    return true; // a crash reproduces a crash
  }
  return violations.length > 0;
}
