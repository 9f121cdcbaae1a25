/**
 * `mailsim sweep` and `mailsim merge` as a user meets them (docs/research.md §3, §6, §8): the real
 * bin/mailsim.js in a child process. A sweep prints plain progress lines off a terminal and a ✓ line,
 * exits 0; bad input — a bad sweep file, --shard 5/4, a merge of mismatched shards — gets one clear
 * line each and exit 2, never a stack trace; the Slurm variables pick the shard.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'mailsim.js');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mailsim(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const sweepFile = join(dir, 'small.yaml');
writeFileSync(sweepFile, `scenario: ${join(root, 'scenarios', 'backup-mx.yaml')}\nseeds: 3\nvary:\n  /faults/0/until: [10m, 3h]\n`);

describe('mailsim sweep and merge', () => {
  it('runs a sweep: progress lines on stderr, a ✓ line, the outputs, exit 0', async () => {
    const { code, stdout, stderr } = await mailsim(['sweep', sweepFile, '--out', 'one', '--workers', '1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ small: 6 runs of 2 points × 3 seeds; \d+ failed expectations, 0 crashed → one\/\{summary\.json/m);
    expect(stderr).toMatch(/^small: 6\/6 runs \(100%\), [\d.]+ runs\/s$/m);
    for (const name of ['sweep.json', 'runs.jsonl', 'recipients.jsonl', 'summary.json', 'runs.parquet', 'recipients.parquet', 'reports/p1.html']) expect(existsSync(join(dir, 'one', name))).toBe(true);
  }, 120_000);

  it('takes the shard from Slurm\'s variables, and merge joins the shards into the same files', async () => {
    for (const index of ['0', '1']) {
      const { code, stdout } = await mailsim(['sweep', sweepFile, '--out', `shard-${index}`, '--workers', '1'], { SLURM_ARRAY_TASK_ID: index, SLURM_ARRAY_TASK_COUNT: '2' });
      expect(code).toBe(0);
      expect(stdout).toContain(`(shard ${index}/2: 3 runs)`);
    }
    const merged = await mailsim(['merge', 'shard-1', 'shard-0', '--out', 'merged']);
    expect(merged).toMatchObject({ code: 0, stdout: '✓ merged 2 shards, 6 runs → merged\n' });
    for (const name of ['runs.jsonl', 'recipients.jsonl', 'summary.json', 'runs.parquet']) expect(readFileSync(join(dir, 'merged', name))).toEqual(readFileSync(join(dir, 'one', name)));
  }, 120_000);

  it('bad input: one clear line each, exit 2, no stack trace', async () => {
    writeFileSync(join(dir, 'bad.yaml'), `scenario: ${join(root, 'scenarios', 'backup-mx.yaml')}\nseeds: 3\nvary:\n  /faults/0/until: [10m, soon]\n`);
    const cases: Array<[string[], RegExp]> = [
      [['sweep', 'bad.yaml'], /^bad\.yaml:4:26: vary\.\/faults\/0\/until\[1\]: the scenario refuses this value of \/faults\/0\/until: .*"soon"/],
      [['sweep', sweepFile, '--shard', '5/4'], /^mailsim sweep: --shard 5\/4: shard index 5 is out of range: shards are numbered 0 to 3$/],
      [['sweep', sweepFile, '--workers', '0'], /^mailsim sweep: --workers takes a whole number, 1 or more; got "0"$/],
      [['sweep', 'nowhere.yaml'], /^nowhere\.yaml: cannot read the sweep file: no such file$/],
      [['merge', 'shard-0', '--out', 'm2'], /^mailsim merge: shard 1 of 2 is missing$/],
      [['merge', 'one', 'shard-0', '--out', 'm3'], /^mailsim merge: shard-0 is shard 0\/2, one is 0\/1: shards of one split have one count$/],
      [['sweep', sweepFile, '--out', 'one'], /^mailsim sweep: one already holds the outputs of a sweep \(small\); give --resume/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await mailsim(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim(), args.join(' ')).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
