/**
 * `npm run bench`: runs every benchmark under bench/ in turn. Each benchmark module exports a
 * `run…Bench()` returning its results and a `print…Bench(results)`; add new ones to the list below.
 */
import { printKernelBench, runKernelBench } from './kernel.js';

const benchmarks: Array<{ name: string; run: () => void }> = [{ name: 'kernel', run: () => printKernelBench(runKernelBench()) }];

for (const bench of benchmarks) {
  console.log(`# ${bench.name}`);
  bench.run();
}
