#!/usr/bin/env node
// The `mailsim` command. Inside a checkout it runs the TypeScript sources through tsx, so the command
// always matches the code; an installed package (no src/) runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli.js');
}
