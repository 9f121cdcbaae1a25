/**
 * One sweep in a fresh process, for `npm run bench -- --only=sweep` (bench/sweep.ts): `scenarios/backup-mx.yaml`
 * over RUNS seeds (one grid point), on WORKERS worker threads, into a temp folder; prints one JSON line:
 * the runs, the wall time of the runs alone and of the whole sweep (with the summary, Parquet and the
 * page), the process's peak RSS (worker threads included: they live in this process), and the CPU time
 * of the runs: the whole process's (every thread: main, workers, V8's GC and compiler helpers) and the
 * main thread's alone (Linux's /proc/thread-self; null elsewhere). CPU per run does not depend on the
 * machine's other load the way wall time does, and cpuMs / runsMs is how many cores the sweep kept busy.
 * Run compiled (reports/bench-build/bench/sweep-child.js), so the pool's workers are compiled too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep } from '../src/sweep/load.js';
import { runSweep } from '../src/sweep/sweep.js';

const [runsArg = '1000', workersArg = '1'] = process.argv.slice(2);

/** This thread's CPU time in ms (utime + stime, fields 14 and 15 of /proc/thread-self/stat), or null off Linux. */
function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const repoDir = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-bench-sweep-'));
try {
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, `name: bench\nscenario: ${join(repoDir, 'scenarios', 'backup-mx.yaml')}\nseeds: ${Number(runsArg)}\n`);
  const sweep = loadSweep(file);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const mainStart = threadCpuMs();
  let runsDoneMs = 0;
  let cpuMs = 0;
  let mainCpuMs: number | null = null;
  await runSweep(sweep, {
    out: join(dir, 'out'),
    workers: Number(workersArg),
    resume: false,
    shard: { index: 0, count: 1 },
    onProgress: (done, total) => {
      if (done !== total) return;
      runsDoneMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuStart);
      cpuMs = (cpu.user + cpu.system) / 1000;
      const mainNow = threadCpuMs();
      mainCpuMs = mainNow === null || mainStart === null ? null : mainNow - mainStart;
    },
  });
  const totalMs = performance.now() - started;
  console.log(JSON.stringify({ runs: sweep.runs, workers: Number(workersArg), runsMs: runsDoneMs, totalMs, cpuMs, mainCpuMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
