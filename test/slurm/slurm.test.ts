/**
 * `mailsim sweep` on a real Slurm (issue 17): scripts/slurm/cluster.sh starts a private one-node
 * cluster in a temporary directory; examples/slurm/submit.sh submits the example array job of 4
 * shards (examples/slurm/sweep.sbatch: each task finds its shard in SLURM_ARRAY_TASK_ID/COUNT) and the
 * merge that depends on it (merge.sbatch); the merged directory must hold the same files, byte for
 * byte, as one machine running `mailsim sweep` on the same file. The cluster is stopped in afterAll,
 * also when the test fails.
 *
 * Needs root and Debian's slurm-wlm and munge: skipped with a message without them, except in CI
 * (CI set), where it fails instead (CI installs them with scripts/install-system-deps.sh).
 * The mailsim command is the checkout's bin/mailsim.js, with absolute paths throughout: a Slurm job
 * starts in the directory it was submitted from, which says nothing about where the files are.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, run, tempDir } from '../interop/harness.js';
import { expectSameOutputs, filesBelow, noShardVariables } from '../sweep/same-outputs.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'mailsim.js');
const clusterScript = join(repo, 'scripts', 'slurm', 'cluster.sh');
const submitScript = join(repo, 'examples', 'slurm', 'submit.sh');
const shards = 4;
/** Bound on the array and the merge together; they take about 10 s on an idle 2-core machine. */
const jobsBoundMs = 150_000;
const terminal = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** Root and the Slurm and munge commands; otherwise skip with why, or fail under CI. */
function slurmReady(): boolean {
  const missing = ['slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo', 'munged', 'munge', 'unmunge', 'runuser'].filter((name) => findTool(name) === null);
  const problem = process.getuid?.() !== 0 ? 'not root (the private cluster runs its daemons as root)' : missing.length > 0 ? `missing ${missing.join(', ')}` : null;
  if (problem === null) return true;
  const message = `slurm: ${problem} (install slurm-wlm and munge with scripts/install-system-deps.sh, as root)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message}: skipping`);
  return false;
}

function logsOf(dir: string): string {
  try {
    return filesBelow(dir)
      .map((file) => `--- ${file}\n${readFileSync(join(dir, file), 'utf8').slice(-2000)}`)
      .join('\n');
  } catch {
    return `(no logs in ${dir})`;
  }
}

const enabled = slurmReady();

describe.skipIf(!enabled)('mailsim sweep on a real one-node Slurm', () => {
  let temp: ReturnType<typeof tempDir> | undefined;
  let clusterDir = '';
  let env: Record<string, string> = {};
  let started = false;

  /** JobState of every job or array task `id` names, from scontrol (one line each with -o). */
  async function jobStates(id: string): Promise<string[]> {
    const shown = await run('scontrol', ['-o', 'show', 'job', id], { env, timeoutMs: 20_000 });
    expect(shown.code, shown.stderr).toBe(0);
    return [...shown.stdout.matchAll(/\bJobState=(\S+)/g)].map((m) => m[1]!);
  }

  /** Waits until every task of the array and the merge ended; fails with the logs unless all completed. */
  async function awaitJobs(array: string, merge: string, logs: string): Promise<void> {
    const deadline = Date.now() + jobsBoundMs;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = [...(await jobStates(array)), ...(await jobStates(merge))];
      if (states.length === shards + 1 && states.every((state) => terminal.has(state))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const queue = await run('squeue', ['-a'], { env });
    expect(states, `job states (array ${array}, merge ${merge}); squeue:\n${queue.stdout}\n${logsOf(logs)}\n${logsOf(join(clusterDir, 'log'))}`).toEqual(Array(shards + 1).fill('COMPLETED'));
  }

  beforeAll(async () => {
    temp = tempDir('mailsim-slurm-');
    clusterDir = join(temp.path, 'cluster');
    env = { SLURM_CONF: join(clusterDir, 'slurm.conf') };
    const start = await run('bash', [clusterScript, 'start', clusterDir], { timeoutMs: 50_000 });
    started = true; // stop whatever part of it started, also when start failed
    expect(start.code, `cluster.sh start:\n${start.stdout}\n${start.stderr}`).toBe(0);
  }, 60_000);

  afterAll(async () => {
    if (started) {
      const stop = await run('bash', [clusterScript, 'stop', clusterDir], { timeoutMs: 40_000 });
      if (stop.code !== 0) console.warn(`cluster.sh stop failed:\n${stop.stdout}\n${stop.stderr}`);
    }
    temp?.remove();
  }, 60_000);

  it(
    'an array of 4 shards and the dependent merge write what one machine writes, byte for byte',
    async () => {
      const sweepFile = join(temp!.path, 'backup-mx-until.yaml');
      writeFileSync(
        sweepFile,
        [
          'name: backup-mx-until',
          `scenario: ${join(repo, 'scenarios', 'backup-mx.yaml')}`,
          'seeds: 5',
          'vary:',
          '  /faults/0/until: [30m, 3h]',
          'measure:',
          '  bootstrap: 200',
          '',
        ].join('\n'),
      );
      const out = join(temp!.path, 'out');
      const submitted = await run('bash', [submitScript, sweepFile, out, String(shards)], { env: { ...env, MAILSIM: `${process.execPath} ${bin}` }, timeoutMs: 30_000 });
      expect(submitted.code, submitted.stderr).toBe(0);
      const [, array, merge] = /array=(\d+) merge=(\d+)/.exec(submitted.stdout) ?? [];
      expect(array && merge, submitted.stdout).toBeTruthy();

      // One machine, while the cluster works.
      const single = join(temp!.path, 'single');
      const local = await run(process.execPath, [bin, 'sweep', sweepFile, '--out', single], { env: { ...noShardVariables, NO_COLOR: '1' }, timeoutMs: jobsBoundMs });
      expect(local.code, local.stderr).toBe(0);

      await awaitJobs(array!, merge!, join(out, 'logs'));
      for (let index = 0; index < shards; index++) {
        const manifest = JSON.parse(readFileSync(join(out, `shard-${index}`, 'sweep.json'), 'utf8'));
        expect(manifest.shard).toEqual({ index, count: shards });
      }
      expectSameOutputs(join(out, 'merged'), single);
    },
    jobsBoundMs + 30_000,
  );
});
