/**
 * Every example scenario in scenarios/ is a story with its own `expect` block: it must pass, and run
 * the same twice (docs/architecture.md: scenario files double as tests).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { runScenarioWorld } from '../src/runner/run.js';

const dir = join(import.meta.dirname, '..', 'scenarios');
const files = readdirSync(dir).filter((name) => name.endsWith('.yaml') || name.endsWith('.json'));

describe('example scenarios', () => {
  it('there are at least eight stories', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    it(`${file} passes every expectation and invariant, deterministically`, () => {
      const scenario = loadScenario(join(dir, file));
      expect(scenario.warnings).toEqual([]);
      const { report } = runScenarioWorld(scenario);
      const failed = [...report.expectations.filter((e) => !e.passed), ...report.invariants.filter((i) => !i.passed)];
      expect(failed).toEqual([]);
      expect(report.passed).toBe(true);
      expect(runScenarioWorld(loadScenario(join(dir, file))).report.traceDigest).toBe(report.traceDigest);
    });
  }
});
