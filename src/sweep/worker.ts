/**
 * A sweep worker (a worker_threads thread of src/sweep/pool.ts): it gets the loaded sweep once, as
 * the pool's workerData, and then batches of run numbers; it answers each batch with the runs' JSON lines
 * (serialised here, in parallel, so the main thread only writes them and the message carries strings). It reads no
 * file, so every worker and the main thread see exactly the same sweep.
 */
import Tinypool from 'tinypool';
import type { Sweep } from './load.js';
import { linesOf, type RunLines } from './rows.js';
import { SweepRunner } from './run-one.js';

const runner = new SweepRunner((Tinypool.workerData as { sweep: Sweep }).sweep);

export default function runBatch(task: { runs: number[] }): RunLines[] {
  return task.runs.map((run) => linesOf(runner.run(run)));
}
