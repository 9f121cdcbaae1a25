/**
 * Shared helpers of the interop tests: start `mailsim serve` in-process (src/bridge API) or as the real
 * CLI (`node bin/mailsim.js serve`, every port 0, LISTEN lines parsed), find external tools, run them.
 *
 * A test whose tool is missing is skipped with a message when CI is unset, and FAILS when CI is set
 * (CI installs the tools with scripts/install-system-deps.sh).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServeConfig, type ServeConfigInput } from '../../src/bridge/config.js';
import { type ListenerKind, type RunningServe, type ServeOptions, startServe } from '../../src/bridge/server.js';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const allPortsFree: Record<ListenerKind, number> = { smtp: 0, submission: 0, smtps: 0, pop3: 0, pop3s: 0, imap: 0, imaps: 0 };

export type Ports = Record<ListenerKind, number>;

export interface InProcessServe {
  running: RunningServe;
  ports: Ports;
  stop(): Promise<void>;
}

/** Starts a serve host in this process on free loopback ports. */
export async function serveInProcess(input: ServeConfigInput = {}, options: Partial<ServeOptions> = {}): Promise<InProcessServe> {
  const { config, faults } = buildServeConfig(input);
  const running = await startServe({ config, faults, ports: allPortsFree, shutdownGraceMs: 500, ...options });
  const ports = Object.fromEntries(running.listeners.map((l) => [l.kind, l.port])) as Ports;
  let stopped = false;
  return {
    running,
    ports,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await running.stop();
    },
  };
}

export interface CliServe {
  child: ChildProcess;
  ports: Ports;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after `boundMs`). */
  stop(boundMs?: number): Promise<number | null>;
}

/**
 * Starts the real CLI with every port 0 (the HTTP API's too) and waits for its eight LISTEN lines (seven with `--no-http`). The start compiles the
 * sources (tsx): 3 s in the suite on a busy 2-CPU machine, a single start up to 7 s; the bound (under
 * the 60 s hook timeout) is only there to fail with serve's stderr rather than a bare hook timeout.
 */
export function serveCli(extraArgs: string[] = [], startBoundMs = 45_000): Promise<CliServe> {
  // --http 0: the HTTP API's default port (8025) would clash between serves started side by side.
  const portArgs = [...Object.keys(allPortsFree).flatMap((kind) => [`--${kind}`, '0']), '--http', '0'];
  const child = spawn(process.execPath, [join(repoRoot, 'bin/mailsim.js'), 'serve', ...portArgs, ...extraArgs], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (boundMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(100);
      reject(new Error(`mailsim serve did not print its LISTEN lines within ${startBoundMs} ms; stderr: ${err}`));
    }, startBoundMs);
    const check = () => {
      const lines = out.split('\n').filter((line) => line.startsWith('LISTEN '));
      if (lines.length < (extraArgs.includes('--no-http') ? 7 : 8)) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      const ports = {} as Ports;
      for (const line of lines) {
        const [, kind, where] = line.split(' ');
        ports[kind as ListenerKind] = Number(where?.split(':').pop());
      }
      resolve({ child, ports, stdout: () => out, stderr: () => err, stop });
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`mailsim serve exited (${code}) before listening; stderr: ${err}`));
    });
  });
}

const toolCache = new Map<string, string | null>();

/** The path of an executable, or null. */
export function findTool(name: string): string | null {
  if (toolCache.has(name)) return toolCache.get(name) ?? null;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found = dirs.map((dir) => join(dir, name)).find((path) => path.length > name.length && existsSync(path)) ?? null;
  toolCache.set(name, found);
  return found;
}

/**
 * True when every tool is there. When one is missing: throws under CI (the test fails), else prints
 * why and returns false (the caller skips).
 */
export function haveTools(...names: string[]): boolean {
  const missing = names.filter((name) => findTool(name) === null);
  if (missing.length === 0) return true;
  const message = `interop: missing ${missing.join(', ')} (install with scripts/install-system-deps.sh)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message}: skipping`);
  return false;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after `timeoutMs`). */
export function run(file: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a Python 3 program given as text; its stdout is returned. */
export function python(program: string, args: string[] = [], timeoutMs = 20_000): Promise<RunResult> {
  return run(findTool('python3') ?? 'python3', ['-c', program, ...args], { timeoutMs });
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A raw client conversation: send, then read until `until` matches what came back (or time out). */
export class RawClient {
  private received = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => {});
  }

  /** `localAddress`: the client's own address (another loopback one, e.g. 127.0.0.2, is another client). */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new RawClient(socket)));
    });
  }

  get text(): string {
    return this.received;
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  /** Waits until the received text (from `from`) matches, the socket closes, or `timeoutMs` passes. */
  async waitFor(pattern: RegExp, timeoutMs = 5_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.received.slice(from))) {
      if (this.closed) throw new Error(`closed before ${pattern}; got ${JSON.stringify(this.received)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the server to close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Messages of a user's INBOX in an in-process serve (from the store the MDA wrote). */
export function inboxOf(serve: InProcessServe, user: string, folder = 'INBOX'): string[] {
  const host = serve.running.host;
  const account = host.config.users.find((u) => u.name === user);
  if (account === undefined || host.local === null) throw new Error(`no user ${user}`);
  const store = host.local.storeOf(account).folder(folder);
  if (store === null) return [];
  return store.messages().map((m) => new TextDecoder().decode(store.read(m.uid)));
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
