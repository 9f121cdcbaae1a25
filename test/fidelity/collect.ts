/**
 * The whole comparison: play every experiment on the real Postfix (run-postfix.ts), keep what was
 * observed as plain data (`RawRun`: injection times, the maillog, dnsmasq's queries, the fakes'
 * connections and the bounces caught), and `analyse` it: Postfix's outcome (postfix-side.ts) beside
 * mailsim's run of the same scenarios at the same submission times (mailsim-side.ts). The tables
 * (compare.ts) and the raw data are written to `reports/fidelity/` (or $FIDELITY_OUT): `tables.md`
 * and `raw.json` — `analyse` can be re-run on a saved raw.json without Postfix. `reports/` is the
 * project's output folder (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Comparison, experimentSection } from './compare.js';
import type { DnsQuery } from './dnsmasq.js';
import { experiments, timers } from './experiments.js';
import type { FakeConnection, ReceivedMessage } from './fake-mx.js';
import { deferredScanSeconds, parseMaillog } from './maillog.js';
import { runMailsim } from './mailsim-side.js';
import { postfixOutcome } from './postfix-side.js';
import { runPostfix } from './run-postfix.js';

export interface RawRun {
  /** Wall ms when `postfix start` returned; mailsim's t = 0 is the start of its second (`originMs`). */
  startedAtMs: number;
  runs: Array<{ id: string; injectedAtMs: number[]; zeroMs: number }>;
  maillog: string;
  queries: DnsQuery[];
  connections: FakeConnection[];
  bounces: ReceivedMessage[];
}

export interface FidelityResult {
  raw: RawRun;
  comparisons: Comparison[];
  wallS: number;
  outDir: string;
}

const repoRoot = new URL('../../', import.meta.url).pathname;

/**
 * mailsim's t = 0: the start of a wall-clock second near the one in which `postfix start` returned,
 * chosen so that mailsim's queue scans fall in the same whole seconds as qmgr's.
 * - Whole seconds: Postfix's queue clock counts whole seconds of the wall clock (docs/delivery.md R8:
 *   event_time(), the arrival's second, a queue file's mtime), so mailsim's whole seconds must begin
 *   where the wall clock's do; counted from the exact start they were off by its fraction, and a retry
 *   could land a scan round apart (a run with the start at .959 s put four experiments 14 s apart).
 * - Scan phase: mailsim scans at t = 0, 2 s, 4 s … (`queue_run_delay`, phased from boot). qmgr scans
 *   every `queue_run_delay` from its own start, which may fall in the second after the one in which
 *   `postfix start` returned (one run in six here: start at .836 s, every scan in an odd second). A
 *   scan's whole second decides what it takes (R8's look-ahead), so a scan one second off moved two
 *   messages of the dead-destination experiment a round apart. The seconds of qmgr's scans are read
 *   from the maillog (`deferredScanSeconds`); t = 0 moves back by the phase of the most common one,
 *   which keeps every submission at t ≥ 0.
 */
export function originMs(raw: Pick<RawRun, 'startedAtMs' | 'maillog'>): number {
  const startSecondMs = Math.floor(raw.startedAtMs / 1000) * 1000;
  const periodS = Number.parseInt(timers.postfix.queue_run_delay, 10);
  const phases = new Array<number>(periodS).fill(0);
  for (const second of deferredScanSeconds(raw.maillog, raw.startedAtMs)) {
    phases[(((second - startSecondMs) / 1000) % periodS + periodS) % periodS]! += 1;
  }
  const phase = phases.indexOf(Math.max(...phases));
  return startSecondMs - (phase === 0 ? 0 : (periodS - phase) * 1000);
}

export function analyse(raw: RawRun): Comparison[] {
  const attempts = parseMaillog(raw.maillog, raw.startedAtMs);
  const zeroMs = originMs(raw);
  return raw.runs.map((run): Comparison => {
    const e = experiments.find((x) => x.id === run.id);
    if (e === undefined) throw new Error(`unknown experiment ${run.id}`);
    const postfix = postfixOutcome(e, { injectedAtMs: run.injectedAtMs, attempts, queries: raw.queries, connections: raw.connections, bounces: raw.bounces });
    const submittedMs = run.injectedAtMs.map((ms) => ms - zeroMs);
    const mailsim = runMailsim(e, submittedMs, run.zeroMs - zeroMs).outcome;
    return { experiment: e, postfix, mailsim };
  });
}

export function tablesMarkdown(comparisons: readonly Comparison[], note: string): string {
  const header = [
    '# Real Postfix vs mailsim: measured tables',
    '',
    `${note} Times in seconds after each message's submission; \`~\` = known to the second only (a`,
    'Postfix log line). Δ = mailsim − Postfix. See docs/fidelity.md.',
  ];
  return `${[header.join('\n'), ...comparisons.map(experimentSection)].join('\n\n')}\n`;
}

export async function collect(options: { keep?: boolean } = {}): Promise<FidelityResult> {
  const begin = performance.now();
  const run = await runPostfix(options);
  const raw: RawRun = {
    startedAtMs: run.startedAtMs,
    runs: run.runs.map((r) => ({ id: r.experiment.id, injectedAtMs: r.injectedAtMs, zeroMs: r.zeroMs })),
    maillog: run.maillog,
    queries: run.queries,
    connections: run.fakes.flatMap((f) => f.connections),
    bounces: run.sink.received,
  };
  const comparisons = analyse(raw);
  const wallS = (performance.now() - begin) / 1000;
  const outDir = process.env.FIDELITY_OUT ?? join(repoRoot, 'reports', 'fidelity');
  mkdirSync(outDir, { recursive: true });
  const note = `Measured ${new Date().toISOString()}, Postfix ${run.version}, in ${wallS.toFixed(0)} s.`;
  writeFileSync(join(outDir, 'tables.md'), tablesMarkdown(comparisons, note));
  writeFileSync(join(outDir, 'raw.json'), `${JSON.stringify(raw)}\n`);
  return { raw, comparisons, wallS, outDir };
}
