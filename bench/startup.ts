/**
 * Start-up time of the `mailsim` command, as a user meets it: `mailsim --help` and a small
 * `mailsim run` (scenarios/null-mx.yaml, ~30 events), wall time of the whole process, median of
 * several runs. Three layouts:
 *   checkout   bin/mailsim.js in this repository with dist/ built after the last source change
 *              (what `npm install` leaves); it runs dist/
 *   installed  the package's files as npm installs them (bin/, dist/, scenarios/, no src/), made in a
 *              temp dir from links to this repository's dist/ and node_modules/
 *   sources    the checkout right after a source file changed: bin/mailsim.js runs src/ through tsx
 *              (informational; tsx caches its transpile, so this is the warm figure)
 * The build is brought up to date first (`npm run build`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartupFigure {
  layout: 'checkout' | 'installed' | 'sources';
  command: 'help' | 'run';
  medianMs: number;
}

export const startupTargetMs = 500;

function medianMs(bin: string, args: string[], cwd: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'ignore' });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${result.status}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function runStartupBench(repoDir: string, runs: number): StartupFigure[] {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoDir, stdio: 'ignore' });
  const out = mkdtempSync(join(tmpdir(), 'mailsim-startup-'));
  const installed = mkdtempSync(join(tmpdir(), 'mailsim-installed-'));
  try {
    cpSync(join(repoDir, 'bin'), join(installed, 'bin'), { recursive: true });
    cpSync(join(repoDir, 'package.json'), join(installed, 'package.json'));
    for (const shared of ['dist', 'scenarios', 'node_modules', 'schema']) symlinkSync(join(repoDir, shared), join(installed, shared));
    const scenario = join(repoDir, 'scenarios', 'null-mx.yaml');
    const commands = { help: ['--help'], run: ['run', scenario, '--out', out] } as const;
    const figures: StartupFigure[] = [];
    for (const [layout, bin] of [
      ['checkout', join(repoDir, 'bin', 'mailsim.js')],
      ['installed', join(installed, 'bin', 'mailsim.js')],
    ] as const) {
      for (const command of ['help', 'run'] as const) figures.push({ layout, command, medianMs: medianMs(bin, [...commands[command]], out, runs) });
    }
    // A source file newer than the build: the command runs the sources through tsx (then rebuild).
    const touched = join(repoDir, 'src', 'schema', 'version.ts');
    const nowS = Date.now() / 1000 + 1;
    utimesSync(touched, nowS, nowS);
    try {
      for (const command of ['help', 'run'] as const) figures.push({ layout: 'sources', command, medianMs: medianMs(join(repoDir, 'bin', 'mailsim.js'), [...commands[command]], out, runs) });
    } finally {
      execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoDir, stdio: 'ignore' });
    }
    writeFileSync(join(out, '.done'), '');
    return figures;
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(installed, { recursive: true, force: true });
  }
}
