/**
 * Runs bench/scenario-child in a fresh Node process (compiled JavaScript, or through tsx if the
 * compile failed: bench/compiled.ts), with a heap cap, and parses its one-line JSON result. A fresh process per size keeps one size's garbage
 * and JIT state out of the next one's figures and gives each its own peak RSS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childRuntime } from './compiled.js';
import type { ChildResult } from './scenario-child.js';

export const benchDir = fileURLToPath(new URL('.', import.meta.url));
export const repoDir = fileURLToPath(new URL('..', import.meta.url));

/** The heap cap of a child, MiB: the "fits in 8 GB" target. */
export const childHeapMiB = 8192;

/**
 * The young generation of a child, MiB per semi-space (Node 20's default is 16). The simulator
 * allocates many short-lived objects per event, and a run keeps thousands of sessions alive at once,
 * so with 16 MiB scavenges are frequent and promote live session state; 64 MiB cut the 7-day run's
 * CPU by ~15 %. The bench prints it; `mailsim run` gets the same with NODE_OPTIONS=--max-semi-space-size=64.
 */
export const childSemiSpaceMiB = 64;

/** The V8 flags every scenario child runs with (printed by the bench). */
export const childV8Flags = [`--max-old-space-size=${childHeapMiB}`, `--max-semi-space-size=${childSemiSpaceMiB}`];

export type ChildOutcome = { ok: true; result: ChildResult } | { ok: false; error: string };

export function runScenarioChild(kind: 'bulk' | 'outage', count: number, extraNodeArgs: string[] = []): Promise<ChildOutcome> {
  const runtime = childRuntime();
  const args = [...childV8Flags, ...extraNodeArgs, ...runtime.nodeArgs, runtime.script, kind, String(count)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
    });
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) {
        resolve({ ok: true, result: JSON.parse(line) as ChildResult });
        return;
      }
      const why = /heap out of memory|Allocation failed/i.test(stderr) ? 'ran out of memory' : `exited with ${signal ?? code}`;
      resolve({ ok: false, error: `${kind} ${count}: ${why}: ${stderr.trim().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn')).slice(0, 4).join(' / ')}` });
    });
  });
}
