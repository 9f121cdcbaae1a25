/**
 * `mailsim init [NAME]` (docs/reference.md §10): copies one of the example scenarios that ship in the
 * package (`scenarios/`) into the current directory, so an installed user can start from one:
 * `npx mailsim init backup-mx && npx mailsim run backup-mx.yaml`. Without NAME, or with `--list`, it
 * lists the examples with their titles. It never overwrites a file. The copy's editor hint
 * (`# yaml-language-server: $schema=…`) is rewritten to point at the package's JSON Schema from where
 * the copy lands.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

/** The package root: this file is src/cli/init-command.ts or dist/cli/init-command.js. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const examplesDir = join(packageRoot, 'scenarios');
const schemaFile = join(packageRoot, 'schema', 'mailsim-scenario.schema.json');
const schemaHint = /^# yaml-language-server: \$schema=.*$/m;

export interface Example {
  name: string;
  title: string;
}

/** The shipped examples, by file name without `.yaml`, with the `name:` of each. */
export function listExamples(): Example[] {
  return readdirSync(examplesDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'.yaml'.length), title: /^name:\s*(.*)$/m.exec(readFileSync(join(examplesDir, file), 'utf8'))?.[1]?.trim() ?? '' }));
}

export function initCommand(name: string | undefined, options: { list?: boolean }, directory = process.cwd()): number {
  const examples = listExamples();
  const listing = examples.map((e) => `  ${e.name.padEnd(24)} ${e.title}`).join('\n');
  if (name === undefined || options.list) {
    process.stdout.write(`Example scenarios (mailsim init NAME copies one here):\n${listing}\n`);
    return EXIT_OK;
  }
  const wanted = name.replace(/\.ya?ml$/, '');
  if (!examples.some((e) => e.name === wanted)) {
    process.stderr.write(`mailsim init: no example scenario named "${name}"; the examples are:\n${listing}\n`);
    return EXIT_BAD_INPUT;
  }
  const target = join(directory, `${wanted}.yaml`);
  if (existsSync(target)) {
    process.stderr.write(`mailsim init: ${target} exists; not overwriting it (remove it, or copy from ${join(examplesDir, `${wanted}.yaml`)})\n`);
    return EXIT_BAD_INPUT;
  }
  const text = readFileSync(join(examplesDir, `${wanted}.yaml`), 'utf8');
  const schemaPath = relative(directory, schemaFile).split('\\').join('/');
  writeFileSync(target, text.replace(schemaHint, `# yaml-language-server: $schema=${schemaPath}`), { flag: 'wx' });
  process.stdout.write(`wrote ${relative(process.cwd(), target) || target}; run it with: npx mailsim run ${relative(process.cwd(), target)}\n`);
  return EXIT_OK;
}
