/**
 * The benchmark worlds run on JavaScript compiled by tsc, not through tsx: tsx compiles with esbuild's
 * keepNames, which wraps every function and class in a `__name(…)` call, and that cost (several per
 * cent in the profiles, ~25 % CPU in all) is not the simulator's. `npm run bench` compiles src/ and the
 * two child files once at start (bench/tsconfig.compiled.json → reports/bench-build/, a few seconds,
 * nothing installed) and the children run the compiled bench/scenario-child.js. If the compile fails
 * the children run through tsx, and the bench says so. The bridge section runs `mailsim serve` from
 * the same compile (reports/bench-build/src/cli.js), as an installed package runs dist/cli.js.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
/** Where bench/tsconfig.compiled.json writes (under reports/, which git ignores). */
const buildDir = join(repoDir, 'reports', 'bench-build');

export type ChildRuntime =
  | { kind: 'compiled'; script: string; nodeArgs: string[]; typeErrors: boolean }
  | { kind: 'tsx'; script: string; nodeArgs: string[]; why: string };

/** The compile must finish in this time, ms; tsc 7 takes a few seconds. */
const compileTimeoutMs = 120_000;

const tsxRuntime = (why: string): ChildRuntime => ({ kind: 'tsx', script: join(benchDir, 'scenario-child.ts'), nodeArgs: ['--import', 'tsx'], why });

let chosen: ChildRuntime | null = null;

/** Compiles once per process and says how the children run; `MAILSIM_BENCH_TSX=1` keeps tsx. */
export function childRuntime(): ChildRuntime {
  if (chosen !== null) return chosen;
  chosen = compile();
  return chosen;
}

function compile(): ChildRuntime {
  if (process.env.MAILSIM_BENCH_TSX === '1') return tsxRuntime('MAILSIM_BENCH_TSX=1');
  const tsc = join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) return tsxRuntime('node_modules/typescript not found');
  // A clean output folder: whatever is there after the compile is from this compile.
  rmSync(buildDir, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [tsc, '-p', join(benchDir, 'tsconfig.compiled.json')], { cwd: repoDir, encoding: 'utf8', timeout: compileTimeoutMs });
  const script = join(buildDir, 'bench', 'scenario-child.js');
  // tsc emits despite type errors (someone else's file mid-edit); the JavaScript still runs.
  if (existsSync(script)) return { kind: 'compiled', script, nodeArgs: [], typeErrors: run.status !== 0 };
  const first = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? '';
  return tsxRuntime(`tsc -p bench/tsconfig.compiled.json failed (${run.error?.message ?? `exit ${run.status}`}${first === '' ? '' : `: ${first}`})`);
}

export function describeRuntime(runtime: ChildRuntime): string {
  return runtime.kind === 'compiled'
    ? `scenario children run tsc-compiled JavaScript (bench/tsconfig.compiled.json → reports/bench-build/, compiled at start${runtime.typeErrors ? '; tsc reported type errors' : ''})`
    : `scenario children run through tsx (${runtime.why}); figures include tsx's keepNames overhead`;
}
