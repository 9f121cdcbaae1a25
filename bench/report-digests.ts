/**
 * The sha256 of each fixed scenario's report JSON (docs/reference.md §9), without `stats.wallMs` (wall
 * time), for the scenarios bench/digests.ts runs: the test fixtures, the example scenarios and small
 * benchmark worlds. The trace digest pins what the simulator did; this pins what the report says about
 * it, so a change to how the report's inputs are kept (src/mail/records.ts) cannot change a byte of it.
 * test/report/report-digests.test.ts compares them with test/fixtures/report-digests.txt; re-pin, in a
 * commit that says why, with `npx tsx bench/report-digests.ts > test/fixtures/report-digests.txt`.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runScenarioWorld } from '../src/runner/run.js';
import { analyseScenarioFile } from '../src/scenario/load.js';
import { bulkScenario, outageScenario } from './scenarios.js';

const root = new URL('..', import.meta.url).pathname;

function fixedScenarios(): Array<{ name: string; input: unknown }> {
  const out: Array<{ name: string; input: unknown }> = [];
  for (const dir of ['test/scenario/fixtures', 'scenarios']) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const analysis = analyseScenarioFile(join(root, dir, name));
      if (analysis.scenario !== null) out.push({ name: `${dir}/${name}`, input: analysis.scenario });
    }
  }
  out.push({ name: 'bench bulk 300', input: bulkScenario({ count: 300 }) });
  out.push({ name: 'bench outage 30', input: outageScenario(30) });
  return out;
}

export function reportDigestLines(): string[] {
  return fixedScenarios().map(({ name, input }) => {
    const { report } = runScenarioWorld(input, { keepTrace: false });
    // The scenario's file is an absolute path: relative to the checkout, so any checkout gives the same bytes.
    const file = report.scenario.file === null ? null : relative(root, report.scenario.file);
    const json = JSON.stringify({ ...report, scenario: { ...report.scenario, file }, stats: { ...report.stats, wallMs: 0 } });
    return `${name}: sha256:${createHash('sha256').update(json).digest('hex')} bytes=${json.length}`;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(reportDigestLines().join('\n'));
