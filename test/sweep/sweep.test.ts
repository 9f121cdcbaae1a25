/**
 * A sweep's outputs are a function of the sweep alone (docs/research.md §7): the same bytes for one
 * worker or two, for one machine or shards merged in any order, and after a resume from a cut-off
 * file. A run that throws is recorded as a crash and the sweep goes on. The Parquet tables read back
 * as the JSON lines' rows; the summary's counts are the rows' counts.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { loadSweep, type Sweep } from '../../src/sweep/load.js';
import { mergeShards } from '../../src/sweep/merge.js';
import type { RecipientRow, RunRow } from '../../src/sweep/rows.js';
import { SweepRunner } from '../../src/sweep/run-one.js';
import type { SweepSummary } from '../../src/sweep/summary-types.js';
import { runSweep } from '../../src/sweep/sweep.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sweepFile = join(dir, 'outage.yaml');
writeFileSync(
  sweepFile,
  `name: outage\nscenario: ${join(root, 'scenarios', 'backup-mx.yaml')}\nseeds: 4\nvary:\n  /faults/0/until: [10m, 3h]\n  /hosts/smtp.sender.net/queue/schedule: [postfix, exim]\nmeasure:\n  within: [30m, 4h]\n  bootstrap: 200\n`,
);

/** Every file under a directory, path → bytes. */
function files(out: string, prefix = ''): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const name of readdirSync(join(out, prefix)).sort()) {
    const rel = join(prefix, name);
    if (statSync(join(out, rel)).isDirectory()) for (const [k, v] of files(out, rel)) found.set(k, v);
    else found.set(rel, readFileSync(join(out, rel)));
  }
  return found;
}

const lines = <T>(path: string): T[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);

let sweep: Sweep;
let reference: Map<string, Buffer>;
const whole = { index: 0, count: 1 };

beforeAll(async () => {
  sweep = loadSweep(sweepFile);
  await runSweep(sweep, { out: join(dir, 'one'), workers: 1, resume: false, shard: whole });
  reference = files(join(dir, 'one'));
}, 120_000);

describe('mailsim sweep', () => {
  it('writes the tidy outputs: a row per run in run order, a row per recipient, a summary, Parquet, reports', () => {
    expect([...reference.keys()].filter((k) => !k.startsWith('reports/'))).toEqual(['recipients.jsonl', 'recipients.parquet', 'runs.jsonl', 'runs.parquet', 'summary.json', 'sweep.html', 'sweep.json']);
    for (let point = 0; point < 4; point++) expect(reference.has(`reports/p${point}.html`)).toBe(true);
    const runs = lines<RunRow>(join(dir, 'one', 'runs.jsonl'));
    expect(runs.map((r) => r.run)).toEqual([...Array(16).keys()]);
    expect(runs[5]).toMatchObject({ point: 1, seed: 2, params: { '/faults/0/until': '10m', '/hosts/smtp.sender.net/queue/schedule': 'exim' } });
    // Each row is what running that point's scenario with that seed reports.
    const alone = runScenarioWorld(new SweepRunner(sweep).scenarioOf(3), { seed: 4 }).report;
    expect(runs[15]!.traceDigest).toBe(alone.traceDigest);
    expect(lines<RecipientRow>(join(dir, 'one', 'recipients.jsonl')).length).toBe(16);
  });

  it('summarises the rows: counts, within-thresholds and quantiles agree with the recipients table', () => {
    const summary = JSON.parse(reference.get('summary.json')!.toString()) as SweepSummary;
    const recipients = lines<RecipientRow>(join(dir, 'one', 'recipients.jsonl'));
    for (const point of summary.points) {
      const mine = recipients.filter((r) => r.point === point.point);
      const delivered = mine.filter((r) => r.outcome === 'delivered');
      expect(point.delivered).toMatchObject({ count: delivered.length, n: mine.length });
      expect(point.deliveredWithin['30m']!.count).toBe(delivered.filter((r) => r.delayMs! <= 30 * 60_000).length);
      expect(point.deliveredWithin['4h']!.count).toBe(delivered.filter((r) => r.delayMs! <= 4 * 3_600_000).length);
      expect(point.attemptsMean).toBeCloseTo(mine.reduce((s, r) => s + r.attempts, 0) / mine.length, 10);
      const delays = delivered.map((r) => r.delayMs!).sort((a, b) => a - b);
      expect(point.delayMs!.p50.value).toBeGreaterThanOrEqual(delays[0]!);
      expect(point.delayMs!.p50.value).toBeLessThanOrEqual(delays.at(-1)!);
      expect(point.delayMs!.p50.low).toBeLessThanOrEqual(point.delayMs!.p50.value);
    }
    // A 3 h outage cannot be delivered within 30 minutes; a 10 min one is.
    expect(summary.points[0]!.deliveredWithin['30m']!.p).toBe(1);
    expect(summary.points[2]!.deliveredWithin['30m']!.p).toBe(0);
  });

  it('gives the same bytes with two workers', async () => {
    await runSweep(sweep, { out: join(dir, 'two'), workers: 2, resume: false, shard: whole });
    expect(files(join(dir, 'two'))).toEqual(reference);
  }, 120_000);

  it('gives the same bytes from three shards merged, given in any order', async () => {
    for (let index = 0; index < 3; index++) await runSweep(sweep, { out: join(dir, `shard${index}`), workers: 1, resume: false, shard: { index, count: 3 } });
    expect(readdirSync(join(dir, 'shard1')).sort()).toEqual(['recipients.jsonl', 'runs.jsonl', 'sweep.json']);
    await mergeShards([join(dir, 'shard2'), join(dir, 'shard0'), join(dir, 'shard1')], join(dir, 'merged'));
    expect(files(join(dir, 'merged'))).toEqual(reference);
  }, 120_000);

  it('refuses a missing, doubled, incomplete or foreign shard, with what is wrong', async () => {
    await expect(mergeShards([join(dir, 'shard0'), join(dir, 'shard2')], join(dir, 'm1'))).rejects.toThrow('shard 1 of 3 is missing');
    await expect(mergeShards([join(dir, 'shard0'), join(dir, 'shard0'), join(dir, 'shard1')], join(dir, 'm2'))).rejects.toThrow(/shard 0\/3 is given twice/);
    cpSync(join(dir, 'shard1'), join(dir, 'cut1'), { recursive: true });
    writeFileSync(join(dir, 'cut1', 'runs.jsonl'), readFileSync(join(dir, 'shard1', 'runs.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    await expect(mergeShards([join(dir, 'shard0'), join(dir, 'cut1'), join(dir, 'shard2')], join(dir, 'm3'))).rejects.toThrow(/shard 1\/3 is not complete .*finish it with --resume/);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync(sweepFile, 'utf8').replace('[10m, 3h]', '[10m, 2h]'));
    await runSweep(loadSweep(other), { out: join(dir, 'foreign'), workers: 1, resume: false, shard: { index: 1, count: 3 } });
    await expect(mergeShards([join(dir, 'shard0'), join(dir, 'foreign'), join(dir, 'shard2')], join(dir, 'm4'))).rejects.toThrow(/is a shard of another sweep/);
  }, 120_000);

  it('resumes after a cut-off write: skips what is done, drops the half line, same bytes at the end', async () => {
    const out = join(dir, 'resumed');
    cpSync(join(dir, 'one'), out, { recursive: true });
    for (const name of ['summary.json', 'sweep.html', 'runs.parquet', 'recipients.parquet']) rmSync(join(out, name));
    rmSync(join(out, 'reports'), { recursive: true });
    const runs = readFileSync(join(dir, 'one', 'runs.jsonl'), 'utf8').split('\n');
    writeFileSync(join(out, 'runs.jsonl'), `${runs.slice(0, 6).join('\n')}\n${runs[6]!.slice(0, 40)}`);
    const recipients = readFileSync(join(dir, 'one', 'recipients.jsonl'), 'utf8').split('\n');
    writeFileSync(join(out, 'recipients.jsonl'), `${recipients.slice(0, 8).join('\n')}\n`);
    await expect(runSweep(sweep, { out, workers: 1, resume: false, shard: whole })).rejects.toThrow(/already holds the outputs of a sweep \(outage\); give --resume/);
    const outcome = await runSweep(sweep, { out, workers: 1, resume: true, shard: whole });
    expect(outcome).toMatchObject({ total: 16, resumedFrom: 6 });
    expect(files(out)).toEqual(reference);
    await expect(runSweep(loadSweep(join(dir, 'other.yaml')), { out, workers: 1, resume: true, shard: whole })).rejects.toThrow(/holds the outputs of another sweep/);
  }, 120_000);

  it('records a run that throws as a crash, with its seed and the error, and goes on', async () => {
    const out = join(dir, 'crash');
    const throwing = new SweepRunner(sweep, (scenario, options) => {
      if (options?.seed === 3) throw new TypeError('planted failure');
      return runScenarioWorld(scenario, options);
    });
    const outcome = await runSweep(sweep, { out, workers: 1, resume: false, shard: whole, inThread: throwing });
    expect(outcome.crashed).toBe(4);
    const runs = lines<RunRow>(join(out, 'runs.jsonl'));
    expect(runs).toHaveLength(16);
    expect(runs[2]).toMatchObject({ run: 2, seed: 3, outcome: 'crash', passed: false, traceDigest: null, error: 'TypeError: planted failure' });
    expect(runs[3]!.outcome).not.toBe('crash');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SweepSummary;
    expect(summary.points.map((p) => p.crashed)).toEqual([1, 1, 1, 1]);
  }, 120_000);

  it('writes Parquet that reads back as the JSON lines, parameters as columns', async () => {
    const read = async (name: string) => parquetReadObjects({ file: new Uint8Array(readFileSync(join(dir, 'one', name))).buffer });
    const runs = await read('runs.parquet');
    const json = lines<RunRow>(join(dir, 'one', 'runs.jsonl'));
    expect(runs).toHaveLength(json.length);
    expect(runs[5]).toMatchObject({ run: 5, point: 1, seed: 2n, '/faults/0/until': '10m', '/hosts/smtp.sender.net/queue/schedule': 'exim', outcome: json[5]!.outcome, traceDigest: json[5]!.traceDigest, attempts: json[5]!.attempts });
    const recipients = await read('recipients.parquet');
    const rjson = lines<RecipientRow>(join(dir, 'one', 'recipients.jsonl'));
    expect(recipients.map((r) => (r.delayMs === null ? null : Number(r.delayMs)))).toEqual(rjson.map((r) => r.delayMs));
    expect(recipients.map((r) => r.acceptedBy)).toEqual(rjson.map((r) => r.acceptedBy));
  });
});
