/**
 * The sweep figures of issue 17 (`npm run bench -- --only=sweep`): throughput of a sweep of
 * `scenarios/backup-mx.yaml` with one worker and with every core (targets: ≥ 400 runs/s on 2 cores,
 * and ≥ 1.8× the one-worker rate with 2 workers), and peak RSS as the number of runs grows (target: a
 * 100,000-run sweep under 500 MB; that size runs with --full, the default stops at 20,000). Each
 * figure is a fresh process (bench/sweep-child.ts, compiled), so one size's heap does not carry over.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { childRuntime } from './compiled.js';

export interface SweepFigure {
  runs: number;
  workers: number;
  runsMs: number;
  totalMs: number;
  maxRssBytes: number;
}

export function runSweepChild(runs: number, workers: number): Promise<SweepFigure> {
  const runtime = childRuntime();
  const script = runtime.script.replace(/scenario-child\.(js|ts)$/, 'sweep-child.$1');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...runtime.nodeArgs, script, String(runs), String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`sweep child exited ${code}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as SweepFigure);
    });
  });
}

export const sweepTargets = { runsPerSecond: 400, twoWorkerSpeedup: 1.8, rssBytes100k: 500e6 };

export function coresForSweep(): number {
  return availableParallelism();
}
