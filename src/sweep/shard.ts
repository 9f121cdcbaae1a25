/**
 * Shards (docs/research.md §6): shard I of N runs the runs whose number is I modulo N — round robin, so
 * every shard gets a like share of every grid point, whatever the grid's heavy corners. The index comes
 * from `--shard I/N`, or from the engine that started this process: Slurm array jobs
 * (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX,
 * with the count given by --shard-count), AWS Batch array jobs (AWS_BATCH_JOB_ARRAY_INDEX, with
 * --shard-count).
 */
import { SweepUsageError } from './errors.js';

export interface Shard {
  index: number;
  count: number;
}

export const wholeSweep: Shard = { index: 0, count: 1 };

const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

/** Parses `I/N`. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new SweepUsageError(`--shard takes I/N, the I-th of N slices counted from 0 (e.g. --shard 0/4); got "${text}"`);
  return checked(Number(match[1]), Number(match[2]), `--shard ${text.trim()}`);
}

function checked(index: number, count: number, source: string): Shard {
  if (count < 1) throw new SweepUsageError(`${source}: the number of shards must be 1 or more`);
  if (index >= count) throw new SweepUsageError(`${source}: shard index ${index} is out of range: shards are numbered 0 to ${count - 1}`);
  return { index, count };
}

/** The shard from --shard, else from the environment, else the whole sweep. */
export function shardFrom(option: string | undefined, shardCount: string | undefined, env: NodeJS.ProcessEnv): Shard {
  if (option !== undefined) return parseShard(option);
  const count = shardCount === undefined ? null : wholeNumber(shardCount);
  if (shardCount !== undefined && count === null) throw new SweepUsageError(`--shard-count takes a whole number; got "${shardCount}"`);
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (slurm !== undefined) {
    const index = wholeNumber(slurm);
    const total = count ?? (env.SLURM_ARRAY_TASK_COUNT !== undefined ? wholeNumber(env.SLURM_ARRAY_TASK_COUNT) : null);
    if (index === null || total === null) throw new SweepUsageError(`SLURM_ARRAY_TASK_ID=${slurm} needs SLURM_ARRAY_TASK_COUNT (or --shard-count N) to be a whole number; submit with --array=0-(N-1)`);
    return checked(index, total, `SLURM_ARRAY_TASK_ID=${slurm}`);
  }
  for (const name of ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    const index = wholeNumber(value);
    if (index === null) throw new SweepUsageError(`${name}=${value} is not a whole number`);
    if (count === null) throw new SweepUsageError(`${name} is set (shard ${value}): give the number of shards with --shard-count N`);
    return checked(index, count, `${name}=${value}`);
  }
  if (count !== null && count !== 1) throw new SweepUsageError('--shard-count needs a shard index: --shard I/N, or an engine\'s index variable (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)');
  return wholeSweep;
}

/** The runs of a shard, in order. */
export function* shardRuns(runs: number, shard: Shard, from = 0): Generator<number> {
  for (let run = shard.index + from * shard.count; run < runs; run += shard.count) yield run;
}

/** How many runs a shard has. */
export function shardSize(runs: number, shard: Shard): number {
  return shard.index >= runs ? 0 : Math.ceil((runs - shard.index) / shard.count);
}
