/**
 * What an installed user gets (docs/reference.md §10): the npm package carries the command, the
 * compiled code, the example scenarios, the JSON Schema and the docs; installed from its tarball into
 * an empty project, `npx mailsim run node_modules/mailsim/scenarios/…` and `npx mailsim init` work as
 * the README says. And `mailsim init` itself: copies an example, never overwrites, lists the choices.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { examplesDir, initCommand, listExamples } from '../src/cli/init-command.js';

const repo = join(import.meta.dirname, '..');
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Runs initCommand with stdout/stderr captured. */
function init(name: string | undefined, directory: string, list = false) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    return { code: initCommand(name, { list }, directory), out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('mailsim init', () => {
  it('lists every shipped example with its title', () => {
    const { code, out } = init(undefined, temp('mailsim-init-'));
    expect(code).toBe(0);
    for (const example of listExamples()) expect(out).toContain(`${example.name}`);
    expect(out).toMatch(/backup-mx\s+primary MX down for two hours/);
  });

  it('copies an example, pointing its schema hint at the package’s schema, and refuses to overwrite it', () => {
    const dir = temp('mailsim-init-');
    expect(init('backup-mx', dir).code).toBe(0);
    const copied = readFileSync(join(dir, 'backup-mx.yaml'), 'utf8');
    const original = readFileSync(join(examplesDir, 'backup-mx.yaml'), 'utf8');
    expect(copied.split('\n').slice(1)).toEqual(original.split('\n').slice(1));
    const hint = /\$schema=(.*)$/m.exec(copied)?.[1];
    expect(hint !== undefined && existsSync(join(dir, hint))).toBe(true);
    writeFileSync(join(dir, 'backup-mx.yaml'), 'mine');
    const again = init('backup-mx.yaml', dir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists; not overwriting it/);
    expect(readFileSync(join(dir, 'backup-mx.yaml'), 'utf8')).toBe('mine');
  });

  it('an unknown name is bad input and lists the choices', () => {
    const { code, err } = init('backup', temp('mailsim-init-'));
    expect(code).toBe(2);
    expect(err).toMatch(/no example scenario named "backup"; the examples are:[\s\S]*backup-mx/);
  });
});

describe('the npm package', () => {
  it('packs the command, dist, the examples, the schema and the docs — and no sources or tests', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((f) => f.path);
    for (const wanted of ['bin/mailsim.js', 'dist/cli.js', 'dist/index.js', 'scenarios/backup-mx.yaml', 'schema/mailsim-scenario.schema.json', 'docs/reference.md', 'README.md']) expect(files).toContain(wanted);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it(
    'installed from its tarball into an empty project: the README’s commands work',
    () => {
      expect(existsSync(join(repo, 'dist', 'cli.js')), 'dist/ is built by npm install (prepare)').toBe(true);
      const packDir = temp('mailsim-pack-');
      const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
      const project = temp('mailsim-user-');
      writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "private": true }\n');
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(packDir, tarball)], { cwd: project, stdio: 'ignore' });
      const npx = (...args: string[]) => execFileSync('npx', ['--no-install', 'mailsim', ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(npx('run', 'node_modules/mailsim/scenarios/backup-mx.yaml')).toMatch(/^✓ primary MX down for two hours/);
      expect(npx('init', 'null-mx')).toMatch(/wrote null-mx\.yaml/);
      expect(npx('run', 'null-mx.yaml')).toMatch(/^✓ a domain that publishes a null MX/);
      expect(existsSync(join(project, 'reports', 'null-mx.html'))).toBe(true);
    },
    180_000,
  );
});
