/**
 * Postfix's smtp-source and smtp-sink as a yardstick (issue 8, figures 3 and 6): real sockets on
 * loopback, real SMTP. Nothing is installed from here; when the tools are missing the benchmark says
 * so and how to get them (`apt-get install postfix`).
 *
 * smtp-source runs `sessions` SMTP sessions in parallel and sends `messages` messages of
 * `messageBytes` bytes in total, one message per connection (its default), each to one recipient;
 * its exit status says whether every message got a 2xx. We time it with the wall clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';

const searchDirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/lib/postfix/sbin', '/usr/libexec/postfix'];

/** The absolute path of a Postfix test tool, or null. */
export function findTool(name: 'smtp-source' | 'smtp-sink'): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), ...searchDirs]) {
    const path = `${dir}/${name}`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export const installHint = 'install Postfix to get them: `sudo apt-get install postfix` (Debian/Ubuntu), `dnf install postfix`, or `brew install postfix`';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SourceLoad {
  sessions: number;
  messages: number;
  messageBytes: number;
  from?: string;
  to?: string;
}

export interface SourceResult {
  wallMs: number;
  messagesPerSec: number;
  ok: boolean;
  detail: string;
}

/** Runs smtp-source against 127.0.0.1:port and times it. */
export function runSmtpSource(sourcePath: string, port: number, load: SourceLoad): Promise<SourceResult> {
  const args = ['-s', String(load.sessions), '-m', String(load.messages), '-l', String(load.messageBytes)];
  if (load.from !== undefined) args.push('-f', load.from);
  if (load.to !== undefined) args.push('-t', load.to);
  args.push(`127.0.0.1:${port}`);
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(sourcePath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      resolve({ wallMs, messagesPerSec: (load.messages * 1000) / wallMs, ok: code === 0, detail: code === 0 ? '' : `smtp-source exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' / ')}` });
    });
  });
}

/** Starts smtp-sink on 127.0.0.1:port; stop it with `stopChild`. */
export function startSmtpSink(sinkPath: string, port: number): ChildProcess {
  const args = [`127.0.0.1:${port}`, '1024'];
  // smtp-sink refuses to run as root without a user to switch to.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.unshift('-u', 'nobody');
  return spawn(sinkPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Waits until something accepts TCP connections on the port (or the time is up). */
export async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const { connect } = await import('node:net');
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Both tools, when they are installed and executable here. */
export function toolsAvailable(): { source: string; sink: string } | null {
  const source = findTool('smtp-source');
  const sink = findTool('smtp-sink');
  if (source === null || sink === null) return null;
  return { source, sink };
}
