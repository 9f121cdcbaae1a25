/**
 * `npx mailsim serve` stopped as a user stops it: SIGTERM to the npx process. npm re-raises the signal
 * on itself and exits without waiting for its child, so the server used to keep all seven ports open
 * with nobody left to stop it. It must notice that its launcher is gone and shut down as on SIGTERM.
 * Run through the real npx from the checkout (npx links the project and runs its bin), every port 0.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './harness.js';

const listenersAll = 7;
const startBoundMs = 60_000;
const stopBoundMs = 15_000;

/** The pids below `root` (children, grandchildren …), from ps. */
function descendants(root: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of table) {
      if (parent !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
    socket.connect(port, '127.0.0.1');
  });
}

async function until(condition: () => Promise<boolean> | boolean, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('npx mailsim serve', () => {
  it(
    'stops cleanly when the npx process that started it is terminated',
    async () => {
      const portArgs = ['smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps'].flatMap((kind) => [`--${kind}`, '0']).concat(['--no-http']);
      // detached: npx leads its own process group, which the test can still kill whole if all fails.
      const npx = spawn('npx', ['--no-install', 'mailsim', 'serve', ...portArgs], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      npx.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      npx.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      const pid = npx.pid!;
      let below: number[] = [];
      try {
        const listening = await until(() => out.split('\n').filter((l) => l.startsWith('LISTEN ')).length === listenersAll, startBoundMs);
        expect(listening, `serve did not listen; stderr: ${err}`).toBe(true);
        const ports = out
          .split('\n')
          .filter((l) => l.startsWith('LISTEN '))
          .map((l) => Number(l.split(':').pop()));
        below = descendants(pid);
        expect(below.length).toBeGreaterThan(0);
        expect(await refuses(ports[0]!)).toBe(false);

        process.kill(pid, 'SIGTERM');

        const allClosed = await until(async () => (await Promise.all(ports.map(refuses))).every(Boolean), stopBoundMs);
        expect(allClosed, `ports still open after ${stopBoundMs} ms`).toBe(true);
        const allGone = await until(() => below.every((p) => !alive(p)), stopBoundMs);
        expect(allGone, `processes still running: ${below.filter(alive).join(', ')}`).toBe(true);
      } finally {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
        for (const p of [...below, ...descendants(pid)]) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {}
        }
      }
    },
    startBoundMs + 3 * stopBoundMs,
  );
});
