/**
 * Runs one benchmark world in this process and prints one JSON line with what it measured, so the
 * parent (bench/run.ts) can run each size in a fresh process with its own memory cap and read the
 * peak RSS of that size alone.
 *
 *   npx tsx bench/scenario-child.ts bulk 20000     # N messages over 587 → 25 → Maildir
 *   npx tsx bench/scenario-child.ts outage 1000    # 7 days, MX down, N queued
 *
 * `wallMs` covers building the world, running it and building the report (runScenarioWorld with
 * keepTrace false), not loading the modules. The result also says how many recipients ended
 * delivered / deferred / bounced, so a benchmark that lost mail cannot look fast.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { runScenarioWorld } from '../src/runner/run.js';
import { bulkScenario, outageScenario } from './scenarios.js';

export interface ChildResult {
  kind: string;
  count: number;
  wallMs: number;
  /** CPU time (user + system) of the run: less sensitive than wall time to other load on the machine. */
  cpuMs: number;
  events: number;
  traceEvents: number;
  simulatedMs: number;
  maxRssBytes: number;
  /** Bytes the run allocated on the V8 heap (from the heap before and after each GC: `allocatedBytes`). */
  allocatedBytes: number;
  gcCount: number;
  /** Time the GCs took on the main thread, ms. */
  gcMs: number;
  delivered: number;
  deferred: number;
  bounced: number;
  otherRecipients: number;
  passed: boolean;
}

export function runChild(kind: string, count: number): ChildResult {
  const input = kind === 'outage' ? outageScenario(count) : bulkScenario({ count });
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  profiler.start();
  const startedMs = performance.now();
  const startedCpu = process.cpuUsage();
  const { report, world } = runScenarioWorld(input, { keepTrace: false });
  const wallMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(startedCpu);
  const gcs = profiler.stop()?.statistics ?? [];
  const heapAfter = getHeapStatistics().used_heap_size;
  let delivered = 0;
  let deferred = 0;
  let bounced = 0;
  let otherRecipients = 0;
  for (const message of report.messages) {
    if (message.dsn) continue;
    for (const recipient of message.recipients) {
      if (recipient.status === 'delivered') delivered++;
      else if (recipient.status === 'deferred') deferred++;
      else if (recipient.status === 'bounced') bounced++;
      else otherRecipients++;
    }
  }
  return {
    kind,
    count,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    events: report.stats.events,
    traceEvents: world.sim.trace.count,
    simulatedMs: report.endedAtMs,
    // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss).
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    allocatedBytes: allocatedBytes(heapBefore, gcs, heapAfter),
    gcCount: gcs.length,
    gcMs: gcs.reduce((sum, gc) => sum + gc.cost, 0) / 1000,
    delivered,
    deferred,
    bounced,
    otherRecipients,
    passed: report.passed,
  };
}

interface GcStatistic {
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/**
 * What the run allocated: between two GCs the heap only grows by allocation, so the allocation is the
 * sum of each GC's heap before it minus the heap after the previous one (the start for the first), plus
 * the growth after the last. Objects allocated and freed by the same GC are counted; nothing is counted twice.
 */
export function allocatedBytes(startBytes: number, gcs: readonly GcStatistic[], endBytes: number): number {
  let total = 0;
  let previousAfter = startBytes;
  for (const gc of gcs) {
    total += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previousAfter);
    previousAfter = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return total + Math.max(0, endBytes - previousAfter);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2] ?? 'bulk';
  const count = Number(process.argv[3] ?? 2000);
  if (!['bulk', 'outage'].includes(kind) || !Number.isSafeInteger(count) || count < 1) {
    console.error('usage: tsx bench/scenario-child.ts bulk|outage COUNT');
    process.exit(2);
  }
  console.log(JSON.stringify(runChild(kind, count)));
}
