/**
 * One fault-property measurement in a fresh process, for `npm run bench -- --only=property`
 * (bench/property.ts): `assertMail(faultSchedule('scenarios/backup-mx.yaml'), check)` over RUNS cases,
 * after a warm-up search of WARMUP others (JIT, caches). Each case is a drawn fault schedule (every
 * kind, `chance:` included), a run with the trace kept (`runMail`) and the check, which reads the
 * report's no-loss invariant and so passes: the search runs every case. Prints one JSON line: the
 * runs, their wall time and this process's CPU time over them (all threads: V8's GC helpers too).
 * Runs compiled (reports/bench-build/bench/property-child.js) from the repository's folder.
 */
import { assertMail, check, faultSchedule } from '../src/testing/index.js';

const [runsArg = '1000', warmUpArg = '200'] = process.argv.slice(2);
const noLossInvariant = check('no-loss invariant', (run) => run.report.invariants.filter((i) => i.name === 'no-loss' && !i.passed).map((i) => i.detail));
const arbitrary = faultSchedule('scenarios/backup-mx.yaml');
assertMail(arbitrary, noLossInvariant, { numRuns: Number(warmUpArg), seed: 1 });
const cpuBefore = process.cpuUsage();
const started = performance.now();
const summary = assertMail(arbitrary, noLossInvariant, { numRuns: Number(runsArg), seed: 2 });
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ runs: summary.runs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
