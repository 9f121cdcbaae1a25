/**
 * Finishing a whole sweep (one machine's, or the shards' after `mailsim merge`): everything after the
 * JSON lines is a function of them and of the sweep, read back as a stream — `summary.json`, the Parquet
 * tables, `sweep.html`, and each point's representative report (its first seed run again with its
 * trace, `reports/pN.html`). That is why a merge of shards gives the same bytes as one machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { esc } from '../report/html-text.js';
import { writeReports } from '../report/write.js';
import { runScenarioWorld } from '../runner/run.js';
import { VERSION } from '../schema/version.js';
import { renderSweepHtml } from './html.js';
import { readJsonLines } from './jsonl.js';
import type { Sweep } from './load.js';
import { outputFiles } from './manifest.js';
import { writeParquetTables } from './parquet.js';
import type { RecipientRow, RunRow } from './rows.js';
import { SweepRunner } from './run-one.js';
import { representativeBaseName, SummaryBuilder } from './summary.js';
import type { SweepSummary } from './summary-types.js';

export async function finishSweep(sweep: Sweep, out: string): Promise<SweepSummary> {
  const runsPath = join(out, outputFiles.runs);
  const recipientsPath = join(out, outputFiles.recipients);
  const builder = new SummaryBuilder(sweep);
  for await (const { value } of readJsonLines<RunRow>(runsPath)) builder.addRun(value);
  for await (const { value } of readJsonLines<RecipientRow>(recipientsPath)) builder.addRecipient(value);
  const summary = builder.summary(VERSION);
  writeFileSync(join(out, outputFiles.summary), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(out, outputFiles.html), renderSweepHtml(summary));
  await writeParquetTables(sweep, runsPath, recipientsPath, join(out, outputFiles.runsParquet), join(out, outputFiles.recipientsParquet));
  writeRepresentativeReports(sweep, summary, out);
  return summary;
}

/** Each point's representative run, again, with its trace: the full HTML report the page links to. */
function writeRepresentativeReports(sweep: Sweep, summary: SweepSummary, out: string): void {
  const dir = join(out, outputFiles.reports);
  mkdirSync(dir, { recursive: true });
  const runner = new SweepRunner(sweep);
  for (const point of summary.points) {
    const baseName = representativeBaseName(point.point);
    try {
      const { report, world } = runScenarioWorld(runner.scenarioOf(point.point), { seed: point.representative.seed, keepTrace: true });
      writeReports(report, { outDir: dir, baseName, traceEvents: world.sim.trace.events });
    } catch (error) {
      writeFileSync(join(dir, `${baseName}.html`), `<!doctype html><meta charset="utf-8"><title>crash</title><p>This run crashed: ${esc(error instanceof Error ? error.message : String(error))}</p>\n`);
    }
  }
}

