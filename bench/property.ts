/**
 * The fault-property figure of issue 18 (`npm run bench -- --only=property`): fault-property runs per
 * second of mailsim/testing over `scenarios/backup-mx.yaml` — draw a fault schedule, run it with the
 * trace kept, check it — on one core (target ≥ 200 runs/s). The measurement is bench/property-child.ts
 * in a fresh process pinned to CPU 0 with util-linux's taskset when there is one (as the sweep's
 * one-core figure), so V8's helper threads share the core being measured, with the V8 flags of the
 * other scenario children (bench/children.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { childRuntime } from './compiled.js';
import { childV8Flags, repoDir } from './children.js';

export const propertyTarget = { runsPerSecond: 200 };

export interface PropertyFigure {
  runs: number;
  wallMs: number;
  /** CPU time of the child over the measured runs (all its threads). */
  cpuMs: number;
  /** Pinned to one CPU (taskset found). */
  pinned: boolean;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

export function runPropertyChild(runs: number, warmUp: number): Promise<PropertyFigure> {
  const runtime = childRuntime();
  const script = runtime.script.replace(/scenario-child\.(js|ts)$/, 'property-child.$1');
  const node = [process.execPath, ...childV8Flags, ...runtime.nodeArgs, script, String(runs), String(warmUp)];
  const pinned = hasTaskset();
  const [command, ...args] = pinned ? ['taskset', '-c', '0', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { cwd: repoDir, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`property child exited ${code}`));
      else resolve({ ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<PropertyFigure, 'pinned'>), pinned });
    });
  });
}
