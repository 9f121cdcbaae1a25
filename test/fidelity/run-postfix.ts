/**
 * Plays every experiment against one private Postfix at once, and stops everything it started.
 *
 * Order: a temp dir; dnsmasq with every experiment's records (dnsmasq.ts); the fake MX hosts that
 * listen from the start (the sender's MX, and every `accept`, `greeting`, `greylist`, `rcpt`, `close`
 * fake); Postfix (postfix.ts). Then each experiment, in parallel: start its fakes' clocks, inject its
 * messages over SMTP, and watch the maillog and the sender's MX until every message was delivered or
 * its bounce arrived (or `watchS` passed). Postfix, dnsmasq and the fakes are stopped in `finally`,
 * whatever happened, and the temp dir is removed unless `keep` is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../interop/harness.js';
import { type DnsQuery, type DnsRecords, startDnsmasq } from './dnsmasq.js';
import { type Experiment, experiments, recipientOf, senderMx, senderOf, timers } from './experiments.js';
import { FakeMx } from './fake-mx.js';
import { type LoggedAttempt, parseMaillog } from './maillog.js';
import { inject, postfixVersion, startPostfix } from './postfix.js';

export const dnsAddress = '127.77.0.53';

export interface ExperimentRun {
  experiment: Experiment;
  /** Wall ms of each message's injection. */
  injectedAtMs: number[];
  /** Wall ms when the experiment's fakes started their clocks. */
  zeroMs: number;
}

export interface PostfixRun {
  startedAtMs: number;
  /** `postconf -d mail_version` */
  version: string;
  runs: ExperimentRun[];
  queries: DnsQuery[];
  fakes: FakeMx[];
  sink: FakeMx;
  maillog: string;
  dir: string;
}

const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function dnsRecords(list: readonly Experiment[]): DnsRecords {
  const records: DnsRecords = { mx: { 'sender.test': [{ preference: 10, host: senderMx.host }] }, a: { [senderMx.host]: senderMx.address } };
  for (const e of list) {
    records.mx[e.domain] = e.mx.map((mx) => ({ preference: mx.preference, host: mx.host }));
    for (const mx of e.mx) records.a[mx.host] = mx.address;
  }
  return records;
}

/** True once every message of `run` was accepted by an MX or its bounce reached the sender's MX. */
function finished(run: ExperimentRun, attempts: LoggedAttempt[], sink: FakeMx): boolean {
  const e = run.experiment;
  for (let k = 1; k <= run.injectedAtMs.length; k++) {
    const rcpt = recipientOf(e, k);
    if (attempts.some((a) => a.rcpt === rcpt && a.status === 'sent')) continue;
    if (sink.received.some((m) => m.data.includes(rcpt))) continue;
    return false;
  }
  return run.injectedAtMs.length === e.messages;
}

/**
 * The experiments start this many ms into a wall-clock second. Postfix records a deferral in the whole
 * second in which qmgr handles the delivery agent's report (event_time(), docs/delivery.md R8), which
 * comes some tens of ms after the attempt (its process hand-offs, which mailsim does not model); an
 * experiment started late in a second had its first deferrals land in the next second in one run in
 * six, moving the retries of a whole experiment one scan later. Starting early in a second leaves the
 * first round's reports the rest of it.
 */
const injectionPhaseMs = 50;

async function play(e: Experiment, fakes: FakeMx[], port: number, postfix: { maillog(): string }, sink: FakeMx): Promise<ExperimentRun> {
  const zeroMs = wallMs();
  const mine = fakes.filter((f) => e.mx.some((mx) => mx.host === f.host));
  for (const fake of mine) await fake.start(zeroMs);
  const run: ExperimentRun = { experiment: e, injectedAtMs: [], zeroMs };
  const numbers = Array.from({ length: e.messages }, (_, i) => i + 1);
  if (e.spacingMs === 0) {
    // "At once": every message on its own connection, together — one after another they took up to
    // 0.6 s on a loaded machine and straddled a whole second (see injectionPhaseMs).
    run.injectedAtMs.push(...(await Promise.all(numbers.map((k) => inject(port, senderOf(e), recipientOf(e, k), `${e.id} ${k}`)))));
  } else {
    for (const k of numbers) {
      if (k > 1) await sleep(zeroMs + (k - 1) * e.spacingMs - wallMs());
      run.injectedAtMs.push(await inject(port, senderOf(e), recipientOf(e, k), `${e.id} ${k}`));
    }
  }
  while (wallMs() < zeroMs + e.watchS * 1000) {
    if (finished(run, parseMaillog(postfix.maillog(), zeroMs), sink)) break;
    await sleep(500);
  }
  return run;
}

export async function runPostfix(options: { keep?: boolean; list?: readonly Experiment[] } = {}): Promise<PostfixRun> {
  const list = options.list ?? experiments;
  const dir = mkdtempSync(join(tmpdir(), 'mailsim-fidelity-'));
  const stops: Array<() => Promise<void>> = [];
  // Should this process end without reaching `finally` (a signal, a crash), kill what it started.
  const killers: Array<() => void> = [];
  const killAll = () => {
    for (const kill of killers) kill();
  };
  const onSignal = () => {
    killAll();
    process.exit(1);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const dns = await startDnsmasq(dnsAddress, dir, dnsRecords(list));
    stops.push(dns.stop);
    killers.push(dns.killNow);
    const sink = new FakeMx(senderMx.host, senderMx.address, { kind: 'accept' });
    const fakes = list.flatMap((e) => e.mx.map((mx) => new FakeMx(mx.host, mx.address, mx.behaviour)));
    for (const fake of [sink, ...fakes]) stops.push(() => fake.stop());
    await sink.start(wallMs());
    const port = await freePort();
    const postfix = await startPostfix({ dir, dnsAddress, smtpdPort: port, parameters: timers.postfix });
    stops.push(postfix.stop);
    killers.push(postfix.killNow);
    await sleep(injectionPhaseMs + 1000 - (wallMs() % 1000));
    const runs = await Promise.all(list.map((e) => play(e, fakes, port, postfix, sink)));
    await sleep(1000); // the last log lines
    const maillog = postfix.maillog();
    return { startedAtMs: postfix.startedAtMs, version: await postfixVersion(), runs, queries: [...dns.queries], fakes, sink, maillog, dir };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
