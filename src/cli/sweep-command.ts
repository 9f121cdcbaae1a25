/**
 * `mailsim sweep FILE` and `mailsim merge DIR…` (docs/research.md §3, §6). Loads the sweep (every
 * problem at its file:line:column, exit 2), runs it with a progress display — a bar with done/total,
 * runs/s and ETA on a terminal, a plain line every tenth otherwise — and prints where the outputs are
 * and, for a whole sweep, a table of the points (text-table.ts).
 * Exit 0 when every run ran (whether its expectations held is data, in the outputs), 1 when a run
 * crashed (recorded as its outcome `crash`) or the sweep stopped (a worker died, the disk filled: what
 * was written is kept, and --resume continues), 2 for bad input.
 */
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { SweepError, SweepUsageError } from '../sweep/errors.js';
import { loadSweep } from '../sweep/load.js';
import { mergeShards } from '../sweep/merge.js';
import { outputFiles } from '../sweep/manifest.js';
import { shardFrom } from '../sweep/shard.js';
import { runSweep } from '../sweep/sweep.js';
import { summaryTable } from '../sweep/text-table.js';
import { paint } from './output.js';
import { progressDisplay } from './progress.js';

const EXIT_OK = 0;
const EXIT_CRASHED = 1;
const EXIT_BAD_INPUT = 2;

export interface SweepCommandOptions {
  out?: string;
  workers?: string;
  resume?: boolean;
  shard?: string;
  shardCount?: string;
}

export async function sweepCommand(file: string, options: SweepCommandOptions): Promise<number> {
  let out: string | null = null;
  try {
    const workers = options.workers === undefined ? availableParallelism() : parseWorkers(options.workers);
    const shard = shardFrom(options.shard, options.shardCount, process.env);
    const sweep = loadSweep(file);
    out = options.out ?? join('sweeps', basename(file, extname(file)));
    const progress = progressDisplay(process.stderr, `${sweep.name}${shard.count > 1 ? ` shard ${shard.index}/${shard.count}` : ''}`);
    const outcome = await runSweep(sweep, { out, workers, resume: options.resume ?? false, shard, onProgress: progress.update });
    progress.end();
    const colour = paint(process.stdout);
    const ran = outcome.total - outcome.resumedFrom;
    const what = outcome.finished ? `${outputFiles.summary}, ${outputFiles.html}, ${outputFiles.runs}, ${outputFiles.recipients}, *.parquet` : `${outputFiles.runs}, ${outputFiles.recipients} (merge the shards with mailsim merge)`;
    process.stdout.write(
      `${outcome.crashed > 0 ? colour.red('✗') : colour.green('✓')} ${sweep.name}: ${ran} run${ran === 1 ? '' : 's'}${outcome.resumedFrom > 0 ? ` (resumed after ${outcome.resumedFrom})` : ''} of ${sweep.points} point${sweep.points === 1 ? '' : 's'} × ${sweep.seeds.length} seed${sweep.seeds.length === 1 ? '' : 's'}` +
        `${shard.count > 1 ? ` (shard ${shard.index}/${shard.count}: ${outcome.total} runs)` : ''}; ${outcome.failed} failed expectations, ${outcome.crashed} crashed → ${out}/{${what}}\n`,
    );
    if (outcome.summary !== null) process.stdout.write(`${summaryTable(outcome.summary)}\n`);
    return outcome.crashed > 0 ? EXIT_CRASHED : EXIT_OK;
  } catch (error) {
    if (error instanceof SweepError || error instanceof SweepUsageError || out === null) return badInput('sweep', error);
    // Not the input: a worker thread died (out of memory?), the disk filled … What was written stays.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mailsim sweep: stopped: ${message.split('\n')[0]}; the runs written so far are kept in ${out}: continue with --resume\n`);
    return EXIT_CRASHED;
  }
}

export async function mergeCommand(dirs: readonly string[], options: { out: string }): Promise<number> {
  try {
    const { runs, shards } = await mergeShards(dirs, options.out);
    process.stdout.write(`${paint(process.stdout).green('✓')} merged ${shards} shard${shards === 1 ? '' : 's'}, ${runs} runs → ${options.out}\n`);
    return EXIT_OK;
  } catch (error) {
    return badInput('merge', error);
  }
}

function parseWorkers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new SweepUsageError(`--workers takes a whole number, 1 or more; got "${text}"`);
  return Number(text);
}

function badInput(command: string, error: unknown): number {
  if (error instanceof SweepError) {
    for (const line of error.format()) process.stderr.write(`${line}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SweepUsageError) {
    process.stderr.write(`mailsim ${command}: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  throw error;
}
