/** Shards: --shard I/N, the engines' index variables, and round-robin slices (src/sweep/shard.ts). */
import { describe, expect, it } from 'vitest';
import { parseShard, shardFrom, shardRuns, shardSize } from '../../src/sweep/shard.js';

describe('shards', () => {
  it('parses I/N and refuses what is out of range', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('5/4')).toThrow(/shard index 5 is out of range: shards are numbered 0 to 3/);
    expect(() => parseShard('4/4')).toThrow(/out of range/);
    expect(() => parseShard('0/0')).toThrow(/1 or more/);
    expect(() => parseShard('1-4')).toThrow(/takes I\/N/);
  });

  it('reads the index from Slurm, Kubernetes Indexed Jobs and AWS Batch; --shard wins', () => {
    expect(shardFrom(undefined, undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(shardFrom(undefined, '8', { JOB_COMPLETION_INDEX: '5' })).toEqual({ index: 5, count: 8 });
    expect(shardFrom(undefined, '2', { AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toEqual({ index: 1, count: 2 });
    expect(shardFrom('0/2', undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 0, count: 2 });
    expect(shardFrom(undefined, undefined, {})).toEqual({ index: 0, count: 1 });
    expect(() => shardFrom(undefined, undefined, { JOB_COMPLETION_INDEX: '1' })).toThrow(/--shard-count/);
    expect(() => shardFrom(undefined, undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/out of range/);
    expect(() => shardFrom(undefined, '4', {})).toThrow(/needs a shard index/);
  });

  it('slices round robin: every run in exactly one shard, sizes as counted', () => {
    for (const [runs, count] of [[10, 3], [3, 5], [0, 2], [12, 4]] as const) {
      const seen: number[] = [];
      for (let index = 0; index < count; index++) {
        const mine = [...shardRuns(runs, { index, count })];
        expect(mine.length).toBe(shardSize(runs, { index, count }));
        expect(mine.every((r) => r % count === index)).toBe(true);
        seen.push(...mine);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: runs }, (_, i) => i));
    }
    expect([...shardRuns(10, { index: 1, count: 3 }, 2)]).toEqual([7]);
  });
});
