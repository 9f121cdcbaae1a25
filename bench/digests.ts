/**
 * The traceDigest (and a few outcome counts) of fixed scenarios: the test fixtures, the example
 * scenarios and small versions of the benchmark worlds. A refactoring or performance change must leave
 * every line identical; test/digests.test.ts compares them with the pinned test/fixtures/digests.txt.
 * A change that alters behaviour on purpose says so in its commit and re-pins them:
 * `npx tsx bench/digests.ts > test/fixtures/digests.txt`.
 * Each scenario runs twice, with keepTrace true and false; the digests must agree.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseScenarioFile } from '../src/scenario/load.js';
import { runScenarioWorld } from '../src/runner/run.js';
import type { Scenario } from '../src/scenario/schema-types.js';
import { bulkScenario, outageScenario } from './scenarios.js';

const root = new URL('..', import.meta.url).pathname;

function scenarioFiles(): Array<{ name: string; scenario: Scenario }> {
  const out: Array<{ name: string; scenario: Scenario }> = [];
  for (const dir of ['test/scenario/fixtures', 'scenarios']) {
    let names: string[];
    try {
      names = readdirSync(join(root, dir)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const analysis = analyseScenarioFile(join(root, dir, name));
      if (analysis.scenario !== null) out.push({ name: `${dir}/${name}`, scenario: analysis.scenario });
    }
  }
  return out;
}

function describe(name: string, input: unknown): string {
  const kept = runScenarioWorld(input, { keepTrace: true });
  const lean = runScenarioWorld(input, { keepTrace: false });
  const r = lean.report;
  const agree = kept.report.traceDigest === r.traceDigest ? '' : ` KEEP-TRACE-MISMATCH ${kept.report.traceDigest}`;
  return `${name}: ${r.traceDigest} events=${r.stats.events} trace=${lean.world.sim.trace.count} messages=${r.messages.length} passed=${r.passed}${agree}`;
}

/** One line per fixed scenario, in a fixed order. */
export function digestLines(): string[] {
  return [
    ...scenarioFiles().map(({ name, scenario }) => describe(name, scenario)),
    ...[1, 2].map((seed) => describe(`bench bulk 300 seed ${seed}`, bulkScenario({ count: 300, seed }))),
    describe('bench bulk 50 × 20 kB every 50 ms', bulkScenario({ count: 50, sizeBytes: 20_000, everyMs: 50 })),
    describe('bench outage 30', outageScenario(30)),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for (const line of digestLines()) console.log(line);
}
