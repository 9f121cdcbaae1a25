/**
 * `mailsim explore --check LIST` (docs/reference.md §13): each item is a built-in check of
 * `mailsim/testing` by its command-line name (src/testing/checks/names.ts), or a path to a module of
 * the user's own (`./my-check.ts`, `.js`, `.mjs`, `.mts`, `.cjs`, `.cts`) whose default export — or
 * export named `check` — is a MailCheck or a function `(run) => string[]`. TypeScript is loaded with
 * tsx's `tsImport` (tsx is a dependency), JavaScript the same way, relative to the working directory.
 *
 * A bad item is a one-line message (the caller prints it and exits 2): an unknown name, a missing
 * file, a module that fails to load (its error's first line), or one that exports no check. A plain
 * function becomes `check(FILE, fn)`, so a throw inside it is that check's violation with its stack.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check } from '../testing/check.js';
import { type BuiltInCheckName, builtInCheckNames } from '../testing/checks/names.js';
import { builtInCheckNamed } from '../testing/checks/registry.js';
import type { MailCheck } from '../testing/types.js';

/** An item that names a file rather than a built-in check. */
export function isCheckModulePath(item: string): boolean {
  return /[\\/]/.test(item) || /\.[cm]?[jt]s$/.test(item);
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;

/** The function a module offers as its check: default export, else `check` (unwrapping a CommonJS default). */
function exportedCheck(module: Record<string, unknown>): unknown {
  const candidate = module.default ?? module.check;
  if (typeof candidate === 'object' && candidate !== null) {
    const inner = candidate as Record<string, unknown>;
    return inner.default ?? inner.check;
  }
  return candidate;
}

/** Loads a check module, or returns what went wrong in one line. */
export async function loadCheckModule(path: string): Promise<MailCheck | string> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) return `--check ${path}: no such file`;
  let module: Record<string, unknown>;
  try {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    return `--check ${path}: the module failed to load: ${firstLine(error instanceof Error ? error.message : String(error))}`;
  }
  const candidate = exportedCheck(module);
  if (typeof candidate !== 'function') {
    return `--check ${path}: the module exports no check; export default (or export as "check") a MailCheck or a function (run) => string[]`;
  }
  const named = (candidate as { checkName?: unknown }).checkName;
  if (typeof named === 'string' && named !== '') return candidate as MailCheck;
  return check(basename(path), candidate as (run: Parameters<MailCheck>[0]) => string[]);
}

/** The checks a `--check` list names, in its order, or a one-line message. */
export async function checksOfList(text: string): Promise<MailCheck[] | string> {
  const items = [...new Set(text.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
  const choices = `choose from ${builtInCheckNames.join(', ')}, or give a module path (./my-check.ts)`;
  if (items.length === 0) return `--check needs at least one name; ${choices}`;
  const unknown = items.filter((item) => !isCheckModulePath(item) && !(builtInCheckNames as readonly string[]).includes(item));
  if (unknown.length > 0) return `--check: unknown name${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; ${choices}`;
  const checks: MailCheck[] = [];
  for (const item of items) {
    const made = isCheckModulePath(item) ? await loadCheckModule(item) : builtInCheckNamed(item as BuiltInCheckName);
    if (typeof made === 'string') return made;
    checks.push(made);
  }
  return checks;
}
