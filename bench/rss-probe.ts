/**
 * When does a scaling run's peak RSS happen? Runs a bulk world in 10-virtual-second steps and prints,
 * after each step and after each phase of the end (report, digest), the RSS and the V8 heap in use —
 * after a full GC when --expose-gc is given, so the figure is what is live, not garbage.
 *
 *   node --expose-gc --max-semi-space-size=64 reports/bench-build/bench/rss-probe.js 200000
 */
import { getHeapStatistics } from 'node:v8';
import { reportOf } from '../src/runner/run.js';
import { World } from '../src/nodes/world.js';
import { validateScenarioObject } from '../src/scenario/load.js';
import { bulkScenario } from './scenarios.js';

const count = Number(process.argv[2] ?? 20000);
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
function sample(label: string): void {
  const rss = process.memoryUsage.rss();
  const heap = getHeapStatistics();
  let live = '';
  if (gc) {
    gc();
    live = ` live ${mib(getHeapStatistics().used_heap_size)}`;
  }
  console.log(`${label}\trss ${mib(rss)}\tmaxrss ${mib(process.resourceUsage().maxRSS * 1024)}\theap ${mib(heap.used_heap_size)}${live}\text ${mib(process.memoryUsage().external + process.memoryUsage().arrayBuffers)}`);
}
const scenario = validateScenarioObject(bulkScenario({ count }));
sample('start');
const world = new World(scenario, { keepTrace: false });
world.start();
sample('started');
const stepMs = 10_000 * Math.max(1, Math.round(count / 100_000));
let result = world.sim.runUntil(world.sim.nowMs);
for (let t = stepMs; result.reason !== 'idle' && t < scenario.untilMs; t += stepMs) {
  result = world.sim.runUntil(t);
  sample(`t=${t / 1000}s events ${world.sim.eventsRun}`);
}
const report = reportOf(world, scenario, world.lastActivityMs());
sample(`report built (${report.messages.length} messages)`);
const perMessage = (getHeapStatistics().used_heap_size) / count;
console.log(`heap per message ${perMessage.toFixed(0)} B`);
