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
  /** CPU time of the runs, every thread of the process. */
  cpuMs: number;
  /** CPU time of the runs on the main thread (null off Linux). */
  mainCpuMs: number | null;
  maxRssBytes: number;
}

/**
 * One sweep in a child process. `oneCpu` pins it to CPU 0 with util-linux's taskset: a one-worker sweep
 * otherwise uses a second core for V8's garbage collector and optimising compiler (about 1.3 cores
 * busy), which a many-worker sweep cannot, so "one worker" and "one core" are different baselines.
 */
export function runSweepChild(runs: number, workers: number, oneCpu = false): Promise<SweepFigure> {
  const runtime = childRuntime();
  const script = runtime.script.replace(/scenario-child\.(js|ts)$/, 'sweep-child.$1');
  const node = [process.execPath, ...runtime.nodeArgs, script, String(runs), String(workers)];
  const [command, ...args] = oneCpu ? ['taskset', '-c', '0', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
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
