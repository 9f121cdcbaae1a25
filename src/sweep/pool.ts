/**
 * Where a sweep's runs run (docs/research.md §3): in this thread for one worker, or on a tinypool of
 * worker_threads (src/sweep/worker.ts) for more. Runs go out in batches, at most a few batches per
 * worker in flight, so memory stays flat however many runs there are; results come back in any order,
 * as each run's JSON lines (rows.ts `linesOf`, made in the worker: a string is cheap to pass between
 * threads, and the main thread, which shares the cores with the workers, only appends it), and the
 * caller (src/sweep/sweep.ts) writes them in run order. Which thread ran a run changes nothing
 * in its rows: each run depends only on the sweep, its point and its seed.
 */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { Sweep } from './load.js';
import { linesOf, type RunLines } from './rows.js';
import { SweepRunner } from './run-one.js';

/** Runs per message to a worker: enough to amortise the message, few enough to balance. */
const batchSize = 8;
/** Batches in flight per worker. */
const batchesInFlightPerWorker = 4;

/** Runs `runs` (in order), calling `onResult` for each; resolves when all are done. `inThread` (tests) runs them here with that runner. */
export async function runAll(sweep: Sweep, runs: Iterable<number>, workers: number, onResult: (result: RunLines) => void, inThread?: SweepRunner): Promise<void> {
  if (workers <= 1 || inThread !== undefined) {
    const runner = inThread ?? new SweepRunner(sweep);
    for (const run of runs) onResult(linesOf(runner.run(run)));
    return;
  }
  const pool = new Tinypool({ filename: workerFile(), minThreads: workers, maxThreads: workers, workerData: { sweep } });
  try {
    const inFlight = new Set<Promise<void>>();
    for (const batch of batches(runs)) {
      const job: Promise<void> = pool.run({ runs: batch }).then((results: RunLines[]) => {
        for (const result of results) onResult(result);
        inFlight.delete(job);
      });
      inFlight.add(job);
      if (inFlight.size >= workers * batchesInFlightPerWorker) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.destroy();
  }
}

function* batches(runs: Iterable<number>): Generator<number[]> {
  let batch: number[] = [];
  for (const run of runs) {
    batch.push(run);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The worker module: compiled JS beside this file, or the TypeScript source through tsx. */
function workerFile(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? './worker-from-source.mjs' : './worker.js', import.meta.url));
}
