#!/usr/bin/env node
// The `mailsim` command. An installed package (no src/) runs the compiled dist/. Inside a checkout it
// runs dist/ too when the build is newer than every file under src/ (the build writes
// dist/.build-stamp last; `npm install`/`npm ci` build through `prepare`), so a command starts in a
// fraction of a second; once a source file changed since the build it runs the TypeScript sources
// through tsx instead, so the command always matches the code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(root, 'src');
const stamp = join(root, 'dist', '.build-stamp');

/** True when dist/ was built after the last change under src/ (or there is no src/ at all). */
function distIsCurrent() {
  if (!existsSync(sourceDir)) return true;
  if (!existsSync(stamp)) return false;
  const builtMs = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(sourceDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtMs) return false;
  }
  return true;
}

if (distIsCurrent()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
