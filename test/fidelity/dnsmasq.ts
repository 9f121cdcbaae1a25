/**
 * The fidelity suite's private DNS: Debian's dnsmasq on one loopback address, port 53, with nothing
 * but the records given here — `--no-resolv --no-hosts --conf-file=/dev/null` (no upstream, no
 * /etc/hosts, no system configuration), `--local=/test/` (authoritative for the experiments' names:
 * anything else under .test is NXDOMAIN), MX records with preferences (`--mx-host`) and A records
 * (`--host-record`). It runs in the foreground as this process's child and logs every query to
 * stderr, which is read line by line and stamped with the wall clock on arrival: Postfix's SMTP client
 * looks a destination's MX up at the start of every delivery attempt (it keeps no cache), so the
 * query times give sub-second attempt times even for connections that were refused and never reached
 * a fake MX. Nothing is written outside `dir` (the pid file).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface DnsRecords {
  /** domain → MX records */
  mx: Record<string, Array<{ preference: number; host: string }>>;
  /** host name → IPv4 address */
  a: Record<string, string>;
}

export interface DnsQuery {
  atMs: number;
  type: string;
  name: string;
}

export interface RunningDnsmasq {
  address: string;
  queries: DnsQuery[];
  stop(): Promise<void>;
  /** SIGKILL, for an exit hook: synchronous. */
  killNow(): void;
}

const wallMs = () => performance.timeOrigin + performance.now();

export function dnsmasqArgs(address: string, dir: string, records: DnsRecords): string[] {
  const args = [
    '--keep-in-foreground',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    `--listen-address=${address}`,
    '--bind-interfaces',
    '--port=53',
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--local=/test/',
    '--log-queries',
    '--log-facility=-',
    '--user=root',
  ];
  for (const [domain, mxs] of Object.entries(records.mx)) {
    for (const mx of mxs) args.push(`--mx-host=${domain},${mx.host},${mx.preference}`);
  }
  for (const [host, ip] of Object.entries(records.a)) args.push(`--host-record=${host},${ip}`);
  return args;
}

/** Starts dnsmasq and resolves once it logged that it started (its socket is bound by then). */
export async function startDnsmasq(address: string, dir: string, records: DnsRecords): Promise<RunningDnsmasq> {
  const child: ChildProcess = spawn('dnsmasq', dnsmasqArgs(address, dir, records), { stdio: ['ignore', 'ignore', 'pipe'] });
  const queries: DnsQuery[] = [];
  const lines: string[] = [];
  let started: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (started = resolve));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const atMs = wallMs();
    lines.push(line);
    const query = /query\[(\w+)\] (\S+) from/.exec(line);
    if (query) queries.push({ atMs, type: query[1]!, name: query[2]!.toLowerCase() });
    if (/cleared cache|started, version/.test(line)) started();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = exited.then((code) => {
    throw new Error(`dnsmasq exited (${code}) before it started:\n${lines.join('\n')}`);
  });
  await Promise.race([ready, failed]);
  failed.catch(() => undefined);
  return {
    address,
    queries,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
