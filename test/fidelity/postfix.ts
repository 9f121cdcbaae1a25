/**
 * A private, real Postfix for the fidelity suite (Debian's postfix package, 3.4+ for maillog_file).
 *
 * Everything lives under one temp dir: `conf/` (main.cf, master.cf — config_directory), `queue/`
 * (queue_directory), `data/` (data_directory), `maillog` (maillog_file, written by postlogd) and
 * `resolv.conf`. The system's /etc/postfix is never read or written: `postfix -c DIR` points every
 * program at `conf/`.
 *
 * DNS: Postfix must ask the private dnsmasq, not the system's resolver, and must not change the
 * system. So it is started inside a private mount namespace (`unshare -m --propagation private`) in
 * which `resolv.conf` is bind-mounted over /etc/resolv.conf (`mount -n`: no mtab/utab written);
 * master and every daemon it forks stay in that namespace, and nothing outside it sees the mount.
 * Services run with master.cf's chroot column `n` (a chrooted smtp(8) would read
 * `queue/etc/resolv.conf` instead, see docs/fidelity.md).
 *
 * Listening: smtpd on 127.0.0.1:PORT only (the injection port); the SMTP client connects to the fake
 * MX hosts on 127.0.x.y:25. Timers are compressed by the caller (queue_run_delay, backoffs, lifetimes).
 * No local delivery: mydestination is empty, so bounces go out by SMTP to the sender's (fake) MX.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const wallMs = () => performance.timeOrigin + performance.now();

export interface PostfixOptions {
  dir: string;
  /** The private resolver's address (port 53). */
  dnsAddress: string;
  /** smtpd's port on 127.0.0.1, for injection. */
  smtpdPort: number;
  /** Extra main.cf parameters (the compressed timers). */
  parameters: Record<string, string>;
  /** master.cf chroot column for the daemons that may be chrooted (default false: `n`). */
  chroot?: boolean;
}

export interface RunningPostfix {
  dir: string;
  /** Wall ms right after `postfix start` returned: master and qmgr are up. */
  startedAtMs: number;
  maillog(): string;
  stop(): Promise<void>;
  /** SIGKILL to master (its daemons see it gone and exit), for an exit hook: synchronous. */
  killNow(): void;
}

export function mainCf(options: PostfixOptions): string {
  const dir = options.dir;
  const parameters: Record<string, string> = {
    compatibility_level: '3.6',
    config_directory: join(dir, 'conf'),
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: 'mta.fidelity.test',
    mydomain: 'fidelity.test',
    myorigin: 'fidelity.test',
    mydestination: '',
    relay_domains: '',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_peername_lookup: 'no',
    // No local delivery, so no aliases or local recipient tables (and no read of /etc/aliases.db).
    alias_maps: '',
    alias_database: '',
    local_recipient_maps: '',
    smtp_tls_security_level: 'none',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    ...options.parameters,
  };
  return `${Object.entries(parameters)
    .map(([name, value]) => `${name} = ${value}`)
    .join('\n')}\n`;
}

export function masterCf(options: PostfixOptions): string {
  const chroot = options.chroot ? 'y' : 'n';
  // service type private unpriv chroot wakeup maxproc command (master(5))
  const services = [
    `127.0.0.1:${options.smtpdPort} inet n - ${chroot} - - smtpd`,
    `pickup unix n - ${chroot} 60 1 pickup`,
    `cleanup unix n - ${chroot} - 0 cleanup`,
    `qmgr unix n - n 300 1 qmgr`,
    `rewrite unix - - ${chroot} - - trivial-rewrite`,
    `bounce unix - - ${chroot} - 0 bounce`,
    `defer unix - - ${chroot} - 0 bounce`,
    `trace unix - - ${chroot} - 0 bounce`,
    `verify unix - - ${chroot} - 1 verify`,
    `flush unix n - ${chroot} 1000? 0 flush`,
    `proxymap unix - - n - - proxymap`,
    `smtp unix - - ${chroot} - - smtp`,
    `relay unix - - ${chroot} - - smtp`,
    `showq unix n - ${chroot} - - showq`,
    `error unix - - ${chroot} - - error`,
    `retry unix - - ${chroot} - - error`,
    `discard unix - - ${chroot} - - discard`,
    `anvil unix - - ${chroot} - 1 anvil`,
    `scache unix - - ${chroot} - 1 scache`,
    // TLS's PRNG and session cache manager: the SMTP client's TLS engine needs it (test/interop/postfix-relay.test.ts).
    `tlsmgr unix - - ${chroot} 1000? 1 tlsmgr`,
    `postlog unix-dgram n - n - 1 postlogd`,
  ];
  return `${services.join('\n')}\n`;
}

/** Writes the private configuration and starts Postfix in its own mount namespace. */
export async function startPostfix(options: PostfixOptions): Promise<RunningPostfix> {
  const { dir } = options;
  for (const sub of ['conf', 'queue', 'data']) mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(dir, 0o755); // the daemons run as mail_owner
  const postfixIds = await idsOf('postfix');
  chownSync(join(dir, 'data'), postfixIds.uid, postfixIds.gid);
  writeFileSync(join(dir, 'conf', 'main.cf'), mainCf(options));
  writeFileSync(join(dir, 'conf', 'master.cf'), masterCf(options));
  writeFileSync(join(dir, 'resolv.conf'), `nameserver ${options.dnsAddress}\noptions attempts:2 timeout:1\n`);
  writeFileSync(join(dir, 'maillog'), '');
  const conf = join(dir, 'conf');
  const script = `mount -n --bind '${join(dir, 'resolv.conf')}' /etc/resolv.conf && exec postfix -c '${conf}' start`;
  await exec('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { timeout: 30_000 });
  const startedAtMs = wallMs();
  const pidFile = join(dir, 'queue', 'pid', 'master.pid');
  const masterPid = () => (existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10) : Number.NaN);
  return {
    dir,
    startedAtMs,
    maillog: () => readFileSync(join(dir, 'maillog'), 'utf8'),
    stop: async () => {
      const pid = masterPid();
      if (!Number.isInteger(pid)) return;
      await exec('postfix', ['-c', conf, 'stop'], { timeout: 20_000 }).catch(() => undefined);
      await waitForExit(pid, 10_000);
    },
    killNow: () => {
      const pid = masterPid();
      if (Number.isInteger(pid) && pid > 1 && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** The installed Postfix's version (`postconf -d mail_version`). */
export async function postfixVersion(): Promise<string> {
  const { stdout } = await exec('postconf', ['-d', '-h', 'mail_version']);
  return stdout.trim();
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await exec('id', ['-u', user]);
  const { stdout: gid } = await exec('id', ['-g', user]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for master (started by us, pid from its pid file) to exit; SIGKILL after `boundMs`. */
async function waitForExit(pid: number, boundMs: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 1) return;
  const deadline = wallMs() + boundMs;
  while (alive(pid) && wallMs() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Submits one message to the private smtpd over SMTP and resolves with the wall time of the 250 to
 * the final dot (the message is in Postfix's incoming queue then).
 */
export function inject(port: number, from: string, to: string, subject: string): Promise<number> {
  const commands = [
    'EHLO inject.fidelity.test',
    `MAIL FROM:<${from}>`,
    `RCPT TO:<${to}>`,
    'DATA',
    `From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\nfidelity suite\r\n.`,
    'QUIT',
  ];
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffer = '';
    let step = -1; // -1: waiting for the greeting
    let acceptedAtMs = 0;
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // A complete reply ends with a line whose 4th character is a space.
      const lines = buffer.split('\r\n');
      const last = lines[lines.length - 2];
      if (last === undefined || last[3] !== ' ') return;
      buffer = '';
      if (!/^[23]/.test(last)) {
        socket.destroy();
        reject(new Error(`injection refused at step ${step}: ${last}`));
        return;
      }
      if (step === 4) acceptedAtMs = wallMs();
      step++;
      if (step < commands.length) socket.write(`${commands[step]}\r\n`);
      else {
        socket.end();
        resolve(acceptedAtMs);
      }
    });
  });
}
