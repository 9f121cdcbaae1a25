/**
 * `assertMail` (docs/testing.md "assertMail"): a search that holds returns its summary; a failing one
 * throws with the violations, the seed and path, the replay command and the files — the shrunk
 * scenario (which `mailsim run` loads and which fails the check again) and its HTML report; the printed
 * seed and path reproduce the same shrunk case; `timeoutMs` stops a search; a throwing check is that
 * check's violation. `expectMail`/`mailProperty` serve someone else's loop: fc.assert and
 * @fast-check/vitest's test.prop.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { assertMail, check, expectMail, faultSchedule, MailPropertyError, MailViolationError, mailProperty, type MailRun, runMail } from 'mailsim/testing';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';

const backupMx = 'scenarios/backup-mx.yaml';

/** The scenario's own `expect` (a check of this test's; the built-in `expectations()` is another file's). */
const ownExpectations = check('own expectations', (run: MailRun) => run.report.expectations.filter((e) => !e.passed).map((e) => `${JSON.stringify(e.expect)}: ${e.detail}`));
const nothing = check('nothing', () => []);
const downFaults = () => faultSchedule(backupMx, { kinds: ['down'], maxFaults: 3, chance: 0 });

function failureOf(fn: () => unknown): MailPropertyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MailPropertyError);
    return error as MailPropertyError;
  }
  throw new Error('expected assertMail to throw');
}

describe('assertMail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsim-assert-'));

  it('returns a summary when every drawn scenario passes', () => {
    const summary = assertMail(faultSchedule(backupMx, { kinds: ['latency'], maxFaults: 2 }), nothing, { numRuns: 8, seed: 3, dir });
    expect(summary).toEqual({ seed: 3, runs: 8, interrupted: false });
  });

  it('throws the shrunk counterexample: violations, seed and path, replay command, a scenario file mailsim run loads and its HTML report', () => {
    const error = failureOf(() => assertMail(downFaults(), ownExpectations, { numRuns: 50, seed: 7, dir, name: 'down' }));
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(/^assertMail "down": a counterexample after \d+ run\(s\), shrunk in \d+ step\(s\): 2 faults, 3 hosts, 1 send$/);
    expect(lines.filter((l) => l.startsWith('  - own expectations: '))).toHaveLength(error.violations.length);
    expect(error.message).toContain(`replay the search: { seed: 7, path: ${JSON.stringify(error.path)} }`);
    expect(error.message).toContain(`npx mailsim run ${error.files.scenario}`);
    expect(error.files.scenario).toBe(join(dir, 'down-seed7.counterexample.yaml'));
    expect(error.files.html).toBe(join(dir, 'down-seed7.counterexample.html'));
    expect(readFileSync(error.files.html!, 'utf8')).toMatch(/^<!doctype html>/i);
    // The file is a scenario mailsim run loads, and running it fails the check again, the same way.
    expect(loadScenario(error.files.scenario).faults).toHaveLength(2);
    expect(ownExpectations(runMail(error.files.scenario)).map((v) => v.message)).toEqual(error.violations.map((v) => v.message));
    expect(readFileSync(error.files.scenario, 'utf8')).toContain('Counterexample found by assertMail "down" (seed 7');
  });

  it('is deterministic: the printed seed and path give the same shrunk case, and so does the seed alone', () => {
    const first = failureOf(() => assertMail(downFaults(), ownExpectations, { numRuns: 50, seed: 7, dir, name: 'again' }));
    const text = readFileSync(first.files.scenario, 'utf8');
    const replayed = failureOf(() => assertMail(downFaults(), ownExpectations, { seed: first.seed, path: first.path, dir, name: 'again' }));
    expect(replayed.scenario).toEqual(first.scenario);
    expect(replayed.violations).toEqual(first.violations);
    expect(replayed.path).toBe(first.path);
    const repeated = failureOf(() => assertMail(downFaults(), ownExpectations, { numRuns: 50, seed: 7, dir, name: 'again' }));
    expect(readFileSync(repeated.files.scenario, 'utf8')).toBe(text);
  });

  it('timeoutMs: a search it stops without a failure passes and says so; failOnTimeout makes it throw', () => {
    const slow = check('slow', () => {
      const until = performance.now() + 30;
      while (performance.now() < until) {
        // a check that takes its time
      }
      return [];
    });
    const summary = assertMail(downFaults(), slow, { numRuns: 10_000, seed: 1, timeoutMs: 200, dir });
    expect(summary.interrupted).toBe(true);
    expect(summary.runs).toBeLessThan(10_000);
    expect(() => assertMail(downFaults(), slow, { numRuns: 10_000, seed: 1, timeoutMs: 200, dir, failOnTimeout: true })).toThrow(/timeoutMs \(200 ms\) stopped the search after \d+ scenario/);
  });

  it('a check that throws is that check\'s violation, with its stack, and is shrunk like any other', () => {
    const throwing = check('throws with faults', (run) => {
      if (run.report.faults.length > 1) throw new Error('boom in user code');
      return [];
    });
    const error = failureOf(() => assertMail(downFaults(), throwing, { numRuns: 30, seed: 2, dir, name: 'throwing' }));
    expect(error.violations).toHaveLength(1);
    expect(error.violations[0]!.check).toBe('throws with faults');
    expect(error.violations[0]!.message).toMatch(/the check threw: Error: boom in user code\n\s+at /);
    expect((error.scenario.faults as unknown[]).length).toBe(2);
  });

  it('refuses a call without checks', () => {
    expect(() => assertMail(downFaults(), [])).toThrow(TypeError);
  });
});

describe('expectMail and mailProperty, for other property loops', () => {
  it('expectMail throws the violations, one a line, and passes a run without any', () => {
    const run = runMail(backupMx);
    expect(() => expectMail(run, nothing)).not.toThrow();
    const failing = check('always', () => ['first', 'second']);
    expect(() => expectMail(run, [nothing, failing])).toThrow(MailViolationError);
    expect(() => expectMail(run, failing)).toThrow('2 violation(s):\n  - always: first\n  - always: second');
  });

  it('mailProperty in fc.assert: fast-check finds and shrinks the failing scenario, with the violations as its cause', () => {
    let thrown: unknown = null;
    try {
      fc.assert(fc.property(downFaults(), mailProperty(ownExpectations)), { numRuns: 50, seed: 7 });
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).toMatch(/Property failed after \d+ tests[\s\S]*Shrunk \d+ time/);
    const cause = (thrown as Error).cause;
    expect(cause).toBeInstanceOf(MailViolationError);
    expect((cause as MailViolationError).message).toMatch(/^\d+ violation\(s\):\n {2}- own expectations: /);
  });
});

describe('@fast-check/vitest', () => {
  fcTest.prop([faultSchedule(backupMx, { kinds: ['latency'], maxFaults: 2 })], { numRuns: 5, seed: 4 })('test.prop runs mailProperty over drawn scenarios', mailProperty(nothing));

  fcTest.prop([faultSchedule(backupMx, { kinds: ['latency'], maxFaults: 2 })], { numRuns: 5, seed: 4 })('test.prop with expectMail inside a body', (scenario) => {
    const run = runMail(scenario);
    expectMail(run, check('delivered', (r) => (r.report.messages.length === 0 ? ['no message'] : [])));
    expect(existsSync(backupMx)).toBe(true);
  });
});
