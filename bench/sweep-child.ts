/**
 * One sweep in a fresh process, for `npm run bench -- --only=sweep` (bench/sweep.ts): `scenarios/backup-mx.yaml`
 * over RUNS seeds (one grid point), on WORKERS worker threads, into a temp folder; prints one JSON line:
 * the runs, the wall time of the runs alone and of the whole sweep (with the summary, Parquet and the
 * page), and the process's peak RSS (worker threads included: they live in this process).
 * Run compiled (reports/bench-build/bench/sweep-child.js), so the pool's workers are compiled too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep } from '../src/sweep/load.js';
import { runSweep } from '../src/sweep/sweep.js';

const [runsArg = '1000', workersArg = '1'] = process.argv.slice(2);
const repoDir = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-bench-sweep-'));
try {
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, `name: bench\nscenario: ${join(repoDir, 'scenarios', 'backup-mx.yaml')}\nseeds: ${Number(runsArg)}\n`);
  const sweep = loadSweep(file);
  const started = performance.now();
  let runsDoneMs = 0;
  await runSweep(sweep, {
    out: join(dir, 'out'),
    workers: Number(workersArg),
    resume: false,
    shard: { index: 0, count: 1 },
    onProgress: (done, total) => {
      if (done === total) runsDoneMs = performance.now() - started;
    },
  });
  const totalMs = performance.now() - started;
  console.log(JSON.stringify({ runs: sweep.runs, workers: Number(workersArg), runsMs: runsDoneMs, totalMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
