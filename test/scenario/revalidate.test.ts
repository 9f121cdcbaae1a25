/**
 * The faults-only revalidation (src/scenario/revalidate.ts) gives exactly what the full pipeline
 * gives: the same scenario, warnings and errors, for drawn fault schedules over shipped scenarios and
 * for broken ones; and the kept scenario is still what a fresh validation gives after runs of it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { analyseScenarioObject, validateScenarioObject } from '../../src/scenario/load.js';
import { faultsOnly, forgetValidated } from '../../src/scenario/revalidate.js';
import { faultSchedule, scenarioObjectOf } from '../../src/testing/index.js';
import type { ScenarioObject } from '../../src/testing/types.js';

const files = ['scenarios/backup-mx.yaml', 'scenarios/greylisting.yaml', 'scenarios/gmail-five-mx.yaml', 'scenarios/dns-servfail.yaml'];

type Breakage = (faults: Record<string, unknown>[]) => unknown;
/** Ways to break (or just change) a drawn fault list: each must come out of both paths the same. */
const breakages: Breakage[] = [
  (faults) => faults,
  (faults) => faults.map((f, i) => (i === 0 ? { ...f, at: '999h' } : f)),
  (faults) => faults.map((f, i) => (i === 0 ? { ...f, at: '2h', until: '1h' } : f)),
  (faults) => [...faults, { at: '1m', down: 'no-such-host.example' }],
  (faults) => [...faults, { at: '1m', down: 'mx1.example.org', bogus: true }],
  (faults) => [...faults, { at: '1m' }],
  () => null,
  () => undefined,
];

const cases = fc.tuple(
  fc.constantFrom(...files).chain((file) => faultSchedule(file).map((drawn) => ({ file, drawn }))),
  fc.nat(breakages.length - 1),
);

function changed({ drawn }: { drawn: ScenarioObject }, breakage: number): ScenarioObject {
  return { ...drawn, faults: breakages[breakage]!((drawn.faults ?? []) as Record<string, unknown>[]) } as ScenarioObject;
}

describe('validating a changed fault list alone', () => {
  it('gives what the full pipeline gives, for drawn and broken fault lists', () => {
    let fastPaths = 0;
    let valid = 0;
    fc.assert(
      fc.property(cases, ([draw, breakage]) => {
        const value = changed(draw, breakage);
        forgetValidated();
        const full = analyseScenarioObject(value, draw.file);
        analyseScenarioObject(scenarioObjectOf(draw.file), draw.file);
        // Every valid one must take the faults-only path, not just fall back to the full pipeline.
        if (full.errors.length === 0) valid++;
        if (faultsOnly(value, draw.file) !== null) fastPaths++;
        const revalidated = analyseScenarioObject(value, draw.file);
        expect(revalidated).toStrictEqual(full);
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(fastPaths).toBe(valid);
    expect(valid).toBeGreaterThan(50);
  });

  it('leaves the kept scenario as a fresh validation gives it after runs of drawn schedules', () => {
    const file = 'scenarios/backup-mx.yaml';
    const base = scenarioObjectOf(file);
    forgetValidated();
    validateScenarioObject(base, file);
    for (const drawn of fc.sample(faultSchedule(file), { numRuns: 20, seed: 5 })) runScenarioWorld(validateScenarioObject(drawn, file));
    const kept = validateScenarioObject(base, file);
    forgetValidated();
    expect(kept).toStrictEqual(validateScenarioObject(base, file));
  });

  it('does not take an object whose other keys changed, however deep', () => {
    const file = 'scenarios/backup-mx.yaml';
    const base = scenarioObjectOf(file);
    forgetValidated();
    validateScenarioObject(base, file);
    const deeper = structuredClone(base) as { hosts: Record<string, { users?: Record<string, string> } | null> };
    deeper.hosts['mx1.example.org']!.users!.carol = 'secret';
    expect(faultsOnly(deeper, file)).toBeNull();
    expect(faultsOnly({ ...base, seed: Number.NaN }, file)).toBeNull();
    expect(faultsOnly(base, '<another name>')).toBeNull();
    expect(faultsOnly(base, file)).not.toBeNull();
  });
});
