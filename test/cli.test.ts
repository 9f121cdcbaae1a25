/**
 * The command line as a user meets it (docs/reference.md §10): the real `bin/mailsim.js` in a child process.
 * Exit 0 when everything held, 1 when something did not, 2 on bad input; `--json` prints only JSON;
 * reports are written; a broken scenario gets file:line:column and the key path, never a stack trace.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'mailsim.js');

function mailsim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('mailsim CLI', () => {
  const out = mkdtempSync(join(tmpdir(), 'mailsim-cli-'));

  it('--help prints usage and exits 0', async () => {
    const { code, stdout } = await mailsim(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: mailsim/);
    for (const command of ['run', 'check', 'serve', 'explore']) expect(stdout).toContain(command);
  });

  it('run: a passing scenario prints a ✓ line, writes the three reports and exits 0', async () => {
    const { code, stdout } = await mailsim(['run', '--out', out, 'scenarios/backup-mx.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ primary MX down for two hours.*seed 7, simulated 4h/m);
    for (const ext of ['json', 'md', 'html']) expect(existsSync(join(out, `backup-mx.${ext}`))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'backup-mx.json'), 'utf8'));
    expect(report.format).toBe('mailsim-report/1');
    expect(report.passed).toBe(true);
  });

  it('run --json prints only the JSON report; --seed overrides the seed; --trace writes JSON lines', async () => {
    const trace = join(out, 'trace.jsonl');
    const { code, stdout } = await mailsim(['run', '--json', '--seed', '11', '--out', out, '--trace', trace, 'scenarios/alice-to-bob.yaml']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.scenario.seed).toBe(11);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('kind');
  });

  it('run --json with several files prints one JSON array', async () => {
    const { code, stdout } = await mailsim(['run', '--json', '--out', out, 'scenarios/null-mx.yaml', 'scenarios/alice-to-bob.yaml']);
    expect(code).toBe(0);
    const reports = JSON.parse(stdout);
    expect(reports.map((r: { scenario: { file: string } }) => r.scenario.file)).toEqual(['scenarios/null-mx.yaml', 'scenarios/alice-to-bob.yaml']);
  });

  it('run: a scenario whose expectation fails prints ✗ with the reason and exits 1', async () => {
    const file = join(out, 'failing.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/backup-mx.yaml'), 'utf8').replace('within: 3h', 'within: 1h'));
    const { code, stdout } = await mailsim(['run', '--out', out, file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ /m);
    expect(stdout).toMatch(/m1 landed after 2h 29m 0\.381s, more than 1h/);
  });

  it('run/check: a broken scenario exits 2 with file:line:column and the key path, no stack trace', async () => {
    const file = join(out, 'broken.yaml');
    writeFileSync(file, 'name: broken\nhosts:\n  mx1.example.org:\n    roles: [mta, mtx]\n    queue: { lifetime: 5 minutes }\n');
    for (const command of ['run', 'check']) {
      const { code, stderr } = await mailsim([command, '--out', out, file].filter((a) => command === 'run' || a !== '--out' && a !== out));
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}:4:`);
      expect(stderr).toContain('hosts.mx1.example.org.roles[1]');
      expect(stderr).toContain('hosts.mx1.example.org.queue.lifetime');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack frames
    }
  });

  it('run: a missing file and an unknown option exit 2', async () => {
    expect((await mailsim(['run', 'no/such/file.yaml'])).code).toBe(2);
    const unknown = await mailsim(['run', '--frobnicate', 'scenarios/null-mx.yaml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option/);
  });

  it('check: valid files exit 0', async () => {
    const { code, stdout } = await mailsim(['check', 'scenarios/backup-mx.yaml', 'scenarios/null-mx.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('scenarios/backup-mx.yaml: ok');
  });
});
