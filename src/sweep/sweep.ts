/**
 * `mailsim sweep` (docs/research.md §3): runs this shard's runs of a sweep into an output directory and,
 * for a whole sweep, finishes it (summary, Parquet, page, representative reports — finish.ts). A shard
 * stops at its JSON lines; `mailsim merge` (merge.ts) finishes the shards together.
 *
 * Order of work: check the directory (another sweep's outputs are never overwritten; --resume continues
 * only the same sweep, version and shard), find where a resume starts, run the rest on the pool, write
 * each result in run order as soon as the runs before it are written, then finish. A progress callback
 * sees every written run; the caller owns the wall clock.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SweepUsageError } from './errors.js';
import { finishSweep } from './finish.js';
import type { Sweep } from './load.js';
import { manifestOf, manifestText, outputFiles, readManifest } from './manifest.js';
import { OrderedWriter } from './ordered-writer.js';
import { runAll } from './pool.js';
import { resumePoint } from './resume.js';
import type { SweepRunner } from './run-one.js';
import { type Shard, shardRuns, shardSize } from './shard.js';
import type { SweepSummary } from './summary-types.js';

export interface SweepOptions {
  out: string;
  workers: number;
  resume: boolean;
  shard: Shard;
  /** Called after each written run with (done, total) for this shard. */
  onProgress?: (done: number, total: number) => void;
  /** Tests: run in this thread with this runner (e.g. one whose runs throw). */
  inThread?: SweepRunner;
}

export interface SweepOutcome {
  total: number;
  resumedFrom: number;
  crashed: number;
  failed: number;
  finished: boolean;
  /** The summary of a whole sweep (null for a shard). */
  summary: SweepSummary | null;
}

export async function runSweep(sweep: Sweep, options: SweepOptions): Promise<SweepOutcome> {
  const { out, shard } = options;
  prepareDirectory(sweep, options);
  const runsPath = join(out, outputFiles.runs);
  const recipientsPath = join(out, outputFiles.recipients);
  const total = shardSize(sweep.runs, shard);
  const resumedFrom = options.resume ? await resumePoint(runsPath, recipientsPath, shardRuns(sweep.runs, shard)) : 0;
  const runsFd = openSync(runsPath, 'a');
  const recipientsFd = openSync(recipientsPath, 'a');
  let crashed = 0;
  let failed = 0;
  try {
    const writer = new OrderedWriter(runsFd, recipientsFd, shardRuns(sweep.runs, shard, resumedFrom));
    options.onProgress?.(resumedFrom, total);
    await runAll(sweep, shardRuns(sweep.runs, shard, resumedFrom), options.workers, (result) => {
      if (result.outcome === 'crash') crashed++;
      else if (result.outcome === 'failed') failed++;
      writer.accept(result);
      options.onProgress?.(resumedFrom + writer.written, total);
    }, options.inThread);
    if (writer.pending !== 0) throw new Error(`internal: ${writer.pending} results never written`);
  } finally {
    closeSync(runsFd);
    closeSync(recipientsFd);
  }
  const finished = shard.count === 1;
  const summary = finished ? await finishSweep(sweep, out) : null;
  return { total, resumedFrom, crashed, failed, finished, summary };
}

/** Makes the directory ready: a fresh one gets the manifest; a used one only with --resume of the same sweep. */
function prepareDirectory(sweep: Sweep, options: SweepOptions): void {
  const { out, shard, resume } = options;
  if (existsSync(out) && !statSync(out).isDirectory()) throw new SweepUsageError(`--out ${out} is a file, not a directory`);
  mkdirSync(out, { recursive: true });
  const manifest = manifestOf(sweep, shard);
  const existing = readManifest(out);
  const hasRows = existsSync(join(out, outputFiles.runs)) && statSync(join(out, outputFiles.runs)).size > 0;
  if (existing === null) {
    if (hasRows) throw new SweepUsageError(`${out} holds a ${outputFiles.runs} without a ${outputFiles.manifest}: not a sweep's output; choose another --out`);
    writeFileSync(join(out, outputFiles.manifest), manifestText(manifest));
    return;
  }
  if (!resume) throw new SweepUsageError(`${out} already holds the outputs of a sweep (${existing.name}); give --resume to continue it, or choose another --out`);
  if (existing.sweepHash !== manifest.sweepHash) throw new SweepUsageError(`${out} holds the outputs of another sweep (${existing.name}, hash ${existing.sweepHash.slice(0, 12)}…; this one is ${manifest.sweepHash.slice(0, 12)}…): cannot resume it with this file`);
  if (existing.version !== manifest.version) throw new SweepUsageError(`${out} was written by mailsim ${existing.version}, this is ${manifest.version}: runs may differ, so it cannot be resumed; start a new --out`);
  if (existing.shard.index !== shard.index || existing.shard.count !== shard.count) {
    throw new SweepUsageError(`${out} holds shard ${existing.shard.index}/${existing.shard.count}, this is ${shard.index}/${shard.count}: resume it with the same shard`);
  }
}
