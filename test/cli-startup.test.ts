/**
 * How bin/mailsim.js chooses what to run (docs/reference.md §10): the compiled dist/ when there is no
 * src/ (an installed package) or when dist/ was built after every change under src/ (its
 * `.build-stamp` is newer), and the TypeScript sources through tsx otherwise — so a command starts fast
 * and never runs code older than the sources. Tested on a throw-away layout whose dist/ and src/ each
 * print their name. (The start-up times themselves are measured by `npm run bench -- --only=startup`.)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'mailsim-bin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

cpSync(join(repo, 'bin'), join(root, 'bin'), { recursive: true });
symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
mkdirSync(join(root, 'dist'));
writeFileSync(join(root, 'dist', 'cli.js'), "console.log('dist');\n");
mkdirSync(join(root, 'src', 'cli'), { recursive: true });
writeFileSync(join(root, 'src', 'cli.ts'), "const from: string = 'src';\nconsole.log(from);\n");
writeFileSync(join(root, 'src', 'cli', 'deep.ts'), 'export {};\n');

const stamp = join(root, 'dist', '.build-stamp');
const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
const runs = () => execFileSync(process.execPath, [join(root, 'bin', 'mailsim.js')], { encoding: 'utf8' }).trim();

describe('bin/mailsim.js picks dist/ or src/', () => {
  it('no build stamp: the sources', () => {
    expect(runs()).toBe('src');
  });

  it('a build newer than every source: dist/', () => {
    writeFileSync(stamp, '');
    at(join(root, 'src', 'cli.ts'), 1_000_000);
    at(join(root, 'src', 'cli', 'deep.ts'), 1_000_000);
    at(stamp, 2_000_000);
    expect(runs()).toBe('dist');
  });

  it('a source changed after the build, even deep in src/: the sources', () => {
    at(join(root, 'src', 'cli', 'deep.ts'), 3_000_000);
    expect(runs()).toBe('src');
    at(join(root, 'src', 'cli', 'deep.ts'), 1_000_000);
    expect(runs()).toBe('dist');
  });

  it('no src/ at all (an installed package): dist/', () => {
    rmSync(stamp);
    rmSync(join(root, 'src'), { recursive: true });
    expect(runs()).toBe('dist');
  });
});
