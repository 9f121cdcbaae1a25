/**
 * Section 6's yardstick for Node itself: smtp-source's load against bench/floor-responder.ts (canned
 * replies, nothing kept) — the rate and CPU per message of the least an SMTP server in Node can do on
 * this machine. Set beside smtp-sink's rate it says how much of serve's gap is Node's (node:net, one
 * event-loop turn per read) and how much is serve's own work.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { processCpuMs } from './bridge.js';
import { benchDir, repoDir } from './children.js';
import { childRuntime } from './compiled.js';
import { runSmtpSource, type SourceLoad, type SourceResult, stopChild } from './postfix-tools.js';

const startTimeoutMs = 30_000;

export interface FloorResult {
  source: SourceResult;
  /** The responder's user+system CPU per message, µs; null where /proc is not there. */
  cpuUsPerMessage: number | null;
}

/** The compiled responder when the bench compiled one, else the TypeScript through tsx. */
function responderArgs(): string[] {
  const compiled = join(repoDir, 'reports', 'bench-build', 'bench', 'floor-responder.js');
  if (childRuntime().kind === 'compiled' && existsSync(compiled)) return [compiled];
  return ['--import', 'tsx', join(benchDir, 'floor-responder.ts')];
}

/** Runs the load against the responder; null when it did not start (the reason is printed). */
export async function measureNodeFloor(sourcePath: string, load: SourceLoad): Promise<FloorResult | null> {
  const responder = spawn(process.execPath, responderArgs(), { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = await new Promise<number | null>((resolve) => {
      let stdout = '';
      const timer = setTimeout(() => resolve(null), startTimeoutMs);
      responder.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^LISTEN smtp \S+:(\d+)\s*$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      responder.once('exit', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    if (port === null) {
      console.log('  the Node floor responder did not start');
      return null;
    }
    const before = processCpuMs(responder.pid);
    const source = await runSmtpSource(sourcePath, port, { ...load, from: 'alice@sender.test', to: 'bob@example.test' });
    const after = processCpuMs(responder.pid);
    const cpuUsPerMessage = before === null || after === null ? null : Math.round(((after - before) * 1000) / load.messages);
    return { source, cpuUsPerMessage };
  } finally {
    await stopChild(responder);
  }
}
