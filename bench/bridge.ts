/**
 * Figure 6: smtp-source against `mailsim serve`'s SMTP port — the simulator's SMTP server machine on
 * real sockets (src/bridge) — with the same load as against smtp-sink.
 *
 * `mailsim serve` runs as an installed package runs it — tsc-compiled JavaScript (`dist/cli.js` there;
 * here the bench's own compile of src/, reports/bench-build/src/cli.js, so it is always current) — and
 * through tsx (`node --import tsx src/cli.ts`, what bin/mailsim.js does inside a checkout) only when
 * that compile is unavailable or MAILSIM_BENCH_TSX=1: tsx's keepNames costs ~15-20 % CPU here, which is
 * the dev loader's, not the server's. Every port 0 (free ports),
 * one local domain and user, mailboxes as a real Maildir in a temporary directory. The SMTP port is
 * read from its `LISTEN smtp ADDR:PORT` line (docs/reference.md §12). After the load it gets SIGTERM and
 * must exit on its own; the messages delivered are the files in the user's Maildir new/ and cur/ (in
 * memory, `inMemory`: the user's POP3 STAT just before the stop).
 * If serve does not start (not built yet, or it fails), the result says why instead.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoDir } from './children.js';
import { childRuntime } from './compiled.js';
import { runSmtpSource, type SourceLoad, type SourceResult, stopChild } from './postfix-tools.js';

/** How long serve may take to print its SMTP listener. */
const serveStartTimeoutMs = 30_000;
/** Linux's USER_HZ: the unit of the CPU times in /proc/PID/stat. */
const procTicksPerSec = 100;

export type BridgeOutcome = { kind: 'unavailable'; reason: string } | { kind: 'measured'; source: SourceResult; delivered: number | null };

function countMaildir(dir: string): number | null {
  let total = 0;
  let found = false;
  for (const sub of ['new', 'cur']) {
    try {
      total += readdirSync(join(dir, sub)).filter((name) => !name.startsWith('.')).length;
      found = true;
    } catch {
      // absent
    }
  }
  return found ? total : null;
}

/**
 * User + system CPU time of a process so far (all its threads), ms; null where /proc is not there.
 * Why: on a shared machine the wall-clock rate moves with whatever else runs; serve's CPU time per
 * message is what a change to serve changes.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / procTicksPerSec;
  } catch {
    return null;
  }
}

/** How to start the CLI: the bench's compiled build when there is one (see the top of the file), else tsx. */
function serveCli(): { nodeArgs: string[]; describe: string } {
  const runtime = childRuntime();
  const compiledCli = join(repoDir, 'reports', 'bench-build', 'src', 'cli.js');
  if (runtime.kind === 'compiled' && existsSync(compiledCli)) return { nodeArgs: [compiledCli], describe: 'as tsc-compiled JavaScript (reports/bench-build/src/cli.js)' };
  const why = runtime.kind === 'tsx' ? runtime.why : 'no compiled cli.js';
  return { nodeArgs: ['--import', 'tsx', join(repoDir, 'src/cli.ts')], describe: `through tsx (${why}); the figure includes tsx's keepNames overhead` };
}

/**
 * Issue 20's variants: `preload` messages stored first (sent by an untimed smtp-source run), and with
 * `http` the HTTP API on (`--http 0`), with `events` one client listening to the event stream during
 * the timed load — what a test suite with the web UI open looks like. Without options: `--no-http`, nothing
 * preloaded, the figure of issue 8.
 */
export interface BridgeHttpOptions {
  http: boolean;
  /** With `http`: one client reads the event stream during the timed load. */
  events: boolean;
  preload: number;
  /** Mailboxes in memory (no `--maildir`): what serve's own code costs, without the file system's. */
  inMemory?: boolean;
}

export async function runBridgeBench(sourcePath: string, load: SourceLoad, http: BridgeHttpOptions | null = null): Promise<BridgeOutcome> {
  const maildir = mkdtempSync(join(tmpdir(), 'mailsim-bench-'));
  const ports = ['--smtp', '--submission', '--smtps', '--pop3', '--pop3s', '--imap', '--imaps'].flatMap((option) => [option, '0']);
  const cli = serveCli();
  console.log(`  (mailsim serve runs ${cli.describe})`);
  const httpArgs = http?.http ? ['--http', '0'] : ['--no-http'];
  const store = http?.inMemory ? [] : ['--maildir', maildir];
  const args = [...cli.nodeArgs, 'serve', '--listen', '127.0.0.1', ...ports, ...httpArgs, '--domain', 'example.test', '--user', 'bob:secret', ...store];
  const serve = spawn(process.execPath, args, { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  serve.stderr.on('data', (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString();
  });
  try {
    let stdout = '';
    const stdoutSoFar = () => stdout;
    const port = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => resolve(`no "LISTEN smtp" line within ${serveStartTimeoutMs / 1000} s`), serveStartTimeoutMs);
      serve.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^LISTEN smtp \S+:(\d+)\s*$/m.exec(stdout);
        if (match && (!http?.http || /^LISTEN http /m.test(stdout))) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      serve.once('exit', (code) => {
        clearTimeout(timer);
        const said = `${stdout}${output}`.trim().split('\n').slice(-1)[0] ?? '';
        resolve(`it exited with ${code}${said ? `: ${said.slice(0, 200)}` : ''}`);
      });
    });
    if (typeof port === 'string') return { kind: 'unavailable', reason: port };
    const preload = http?.preload ?? 0;
    if (preload > 0) await runSmtpSource(sourcePath, port, { sessions: load.sessions, messages: preload, messageBytes: load.messageBytes, from: 'alice@sender.test', to: 'bob@example.test' });
    const events = http?.http && http.events ? await listenToEvents(httpPort(stdoutSoFar())) : null;
    const cpuBeforeMs = processCpuMs(serve.pid);
    const source = await runSmtpSource(sourcePath, port, { ...load, from: 'alice@sender.test', to: 'bob@example.test' });
    const cpuAfterMs = processCpuMs(serve.pid);
    if (cpuBeforeMs !== null && cpuAfterMs !== null) {
      const cpuMs = cpuAfterMs - cpuBeforeMs;
      console.log(`  serve's CPU time during the load: ${(cpuMs / 1000).toFixed(1)} s user+system, ${Math.round((cpuMs * 1000) / load.messages)} µs per message (all its threads)`);
    }
    events?.abort();
    const inMemory = http?.inMemory ? await pop3MessageCount(listenPort(stdoutSoFar(), 'pop3')) : null;
    const exitCode = await stopChild(serve, 30_000);
    const stored = http?.inMemory ? inMemory : countMaildir(join(maildir, 'bob'));
    const delivered = stored === null ? null : stored - preload;
    if (exitCode !== 0) source.detail += ` (serve exited with ${exitCode} on SIGTERM)`;
    return { kind: 'measured', source, delivered };
  } finally {
    await stopChild(serve, 5000);
    rmSync(maildir, { recursive: true, force: true });
  }
}

function httpPort(stdout: string): number {
  return listenPort(stdout, 'http');
}

function listenPort(stdout: string, kind: string): number {
  const match = new RegExp(`^LISTEN ${kind} \\S+:(\\d+)\\s*$`, 'm').exec(stdout);
  if (match === null) throw new Error(`serve printed no LISTEN ${kind} line`);
  return Number(match[1]);
}

/** bob's message count by POP3 STAT (RFC 1939 §5), for a serve that keeps its mailboxes in memory; null when that fails. */
async function pop3MessageCount(port: number): Promise<number | null> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.setEncoding('latin1');
  let buffer = '';
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      wake?.();
    }
  });
  const reply = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return lines.shift()!;
  };
  try {
    await reply(); // +OK greeting
    for (const command of ['USER bob', 'PASS secret']) {
      socket.write(`${command}\r\n`);
      if (!(await reply()).startsWith('+OK')) return null;
    }
    socket.write('STAT\r\n');
    const stat = /^\+OK (\d+) /.exec(await reply());
    socket.write('QUIT\r\n');
    return stat === null ? null : Number(stat[1]);
  } finally {
    socket.destroy();
  }
}

/** One client on the event stream (docs/http-api.md, "The event stream"), reading everything it is sent until aborted. */
async function listenToEvents(port: number): Promise<AbortController> {
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { signal: controller.signal });
  const reader = response.body?.getReader();
  void (async () => {
    try {
      while (reader !== undefined && !(await reader.read()).done);
    } catch {
      // aborted
    }
  })();
  return controller;
}
