/**
 * A sweep worker (a worker_threads thread of src/sweep/pool.ts): it gets the loaded sweep once, as
 * the pool's workerData, and then batches of run numbers; it answers each batch with the runs' rows. It reads no
 * file, so every worker and the main thread see exactly the same sweep.
 */
import Tinypool from 'tinypool';
import type { Sweep } from './load.js';
import type { RunResult } from './rows.js';
import { SweepRunner } from './run-one.js';

const runner = new SweepRunner((Tinypool.workerData as { sweep: Sweep }).sweep);

export default function runBatch(task: { runs: number[] }): RunResult[] {
  return task.runs.map((run) => runner.run(run));
}
