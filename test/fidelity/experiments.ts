/**
 * The fidelity experiments of issue 22's "Done when", each described once and played twice: by the
 * real Postfix against fake MX hosts (fake-mx.ts, postfix.ts) and by mailsim as a scenario with the
 * same DNS, the same behaviours and the same compressed timers (`scenarioFor`).
 *
 * Every experiment has its own destination domain (`ID.test`), its own MX hosts on 127.77.N.x and its
 * own sender (`ID@sender.test`), so all of them run at once against one Postfix without sharing a
 * destination (Postfix's per-destination state — concurrency, dead-destination marks — stays apart).
 * Message k of an experiment goes to `mK@ID.test`, so each log line names its message.
 *
 * How a behaviour is said to mailsim (docs/reference.md §5, §6):
 *   down      → `refuse` of port 25 (connects refused at once, as with no listener), `until` = the
 *               moment the fake starts listening;
 *   close     → `drop` after connect;
 *   greeting  → `reply` on connect with the code and text;
 *   greylist  → the host's `greylist` (mailsim answers 450 4.2.0, the fake 451 4.7.1: the code does
 *               not change the timing);
 *   rcpt      → `reply` on rcpt.
 */
import type { Behaviour } from './fake-mx.js';

/** The compressed Postfix timers, as main.cf parameters and as mailsim's `queue` (docs/reference.md §5.1). */
export const timers = {
  postfix: {
    queue_run_delay: '2s',
    minimal_backoff_time: '4s',
    maximal_backoff_time: '32s',
    maximal_queue_lifetime: '240s',
    bounce_queue_lifetime: '240s',
    smtp_connect_timeout: '5s',
  },
  mailsim: { min: '4s', max: '32s', scan: '2s', lifetime: '240s', 'bounce-lifetime': '240s' },
};

export const senderDomain = 'sender.test';
export const senderMx = { host: 'mx.sender.test', address: '127.77.0.2' };
export const reportingMta = 'mta.fidelity.test';

export interface MxSpec {
  host: string;
  preference: number;
  address: string;
  behaviour: Behaviour;
}

export interface Experiment {
  id: string;
  title: string;
  domain: string;
  mx: MxSpec[];
  messages: number;
  /** Wall ms between injected messages. */
  spacingMs: number;
  /** Until what the experiment is watched (s after the first injection) if not every message ended. */
  watchS: number;
}

function experiment(index: number, id: string, title: string, mx: Array<Omit<MxSpec, 'address' | 'host'> & { name: string }>, extra: Partial<Experiment> = {}): Experiment {
  const domain = `${id}.test`;
  return {
    id,
    title,
    domain,
    mx: mx.map((m, k) => ({ host: `${m.name}.${domain}`, preference: m.preference, address: `127.77.${index}.${k + 1}`, behaviour: m.behaviour })),
    messages: 1,
    spacingMs: 0,
    watchS: 275,
    ...extra,
  };
}

const down: Behaviour = { kind: 'down' };
const accept: Behaviour = { kind: 'accept' };

export const experiments: Experiment[] = [
  experiment(1, 'refused-primary', 'refused primary with a backup', [
    { name: 'mx1', preference: 10, behaviour: down },
    { name: 'mx2', preference: 20, behaviour: accept },
  ]),
  experiment(2, 'down-100s', 'all MX down (refused) for 100 s', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'down', untilMs: 100_000 } },
    { name: 'mx2', preference: 20, behaviour: { kind: 'down', untilMs: 100_000 } },
  ]),
  experiment(3, 'down-forever', 'all MX down (refused) for ever: bounce after the lifetime', [
    { name: 'mx1', preference: 10, behaviour: down },
    { name: 'mx2', preference: 20, behaviour: down },
  ]),
  experiment(4, 'greeting-421', '421 greeting at the primary', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'greeting', code: 421, text: '4.3.2 mx1 busy, try again later' } },
    { name: 'mx2', preference: 20, behaviour: accept },
  ]),
  experiment(5, 'greeting-554', '554 greeting at the primary', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'greeting', code: 554, text: '5.3.2 mx1 not accepting mail' } },
    { name: 'mx2', preference: 20, behaviour: accept },
  ]),
  experiment(6, 'greylist-60s', 'greylisting for 60 s at the only MX', [{ name: 'mx1', preference: 10, behaviour: { kind: 'greylist', delayMs: 60_000 } }]),
  experiment(7, 'rcpt-550', '550 at RCPT: bounce at once', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'rcpt', code: 550, text: '5.1.1 Recipient address rejected: User unknown' } },
  ]),
  experiment(8, 'equal-preference', 'two MX of equal preference, one refusing: 16 messages', [
    { name: 'mxa', preference: 10, behaviour: down },
    { name: 'mxb', preference: 10, behaviour: accept },
  ], { messages: 16, spacingMs: 500 }),
  experiment(9, 'dead-destination', 'ten messages to one destination whose only MX refuses for 60 s', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'down', untilMs: 60_000 } },
  ], { messages: 10 }),
  experiment(10, 'greeting-421-only', '421 4.3.2 greeting at the only MX for ever: the bounce’s status', [
    { name: 'mx1', preference: 10, behaviour: { kind: 'greeting', code: 421, text: '4.3.2 mx1 busy, try again later' } },
  ]),
];

export const senderOf = (e: Experiment) => `${e.id}@${senderDomain}`;
export const recipientOf = (e: Experiment, message: number) => `m${message}@${e.domain}`;

function faultsFor(mx: MxSpec, zeroMs: number): unknown[] {
  const b = mx.behaviour;
  if (b.kind === 'down') return [b.untilMs === undefined ? { at: '0s', refuse: mx.host } : { at: '0s', refuse: mx.host, until: `${Math.round(zeroMs + b.untilMs)}ms` }];
  if (b.kind === 'close') return [{ at: '0s', drop: { host: mx.host, after: 'connect' } }];
  if (b.kind === 'greeting') return [{ at: '0s', reply: { host: mx.host, on: 'connect', code: b.code, text: b.text } }];
  if (b.kind === 'rcpt') return [{ at: '0s', reply: { host: mx.host, on: 'rcpt', code: b.code, text: b.text } }];
  return [];
}

/**
 * The experiment as a mailsim scenario (a plain object of the YAML's shape). `submittedMs[k]` is when
 * message k+1 was injected into Postfix, in ms after the start of the wall-clock second in which
 * Postfix started (collect.ts `originMs`): mailsim's whole seconds are then Postfix's (its queue clock
 * counts wall-clock seconds, docs/delivery.md R8), and mailsim's queue scans (phased from boot) fall
 * within a second of qmgr's.
 * `zeroMs` is when the experiment's fakes started their clocks (a `down … untilMs` ends then + untilMs).
 */
export function scenarioFor(e: Experiment, submittedMs: readonly number[], zeroMs = submittedMs[0] ?? 0): Record<string, unknown> {
  const local = e.id;
  const users = Object.fromEntries(submittedMs.map((_, k) => [`m${k + 1}`, 'x']));
  const hosts: Record<string, unknown> = {
    [reportingMta]: { roles: ['msa', 'mta'], domains: ['fidelity.test'], users: { [local]: 'secret' } },
    [senderMx.host]: { roles: ['mta', 'mda'], domains: [senderDomain], users: { [local]: 'x' }, tls: false },
  };
  for (const mx of e.mx) {
    hosts[mx.host] = { roles: ['mta', 'mda'], domains: [e.domain], users, tls: false, ...(mx.behaviour.kind === 'greylist' ? { greylist: `${mx.behaviour.delayMs}ms` } : {}) };
  }
  return {
    name: `fidelity: ${e.title}`,
    seed: 1,
    until: `${Math.round(zeroMs + 400_000)}ms`,
    network: { latency: '1ms' },
    defaults: { queue: timers.mailsim, timeouts: { connect: timers.postfix.smtp_connect_timeout } },
    dns: {
      [senderDomain]: { mx: [`10 ${senderMx.host}`] },
      [e.domain]: { mx: e.mx.map((mx) => `${mx.preference} ${mx.host}`) },
    },
    hosts,
    faults: e.mx.flatMap((mx) => faultsFor(mx, zeroMs)),
    traffic: submittedMs.map((atMs, k) => ({
      at: `${Math.round(atMs)}ms`,
      send: { from: senderOf(e), to: recipientOf(e, k + 1), via: reportingMta, subject: `${e.id} ${k + 1}`, body: 'fidelity suite' },
    })),
  };
}
