/**
 * The sweep's Parquet tables read in DuckDB (docs/research.md §4): the research guide's own query runs
 * on `recipients.parquet` and gives the `deliveredWithin["1h"]` of `summary.json`; the columns have the
 * types the guide promises (seeds and times as BIGINT, numeric parameters as DOUBLE).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/sweep/load.js';
import type { SweepSummary } from '../../src/sweep/summary-types.js';
import { runSweep } from '../../src/sweep/sweep.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mailsim-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Parquet tables in DuckDB', () => {
  it('answer the research guide\'s query as summary.json does', async () => {
    const file = join(dir, 'chance.yaml');
    writeFileSync(file, `scenario: ${join(root, 'examples', 'backup-mx-value', 'scenario.yaml')}\nseeds: 20\nvary:\n  /faults/0/chance: [0.2, 0.7]\n  /dns/example.org/mx: [["10 mx1.example.org"]]\n`);
    const out = join(dir, 'out');
    await runSweep(loadSweep(file), { out, workers: 1, resume: false, shard: { index: 0, count: 1 } });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SweepSummary;
    // The query of docs/research.md §4, on this folder.
    const guide = readFileSync(join(root, 'docs', 'research.md'), 'utf8');
    const query = /```sql\n-- duckdb\n([\s\S]*?)```/.exec(guide)![1]!.replaceAll('sweeps/primary-down/', `${out}/`);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const rows = (await connection.runAndReadAll(query)).getRowObjectsJson() as Array<{ p: number; within_1h: number }>;
    expect(rows.map((r) => [r.p, r.within_1h])).toEqual(summary.points.map((p) => [p.params['/faults/0/chance'], p.deliveredWithin['1h']!.p]));
    const types = (await connection.runAndReadAll(`SELECT typeof(seed) AS seed, typeof(delayMs) AS delay, typeof("/faults/0/chance") AS chance, typeof(outcome) AS outcome FROM '${out}/recipients.parquet' LIMIT 1`)).getRowObjectsJson();
    expect(types).toEqual([{ seed: 'BIGINT', delay: 'BIGINT', chance: 'DOUBLE', outcome: 'VARCHAR' }]);
    const runs = (await connection.runAndReadAll(`SELECT count(*)::INT AS n, sum(delivered)::INT AS delivered FROM '${out}/runs.parquet'`)).getRowObjectsJson();
    expect(runs).toEqual([{ n: 40, delivered: summary.points.reduce((s, p) => s + p.delivered.count, 0) }]);
    connection.closeSync();
  }, 60_000);
});
