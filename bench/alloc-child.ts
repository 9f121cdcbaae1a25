/**
 * Where a benchmark world allocates, for `npm run bench -- --alloc-profile [bulk|outage] [N]`
 * (bench/alloc-profile.ts): V8's sampling heap profiler, told to keep the samples of objects the
 * garbage collector has already freed, records every allocation site of one run — what the bench's
 * "allocation per end-to-end message" figure adds up. Unlike CPU time, the bytes do not depend on the
 * machine's other load, so a change's before/after can be compared on a busy machine. Writes the
 * profile (a .heapprofile that Chrome DevTools opens) to the folder given and prints its path.
 * A world of 500 messages runs first, unsampled, so start-up and JIT compilation are not counted.
 * Runs compiled (reports/bench-build/bench/alloc-child.js), like the other children.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { runScenarioWorld } from '../src/runner/run.js';
import { bulkScenario, outageScenario } from './scenarios.js';

const [kindArg = 'bulk', countArg = '5000', dir = '.'] = process.argv.slice(2);
const kind = kindArg === 'outage' ? 'outage' : 'bulk';
const worldOf = (count: number) => (kind === 'outage' ? outageScenario(count) : bulkScenario({ count }));

/** One sampled allocation every this many bytes, on average. */
const samplingIntervalBytes = 1024;

const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));

runScenarioWorld(worldOf(500), { keepTrace: false });
await post('HeapProfiler.enable');
await post('HeapProfiler.startSampling', { samplingInterval: samplingIntervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
runScenarioWorld(worldOf(Number(countArg)), { keepTrace: false });
const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
const path = join(dir, `alloc-${kind}-${countArg}.heapprofile`);
writeFileSync(path, JSON.stringify(profile));
console.log(path);
